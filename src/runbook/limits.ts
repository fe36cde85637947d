// What one input may cost oncall: the size of a YAML file, how far its aliases may expand, how
// deep it may nest, how long an input value may be, and how much of a long text a line shows.
// Kept free of the parsers (node:fs only), so the search path and the listing can read files
// within these bounds without loading them.
import { readFileSync, statSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import type { RunbookIssue } from './issues.js';

export const YAML_LIMITS = {
  /** Bytes in one YAML file (runbook, scenario, runbook source from a journal). Real ones are a few KiB. */
  bytes: 1024 * 1024,
  /** Values in one document once its aliases are expanded (each use of `*x` counts all of x again). */
  values: 250_000,
  /** Lists and mappings inside one another. */
  depth: 100,
} as const;

/**
 * Characters of one input value (`--input`, a form, a scenario's inputs, a default): 128 KiB, as
 * much as one command-line argument can carry on Linux (MAX_ARG_STRLEN), so a value that fits in
 * `--input` is never refused, and one pasted into a form or a file cannot be larger.
 */
export const MAX_INPUT_CHARS = 131_072;

/** Characters of one line oncall prints on a terminal (headless progress, errors); the rest is cut, saying so. */
export const LINE_CHARS = 4096;

/** Characters of a value quoted inside a message about it. */
export const QUOTED_CHARS = 64;

const count = (n: number) => n.toLocaleString('en-US');

/**
 * `s`, or its first `max` characters followed by `… (1,048,576 characters, cut at 4,096)`.
 * Never cuts a surrogate pair in half.
 */
export function clip(s: string, max: number = LINE_CHARS): string {
  if (s.length <= max) return s;
  let end = max;
  const c = s.charCodeAt(end - 1);
  if (c >= 0xd800 && c <= 0xdbff) end--;
  return `${s.slice(0, end)}… (${count(s.length)} characters, cut at ${count(max)})`;
}

/** `'text'` quoted for a message, or `'first 64 characters…' (120,000 characters, cut at 64)`. */
export function quoted(s: string, max: number = QUOTED_CHARS): string {
  if (s.length <= max) return `'${s}'`;
  const cut = clip(s, max);
  const at = cut.lastIndexOf('… (');
  return `'${cut.slice(0, at)}…'${cut.slice(at + 1)}`;
}

/** Each line of `text` clipped to `max` characters. */
export function clipLines(text: string, max: number = LINE_CHARS): string {
  if (text.length <= max) return text;
  return text
    .split('\n')
    .map((l) => clip(l, max))
    .join('\n');
}

/** A size for people: 512 bytes, 3.2 KiB, 2.4 MiB. */
export function sizeWords(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1).replace(/\.0$/, '')} KiB`;
  return `${(bytes / (1024 * 1024)).toFixed(1).replace(/\.0$/, '')} MiB`;
}

export type YamlFileRead = { source: string } | { issue: RunbookIssue };

function tooBig(file: string, size: number, what: string): RunbookIssue {
  return {
    file,
    line: 1,
    col: 1,
    path: '',
    severity: 'error',
    message: `this file is ${sizeWords(size)}; oncall reads ${what} files of at most ${sizeWords(YAML_LIMITS.bytes)}`,
    hint: `is this the file you meant? A ${what} is a few KiB of YAML; split a larger one, or point oncall at the right file`,
  };
}

function unreadable(file: string, err: unknown, what: string): RunbookIssue {
  const e = err as NodeJS.ErrnoException;
  const why =
    e.code === 'ENOENT' ? 'no such file' : e.code === 'EISDIR' ? 'it is a directory' : e.code === 'EACCES' ? 'permission denied' : e.code === 'NOTFILE' ? e.message : (e.message ?? String(err));
  return { file, line: 1, col: 1, path: '', severity: 'error', message: `cannot read the ${what}: ${why}` };
}

const notFile = () => Object.assign(new Error('it is not a regular file (a FIFO, socket or device?)'), { code: 'NOTFILE' });

/**
 * A YAML file's text, or the issue to report instead: unreadable, not a regular file, or larger
 * than YAML_LIMITS.bytes (then it is not read at all). `shown` names the file in the issue.
 */
export function readYamlFileSync(file: string, what = 'runbook', shown = file): YamlFileRead {
  try {
    const st = statSync(file);
    if (st.isDirectory()) throw Object.assign(new Error('it is a directory'), { code: 'EISDIR' });
    if (!st.isFile()) throw notFile();
    if (st.size > YAML_LIMITS.bytes) return { issue: tooBig(shown, st.size, what) };
    const source = readFileSync(file, 'utf8');
    // It may have grown since the stat.
    return source.length > YAML_LIMITS.bytes && Buffer.byteLength(source) > YAML_LIMITS.bytes ? { issue: tooBig(shown, Buffer.byteLength(source), what) } : { source };
  } catch (err) {
    return { issue: unreadable(shown, err, what) };
  }
}

/** readYamlFileSync, without blocking. */
export async function readYamlFile(file: string, what = 'runbook', shown = file): Promise<YamlFileRead> {
  try {
    const st = await stat(file);
    if (st.isDirectory()) throw Object.assign(new Error('it is a directory'), { code: 'EISDIR' });
    if (!st.isFile()) throw notFile();
    if (st.size > YAML_LIMITS.bytes) return { issue: tooBig(shown, st.size, what) };
    const source = await readFile(file, 'utf8');
    return source.length > YAML_LIMITS.bytes && Buffer.byteLength(source) > YAML_LIMITS.bytes ? { issue: tooBig(shown, Buffer.byteLength(source), what) } : { source };
  } catch (err) {
    return { issue: unreadable(shown, err, what) };
  }
}

/** The issue for YAML text (not a file) larger than YAML_LIMITS.bytes, or undefined. */
export function sourceTooBig(source: string, file: string, what = 'runbook'): RunbookIssue | undefined {
  if (source.length <= YAML_LIMITS.bytes / 4) return undefined;
  const bytes = Buffer.byteLength(source);
  return bytes > YAML_LIMITS.bytes ? tooBig(file, bytes, what) : undefined;
}
