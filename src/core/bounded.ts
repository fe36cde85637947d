// Bounded copies of long outputs: the journal and expressions get at most a few kilobytes, never
// megabytes. What is cut is redacted first: a secret cut in two would no longer be recognised, so
// the whole text is redacted, then cut, and what is left of a secret at a cut is masked too.
import type { Redactor } from '../journal/redact.js';

// Keeps the tail of a long output: whole lines only, so no line (and no secret in it) is cut.
export class BoundedText {
  private parts: string[] = [];
  private size = 0;
  private dropped = 0;

  constructor(private readonly limit: number) {}

  push(line: string): void {
    this.parts.push(line);
    this.size += line.length + 1;
    while (this.size > this.limit && this.parts.length > 1) {
      const first = this.parts.shift()!;
      this.size -= first.length + 1;
      this.dropped += 1;
    }
  }

  get text(): string {
    const body = this.parts.join('\n');
    return this.dropped ? `[… ${this.dropped} earlier lines dropped]\n${body}` : body;
  }
}

/** What boundJson makes of a value too large to keep: the start of its JSON text. */
export interface TruncatedJson {
  truncated: true;
  /** The length of the whole JSON text, in characters. */
  bytes: number;
  excerpt: string;
}

export function isTruncatedJson(v: unknown): v is TruncatedJson {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const t = v as Record<string, unknown>;
  return t.truncated === true && typeof t.bytes === 'number' && typeof t.excerpt === 'string' && Object.keys(t).length === 3;
}

/** text[0, end) without splitting a surrogate pair. */
function headOf(text: string, end: number): string {
  const code = text.charCodeAt(end - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? end - 1 : end);
}

/** text[start, …) without splitting a surrogate pair. */
function tailOf(text: string, start: number): string {
  const code = text.charCodeAt(start);
  return text.slice(code >= 0xdc00 && code <= 0xdfff ? start + 1 : start);
}

/**
 * Excerpts that an earlier boundJson cut without a redactor (a step kind bounding its own raw
 * responses): their end is a cut, so what is left there of a secret is masked.
 */
function redactExcerpts(v: unknown, redactor: Redactor, depth = 0): unknown {
  if (v === null || typeof v !== 'object' || depth > 64) return v;
  if (isTruncatedJson(v)) return { ...v, excerpt: redactor.redact(v.excerpt, { cut: 'end' }) };
  if (Array.isArray(v)) {
    let copy: unknown[] | undefined;
    v.forEach((x, i) => {
      const y = redactExcerpts(x, redactor, depth + 1);
      if (y !== x) (copy ??= [...v])[i] = y;
    });
    return copy ?? v;
  }
  if (Object.getPrototypeOf(v) !== Object.prototype) return v;
  let copy: Record<string, unknown> | undefined;
  for (const [k, x] of Object.entries(v)) {
    const y = redactExcerpts(x, redactor, depth + 1);
    if (y !== x) (copy ??= { ...(v as Record<string, unknown>) })[k] = y;
  }
  return copy ?? v;
}

/**
 * A JSON-safe copy of a value no larger than `limit` characters when serialized. With a redactor,
 * the value is redacted before it is cut, and the cut itself is treated as a possible secret
 * boundary (redact.ts `cut`): no piece of a secret survives in the excerpt.
 */
export function boundJson(value: unknown, limit = 16_384, redactor?: Redactor): unknown {
  const clean = redactor ? redactor.redactDeep(redactExcerpts(value, redactor)) : value;
  const text = JSON.stringify(clean);
  if (text === undefined || text.length <= limit) return clean;
  const excerpt = headOf(text, limit);
  const out: TruncatedJson = { truncated: true, bytes: text.length, excerpt: redactor ? redactor.redact(excerpt, { cut: 'end' }) : excerpt };
  return out;
}

/**
 * One line of streamed output, no longer than about `limit` characters: redacted whole, then, if
 * still too long, its start and end kept around a marker, each cut side checked for a piece of a
 * secret (the end of the start, the start of the end).
 */
export function boundLine(line: string, limit: number, redactor: Redactor): string {
  const clean = redactor.redact(line);
  if (clean.length <= limit) return clean;
  const headLength = Math.ceil((limit * 3) / 4);
  const tailLength = limit - headLength;
  const head = redactor.redact(headOf(clean, headLength), { cut: 'end' });
  const tail = tailLength > 0 ? redactor.redact(tailOf(clean, clean.length - tailLength), { cut: 'start' }) : '';
  return `${head} […${clean.length - headLength - tailLength} characters cut…] ${tail}`;
}
