// Secrets registered here are replaced by `[redacted:<label>]` before anything is written or drawn.

/** Matches a placeholder we produced, so a second pass never rewrites it (e.g. a secret "secret"). */
const PLACEHOLDER_SRC = '\\[redacted:[\\w.:-]*\\]';

/** Lines of a multi-line secret shorter than this are left alone (they would redact common words). */
const MIN_LINE_PART = 6;

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

/** JSON-escaped inner text of a string (what it looks like inside a JSON string literal). */
function jsonInner(s: string): string {
  return JSON.stringify(s).slice(1, -1);
}

/**
 * The forms a value can take on its way to a sink: as is, JSON-escaped once (a payload
 * serialized into the journal line) and twice (a JSON document carried inside a string field).
 */
function formsOf(value: string): string[] {
  const forms = [value];
  const once = jsonInner(value);
  if (once !== value) {
    forms.push(once);
    const twice = jsonInner(once);
    if (twice !== once) forms.push(twice);
  }
  return forms;
}

function sanitizeLabel(label: string): string {
  const clean = label.replace(/[^\w.:-]/g, '_');
  return clean === '' ? 'secret' : clean;
}

export class Redactor {
  /** Every form of every value → its placeholder. */
  readonly #forms = new Map<string, string>();
  readonly #values = new Set<string>();
  #re: RegExp | undefined;

  /** Registers a secret value; empty strings are ignored. The first label given for a value wins. */
  add(value: string, label = 'secret'): void {
    if (typeof value !== 'string' || value === '' || this.#values.has(value)) return;
    this.#values.add(value);
    const placeholder = `[redacted:${sanitizeLabel(label)}]`;
    // Output is streamed line by line, so a multi-line secret (a PEM key, a quoted password with
    // a newline) reaches sinks one line at a time: each substantial line is a secret of its own.
    const parts = value.includes('\n') ? value.split(/\r?\n/).filter((l) => l.length >= MIN_LINE_PART) : [];
    for (const part of [value, ...parts]) {
      for (const form of formsOf(part)) {
        if (!this.#forms.has(form)) this.#forms.set(form, placeholder);
      }
    }
    this.#re = undefined; // rebuilt on next use
  }

  get size(): number {
    return this.#values.size;
  }

  redact(text: string): string {
    if (this.#forms.size === 0 || text === '') return text;
    const re = (this.#re ??= this.#build());
    return text.replace(re, (m) => this.#forms.get(m) ?? m);
  }

  /**
   * A JSON-shaped copy of `v` with every string (keys too) redacted. Follows JSON.stringify's
   * rules (toJSON, own enumerable keys) so what is redacted is what would be serialized; Errors
   * keep name and message; a cycle becomes '[cycle]' instead of making serialization throw.
   */
  redactDeep<T>(v: T): T {
    return this.#deep(v, new Set()) as T;
  }

  #build(): RegExp {
    // Longest first, so "abcdef" wins over its prefix "abc".
    const alts = [...this.#forms.keys()].sort((a, b) => b.length - a.length).map(escapeRegExp);
    return new RegExp(`${PLACEHOLDER_SRC}|${alts.join('|')}`, 'g');
  }

  #deep(v: unknown, ancestors: Set<object>): unknown {
    if (typeof v === 'string') return this.redact(v);
    if (v === null || typeof v !== 'object') return v;
    if (ancestors.has(v)) return '[cycle]';
    if (v instanceof Date) return new Date(v.getTime());
    ancestors.add(v);
    try {
      if (Array.isArray(v)) return v.map((x) => this.#deep(x, ancestors));
      const toJSON = (v as { toJSON?: unknown }).toJSON;
      if (typeof toJSON === 'function') return this.#deep(toJSON.call(v), ancestors);
      const out: Record<string, unknown> = {};
      if (v instanceof Error) {
        out.name = this.redact(v.name);
        out.message = this.redact(v.message);
      }
      for (const [k, x] of Object.entries(v)) {
        const key = this.redact(k);
        const val = this.#deep(x, ancestors);
        // A plain assignment to "__proto__" would set the prototype instead of a key.
        if (key === '__proto__') Object.defineProperty(out, key, { value: val, enumerable: true, writable: true, configurable: true });
        else out[key] = val;
      }
      return out;
    } finally {
      ancestors.delete(v);
    }
  }
}
