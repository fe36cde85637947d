// Reading .env files the way the application does, without ever letting a value out.
//
// Values come from dotenv's own parser (`dotenv.parse`, the classic parser that `config()` uses):
// that is what the application sees. Beside it, a line scan finds where each assignment is and
// what about it deserves a human's eye (duplicates, `export`, inline `#`, quotes, multiline
// values, unterminated quotes, lines dotenv ignores). The scan locates assignments with the very
// pattern dotenv 17/18 uses, applies dotenv's own post-processing to what it finds, and checks the
// result against dotenv.parse: where the two ever disagree (a future dotenv), dotenv wins and the
// disagreement is reported.
//
// Nothing in this file prints or returns a value: facts are key names, line numbers and flags.
// Errors name the file and a byte offset or line, never content.
import { readFile, stat } from 'node:fs/promises';
import { StepFailure } from '../../core/failure.js';

/** dotenv's classic LINE pattern (lib/main.js in 17.x; `parse` in 18.x without `fast`). */
const DOTENV_LINE = /(?:^|^)\s*(?:export\s+)?([\w.-]+)(?:\s*=\s*?|:\s+?)(\s*'(?:\\'|[^'])*'|\s*"(?:\\"|[^"])*"|\s*`(?:\\`|[^`])*`|[^#\r\n]+)?\s*(?:#.*)?(?:$|$)/gm;

export type Severity = 'info' | 'warning' | 'human';

/** One fact about an assignment or a line, for the inventory. Messages never hold values. */
export interface LineFact {
  file: string;
  line: number;
  key?: string;
  code: FactCode;
  severity: Severity;
  message: string;
}

export type FactCode =
  | 'export'
  | 'colon'
  | 'comment'
  | 'hash-truncated'
  | 'hash-empties'
  | 'quoted'
  | 'multiline'
  | 'escapes'
  | 'empty'
  | 'unterminated-quote'
  | 'text-after-quote'
  | 'swallowed-lines'
  | 'duplicate'
  | 'duplicate-same'
  | 'shadowed-by-earlier-file'
  | 'overrides-earlier-file'
  | 'interpolation'
  | 'key-not-identifier'
  | 'ignored-line'
  | 'scan-disagrees'
  | 'unredactable'
  | 'file-mode'
  | 'git-exposed';

/** Where one assignment is and how it is written (never what it holds). */
export interface Occurrence {
  key: string;
  file: string;
  /** 1-based line of the key. */
  line: number;
  /** 1-based last line of the assignment (a multiline value spans several). */
  endLine: number;
  quote?: '"' | "'" | '`';
  exported: boolean;
  colon: boolean;
}

export interface EnvFile {
  /** As the operator gave it. */
  path: string;
  /** Absolute. */
  resolved: string;
  bytes: Buffer;
  mode: number;
  uid: number;
  mtime: Date;
  lines: number;
  /** dotenv.parse of the file: what the application sees from this file alone. */
  parsed: Record<string, string>;
  occurrences: Occurrence[];
  facts: LineFact[];
  /** Values of earlier assignments of a duplicated key (dotenv keeps the last). In memory only. */
  shadowed: Map<string, string[]>;
}

/** Refuses anything that is not a UTF-8 text file, saying where (an offset), never what. */
export function decodeEnvText(path: string, bytes: Buffer): string {
  const nul = bytes.indexOf(0);
  if (nul >= 0) {
    throw new StepFailure(`${path} is not a text .env file: it holds a NUL byte at offset ${nul} (line ${lineAt(bytes, nul)}); is it binary, or UTF-16? Save it as UTF-8 text.`);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const at = firstInvalidUtf8(bytes);
    throw new StepFailure(
      `${path} is not valid UTF-8 (the first bad byte is at offset ${at}, line ${lineAt(bytes, at)}). dotenv would read it with replacement characters, so the values would not be what they seem; convert the file to UTF-8 (e.g. iconv -f latin1 -t utf-8) and run again.`,
    );
  }
}

function lineAt(bytes: Buffer, offset: number): number {
  let n = 1;
  for (let i = 0; i < offset && i < bytes.length; i++) if (bytes[i] === 0x0a) n++;
  return n;
}

/** Offset of the first byte that breaks UTF-8. */
function firstInvalidUtf8(b: Buffer): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    let need: number;
    if (c < 0x80) need = 0;
    else if (c >= 0xc2 && c <= 0xdf) need = 1;
    else if (c >= 0xe0 && c <= 0xef) need = 2;
    else if (c >= 0xf0 && c <= 0xf4) need = 3;
    else return i;
    if (i + need >= b.length) return i;
    for (let k = 1; k <= need; k++) if ((b[i + k]! & 0xc0) !== 0x80) return i;
    // Overlong and surrogate forms are invalid too.
    if (c === 0xe0 && b[i + 1]! < 0xa0) return i;
    if (c === 0xed && b[i + 1]! > 0x9f) return i;
    if (c === 0xf0 && b[i + 1]! < 0x90) return i;
    if (c === 0xf4 && b[i + 1]! > 0x8f) return i;
    i += need + 1;
  }
  return b.length;
}

type DotenvParse = (src: string) => Record<string, string>;
let dotenvParse: DotenvParse | undefined;

/** dotenv, loaded on first use (it stays off the start-up path). */
export async function loadDotenv(): Promise<DotenvParse> {
  if (!dotenvParse) {
    const mod = await import('dotenv');
    // dotenv is CommonJS: Node gives its named exports; in the bundle its chunk exports only `default`.
    const parse: DotenvParse | undefined = typeof mod.parse === 'function' ? mod.parse : mod.default?.parse;
    if (typeof parse !== 'function') throw new Error('dotenv has no parse function');
    dotenvParse = (src) => parse(src);
  }
  return dotenvParse;
}

/** Reads and scans one .env file. `resolved` is the absolute path to read; `path` is how it is named. */
export async function readEnvFile(path: string, resolved: string): Promise<EnvFile> {
  let bytes: Buffer;
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(resolved);
    if (info.isDirectory()) throw Object.assign(new Error('directory'), { code: 'EISDIR' });
    bytes = await readFile(resolved);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'there is no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a directory' : `it cannot be read (${code ?? 'error'})`;
    throw new StepFailure(`cannot read the .env file ${path}: ${why}`);
  }
  const text = decodeEnvText(path, bytes);
  const parse = await loadDotenv();
  const parsed = parse(text);
  const scan = scanEnvText(text, path, parsed);
  return {
    path,
    resolved,
    bytes,
    mode: Number(info.mode) & 0o7777,
    uid: Number(info.uid),
    mtime: info.mtime as Date,
    lines: scan.lines,
    parsed,
    occurrences: scan.occurrences,
    facts: scan.facts,
    shadowed: scan.shadowed,
  };
}

/**
 * The line scan. `parsed` is dotenv's answer for the same text; the scan checks itself against it.
 * Returns occurrences in file order and facts (sorted by line).
 */
export function scanEnvText(
  text: string,
  file: string,
  parsed: Record<string, string>,
): { occurrences: Occurrence[]; facts: LineFact[]; lines: number; shadowed: Map<string, string[]> } {
  // dotenv normalises line endings first; so do we, so offsets agree.
  const src = text.replace(/\r\n?/g, '\n');
  const lineStarts = [0];
  for (let i = src.indexOf('\n'); i >= 0; i = src.indexOf('\n', i + 1)) lineStarts.push(i + 1);
  const lineOf = (offset: number): number => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
  const totalLines = src.endsWith('\n') ? lineStarts.length - 1 : lineStarts.length;

  const facts: LineFact[] = [];
  const occurrences: Occurrence[] = [];
  const derived = new Map<string, string>();
  const valuesByKey = new Map<string, string[]>();
  /** Lines (1-based) touched by a non-blank character of some assignment. */
  const covered = new Set<number>();
  const fact = (line: number, code: FactCode, severity: Severity, message: string, key?: string) =>
    facts.push({ file, line, ...(key !== undefined ? { key } : {}), code, severity, message });

  const re = new RegExp(DOTENV_LINE.source, DOTENV_LINE.flags);
  let m: RegExpExecArray | null;
  while ((m = re.exec(src)) !== null) {
    if (m[0] === '') {
      re.lastIndex++;
      continue;
    }
    const key = m[1]!;
    const whole = m[0];
    // The same prefix the pattern takes before the key: blanks, then an optional 'export '.
    const keyIndex = m.index + (/^\s*(?:export\s+)?/.exec(whole)?.[0].length ?? 0);
    const line = lineOf(keyIndex);
    const endLine = lineOf(m.index + Math.max(0, whole.replace(/\s+$/, '').length - 1));
    for (let l = line; l <= endLine; l++) covered.add(l);

    const before = src.slice(m.index, keyIndex);
    const exported = /export\s+$/.test(before);
    const afterKey = src.slice(keyIndex + key.length, m.index + whole.length);
    const colon = afterKey.startsWith(':');
    const raw = m[2] ?? '';
    // The separator takes the least it can ('=' after blanks, or ': '); the value group takes the rest.
    const sepLen = colon ? 2 : (/^\s*=/.exec(afterKey)?.[0].length ?? 0);
    const rawAt = raw !== '' && afterKey.startsWith(raw, sepLen) ? sepLen : raw === '' ? sepLen : afterKey.indexOf(raw);
    // What follows the value on its own line (the pattern's trailing \s* may run into the next lines).
    const tail = afterKey.slice(rawAt + raw.length).split('\n')[0]!;
    const value = raw.trim();
    const first = value[0];
    const quoted = (first === '"' || first === "'" || first === '`') && value.length >= 2 && value.endsWith(first) ? (first as '"' | "'" | '`') : undefined;

    // dotenv's post-processing, exactly.
    let effective = value.replace(/^(['"`])([\s\S]*)\1$/gm, '$2');
    if (first === '"') effective = effective.replace(/\\n/g, '\n').replace(/\\r/g, '\r');
    derived.set(key, effective);
    valuesByKey.set(key, [...(valuesByKey.get(key) ?? []), effective]);

    occurrences.push({ key, file, line, endLine, ...(quoted ? { quote: quoted } : {}), exported, colon });
    if (exported) fact(line, 'export', 'info', `${key} has an 'export ' prefix; dotenv strips it (a shell would export it)`, key);
    if (colon) fact(line, 'colon', 'info', `${key} uses 'KEY: value'; dotenv accepts it, most other loaders do not`, key);
    if (/[.-]/.test(key) || /^\d/.test(key)) {
      fact(line, 'key-not-identifier', 'info', `${key} is not a valid shell variable name ('.', '-' or a leading digit); keep it only as a JSON field name`, key);
    }
    let hashEmpties = false;
    if (!quoted && tail.includes('#')) {
      if (raw === '') {
        hashEmpties = true;
        fact(line, 'hash-empties', 'human', `${key}'s value starts with '#', so dotenv reads it as empty (the rest is a comment); quote the value if the '#' belongs to it`, key);
      } else if (/\s$/.test(raw)) {
        fact(line, 'comment', 'info', `${key} has an inline comment after its value`, key);
      } else {
        fact(line, 'hash-truncated', 'human', `${key}'s unquoted value contains '#': dotenv cut it there, so the app has been running with the shorter value; quote it at the source, or migrate the effective value`, key);
      }
    } else if (quoted && tail.includes('#')) {
      fact(line, 'comment', 'info', `${key} has an inline comment after its value`, key);
    }
    if (quoted) {
      fact(line, 'quoted', 'info', `${key} is quoted with ${quoted}; dotenv removes the quotes${quoted === '"' ? ' and expands \\n and \\r' : ' and keeps the text literally'}`, key);
      if (value.includes('\n')) {
        fact(line, 'multiline', 'info', `${key} spans lines ${line}–${endLine} (a multiline value); it is stored unchanged`, key);
        const inner = value.split('\n').slice(1);
        const looksAssigned = inner.findIndex((l) => looksLikeAssignment(l, value));
        if (looksAssigned >= 0) {
          fact(
            line,
            'swallowed-lines',
            'human',
            `${key}'s quote opened on line ${line} only closes on line ${endLine}, and line ${line + 1 + looksAssigned} inside it looks like an assignment: probably an unclosed quote that swallowed the lines after it`,
            key,
          );
        }
      } else if (quoted === '"' && /\\[nr]/.test(value)) {
        fact(line, 'escapes', 'info', `${key} is double-quoted and contains \\n or \\r escapes, which dotenv turns into line breaks`, key);
      }
    } else if (first === '"' || first === "'" || first === '`') {
      if (value.indexOf(first, 1) > 0) {
        fact(line, 'text-after-quote', 'human', `${key}'s value has text after its closing ${first}, so dotenv keeps the quotes as part of the value`, key);
      } else {
        fact(line, 'unterminated-quote', 'human', `${key}'s opening ${first} is never closed, so dotenv keeps the ${first} as part of the value`, key);
      }
    }
    if (effective === '' && !hashEmpties) {
      fact(line, 'empty', 'info', `${key} is empty; Secrets Manager cannot store an empty string as a secret of its own (it can be a field of a JSON secret)`, key);
    }
    if (effective.includes('${')) {
      fact(line, 'interpolation', 'info', `${key} contains \${…}; dotenv does not expand it (dotenv-expand would), so the literal text is migrated`, key);
    }
  }

  // Duplicates: the last occurrence wins (dotenv assigns in a loop).
  const byKey = new Map<string, Occurrence[]>();
  for (const o of occurrences) byKey.set(o.key, [...(byKey.get(o.key) ?? []), o]);
  for (const [key, list] of byKey) {
    if (list.length < 2) continue;
    const lines = list.map((o) => o.line);
    const wins = lines.at(-1)!;
    const values = valuesByKey.get(key) ?? [];
    if (values.every((v) => v === values[0])) {
      fact(lines[0]!, 'duplicate-same', 'info', `${key} is assigned ${list.length} times (lines ${lines.join(', ')}), always to the same value`, key);
    } else {
      fact(lines[0]!, 'duplicate', 'human', `${key} is assigned ${list.length} times (lines ${lines.join(', ')}) with different values; dotenv keeps the last one, line ${wins}`, key);
    }
  }

  // Lines no assignment covers that are neither blank nor comments are ignored by dotenv.
  const srcLines = src.split('\n');
  for (let i = 0; i < totalLines; i++) {
    const l = srcLines[i] ?? '';
    const t = l.trim();
    if (t === '' || t.startsWith('#') || covered.has(i + 1)) continue;
    fact(i + 1, 'ignored-line', 'warning', `line ${i + 1} is not a KEY=value assignment; dotenv ignores it`);
  }

  // The scan must agree with dotenv; where it does not, dotenv's value is the one migrated.
  const scanKeys = new Set(derived.keys());
  for (const key of new Set([...scanKeys, ...Object.keys(parsed)])) {
    if (!Object.hasOwn(parsed, key) || !scanKeys.has(key) || parsed[key] !== derived.get(key)) {
      const at = byKey.get(key)?.at(-1)?.line ?? 1;
      fact(at, 'scan-disagrees', 'warning', `the line scan and dotenv disagree about ${key}; dotenv's reading (what the app sees) is the one migrated`, key);
    }
  }
  facts.sort((a, b) => a.line - b.line);
  const shadowed = new Map<string, string[]>();
  for (const [key, values] of valuesByKey) {
    const earlier = values.slice(0, -1).filter((v) => v !== values.at(-1));
    if (earlier.length) shadowed.set(key, earlier);
  }
  return { occurrences, facts, lines: totalLines, shadowed };
}

/**
 * A line inside a multiline value that reads like `KEY=…`: the sign of an unclosed quote that
 * swallowed the lines after it. A PEM body, or any long base64 line ending in its `=` padding, is
 * not one: `MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA=` assigns nothing.
 */
function looksLikeAssignment(line: string, value: string): boolean {
  if (!/^\s*(?:export\s+)?[\w.-]+\s*=/.test(line)) return false;
  if (/-----BEGIN [A-Z0-9 ]+-----/.test(value) && /-----END [A-Z0-9 ]+-----/.test(value)) return false;
  // The last line of the value still holds its closing quote.
  return !/^\s*[A-Za-z0-9+/]{16,}={1,2}["'`]?\s*$/.test(line);
}
