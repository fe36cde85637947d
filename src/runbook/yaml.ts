// The one YAML reader of oncall: runbooks, drill scenarios, plugins' runbooks and scenarios, and the
// runbook source an incident journal carries all come through here, within YAML_LIMITS:
//  - a file larger than YAML_LIMITS.bytes is refused before it is parsed;
//  - nesting far beyond any real document is refused before a parser sees it (parsers recurse);
//  - aliases are counted as expanded: a "billion laughs" of nested aliases is refused at the alias
//    that multiplies, and so is an alias inside its own anchor (a cycle) or one naming no anchor;
//  - nothing in here throws: every problem is an issue with file:line:col and what to do.
// js-yaml reads first when it can (fast-yaml.ts); `yaml` reads anything else, and re-reads any file
// with issues so that each one points at its exact node.
import { isAlias, isMap, isPair, isScalar, isSeq, Lexer, LineCounter, parseDocument, visit } from 'yaml';
import type { Alias, Document, Node as YamlNode, Pair, Scalar } from 'yaml';
import type { PendingIssue } from './checks.js';
import { formatPath, getAt, type Path } from './path.js';
import { parseYamlFast } from './fast-yaml.js';
import type { RunbookIssue } from './issues.js';
import { clip, LINE_CHARS, sourceTooBig, YAML_LIMITS } from './limits.js';

export type YamlResult<T> = { ok: true; value: T; issues: RunbookIssue[] } | { ok: false; issues: RunbookIssue[] };

/**
 * Reads a YAML document and checks it with `check`; every issue points at its exact node. `what`
 * names the document in messages ("runbook", "scenario").
 */
export function parseYamlWith<T>(
  source: string,
  file: string,
  check: (data: unknown) => { issues: PendingIssue[]; value?: T },
  what = 'runbook',
): YamlResult<T> {
  const r = read(source, file, what);
  if (!r.ok) return { ok: false, issues: capIssues(r.issues.map(bounded), 0, file) };
  let { doc, lc } = r;
  const data = r.data;
  let pending: PendingIssue[];
  let value: T | undefined;
  try {
    ({ issues: pending, value } = check(data));
  } catch (err) {
    // Whatever went wrong inside, the operator gets a sentence naming the file, not a stack trace.
    const message = `could not check this ${what}: ${err instanceof Error ? err.message : String(err)}`;
    return { ok: false, issues: [bounded(at(file, 1, 1, message, `this is a bug in oncall; please report it together with the ${what}`))] };
  }
  if (pending.length && !doc) {
    ({ doc, lc } = document(source));
    // js-yaml read it, so `yaml` does too; should they ever disagree, `yaml` says why.
    const syntax = yamlIssues(doc, lc, source, file);
    if (syntax.length) return { ok: false, issues: capIssues(syntax.map(bounded), 0, file) };
  }
  const seen = new Set<string>();
  // Thousands of problems in one file (a line pasted 5,000 times) are not read one by one: the
  // first MAX_ISSUES are located and shown, and one more issue counts the rest.
  const shown = pending.slice(0, 2 * MAX_ISSUES);
  const issues = shown
    .map((p) => bounded(locate(p, doc!, lc!, source, file, data)))
    // The same problem reached twice (through two options of a union) is said once.
    .filter((i) => {
      const key = `${i.line}:${i.col}:${i.severity}:${i.message}`;
      return !seen.has(key) && Boolean(seen.add(key));
    })
    .sort((a, b) => a.line - b.line || a.col - b.col);
  const capped = capIssues(issues, pending.length - shown.length, file);
  if (value !== undefined && !capped.some((i) => i.severity === 'error')) return { ok: true, value, issues: capped };
  return { ok: false, issues: capped };
}

/** Issues shown for one file, at most; the rest are counted. */
export const MAX_ISSUES = 100;

function capIssues(issues: RunbookIssue[], unlocated: number, file: string): RunbookIssue[] {
  const more = issues.length - MAX_ISSUES + unlocated;
  if (more <= 0) return issues;
  const kept = issues.slice(0, MAX_ISSUES);
  const next = issues[MAX_ISSUES] ?? kept[kept.length - 1]!;
  const errors = issues.slice(MAX_ISSUES).some((i) => i.severity === 'error') || unlocated > 0 || kept.some((i) => i.severity === 'error');
  kept.push({
    file,
    line: next.line,
    col: next.col,
    path: '',
    severity: errors ? 'error' : 'warning',
    message: `… and ${more.toLocaleString('en-US')} more problems in this file, not shown`,
    hint: 'fix the ones above first (often one mistake repeated); then check again',
  });
  return kept;
}

/** The document's value within YAML_LIMITS, or undefined when it is not valid or not within them. Never throws. */
export function readYamlValue(source: string): unknown {
  const r = read(source, '<yaml>', 'document');
  return r.ok ? r.data : undefined;
}

type Read = { ok: true; data: unknown; doc?: Document; lc?: LineCounter } | { ok: false; issues: RunbookIssue[] };

function read(source: string, file: string, what: string): Read {
  try {
    return readBounded(source, file, what);
  } catch (err) {
    // Not expected: each step below is bounded. A sentence all the same.
    return { ok: false, issues: [at(file, 1, 1, `could not read this ${what}: ${err instanceof Error ? err.message : String(err)}`, `this is a bug in oncall; please report it together with the ${what}`)] };
  }
}

function readBounded(source: string, file: string, what: string): Read {
  const big = sourceTooBig(source, file, what);
  if (big) return { ok: false, issues: [big] };
  const deep = deepNesting(source);
  if (deep !== undefined) {
    const lc = lineCounter(source);
    const { line, col } = lc.linePos(deep);
    return { ok: false, issues: [at(file, line, col, `lists and mappings nest more than ${SCAN_DEPTH.toLocaleString('en-US')} levels deep here`, NESTING_HINT)] };
  }
  const fast = parseYamlFast(source);
  // js-yaml spells a mapping used as a key '[object Object]': `yaml` reads such a file and says where.
  if (fast && shapeOf(fast.value, true).ok) return { ok: true, data: fast.value };
  // Either js-yaml refused it, or the value is beyond the limits: `yaml` reads it and says where.
  const { doc, lc } = document(source);
  const syntax = yamlIssues(doc, lc, source, file);
  if (syntax.length) return { ok: false, issues: syntax };
  const keys = keyIssues(doc, lc, file);
  if (keys.length) return { ok: false, issues: keys };
  const aliases = aliasIssues(doc, lc, file, what);
  if (aliases.length) return { ok: false, issues: aliases };
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: YAML_LIMITS.values });
  } catch (err) {
    const message = err instanceof Error ? lowerFirst(err.message) : String(err);
    return { ok: false, issues: [at(file, 1, 1, `cannot read this ${what}: ${message}`, ALIAS_HINT)] };
  }
  const shape = shapeOf(data);
  if (!shape.ok) {
    // aliasIssues saw nothing wrong, yet the value is beyond a limit: say so, as exactly as known.
    const path = shape.problem === 'depth' ? deepestPath(data) : [];
    const offset = path.length ? offsetOf(doc, path, 'value', undefined, source) : 0;
    const { line, col } = lc.linePos(offset);
    const message =
      shape.problem === 'depth'
        ? `lists and mappings nest more than ${YAML_LIMITS.depth} levels deep here`
        : shape.problem === 'cycle'
          ? 'an alias here repeats a value it is itself part of, so it never ends'
          : `this ${what} holds more than ${YAML_LIMITS.values.toLocaleString('en-US')} values`;
    return { ok: false, issues: [at(file, line, col, message, shape.problem === 'depth' ? NESTING_HINT : ALIAS_HINT)] };
  }
  return { ok: true, data, doc, lc };
}

const NESTING_HINT = 'no runbook or scenario nests this deep: check the brackets and the indentation';
const ALIAS_HINT = 'write the values out, or use fewer aliases: oncall expands each *alias where it is used';

function at(file: string, line: number, col: number, message: string, hint?: string): RunbookIssue {
  return { file, line, col, path: '', severity: 'error', message, ...(hint ? { hint } : {}) };
}

/** Messages and hints quote what the file holds; a line on a terminal stays a line. */
function bounded(issue: RunbookIssue): RunbookIssue {
  if (issue.message.length <= LINE_CHARS && (issue.hint?.length ?? 0) <= LINE_CHARS) return issue;
  return { ...issue, message: clip(issue.message), ...(issue.hint !== undefined ? { hint: clip(issue.hint) } : {}) };
}

function document(source: string): { doc: Document; lc: LineCounter } {
  const lc = new LineCounter();
  // uniqueKeys is quadratic in `yaml` (20,000 keys in one mapping: seconds; a 1 MiB file:
  // minutes); duplicateKeys() below finds them in one pass instead.
  const doc = parseDocument(source, { lineCounter: lc, uniqueKeys: false, prettyErrors: false, keepSourceTokens: false });
  return { doc, lc };
}

function lineCounter(source: string): LineCounter {
  const lc = new LineCounter();
  lc.addNewLine(0);
  for (let i = source.indexOf('\n'); i >= 0; i = source.indexOf('\n', i + 1)) lc.addNewLine(i + 1);
  return lc;
}

// ---------------------------------------------------------------------------------------------
// Bounds before parsing

/**
 * Nesting beyond this is refused before any parser reads it: both parsers recurse per level, and
 * `yaml` runs out of memory on a few hundred thousand nested brackets (a 1 MiB file can hold that).
 */
const SCAN_DEPTH = 1000;

/**
 * Offset where nesting first goes beyond SCAN_DEPTH, or undefined. Counted on the tokens of
 * `yaml`'s Lexer (a state machine, linear, no recursion): flow brackets, exactly (not those in
 * quotes, comments or block scalars), plus the `- ` and `? ` indicators that open a line. Only
 * a file with that many brackets and dashes at all is lexed.
 */
export function deepNesting(source: string): number | undefined {
  let candidates = 0;
  for (let i = 0; i < source.length; i++) {
    const c = source.charCodeAt(i);
    if (c === 0x5b || c === 0x7b) candidates++; // [ {
    else if (c === 0x2d || c === 0x3f) {
      // - or ? followed by a blank: maybe an indicator (not the - of check-health)
      const n = source.charCodeAt(i + 1);
      if (n === 0x20 || n === 0x0a || n === 0x09 || n === 0x0d || Number.isNaN(n)) candidates++;
    }
  }
  if (candidates <= SCAN_DEPTH) return undefined;
  let flow = 0;
  let lead = 0; // block indicators since the start of this line
  let opening = true; // nothing but indicators and spaces on this line yet
  let offset = 0;
  for (const tok of new Lexer().lex(source)) {
    const at = offset;
    // Control tokens (document start, scalar marker, …) are not in the source.
    const control = tok.length === 1 && tok.charCodeAt(0) < 0x20 && tok !== '\n' && tok !== '\t' && tok !== '\r';
    if (!control) offset += tok.length;
    if (tok === '[' || tok === '{') {
      if (++flow + lead > SCAN_DEPTH) return at;
      opening = false;
    } else if (tok === ']' || tok === '}') {
      flow = Math.max(0, flow - 1);
      opening = false;
    } else if ((tok === '-' || tok === '?') && opening) {
      if (flow + ++lead > SCAN_DEPTH) return at;
    } else if (tok.includes('\n')) {
      lead = 0;
      opening = true;
    } else if (!control && tok.trim() !== '') opening = false;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Bounds on the value

type Shape = { ok: true; values: number; depth: number } | { ok: false; problem: 'values' | 'depth' | 'cycle' | 'key' };

/**
 * How many values the document holds with its aliases expanded, and how deep it nests, without
 * expanding anything: each shared object is measured once. Iterative, so no input overflows it.
 */
export function shapeOf(root: unknown, plainKeys = false): Shape {
  const cap = YAML_LIMITS.values + 1;
  if (root === null || typeof root !== 'object') return { ok: true, values: 1, depth: 0 };
  const memo = new Map<object, { values: number; depth: number }>();
  const open = new Set<object>();
  type Frame = { obj: object; kids: unknown[]; i: number; values: number; depth: number };
  const stack: Frame[] = [];
  let objectKey = false;
  const push = (obj: object) => {
    if (plainKeys && !Array.isArray(obj) && Object.prototype.hasOwnProperty.call(obj, '[object Object]')) objectKey = true;
    open.add(obj);
    stack.push({ obj, kids: Array.isArray(obj) ? obj : Object.values(obj), i: 0, values: 1, depth: 1 });
  };
  push(root);
  let total = { values: 0, depth: 0 };
  while (stack.length) {
    const f = stack[stack.length - 1]!;
    if (f.i < f.kids.length) {
      const k = f.kids[f.i++];
      if (k === null || typeof k !== 'object') {
        f.values = Math.min(cap, f.values + 1);
        continue;
      }
      const m = memo.get(k);
      if (m) {
        f.values = Math.min(cap, f.values + m.values);
        f.depth = Math.max(f.depth, m.depth + 1);
      } else if (open.has(k)) return { ok: false, problem: 'cycle' };
      else push(k);
      continue;
    }
    stack.pop();
    open.delete(f.obj);
    const s = { values: f.values, depth: f.depth };
    memo.set(f.obj, s);
    const parent = stack[stack.length - 1];
    if (parent) {
      parent.values = Math.min(cap, parent.values + s.values);
      parent.depth = Math.max(parent.depth, s.depth + 1);
    } else total = s;
  }
  if (objectKey) return { ok: false, problem: 'key' };
  if (total.values > YAML_LIMITS.values) return { ok: false, problem: 'values' };
  if (total.depth > YAML_LIMITS.depth) return { ok: false, problem: 'depth' };
  return { ok: true, ...total };
}

/** The path to a value nested deeper than YAML_LIMITS.depth (the first such, going down the deepest branch). */
function deepestPath(root: unknown): Path {
  const depth = new Map<object, number>();
  const measure = (v: unknown): number => {
    // Iterative post-order over the (acyclic, measured) value.
    if (v === null || typeof v !== 'object') return 0;
    const stack: { o: object; kids: unknown[]; i: number }[] = [{ o: v, kids: Object.values(v), i: 0 }];
    while (stack.length) {
      const f = stack[stack.length - 1]!;
      const k = f.kids[f.i++];
      if (f.i <= f.kids.length) {
        if (k !== null && typeof k === 'object' && !depth.has(k)) stack.push({ o: k, kids: Object.values(k), i: 0 });
        continue;
      }
      stack.pop();
      let d = 1;
      for (const x of f.kids) if (x !== null && typeof x === 'object') d = Math.max(d, (depth.get(x) ?? 0) + 1);
      depth.set(f.o, d);
    }
    return depth.get(v)!;
  };
  measure(root);
  const path: Path = [];
  let v = root as Record<string, unknown> | unknown[];
  for (let level = 1; level <= YAML_LIMITS.depth; level++) {
    const entries: [string | number, unknown][] = Array.isArray(v) ? v.map((x, i) => [i, x]) : Object.entries(v);
    let best: [string | number, unknown] | undefined;
    for (const e of entries) {
      const x = e[1];
      if (x !== null && typeof x === 'object' && (!best || (depth.get(x) ?? 0) > (depth.get(best[1] as object) ?? 0))) best = e;
    }
    if (!best) break;
    path.push(best[0]);
    v = best[1] as Record<string, unknown> | unknown[];
  }
  return path;
}

/** Keys that are lists, mappings or aliases: no runbook or scenario has one, and JavaScript would spell it '[object Object]'. */
function keyIssues(doc: Document, lc: LineCounter, file: string): RunbookIssue[] {
  const out: RunbookIssue[] = [];
  visit(doc, {
    Pair(_k, pair) {
      const key = pair.key as YamlNode | null;
      if (key === null || isScalar(key)) return undefined;
      const { line, col } = lc.linePos(key.range?.[0] ?? 0);
      const kind = isAlias(key) ? 'an alias' : isSeq(key) ? 'a list' : 'a mapping';
      out.push(at(file, line, col, `this key is ${kind}; keys are plain names here`, "write the key as text (quote it if it starts with [, {, * or ?), e.g. 'title:'"));
      return undefined;
    },
  });
  return out.slice(0, MAX_ISSUES);
}

/**
 * Aliases that name no anchor before them, that sit inside their own anchor, or that expand the
 * document beyond YAML_LIMITS (reported at the alias that multiplies most).
 */
function aliasIssues(doc: Document, lc: LineCounter, file: string, what: string): RunbookIssue[] {
  const anchors = new Map<string, YamlNode>();
  const targets = new Map<Alias, YamlNode>();
  const out: RunbookIssue[] = [];
  const where = (node: YamlNode) => lc.linePos(node.range?.[0] ?? 0);
  visit(doc, {
    Node(_key, node, path) {
      if (isAlias(node)) {
        const target = anchors.get(node.source);
        const { line, col } = where(node);
        if (!target) {
          out.push(
            at(file, line, col, `'*${node.source}' names no anchor: no '&${node.source}' is set before it`, `put &${node.source} on an earlier value (an anchor comes before its aliases), or write the value here`),
          );
        } else if ((path as readonly unknown[]).includes(target)) {
          out.push(at(file, line, col, `'*${node.source}' is inside the value '&${node.source}' names, so it would repeat itself forever`, 'an alias can only repeat a value that is complete before it'));
        } else targets.set(node, target);
        return undefined;
      }
      if (node.anchor) anchors.set(node.anchor, node);
      return undefined;
    },
  });
  if (out.length || !targets.size) return out;
  // Expanded sizes, each node measured once (iterative: nesting was bounded before parsing, but
  // aliases may chain).
  const cap = YAML_LIMITS.values + 1;
  const size = new Map<unknown, number>();
  const kidsOf = (n: unknown): unknown[] => {
    if (isAlias(n)) return [targets.get(n)];
    // Keys count when they are collections or aliases: they are spelled out as text when read.
    if (isMap(n)) return n.items.flatMap((p) => (p.key === null || isScalar(p.key) ? [p.value] : [p.key, p.value]));
    if (isSeq(n)) return n.items;
    return [];
  };
  const measure = (root: unknown) => {
    const stack: { n: unknown; kids: unknown[]; i: number }[] = [{ n: root, kids: kidsOf(root), i: 0 }];
    while (stack.length) {
      const f = stack[stack.length - 1]!;
      if (f.i < f.kids.length) {
        const k = f.kids[f.i++];
        if (k !== null && k !== undefined && !size.has(k)) stack.push({ n: k, kids: kidsOf(k), i: 0 });
        continue;
      }
      stack.pop();
      let s = isAlias(f.n) ? 0 : 1;
      for (const k of f.kids) if (k !== null && k !== undefined) s = Math.min(cap, s + (size.get(k) ?? 0));
      size.set(f.n, s);
    }
  };
  measure(doc.contents);
  if ((size.get(doc.contents) ?? 0) <= YAML_LIMITS.values) return out;
  let worst: Alias | undefined;
  for (const a of targets.keys()) if (!worst || (size.get(a) ?? 0) > (size.get(worst) ?? 0)) worst = a;
  const n = size.get(worst!) ?? 0;
  const { line, col } = where(worst!);
  out.push(
    at(
      file,
      line,
      col,
      `'*${worst!.source}' repeats ${n >= cap ? `more than ${YAML_LIMITS.values.toLocaleString('en-US')}` : n.toLocaleString('en-US')} values (aliases inside aliases multiply): this ${what} would hold more than the ${YAML_LIMITS.values.toLocaleString('en-US')} values oncall reads`,
      ALIAS_HINT,
    ),
  );
  return out;
}

// ---------------------------------------------------------------------------------------------
// YAML syntax errors in plain words

function yamlIssues(doc: Document, lc: LineCounter, source: string, file: string): RunbookIssue[] {
  const out: RunbookIssue[] = [];
  const seenLines = new Set<number>();
  // After the first syntax error the parser is resynchronising and the rest are mostly echoes of
  // it; duplicate keys are the exception (each one is real), so those are all kept.
  const first = doc.errors.find((e) => e.code !== 'DUPLICATE_KEY');
  const errors = first ? [first] : [];
  for (const e of errors) {
    let offset = Math.min(Math.max(0, e.pos[0]), source.length);
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
          message = lowerFirst(firstLine(e.message));
        }
        break;
      }
      case 'TAB_AS_INDENT':
        message = 'a tab is used for indentation; YAML indents with spaces only';
        hint = 'replace the tab with spaces (2 per level is usual)';
        break;
      case 'MULTIPLE_DOCS':
        message = 'this file holds more than one YAML document';
        hint = "one runbook per file: remove the '---' line and what follows, or move it to its own file";
        break;
      case 'RESOURCE_EXHAUSTION':
        message = 'lists and mappings nest too deeply here for oncall to read';
        hint = NESTING_HINT;
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
          message = `invalid YAML: ${lowerFirst(firstLine(e.message).replace(/ at line \d+, column \d+.*$/s, ''))}`;
          hint = 'check the indentation: keys of one mapping start in the same column, and a value goes on the same line as its key or indented below it';
        }
      }
    }
    const { line, col } = lc.linePos(offset);
    if (seenLines.has(line)) continue; // one error per line: later ones are usually echoes
    seenLines.add(line);
    out.push({ file, line, col, path: '', message, hint, severity: 'error' });
  }
  out.push(...duplicateKeys(doc, lc, file).filter((d) => !seenLines.has(d.line)));
  return out.sort((a, b) => a.line - b.line || a.col - b.col);
}

/** Each key written twice in one mapping, in one pass over the document. */
function duplicateKeys(doc: Document, lc: LineCounter, file: string): RunbookIssue[] {
  const out: RunbookIssue[] = [];
  visit(doc, {
    Map(_k, map) {
      const seen = new Map<string, Pair>();
      for (const pair of map.items) {
        if (!isScalar(pair.key)) continue;
        const v = pair.key.value;
        const id = `${typeof v}:${String(v)}`;
        const first = seen.get(id);
        if (!first) {
          seen.set(id, pair);
          continue;
        }
        const { line, col } = lc.linePos(pair.key.range?.[0] ?? 0);
        const firstLine = lc.linePos((first.key as YamlNode).range?.[0] ?? 0).line;
        out.push({ file, line, col, path: '', severity: 'error', message: `duplicate key '${String(v)}' (first on line ${firstLine})`, hint: 'a key can appear once per mapping: remove one, or merge them' });
      }
      return undefined;
    },
  });
  return out;
}

function firstLine(s: string): string {
  const i = s.indexOf('\n');
  return i < 0 ? s : s.slice(0, i).replace(/:$/, '');
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
