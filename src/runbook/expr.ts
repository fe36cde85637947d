// The one expression language of runbooks: CEL (as Kubernetes uses it) inside `${{ }}`.
// Everything that compiles, checks, evaluates or templates an expression goes through here.
import { Environment } from '@marcbachmann/cel-js';
import type { ASTNode } from '@marcbachmann/cel-js';
import { suggestion } from './suggest.js';

/** The names an expression can start from. */
export const EXPR_ROOTS = ['inputs', 'steps', 'vars', 'result', 'incident'] as const;
export type ExprRoot = (typeof EXPR_ROOTS)[number];
/** Roots available everywhere; `result` only after the step ran (capture, assert, branches, verify.done, wait's until). */
export const ROOTS_BEFORE: ExprRoot[] = ['inputs', 'steps', 'vars', 'incident'];
export const ROOTS_AFTER: ExprRoot[] = [...ROOTS_BEFORE, 'result'];
/** CEL types an extra root can be declared with (see exprLanguage). */
export type RootType = 'map' | 'list' | 'int' | 'double' | 'string' | 'bool' | 'dyn';
/** What `steps.<id>` holds, and what `incident` holds. */
export const STEP_FIELDS = ['status', 'result', 'captures'] as const;
export const INCIDENT_FIELDS = ['id', 'mode'] as const;

export interface StepState {
  status: string;
  result?: unknown;
  captures?: Record<string, unknown>;
}

export interface ExprContext {
  inputs?: Record<string, unknown>;
  steps?: Record<string, StepState>;
  vars?: Record<string, unknown>;
  /** Present only where a step has run: capture, assert, branches, verify.done, wait's until. */
  result?: unknown;
  incident?: { id: string; mode: 'live' | 'drill' };
}

/** An expression that failed to compile or evaluate; `offset` is into `expr` when known. */
export class ExprError extends Error {
  constructor(
    message: string,
    readonly expr: string,
    readonly offset?: number,
  ) {
    super(message);
    this.name = 'ExprError';
  }
}

export interface CompiledExpr {
  /** The CEL text (without `${{ }}`). */
  source: string;
  ast: ASTNode;
  evaluate(ctx: ExprContext | Readonly<Record<string, unknown>>): unknown;
}

const RUNBOOK_ROOT_TYPES: Readonly<Record<ExprRoot, RootType>> = { inputs: 'map', steps: 'map', vars: 'map', incident: 'map', result: 'dyn' };

/**
 * The expression language with the runbook's roots and, for callers that evaluate expressions of
 * their own over more names (drill scenarios over their simulated world), extra roots: each is
 * declared with its CEL type and read from the context under its name when present there.
 * Everything else (syntax, functions, values in and out, templating, messages) is the runbook's.
 */
export interface ExprLanguage {
  /** The extra roots, beyond the runbook's. */
  readonly extraRoots: readonly string[];
  compileExpr(src: string): CompiledExpr;
  evalExpr(src: string, ctx: ExprContext | Readonly<Record<string, unknown>>): unknown;
  template(value: unknown, ctx: ExprContext | Readonly<Record<string, unknown>>): unknown;
  checkExpr(src: string, allowedRoots: readonly string[]): CheckResult;
}

class Language implements ExprLanguage {
  readonly extraRoots: readonly string[];
  // One environment per language, made on first use: creating one is the expensive part.
  #environment: Environment | undefined;
  readonly #compiled = new Map<string, CompiledExpr | ExprError>();
  readonly #typeChecked = new Map<string, CheckResult>();

  constructor(private readonly extra: Readonly<Record<string, RootType>>) {
    for (const name of Object.keys(extra)) {
      if (name in RUNBOOK_ROOT_TYPES) throw new Error(`'${name}' is a runbook root already: an extra root needs a name of its own`);
    }
    this.extraRoots = Object.keys(extra);
  }

  env(): Environment {
    if (!this.#environment) {
      let e = new Environment({ unlistedVariablesAreDyn: false, homogeneousAggregateLiterals: false, enableOptionalTypes: true });
      for (const [name, type] of Object.entries({ ...RUNBOOK_ROOT_TYPES, ...this.extra })) e = e.registerVariable(name, type);
      this.#environment = e;
    }
    return this.#environment;
  }

  compileExpr(src: string): CompiledExpr {
    const source = soleExpression(src) ?? src;
    let hit = this.#compiled.get(source);
    if (!hit) {
      hit = this.#compile(source);
      if (this.#compiled.size > 50_000) this.#compiled.clear(); // a bound, not a policy: validate of huge trees stays flat
      this.#compiled.set(source, hit);
    }
    if (hit instanceof ExprError) throw hit;
    return hit;
  }

  #compile(source: string): CompiledExpr | ExprError {
    if (source.trim() === '') return new ExprError('the expression is empty', source, 0);
    if (source.length > MAX_EXPR_CHARS) {
      return new ExprError(`this expression is ${source.length.toLocaleString('en-US')} characters long; at most ${MAX_EXPR_CHARS.toLocaleString('en-US')} are read: split it, e.g. capture a part in an earlier step`, source, MAX_EXPR_CHARS);
    }
    try {
      const fn = this.env().parse(source);
      // Checking and evaluating recurse over the tree: a chain like a + a + … is refused here,
      // in words, rather than overflowing the stack later (the parser bounds only some nesting).
      const deep = tooDeep(fn.ast);
      if (deep) return new ExprError(NESTING, source, deep.range?.start);
      return {
        source,
        ast: fn.ast,
        evaluate: (ctx) => {
          try {
            return fromCel(fn(this.#celContext(ctx)));
          } catch (err) {
            throw evalError(err, source);
          }
        },
      };
    } catch (err) {
      // The parser recurses too (on -, ! and the like): past the stack is past any real expression.
      if (err instanceof RangeError) return new ExprError(NESTING, source, 0);
      const e = err as { summary?: string; code?: string; range?: { start: number } };
      return new ExprError(plainParseError(e.code, e.summary ?? String(err)), source, e.range?.start);
    }
  }

  #celContext(ctx: ExprContext | Readonly<Record<string, unknown>>): Record<string, unknown> {
    const out: Record<string, unknown> = {
      inputs: toCel(ctx.inputs ?? {}),
      steps: toCel(ctx.steps ?? {}),
      vars: toCel(ctx.vars ?? {}),
      incident: toCel(ctx.incident ?? {}),
    };
    if ('result' in ctx && ctx.result !== undefined) out.result = toCel(ctx.result);
    const more = ctx as Record<string, unknown>;
    for (const root of this.extraRoots) if (more[root] !== undefined) out[root] = toCel(more[root]);
    return out;
  }

  evalExpr(src: string, ctx: ExprContext | Readonly<Record<string, unknown>>): unknown {
    return this.compileExpr(src).evaluate(ctx);
  }

  template(value: unknown, ctx: ExprContext | Readonly<Record<string, unknown>>): unknown {
    return templateWith(this, value, ctx);
  }

  checkExpr(src: string, allowedRoots: readonly string[]): CheckResult {
    return checkWith(this, this.#typeChecked, src, allowedRoots);
  }
}

/** Characters of one expression, at most: real ones are a line or a few. */
export const MAX_EXPR_CHARS = 10_000;

/** Operators and calls inside one another, at most (cel-js bounds its own nesting at 250 too). */
export const MAX_EXPR_DEPTH = 250;
const NESTING = `this expression nests more than ${MAX_EXPR_DEPTH} levels deep (operators, calls and brackets inside one another); split it, e.g. capture a part in an earlier step`;

/** The first node deeper than MAX_EXPR_DEPTH, or undefined. Iterative: the tree may be anything. */
function tooDeep(ast: ASTNode): ASTNode | undefined {
  const stack: [ASTNode, number][] = [[ast, 1]];
  const isNode = (x: unknown): x is ASTNode => x !== null && typeof x === 'object' && 'op' in x;
  while (stack.length) {
    const [node, depth] = stack.pop()!;
    if (depth > MAX_EXPR_DEPTH) return node;
    const args = (node as { args?: unknown }).args;
    const kids = Array.isArray(args) ? args : [args];
    for (const k of kids) {
      if (isNode(k)) stack.push([k, depth + 1]);
      else if (Array.isArray(k)) {
        for (const x of k) {
          if (isNode(x)) stack.push([x, depth + 1]);
          else if (Array.isArray(x)) for (const y of x) if (isNode(y)) stack.push([y, depth + 1]);
        }
      }
    }
  }
  return undefined;
}

/** The language with extra roots (name → CEL type) besides the runbook's. */
export function exprLanguage(extraRoots: Readonly<Record<string, RootType>>): ExprLanguage {
  return new Language(extraRoots);
}

/** The runbook's own: the roots above and nothing else. */
const runbookLanguage = new Language({});

// ---------------------------------------------------------------------------------------------
// Finding ${{ }} in strings

export interface FoundExpr {
  /** The CEL text between `${{` and `}}`, untrimmed. */
  expr: string;
  /** Offset of `${{` in the string. */
  start: number;
  /** Offset just past `}}`. */
  end: number;
}

/**
 * Every `${{ … }}` in a string, in order. The closing `}}` is found by scanning the CEL text,
 * so map literals (`{"a": {"b": 1}}`) and strings holding `}}` do not end it early.
 * `unclosedAt` is the offset of a `${{` that never closes.
 */
export function scanExpressions(s: string): { found: FoundExpr[]; unclosedAt?: number } {
  const found: FoundExpr[] = [];
  let from = 0;
  for (;;) {
    const start = s.indexOf('${{', from);
    if (start < 0) return { found };
    const end = closingOf(s, start + 3);
    if (end < 0) return { found, unclosedAt: start };
    found.push({ expr: s.slice(start + 3, end), start, end: end + 2 });
    from = end + 2;
  }
}

export function findExpressions(s: string): FoundExpr[] {
  return scanExpressions(s).found;
}

/** Index of the `}}` closing an expression whose text starts at `i`, or -1. */
function closingOf(s: string, i: number): number {
  let depth = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (c === '"' || c === "'") {
      const triple = s.startsWith(c.repeat(3), i);
      const quote = triple ? c.repeat(3) : c;
      i += quote.length;
      while (i < s.length && !s.startsWith(quote, i)) i += s[i] === '\\' ? 2 : 1;
      i += quote.length;
      continue;
    }
    if (c === '{') depth++;
    else if (c === '}') {
      if (depth === 0 && s[i + 1] === '}') return i;
      depth = Math.max(0, depth - 1);
    }
    i++;
  }
  return -1;
}

/** The CEL text of a string that is exactly one `${{ }}` (surrounding blanks allowed), else undefined. */
export function soleExpression(s: string): string | undefined {
  const { found, unclosedAt } = scanExpressions(s);
  if (found.length !== 1 || unclosedAt !== undefined) return undefined;
  const f = found[0]!;
  return s.slice(0, f.start).trim() === '' && s.slice(f.end).trim() === '' ? f.expr : undefined;
}

// ---------------------------------------------------------------------------------------------
// Compiling and evaluating

/** Compiles CEL text (or a whole `${{ }}` string); cached by source. Throws ExprError on a syntax error. */
export function compileExpr(src: string): CompiledExpr {
  return runbookLanguage.compileExpr(src);
}

/** Evaluates CEL text (or a `${{ }}` string) against the run's state; returns plain JS values. */
export function evalExpr(src: string, ctx: ExprContext | Readonly<Record<string, unknown>>): unknown {
  return runbookLanguage.evalExpr(src, ctx);
}

function evalError(err: unknown, source: string): ExprError {
  const e = err as { summary?: string; code?: string; range?: { start: number }; message?: string };
  let msg = e.summary ?? e.message ?? String(err);
  const m = /^Unknown variable: (\w+)$/.exec(msg);
  if (m?.[1] === 'result') msg = "'result' is not available here: it exists only once the step has run";
  else if (m) msg = `unknown name '${m[1]}'`;
  else if (e.code === 'no_such_key') msg = msg.replace(/^No such key: (.*)$/, "no field '$1' (use has(x.$1) to test for it)");
  else if (e.code === 'no_such_overload') msg = `${lowerFirst(msg)} (CEL does not mix int and double: write 2.0, or convert with double(x) / int(x))`;
  else msg = lowerFirst(msg);
  return new ExprError(`\${{ ${source.trim()} }}: ${msg}`, source, e.range?.start);
}

/** JS → CEL: integral numbers become int (BigInt) so `result.status == 504` holds; containers recursively. */
export function toCel(v: unknown): unknown {
  if (typeof v === 'number') return Number.isInteger(v) ? BigInt(v) : v;
  if (v === null || typeof v !== 'object') return typeof v === 'function' || typeof v === 'symbol' ? null : v;
  if (Array.isArray(v)) return v.map((x) => (x === undefined ? null : toCel(x)));
  if (v instanceof Date || v instanceof Uint8Array) return v;
  const entries = v instanceof Map ? [...v.entries()].map(([k, x]) => [String(k), x] as const) : Object.entries(v);
  const out: Record<string, unknown> = {};
  for (const [k, x] of entries) if (x !== undefined && typeof x !== 'function') out[k] = toCel(x);
  return out;
}

/**
 * CEL → JS: int → number (a decimal string when beyond 2^53, so JSON and the journal keep it exact),
 * maps and lists → plain objects and arrays, durations → '300s', optionals → their value or null.
 */
export function fromCel(v: unknown): unknown {
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(fromCel);
  if (v instanceof Date || v instanceof Uint8Array) return v;
  if (v instanceof Map) return Object.fromEntries([...v.entries()].map(([k, x]) => [String(fromCel(k)), fromCel(x)]));
  const name = v.constructor?.name;
  if (name === 'UnsignedInteger' || name === 'UnsignedInt') return fromCel((v as { value: unknown }).value);
  if (name === 'Duration' && 'seconds' in v) {
    const d = v as { seconds: number | bigint; nanos?: number };
    const ms = Number(d.seconds) * 1000 + Math.round((d.nanos ?? 0) / 1e6);
    return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
  }
  if (name === 'Optional') {
    const o = v as { hasValue?: () => boolean; value?: () => unknown };
    return typeof o.hasValue === 'function' && o.hasValue() ? fromCel(o.value?.()) : null;
  }
  if (name === 'Type') return String((v as { name?: string }).name ?? v);
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[k] = fromCel(x);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Templating

/**
 * Deep-templates a `with` object. A string that is exactly one `${{ }}` becomes the typed value;
 * a string with `${{ }}` amid text gets each one interpolated as text (strings as they are, other
 * values as JSON); everything else is returned unchanged.
 * Single pass: text an expression produces is never scanned again, so an input holding
 * `${{ … }}` (or `$(id)`, backticks, `; rm -rf /`) stays exactly that text.
 */
export function template(value: unknown, ctx: ExprContext | Readonly<Record<string, unknown>>): unknown {
  return templateWith(runbookLanguage, value, ctx);
}

function templateWith(lang: Language, value: unknown, ctx: ExprContext | Readonly<Record<string, unknown>>): unknown {
  if (typeof value === 'string') return templateString(lang, value, ctx);
  if (Array.isArray(value)) return value.map((v) => templateWith(lang, v, ctx));
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = templateWith(lang, v, ctx);
    return out;
  }
  return value;
}

function templateString(lang: Language, s: string, ctx: ExprContext | Readonly<Record<string, unknown>>): unknown {
  if (!s.includes('${{')) return s;
  const { found, unclosedAt } = scanExpressions(s);
  if (unclosedAt !== undefined) throw new ExprError(`'\${{' at offset ${unclosedAt} is never closed with '}}'`, s, unclosedAt);
  const only = found.length === 1 ? found[0]! : undefined;
  if (only && s.slice(0, only.start).trim() === '' && s.slice(only.end).trim() === '') return lang.evalExpr(only.expr, ctx);
  let out = '';
  let at = 0;
  for (const f of found) {
    out += s.slice(at, f.start) + asText(lang.evalExpr(f.expr, ctx));
    at = f.end;
  }
  return out + s.slice(at);
}

/** How an interpolated value reads inside text. */
export function asText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v instanceof Date) return v.toISOString();
  if (v === undefined) return '';
  return JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x));
}

// ---------------------------------------------------------------------------------------------
// Static checks for the loader

/** A path from a root name, e.g. `inputs.instance_id` → {root: 'inputs', keys: ['instance_id']}. */
export interface ExprRef {
  root: string;
  keys: string[];
  /** Offsets (into the CEL text) of the root and of each key. */
  offset: number;
  keyOffsets: number[];
  /** Inside has(): the last key is a presence test, not a use. */
  presence: boolean;
}

// Macros bind their leading identifier arguments inside the remaining ones.
const MACROS = new Set(['all', 'exists', 'exists_one', 'map', 'filter', 'bind', 'sortBy', 'transformList', 'transformMap', 'optMap', 'optFlatMap']);
// Namespaces of functions, and type names used as values (`type(x) == int`).
const NOT_VARIABLES = new Set(['cel', 'optional', 'math', 'strings', 'base64', 'sets', 'lists', 'int', 'uint', 'double', 'bool', 'string', 'bytes', 'list', 'map', 'null_type', 'type', 'dyn', 'google']);

/** Every use of a free name (with its static member path) in an expression. Throws ExprError on bad syntax. */
const refsCache = new Map<string, ExprRef[]>();

export function exprRefs(src: string): ExprRef[] {
  let refs = refsCache.get(src);
  if (!refs) {
    refs = [];
    visit(compileExpr(src).ast, new Set(), false, refs);
    if (refsCache.size > 50_000) refsCache.clear();
    refsCache.set(src, refs);
  }
  return refs;
}

function visit(node: ASTNode, bound: Set<string>, presence: boolean, refs: ExprRef[]): void {
  switch (node.op) {
    case 'value':
      return;
    case 'id': {
      if (!bound.has(node.args) && !NOT_VARIABLES.has(node.args)) refs.push({ root: node.args, keys: [], offset: node.range.start, keyOffsets: [], presence });
      return;
    }
    case '.':
    case '.?':
    case '[]':
    case '[?]': {
      const keys: string[] = [];
      const keyOffsets: number[] = [];
      let n: ASTNode = node;
      // Walk down a static member chain (a.b["c"].d) to its base.
      for (;;) {
        if (n.op === '.' || n.op === '.?') {
          keys.unshift(n.args[1]);
          keyOffsets.unshift(n.pos);
          n = n.args[0];
        } else if ((n.op === '[]' || n.op === '[?]') && n.args[1].op === 'value' && typeof n.args[1].args === 'string') {
          keys.unshift(n.args[1].args);
          keyOffsets.unshift(n.args[1].range.start + 1);
          n = n.args[0];
        } else break;
      }
      if (n.op === 'id') {
        if (!bound.has(n.args) && !NOT_VARIABLES.has(n.args)) refs.push({ root: n.args, keys, offset: n.range.start, keyOffsets, presence });
      } else if (n !== node) {
        visit(n, bound, false, refs); // the chain stops at a call or a dynamic index: f(x).y, a[i].b
      } else {
        // This node itself is a dynamic index (a[i], x[0]): both sides may hold references.
        visit(node.args[0] as ASTNode, bound, false, refs);
        if (node.op === '[]' || node.op === '[?]') visit(node.args[1], bound, false, refs);
      }
      return;
    }
    case 'call': {
      const [name, args] = node.args;
      for (const a of args) visit(a, bound, name === 'has', refs);
      return;
    }
    case 'rcall': {
      const [name, receiver, args] = node.args;
      if (!(receiver.op === 'id' && NOT_VARIABLES.has(receiver.args))) visit(receiver, bound, false, refs);
      if (MACROS.has(name) && args.length >= 2) {
        const inner = new Set(bound);
        let i = 0;
        for (; i < args.length - 1 && args[i]!.op === 'id'; i++) inner.add(args[i]!.args as string);
        // bind(x, init, body): init is outside x's scope.
        if (name === 'bind' && args.length === 3) {
          visit(args[1]!, bound, false, refs);
          visit(args[2]!, inner, false, refs);
          return;
        }
        for (; i < args.length; i++) visit(args[i]!, inner, false, refs);
        return;
      }
      for (const a of args) visit(a, bound, false, refs);
      return;
    }
    case 'list':
      for (const a of node.args) visit(a, bound, false, refs);
      return;
    case 'map':
      for (const [k, v] of node.args) {
        visit(k, bound, false, refs);
        visit(v, bound, false, refs);
      }
      return;
    default: {
      // Operators: one operand (!x, -x) or several (a + b, c ? a : b, a && b).
      const args = node.args as unknown;
      const operands = Array.isArray(args) ? args : [args];
      for (const a of operands) {
        if (a && typeof a === 'object' && 'op' in a) visit(a as ASTNode, bound, false, refs);
      }
    }
  }
}

export type CheckResult = { ok: true } | { ok: false; message: string; offset?: number; hint?: string };

/**
 * Syntax, names and types of an expression, for the loader: parse errors in plain words, and
 * unknown or unavailable root names (`input.x` → "unknown name 'input' — did you mean 'inputs'?").
 */
export function checkExpr(src: string, allowedRoots: readonly string[]): CheckResult {
  return runbookLanguage.checkExpr(src, allowedRoots);
}

function checkWith(lang: Language, typeChecked: Map<string, CheckResult>, src: string, allowedRoots: readonly string[]): CheckResult {
  let refs: ExprRef[];
  try {
    refs = exprRefs(src);
  } catch (err) {
    if (err instanceof ExprError) return { ok: false, message: err.message, offset: err.offset, hint: syntaxHint(src) };
    throw err;
  }
  for (const r of refs) {
    if (allowedRoots.includes(r.root)) continue;
    if (r.root === 'result') {
      return {
        ok: false,
        message: "'result' is not available here: it exists only once the step has run",
        offset: r.offset,
        hint: "use 'result' in capture, assert, branches or verify.done; before that, read an earlier step with steps.<id>.result",
      };
    }
    if ((EXPR_ROOTS as readonly string[]).includes(r.root)) return { ok: false, message: `'${r.root}' is not available here`, offset: r.offset };
    return {
      ok: false,
      message: `unknown name '${r.root}'${suggestion(r.root, allowedRoots)}`,
      offset: r.offset,
      hint: `expressions start from ${allowedRoots.join(', ')}`,
    };
  }
  // Types, once per source: catches "a" + 1 and ternaries of two types before the incident does.
  const source = soleExpression(src) ?? src;
  let typed = typeChecked.get(source);
  if (!typed) {
    const r = lang.env().check(source);
    typed = r.valid
      ? { ok: true }
      : { ok: false, message: typeMessage(r.error), offset: (r.error as { range?: { start: number } } | undefined)?.range?.start };
    typeChecked.set(source, typed);
  }
  return typed;
}

function typeMessage(err: unknown): string {
  const e = err as { summary?: string; message?: string } | undefined;
  const msg = lowerFirst(e?.summary ?? e?.message ?? 'type error');
  return msg.startsWith('no such overload') ? `${msg} (CEL does not mix types: compare like with like, or convert with int(), double(), string())` : msg;
}

const TOKEN_WORDS: Record<string, string> = {
  EOF: 'the end of the expression', NUMBER: 'a number', STRING: 'a string', BOOLEAN: 'true/false', NULL: 'null', IDENTIFIER: 'a name',
  PLUS: "'+'", MINUS: "'-'", MULTIPLY: "'*'", DIVIDE: "'/'", MODULO: "'%'", EQ: "'=='", NE: "'!='", LT: "'<'", LE: "'<='", GT: "'>'", GE: "'>='",
  AND: "'&&'", OR: "'||'", NOT: "'!'", IN: "'in'", LPAREN: "'('", RPAREN: "')'", LBRACKET: "'['", RBRACKET: "']'", LBRACE: "'{'",
  RBRACE: "'}'", DOT: "'.'", COMMA: "','", COLON: "':'", QUESTION: "'?'", BYTES: 'bytes',
};

function plainParseError(code: string | undefined, summary: string): string {
  const words = (t: string) => TOKEN_WORDS[t] ?? t;
  let m: RegExpExecArray | null;
  if ((m = /^Unexpected token: (\w+)$/.exec(summary))) {
    return m[1] === 'EOF' ? 'the expression ends too early: an operand or a closing bracket is missing' : `unexpected ${words(m[1]!)}`;
  }
  if ((m = /^Expected (\w+), got (\w+)$/.exec(summary))) {
    if (m[1] === 'EOF') return `unexpected ${words(m[2]!)}: an operator (&&, ||, ==, …) may be missing`;
    return `expected ${words(m[1]!)} but found ${words(m[2]!)}`;
  }
  if (code === 'unterminated_string' || code === 'unterminated_triple_quoted_string') return 'a string is never closed: add the closing quote';
  if ((m = /^Unexpected character: (.*)$/.exec(summary))) return `unexpected character '${m[1]}'`;
  if ((m = /^Reserved identifier: (.*)$/.exec(summary))) return `'${m[1]}' is a reserved word in CEL and cannot be a name`;
  if (/^Exceeded maxDepth/.test(summary)) return NESTING;
  if ((m = /^Exceeded maxAstNodes \((\d+)\)/.exec(summary))) return `this expression is too long: more than ${Number(m[1]).toLocaleString('en-US')} parts; split it over several steps`;
  return lowerFirst(summary);
}

function syntaxHint(src: string): string | undefined {
  if (/(^|[^=!<>])=($|[^=])/.test(src)) return 'compare with == (a single = is not an operator in CEL)';
  if (/\b(and|or|not)\b/.test(src)) return 'CEL writes and/or/not as &&, || and !';
  return undefined;
}

function lowerFirst(s: string): string {
  return s.length > 1 && /^[A-Z][a-z]/.test(s) ? s[0]!.toLowerCase() + s.slice(1) : s;
}
