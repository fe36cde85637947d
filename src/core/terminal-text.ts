// Text that did not come from oncall (a step's output, an input, a note, an error a server sent,
// a runbook's words, a journal read back) made safe to show to a person. A terminal obeys what such
// text carries: OSC sets the window title, writes the clipboard or hides a link behind other
// words, CSI clears the screen or moves the cursor over what was already printed, a bare carriage
// return overwrites a line. So wherever foreign text is shown (headless lines, the TUI, the
// Markdown, HTML and CSV exports) it goes through `visible` first.
//
// The journal is never changed: it keeps the exact bytes, and so do the JSON forms (`--json`, the
// JSON export), written with `jsonText`: escaped as JSON, nothing reaches a terminal raw.
import { stripVTControlCharacters } from 'node:util';

/** C0 controls but tab and newline, DEL, and C1 controls: what a terminal may act on. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;
// eslint-disable-next-line no-control-regex
const CONTROLS = /\r\n|[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

function picture(c: string): string {
  if (c === '\r\n') return '\n';
  const code = c.charCodeAt(0);
  // U+2400…U+241F CONTROL PICTURES (␀ … ␛ … ␟), and ␡ for DEL.
  if (code < 0x20) return String.fromCharCode(0x2400 + code);
  if (code === 0x7f) return '\u2421';
  // C1 controls have no picture: the replacement character says "something was here".
  return '\ufffd';
}

/**
 * `text` with its terminal escape sequences removed (CSI, OSC with its payload, and the rest
 * `stripVTControlCharacters` knows) and every control character left made visible as its control
 * picture (ESC as ␛, BEL as ␇, a bare CR as ␍); C1 controls become �. Newline and tab are kept,
 * CRLF becomes a newline. The result holds no control character but `\n` and `\t`, and nothing
 * HTML, Markdown or CSV treat specially that was not already in the text: it can be escaped
 * for those formats before or after this.
 */
export function visible(text: string): string {
  if (!CONTROL.test(text)) return text;
  return stripVTControlCharacters(text).replace(CONTROLS, picture);
}

const RAW_IN_JSON = /[\u007f-\u009f]/;
const RAW_IN_JSON_ALL = /[\u007f-\u009f]/g;

/**
 * JSON.stringify, and DEL and the C1 controls escaped as well (\u009b): JSON escapes C0 controls
 * itself but leaves these raw, and some terminals act on a C1 CSI. The same data, parsed back;
 * nothing in the text a terminal acts on. For JSON written where a person may be reading
 * (`--json`, the JSON export).
 */
export function jsonText(value: unknown, space?: number): string {
  const text = JSON.stringify(value, null, space);
  return RAW_IN_JSON.test(text) ? text.replace(RAW_IN_JSON_ALL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) : text;
}

/**
 * A copy of a plain value (records, requests: JSON-like data) with every string made `visible`,
 * except at `keep`: dotted paths, `*` for any key or element (what an answer is made of, say, must
 * stay exact). Parts that hold nothing to change are returned as they are, not copied.
 */
export function visibleDeep<T>(value: T, keep: readonly string[] = []): T {
  return (keep.length ? deep(value, keep.map((p) => p.split('.'))) : all(value)) as T;
}

/** Walks plain data (arrays and plain objects); anything else is returned as it is. */
function walk(v: object, child: (x: unknown, key: string) => unknown): unknown {
  if (Array.isArray(v)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < v.length; i++) {
      const x: unknown = v[i];
      const y = child(x, String(i));
      if (y !== x) (out ??= v.slice())[i] = y;
    }
    return out ?? v;
  }
  const proto: unknown = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return v;
  let out: Record<string, unknown> | undefined;
  for (const k of Object.keys(v)) {
    const x = (v as Record<string, unknown>)[k];
    const y = child(x, k);
    if (y === x) continue;
    out ??= { ...v };
    // A plain assignment to "__proto__" would set the prototype instead of a key.
    Object.defineProperty(out, k, { value: y, enumerable: true, writable: true, configurable: true });
  }
  return out ?? v;
}

// No path kept (a journal record, a timeline): the common case, without the bookkeeping.
function all(v: unknown): unknown {
  if (typeof v === 'string') return visible(v);
  if (v === null || typeof v !== 'object') return v;
  return walk(v, all);
}

function deep(v: unknown, keep: string[][]): unknown {
  if (keep.some((p) => p.length === 0)) return v;
  if (!keep.length) return all(v);
  if (typeof v === 'string') return visible(v);
  if (v === null || typeof v !== 'object') return v;
  return walk(v, (x, k) => deep(x, keep.filter((p) => p[0] === '*' || p[0] === k).map((p) => p.slice(1))));
}
