// Secrets registered here are replaced by `[redacted:<label>]` before anything is written or drawn.
//
// Redaction acts on values, never on structure. A secret is looked for inside string values (and
// streamed output lines); object keys are never rewritten, and the fields of a journal record that
// are identifiers or structure (step ids, statuses, kinds, the runbook source: STRUCTURE below)
// are left as they are. How a value is looked for depends on how long it is:
//
//   1–4 characters   masked only where a whole string equals it (a field, an output line). Inside
//                    text it cannot be masked without destroying ordinary words and numbers (a pin
//                    "1" would blank every digit, "ok" every status): the engine warns at input time.
//   5–11 characters  masked where it stands as a word of its own, not inside a longer word or a
//                    name joined by '-' or '.': the secret "STRING" is masked in "pw=STRING" and
//                    "/srv/STRING/x" but not in the key name RETAIN_INNER_QUOTES_AS_STRING, nor
//                    "secret" in "secrets-env-migration", "devpw-secret-x1" or "app.secret.yaml".
//   12 and more      masked wherever it occurs, inside words too.
//
// Every secret is also looked for JSON-escaped (once and twice), and each line of a multi-line
// secret that has 6 or more characters is a secret of its own (output arrives line by line).
// With thousands of secrets registered, a text is still read once (matcher.ts).
import type { EventType } from './events.js';
import { Matcher, type Hit } from './matcher.js';

/** Matches a placeholder we produced, so a second pass never rewrites it (e.g. a secret "secret"). */
const PLACEHOLDER = /\[redacted:[\w.:-]*\]/g;

/** Lines of a multi-line secret shorter than this are left alone (they would redact common words). */
const MIN_LINE_PART = 6;
/** Secrets this long or shorter are masked only where a whole string equals them. */
export const EXACT_ONLY_MAX = 4;
/** Secrets this long or longer are masked inside words too; shorter ones only as whole words. */
export const ANYWHERE_MIN = 12;

/** How a secret of this text is looked for (see the top of this file). */
export type Reach = 'exact' | 'word' | 'anywhere';

export function reachOf(value: string): Reach {
  return value.length <= EXACT_ONLY_MAX ? 'exact' : value.length < ANYWHERE_MIN ? 'word' : 'anywhere';
}

const WORD = 1;
const ANYWHERE = 2;

/** Which side(s) of a text were cut off: a secret cut there is masked by the part that is left. */
export type Cut = 'start' | 'end' | 'both';

export interface RedactOptions {
  /**
   * The text was cut at its end (a prefix of a longer text), its start (a suffix), or both. A
   * beginning of a secret left at the end of the kept text, or an end of one at its start, is
   * masked like a whole secret: what was cut off cannot show that it was not one.
   */
  cut?: Cut;
}

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

/** A letter, digit, combining mark or underscore: what a word is made of. */
function isWordCode(cp: number | undefined): boolean {
  if (cp === undefined) return false;
  if (cp < 0x80) return (cp >= 0x30 && cp <= 0x39) || (cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a) || cp === 0x5f;
  return /[\p{L}\p{N}\p{M}]/u.test(String.fromCodePoint(cp));
}

/** The code point that starts at i. */
function codeAt(text: string, i: number): number | undefined {
  return i < text.length ? text.codePointAt(i) : undefined;
}

/** The code point that ends at i. */
function codeBefore(text: string, i: number): number | undefined {
  if (i <= 0) return undefined;
  const low = text.charCodeAt(i - 1);
  if (low >= 0xdc00 && low <= 0xdfff && i >= 2) {
    const high = text.charCodeAt(i - 2);
    if (high >= 0xd800 && high <= 0xdbff) return text.codePointAt(i - 2);
  }
  return low;
}

/** '-' and '.' join words into one name (a key, a file, a host): devpw-secret-1, app.secret.yaml. */
function isJoiner(code: number | undefined): boolean {
  return code === 0x2d || code === 0x2e;
}

/**
 * No word or name goes on across position i: text[..i) and text[i..) are not parts of one word
 * (letters, digits, '_') nor of one name joined by '-' or '.'. A '-' or '.' with no word beyond it
 * joins nothing: "the password is secret." ends a word.
 */
function boundaryAt(text: string, i: number): boolean {
  const before = codeBefore(text, i);
  const after = codeAt(text, i);
  if (isWordCode(before) && isWordCode(after)) return false;
  if (isWordCode(after) && isJoiner(before) && isWordCode(codeBefore(text, i - 1))) return false;
  if (isWordCode(before) && isJoiner(after) && isWordCode(codeAt(text, i + 1))) return false;
  return true;
}

function reverse(s: string): string {
  let out = '';
  for (let i = s.length - 1; i >= 0; i--) out += s[i];
  return out;
}

interface Pattern {
  placeholder: string;
  flags: number;
}

interface Automaton {
  forms: string[];
  info: Pattern[];
  forward: Matcher;
  /** The patterns reversed, for a text cut at its start; built on first need. */
  backward?: Matcher;
  longest: number;
}

// ── structure: the fields of each journal record that are never redacted ───────────────────

/**
 * Per record type, the payload fields that are identifiers or structure, not values. Paths are
 * dotted; `*` is any array element or key. Everything else that is a string is a value and is
 * redacted; object keys never are. Choosing what to exempt is choosing what cannot hold a secret:
 *
 * - ids and enums checked before they are journaled (step ids and `next` come from the runbook,
 *   statuses, effects, streams, outcomes from the engine; a choice is one of the runbook's options
 *   and a manual answer is 'done', both checked by policy.answerProblem);
 * - the runbook itself (id, version, file, hash, source, step titles, assertion expressions): it is
 *   a file anyone with the repository can read, and its source must stay byte-exact for resume;
 * - who acted (operator, by, host): decided once per session (core/operator.ts), never typed into
 *   a step; a secret equal to a person's name would be shown by masking it anyway.
 *
 * What stays a value: free text (titles of incidents, notes, summaries, errors, questions,
 * reasons), typed answers, step results, captures, intents (argv, parameters, resources), inputs,
 * identities. A step kind that puts a secret into an exempt field would leak it; none can choose
 * those fields' contents (they are the engine's or the runbook's).
 */
export const STRUCTURE: Record<EventType, (payload: Record<string, unknown>) => readonly string[]> = {
  'incident.opened': () => ['severity', 'mode', 'operator', 'host', 'oncall_version', 'drill.scenario'],
  'incident.resumed': () => ['operator'],
  'incident.reopened': () => ['by', 'step', 'outcome'],
  'runbook.attached': () => ['id', 'version', 'hash', 'file', 'source', 'secret_inputs.*'],
  'identity.resolved': () => [],
  'step.skipped': () => ['step', 'by', 'next', 'intent.api'],
  'step.started': () => ['step', 'title', 'kind', 'plugin', 'effect', 'intent.api'],
  'step.output': () => ['step', 'stream'],
  'step.finished': () => ['step', 'status', 'reconciled', 'next', 'assertions.*.that'],
  'step.in_doubt': () => ['step', 'resolution'],
  'step.spawned': () => ['step', 'host'],
  'confirm.given': () => ['step', 'by', 'purpose'],
  'decision.made': (p) => ['step', 'by', 'type', ...(p.type === 'choice' || p.type === 'manual' ? ['value'] : [])],
  'note.added': () => ['by'],
  'milestone.marked': () => ['milestone', 'by', 'at'],
  'rollback.started': () => ['failed_step', 'steps.*'],
  'run.finished': () => ['outcome', 'failed_step'],
  'journal.repaired': () => [],
  'journal.closed': () => ['head'],
  'drill.scored': () => ['scenario', 'outcome', 'expected_outcome', 'steps_skipped.*.step', 'wrong_turns.*.step', 'wrong_turns.*.choice', 'confirmations_declined.*'],
};

/** Paths as a tree of segments; a node marked `keep` is left as it is, with all below it. */
interface KeepNode {
  keep: boolean;
  next: Map<string, KeepNode>;
}

function keepTree(paths: readonly string[]): KeepNode | undefined {
  if (paths.length === 0) return undefined;
  const root: KeepNode = { keep: false, next: new Map() };
  for (const path of paths) {
    let node = root;
    for (const seg of path.split('.')) {
      let child = node.next.get(seg);
      if (!child) node.next.set(seg, (child = { keep: false, next: new Map() }));
      node = child;
    }
    node.keep = true;
  }
  return root;
}

function descend(nodes: readonly KeepNode[], key: string): KeepNode[] {
  const out: KeepNode[] = [];
  for (const n of nodes) {
    const a = n.next.get(key);
    if (a) out.push(a);
    const b = n.next.get('*');
    if (b) out.push(b);
  }
  return out;
}

const NO_KEEP: readonly KeepNode[] = [];

export class Redactor {
  readonly #values = new Set<string>();
  /** Whole strings that are a secret (every value, in every form) → placeholder. */
  readonly #exact = new Map<string, string>();
  /** Texts looked for inside strings → placeholder and WORD or ANYWHERE. */
  readonly #free = new Map<string, Pattern>();
  #auto: Automaton | undefined;

  /** Registers a secret value; empty strings are ignored. The first label given for a value wins. */
  add(value: string, label = 'secret'): void {
    if (typeof value !== 'string' || value === '' || this.#values.has(value)) return;
    this.#values.add(value);
    const placeholder = `[redacted:${sanitizeLabel(label)}]`;
    for (const form of formsOf(value)) if (!this.#exact.has(form)) this.#exact.set(form, placeholder);
    // Output is streamed line by line, so a multi-line secret (a PEM key, a quoted password with
    // a newline) reaches sinks one line at a time: each substantial line is a secret of its own.
    const parts = value.includes('\n') ? value.split(/\r?\n/).filter((l) => l.length >= MIN_LINE_PART) : [];
    for (const part of [value, ...parts]) {
      const reach = reachOf(part);
      if (reach === 'exact') continue;
      const flags = reach === 'word' ? WORD : ANYWHERE;
      for (const form of formsOf(part)) if (!this.#free.has(form)) this.#free.set(form, { placeholder, flags });
    }
    this.#auto = undefined; // rebuilt on next use
  }

  get size(): number {
    return this.#values.size;
  }

  /**
   * The text with every secret in it masked. A text that is, as a whole (or but for surrounding
   * white space), a secret of any length becomes its placeholder.
   */
  redact(text: string, opts: RedactOptions = {}): string {
    if (this.#values.size === 0 || text === '') return text;
    const whole = this.#exact.get(text) ?? this.#exact.get(text.trim());
    if (whole !== undefined) return whole;
    if (this.#free.size === 0) return text;
    const a = (this.#auto ??= this.#build());
    const n = text.length;

    // [start, end, placeholder], or null for a placeholder already in the text (kept as is).
    const spans: [number, number, string | null][] = [];
    if (text.includes('[redacted:')) for (const m of text.matchAll(PLACEHOLDER)) spans.push([m.index, m.index + m[0].length, null]);
    const state = a.forward.scan(text, (h: Hit) => {
      const p = a.info[h.index]!;
      if (p.flags === WORD && !(boundaryAt(text, h.start) && boundaryAt(text, h.end))) return;
      spans.push([h.start, h.end, p.placeholder]);
    });

    const cutEnd = opts.cut === 'end' || opts.cut === 'both';
    const cutStart = opts.cut === 'start' || opts.cut === 'both';
    // The longest end of the text that begins a secret (a secret cut there), as a word where it must be.
    let tail = n;
    let tailPlaceholder = '';
    if (cutEnd) {
      for (const p of a.forward.partials(state)) {
        if (p.flags & ANYWHERE || boundaryAt(text, n - p.length)) {
          tail = n - p.length;
          tailPlaceholder = a.info[p.index]!.placeholder;
          break;
        }
      }
    }
    // The longest start of the text that ends a secret.
    let pos = 0;
    let out = '';
    if (cutStart) {
      const backward = (a.backward ??= new Matcher(a.forms.map(reverse), a.info.map((p) => p.flags)));
      const head = reverse(text.slice(0, Math.min(n, a.longest)));
      for (const p of backward.partials(backward.scan(head, () => undefined))) {
        if (p.flags & ANYWHERE || boundaryAt(text, p.length)) {
          out = a.info[p.index]!.placeholder;
          pos = p.length;
          break;
        }
      }
    }

    if (spans.length === 0 && pos === 0 && tail === n) return text;
    // Leftmost first; at one position a placeholder already there, then the longest secret.
    spans.sort((x, y) => x[0] - y[0] || (x[2] === null ? -1 : y[2] === null ? 1 : y[1] - x[1]));
    for (const [start, end, placeholder] of spans) {
      if (start < pos) continue;
      if (start >= tail) break;
      out += text.slice(pos, start) + (placeholder ?? text.slice(start, end));
      pos = end;
    }
    if (tail < n) {
      if (pos < n) out += text.slice(pos, Math.max(pos, tail)) + tailPlaceholder;
    } else {
      out += text.slice(pos);
    }
    return out;
  }

  /**
   * A JSON-shaped copy of `v` with every string value redacted; keys are never rewritten, nor the
   * values at `keep` (dotted paths, `*` for any element or key). Follows JSON.stringify's rules
   * (toJSON, own enumerable keys) so what is redacted is what would be serialized; Errors keep
   * name and message; a cycle becomes '[cycle]' instead of making serialization throw.
   */
  redactDeep<T>(v: T, keep: readonly string[] = []): T {
    const tree = keepTree(keep);
    return this.#deep(v, new Set(), tree ? [tree] : NO_KEEP) as T;
  }

  /** A journal record's payload, redacted: its values, never its structure (STRUCTURE). */
  redactRecord<T>(type: string, payload: T): T {
    const structure = Object.hasOwn(STRUCTURE, type) ? STRUCTURE[type as EventType] : undefined;
    const keep = structure && payload !== null && typeof payload === 'object' ? structure(payload as Record<string, unknown>) : [];
    return this.redactDeep(payload, keep);
  }

  #build(): Automaton {
    const forms = [...this.#free.keys()];
    const info = [...this.#free.values()];
    return {
      forms,
      info,
      forward: new Matcher(
        forms,
        info.map((p) => p.flags),
      ),
      longest: forms.reduce((m, f) => Math.max(m, f.length), 0),
    };
  }

  #deep(v: unknown, ancestors: Set<object>, keep: readonly KeepNode[]): unknown {
    if (keep.some((k) => k.keep)) return v;
    if (typeof v === 'string') return this.redact(v);
    if (v === null || typeof v !== 'object') return v;
    if (ancestors.has(v)) return '[cycle]';
    if (v instanceof Date) return new Date(v.getTime());
    ancestors.add(v);
    try {
      if (Array.isArray(v)) return v.map((x, i) => this.#deep(x, ancestors, keep.length ? descend(keep, String(i)) : NO_KEEP));
      const toJSON = (v as { toJSON?: unknown }).toJSON;
      if (typeof toJSON === 'function') return this.#deep(toJSON.call(v), ancestors, keep);
      const out: Record<string, unknown> = {};
      if (v instanceof Error) {
        out.name = this.redact(v.name);
        out.message = this.redact(v.message);
      }
      for (const [k, x] of Object.entries(v)) {
        const val = this.#deep(x, ancestors, keep.length ? descend(keep, k) : NO_KEEP);
        // A plain assignment to "__proto__" would set the prototype instead of a key.
        if (k === '__proto__') Object.defineProperty(out, k, { value: val, enumerable: true, writable: true, configurable: true });
        else out[k] = val;
      }
      return out;
    } finally {
      ancestors.delete(v);
    }
  }
}
