// Runbook files → validated Runbook, or issues that point at file:line:col.
// YAML is read by a fast subset parser when it can (see fast-yaml.ts); `yaml` itself reads
// anything else, and re-reads any file with issues so each one points at its exact node.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, visit } from 'yaml';
import type { Document, Node as YamlNode, Pair, Scalar } from 'yaml';
import type { KindCatalog } from './kinds.js';
import type { Runbook } from './schema.js';
import { checkRunbook, formatPath, getAt } from './checks.js';
import type { Path, PendingIssue } from './checks.js';
import { parseYamlFast } from './fast-yaml.js';
import { RunbookError, formatIssue } from './issues.js';
import type { RunbookIssue } from './issues.js';

export { RunbookError, formatIssue };
export type { RunbookIssue };

export interface LoadedRunbook {
  runbook: Runbook;
  file: string;
  /** sha256 (hex) of the source bytes: the journal records which runbook text ran. */
  hash: string;
  source: string;
}

/** `issues` on success holds warnings only. */
export type ParseResult = { ok: true; value: LoadedRunbook; issues: RunbookIssue[] } | { ok: false; issues: RunbookIssue[] };

export function parseRunbook(source: string, file: string, registry: KindCatalog): ParseResult {
  try {
    return parse(source, file, registry);
  } catch (err) {
    // Whatever went wrong inside, the operator gets a sentence, not a stack trace.
    return {
      ok: false,
      issues: [
        {
          file,
          line: 1,
          col: 1,
          path: '',
          severity: 'error',
          message: `could not check this runbook: ${err instanceof Error ? err.message : String(err)}`,
          hint: 'this is a bug in oncall; please report it together with the runbook',
        },
      ],
    };
  }
}

/** Reads and validates a runbook; throws RunbookError (with `.issues`) when it is not valid. */
export async function loadRunbook(file: string, registry: KindCatalog): Promise<LoadedRunbook> {
  let source: string;
  try {
    source = await readFile(file, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why = e.code === 'ENOENT' ? 'no such file' : e.code === 'EISDIR' ? 'it is a directory' : e.code === 'EACCES' ? 'permission denied' : e.message;
    throw new RunbookError(file, [{ file, line: 1, col: 1, path: '', severity: 'error', message: `cannot read the runbook: ${why}` }]);
  }
  const r = parseRunbook(source, file, registry);
  if (!r.ok) throw new RunbookError(file, r.issues);
  return r.value;
}

export function sourceHash(source: string): string {
  return createHash('sha256').update(source, 'utf8').digest('hex');
}

function parse(source: string, file: string, registry: KindCatalog): ParseResult {
  const r = parseYamlWith(source, file, (data) => {
    const { issues, runbook } = checkRunbook(data, registry);
    return { issues, value: runbook };
  });
  return r.ok ? { ok: true, value: { runbook: r.value, file, hash: sourceHash(source), source }, issues: r.issues } : r;
}

/**
 * Reads a YAML document and checks it with `check`; every issue points at its exact node. The
 * fast reader goes first, and `yaml` re-reads the file only when it must locate something.
 */
export function parseYamlWith<T>(
  source: string,
  file: string,
  check: (data: unknown) => { issues: PendingIssue[]; value?: T },
): { ok: true; value: T; issues: RunbookIssue[] } | { ok: false; issues: RunbookIssue[] } {
  const fast = parseYamlFast(source);
  let doc: Document | undefined;
  let lc: LineCounter | undefined;
  let data: unknown;
  if (fast) data = fast.value;
  else {
    ({ doc, lc } = readYaml(source));
    const syntax = yamlIssues(doc, lc, source, file);
    if (syntax.length) return { ok: false, issues: syntax };
    data = doc.toJS({ maxAliasCount: 1000 });
  }
  const { issues: pending, value } = check(data);
  if (pending.length && !doc) {
    ({ doc, lc } = readYaml(source));
    const syntax = yamlIssues(doc, lc, source, file);
    if (syntax.length) return { ok: false, issues: syntax };
  }
  const issues = pending.map((p) => locate(p, doc!, lc!, source, file, data)).sort((a, b) => a.line - b.line || a.col - b.col);
  if (value !== undefined && !issues.some((i) => i.severity === 'error')) return { ok: true, value, issues };
  return { ok: false, issues };
}

function readYaml(source: string): { doc: Document; lc: LineCounter } {
  const lc = new LineCounter();
  const doc = parseDocument(source, { lineCounter: lc, uniqueKeys: true, prettyErrors: false, keepSourceTokens: false });
  return { doc, lc };
}

// ---------------------------------------------------------------------------------------------
// YAML syntax errors in plain words

function yamlIssues(doc: Document, lc: LineCounter, source: string, file: string): RunbookIssue[] {
  const out: RunbookIssue[] = [];
  const seenLines = new Set<number>();
  // After the first syntax error the parser is resynchronising and the rest are mostly echoes of
  // it; duplicate keys are the exception (each one is real), so those are all kept.
  const first = doc.errors.find((e) => e.code !== 'DUPLICATE_KEY');
  const errors = doc.errors.filter((e) => e === first || e.code === 'DUPLICATE_KEY');
  for (const e of errors) {
    let offset = e.pos[0];
    let message: string;
    let hint: string | undefined;
    switch (e.code) {
      case 'MISSING_CHAR': {
        const open = /quote/i.test(e.message) ? openQuoteBefore(doc, offset) : undefined;
        if (open) {
          offset = open.offset;
          message = `this quoted string is never closed: add the closing ${open.quote}`;
          hint = 'without it, the string runs on to the end of the file';
        } else {
          message = lowerFirst(e.message);
        }
        break;
      }
      case 'TAB_AS_INDENT':
        message = 'a tab is used for indentation; YAML indents with spaces only';
        hint = 'replace the tab with spaces (2 per level is usual)';
        break;
      case 'DUPLICATE_KEY': {
        const dup = duplicateKey(doc, offset, lc);
        message = dup ? `duplicate key '${dup.key}' (first on line ${dup.firstLine})` : 'duplicate key in this mapping';
        hint = 'a key can appear once per mapping: remove one, or merge them';
        break;
      }
      case 'MULTIPLE_DOCS':
        message = 'this file holds more than one YAML document';
        hint = "one runbook per file: remove the '---' line and what follows, or move it to its own file";
        break;
      default: {
        const lineText = lineAt(source, offset);
        const m = /^(\s*(?:- )?)([\w-]+):\s+(\$\{\{.*: .*)$/.exec(lineText);
        if (m) {
          // `when: ${{ a ? b : c }}` — the most common way to trip over YAML in a runbook.
          offset = source.lastIndexOf('\n', offset - 1) + 1 + lineText.indexOf(m[3]!);
          message = "YAML reads the ': ' inside this expression as the start of a new key";
          hint = `quote the whole value: ${m[2]}: "${m[3]!.trim().replace(/"/g, "'")}"`;
        } else {
          message = `invalid YAML: ${lowerFirst(e.message.replace(/ at line \d+, column \d+.*$/s, ''))}`;
          hint = 'check the indentation: keys of one mapping start in the same column, and a value goes on the same line as its key or indented below it';
        }
      }
    }
    const { line, col } = lc.linePos(offset);
    if (seenLines.has(line)) continue; // one error per line: later ones are usually echoes
    seenLines.add(line);
    out.push({ file, line, col, path: '', message, hint, severity: 'error' });
  }
  return out;
}

function openQuoteBefore(doc: Document, pos: number): { offset: number; quote: string } | undefined {
  let best: { offset: number; quote: string } | undefined;
  visit(doc, {
    Scalar(_k, node) {
      if ((node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE') && node.range && node.range[0] < pos) {
        if (!best || node.range[0] > best.offset) best = { offset: node.range[0], quote: node.type === 'QUOTE_DOUBLE' ? '"' : "'" };
      }
    },
  });
  return best;
}

function duplicateKey(doc: Document, pos: number, lc: LineCounter): { key: string; firstLine: number } | undefined {
  let found: { key: string; firstLine: number } | undefined;
  visit(doc, {
    Map(_k, map) {
      const seen = new Map<unknown, Pair>();
      for (const pair of map.items) {
        const key = isScalar(pair.key) ? pair.key.value : pair.key;
        const first = seen.get(key);
        const range = (pair.key as YamlNode | null)?.range;
        if (first && range && range[0] === pos) {
          const fr = (first.key as YamlNode).range;
          found = { key: String(key), firstLine: fr ? lc.linePos(fr[0]).line : 0 };
          return visit.BREAK;
        }
        if (!first) seen.set(key, pair);
      }
      return undefined;
    },
  });
  return found;
}

// ---------------------------------------------------------------------------------------------
// Paths → file:line:col

function locate(p: PendingIssue, doc: Document, lc: LineCounter, source: string, file: string, data: unknown): RunbookIssue {
  const offset = offsetOf(doc, p.path, p.at ?? 'value', p.strOffset, source);
  const { line, col } = lc.linePos(offset);
  let message = p.message;
  if (p.also) {
    const o = offsetOf(doc, p.also.path, 'value', undefined, source);
    message += ` (${p.also.label} line ${lc.linePos(o).line})`;
  }
  const issue: RunbookIssue = { file, line, col, path: formatPath(p.path), message, severity: p.severity };
  const stepId = p.path[0] === 'steps' && typeof p.path[1] === 'number' ? getAt(data, ['steps', p.path[1], 'id']) : undefined;
  if (typeof stepId === 'string') issue.stepId = stepId;
  if (p.hint) issue.hint = p.hint;
  return issue;
}

/** Source offset of the node at `path` (or of the deepest part of it that exists). */
function offsetOf(doc: Document, path: Path, at: 'key' | 'value', strOffset: number | undefined, source: string): number {
  let node: unknown = doc.contents;
  let pair: Pair | undefined;
  let fallback = start(node) ?? 0;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i]!;
    let next: unknown;
    pair = undefined;
    if (isMap(node)) {
      pair = node.items.find((it) => isPair(it) && String(isScalar(it.key) ? it.key.value : it.key) === String(seg));
      next = pair?.value;
      if (pair && i === path.length - 1) break;
    } else if (isSeq(node) && typeof seg === 'number') {
      next = node.items[seg];
    }
    if (next === undefined || next === null) return pair ? (start(pair.key) ?? fallback) : fallback;
    node = next;
    fallback = start(node) ?? fallback;
  }
  if (pair && path.length) {
    if (at === 'key' || pair.value === null || pair.value === undefined) return start(pair.key) ?? fallback;
    node = pair.value;
  }
  const base = start(node) ?? fallback;
  if (strOffset === undefined || !isScalar(node) || typeof node.value !== 'string') return base;
  return base + offsetInScalar(node as Scalar<string>, strOffset, source);
}

function start(node: unknown): number | undefined {
  return (node as { range?: [number, number, number] } | null)?.range?.[0];
}

/**
 * Where offset `o` of a scalar's value sits in its source text. Expressions are found by their
 * `${{`, so quoting, escapes and block scalars before them do not throw the column off.
 */
function offsetInScalar(node: Scalar<string>, o: number, source: string): number {
  const v = node.value;
  const [from, to] = node.range!;
  const raw = source.slice(from, to);
  let k = -1;
  let p = -1;
  for (let x = v.indexOf('${{'); x >= 0 && x <= o; x = v.indexOf('${{', x + 1)) {
    k++;
    p = x;
  }
  if (k < 0) return node.type === 'PLAIN' && raw.slice(0, o) === v.slice(0, o) ? o : 0;
  let rp = -1;
  for (let n = 0; n <= k; n++) {
    rp = raw.indexOf('${{', rp + 1);
    if (rp < 0) return 0;
  }
  const d = o - p;
  return raw.slice(rp, rp + d) === v.slice(p, p + d) ? rp + d : rp;
}

function lineAt(source: string, offset: number): string {
  const s = source.lastIndexOf('\n', offset - 1) + 1;
  const e = source.indexOf('\n', offset);
  return source.slice(s, e < 0 ? undefined : e);
}

function lowerFirst(s: string): string {
  return s.length > 1 && /^[A-Z][a-z]/.test(s) ? s[0]!.toLowerCase() + s.slice(1) : s;
}

