// Everything the loader checks on a parsed runbook: the zod schema (re-worded for people) and the
// rules a schema cannot express — kinds, parameters, expressions, step graph, inputs.
// Issues here carry a path into the document; load.ts turns paths into file:line:col.
import type { z } from 'zod';
import type { KindCatalog, KindInfo } from './kinds.js';
import { EXPR_RE, runbookSchema } from './schema.js';
import type { InputSpec, Runbook } from './schema.js';
import { checkExpr, exprRefs, INCIDENT_FIELDS, ROOTS_AFTER, ROOTS_BEFORE, scanExpressions, soleExpression, STEP_FIELDS } from './expr.js';
import type { FoundExpr } from './expr.js';
import { inputValueProblem } from './inputs.js';
import { patternRegExp } from './pattern.js';
import { listNames, snakeCase, suggestion } from './suggest.js';
import type { Severity } from './issues.js';

import { formatPath, getAt, type Path } from './path.js';

export { formatPath, getAt, type Path };

export interface PendingIssue {
  path: Path;
  /** Point at the key of the last path segment (unknown fields) rather than its value. */
  at?: 'key' | 'value';
  /** Offset into the string value (an expression inside it). */
  strOffset?: number;
  message: string;
  hint?: string;
  severity: Severity;
  /** Another node the message refers to: " (<label> line N)" is appended once located. */
  also?: { path: Path; label: string };
}

export function checkRunbook(data: unknown, registry: KindCatalog): { issues: PendingIssue[]; runbook?: Runbook } {
  if (!isObj(data)) {
    return {
      issues: [
        {
          path: [],
          severity: 'error',
          message: `a runbook is a YAML mapping, but this file holds ${describeValue(data)}`,
          hint: 'start with id:, title:, version:, summary: and steps: at the left margin',
        },
      ],
    };
  }
  const issues: PendingIssue[] = [];
  const parsed = runbookSchema.safeParse(data);
  if (!parsed.success) for (const zi of parsed.error.issues) issues.push(...fromZod(zi, data, [], runbookSchema));
  new Semantics(data, registry, issues).run();
  return { issues, runbook: parsed.success && !issues.some((i) => i.severity === 'error') ? parsed.data : undefined };
}

/** Any document checked by a zod schema alone (drill scenarios), with issues in people's words. */
export function checkWithSchema<T>(data: unknown, schema: z.ZodType<T>, what: string): { issues: PendingIssue[]; value?: T } {
  if (!isObj(data)) {
    return { issues: [{ path: [], severity: 'error', message: `a ${what} is a YAML mapping, but this file holds ${describeValue(data)}` }] };
  }
  const parsed = schema.safeParse(data);
  if (parsed.success) return { issues: [], value: parsed.data };
  return { issues: parsed.error.issues.flatMap((zi) => fromZod(zi, data, [], schema)) };
}

// ---------------------------------------------------------------------------------------------
// zod issues in people's words

type ZodIssue = z.core.$ZodIssue;

function fromZod(zi: ZodIssue, data: unknown, prefix: Path, schema: unknown, what = 'field'): PendingIssue[] {
  const path: Path = [...prefix, ...(zi.path.filter((p) => typeof p !== 'symbol') as Path)];
  const value = getAt(data, path);
  const label = fieldLabel(path);
  const last = path[path.length - 1];
  const error = (p: PendingIssue | Omit<PendingIssue, 'severity'>): PendingIssue => ({ severity: 'error', ...p });
  /** A field that is not there: said of the mapping it belongs in, and pointed at there. */
  const missing = (): PendingIssue => {
    const parent = path.slice(0, -1);
    const desc = schema ? describeAt(schema, path.slice(prefix.length)) : undefined;
    const within = parentLabel(parent);
    return error({ path: parent, message: `missing required ${what} '${String(last)}'${within ? ` in ${within}` : ''}`, hint: missingHint(String(last), desc) });
  };
  switch (zi.code) {
    case 'unrecognized_keys': {
      const allowed = schema ? keysAt(schema, path.slice(prefix.length)) : [];
      return zi.keys.map((key) =>
        error({
          path: [...path, key],
          at: 'key',
          message: `unknown ${what} '${key}'${suggestion(key, allowed)}`,
          hint: allowed.length ? `${objectLabel(path)} ${what}s: ${listNames(allowed, 20)}` : undefined,
        }),
      );
    }
    case 'invalid_key': {
      const inner = zi.issues[0]?.message ?? zi.message;
      const key = String(last);
      const fixed = snakeCase(key).replace(/^([0-9])/, '_$1');
      return [error({ path, at: 'key', message: `name '${key}': ${inner}`, hint: fixed !== key ? `for example '${fixed}'` : undefined })];
    }
    case 'invalid_type': {
      if (value === undefined) return [missing()];
      if (last === 'version' && typeof value === 'number') {
        const v = String(value).includes('.') ? `${value}.0` : `${value}.0.0`;
        return [error({ path, message: `version must be a semantic version like '1.0.0'; YAML read this one as the number ${value}`, hint: `write version: ${v}` })];
      }
      return [error({ path, message: `${label} must be ${typeWords(zi.expected)}, not ${describeValue(value)}` })];
    }
    case 'invalid_value':
    case 'invalid_union':
      if (value === undefined) return [missing()];
      return zi.code === 'invalid_value' ? invalidValue(zi) : invalidUnion(zi);
    case 'invalid_format': {
      // The value may be gone from the document's shape (a kind's schema reshaped it first).
      const shown = value === undefined ? '' : ` ${quoteValue(value)}`;
      return [error({ path, message: `${label}${shown} ${zi.message}`, hint: value === undefined ? undefined : formatHint(String(last), value, zi.message) })];
    }
    case 'too_small': {
      const min = Number(zi.minimum);
      if (zi.origin === 'array') {
        if (min > 1) return [error({ path, message: `${label} must list at least ${min} items, not ${Array.isArray(value) ? value.length : describeValue(value)}` })];
        return [error({ path, message: last === 'steps' ? 'steps must list at least one step' : `${label} must not be an empty list` })];
      }
      if (zi.origin === 'string') return [error({ path, message: min > 1 ? `${label} must be at least ${min} characters long` : `${label} must not be empty` })];
      return [error({ path, message: `${label} must be at least ${min}, not ${describeValue(value)}` })];
    }
    case 'too_big':
      return [error({ path, message: `${label} must be at most ${Number(zi.maximum)}, not ${describeValue(value)}` })];
    default:
      return [error({ path, message: label ? `${label}: ${zi.message}` : zi.message })];
  }

  function invalidValue(zi: z.core.$ZodIssueInvalidValue): PendingIssue[] {
    const values = zi.values.map(String);
    const one = values.length === 1;
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      // A mapping or a list where one word was expected: say what it is, not '[object Object]'.
      return [error({ path, message: `${label} must be ${one ? quoteValue(values[0]) : `one of ${values.join(', ')}`}, not ${describeValue(value)}` })];
    }
    return [
      error({
        path,
        message: `${label} ${quoteValue(value)} is not ${one ? quoteValue(values[0]) : `one of ${values.join(', ')}`}${typeof value === 'string' ? suggestion(value, values) : ''}`,
      }),
    ];
  }

  function invalidUnion(zi: z.core.$ZodIssueInvalidUnion): PendingIssue[] {
    // The option whose type matched says what is wrong inside it.
    const matched = zi.errors.find((errs) => errs.length > 0 && rootTypes(errs) === undefined);
    if (matched) {
      const option = schema ? optionMatching(schema, path.slice(prefix.length), value) : undefined;
      return matched.flatMap((e) => fromZod(e, data, path, option, what));
    }
    const expected = [...new Set(zi.errors.flatMap((errs) => rootTypes(errs) ?? []))];
    const isAssert = path.includes('assert');
    return [
      error({
        path,
        message: `${label} must be ${expected.length ? orList(expected) : 'something else'}, not ${describeValue(value)}`,
        hint: isAssert ? 'write an expression like ${{ result.exit_code == 0 }}, or {that: ${{ … }}, message: …}' : undefined,
      }),
    ];
  }
}

/**
 * The types an option of a union wanted, when it failed only because the value at its root has
 * another type (unions inside unions included); undefined when the type fitted and something
 * inside was wrong.
 */
function rootTypes(errs: readonly ZodIssue[]): string[] | undefined {
  const out: string[] = [];
  for (const e of errs) {
    if (e.path.length !== 0) return undefined;
    if (e.code === 'invalid_type') out.push(typeWords(e.expected));
    else if (e.code === 'invalid_union') {
      for (const option of e.errors) {
        const inner = rootTypes(option);
        if (!inner) return undefined;
        out.push(...inner);
      }
    } else if (e.code === 'invalid_value' && e.values.length === 1) out.push(quoteValue(e.values[0]));
    else return undefined;
  }
  return out.length ? out : undefined;
}

/** `text, a number, true or false` — an or-list that does not read 'or … or … or'. */
function orList(words: string[]): string {
  if (words.length <= 1) return words[0] ?? '';
  const w = words.map((x) => (x === 'true or false' ? 'true/false' : x));
  return `${w.slice(0, -1).join(', ')} or ${w[w.length - 1]}`;
}

/** Where a missing field belongs, for the message: '' at the top and for a step (the step is named apart). */
function parentLabel(parent: Path): string {
  if (parent.length === 0) return '';
  if (parent[0] === 'steps' && typeof parent[1] === 'number' && parent.length === 2) return '';
  return fieldLabel(parent);
}

function missingHint(field: string, desc: string | undefined): string {
  if (field === 'steps') return 'add a steps: list; each step needs an id, a title and a kind';
  if (field === 'kind') return 'add kind: the step kind, e.g. shell, http, wait, decision or manual';
  return desc ? `${field}: ${desc}` : `add ${field}:`;
}

function formatHint(field: string, value: unknown, message: string): string | undefined {
  const text = String(value);
  if (message.includes('duration')) {
    const m = /^\s*(\d+)\s*(ms|milliseconds?|s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?|d|days?)\s*$/i.exec(text);
    if (m) {
      const u = m[2]!.toLowerCase();
      const short = u === 'ms' || u.startsWith('milli') ? 'ms' : u[0]!;
      return `write ${field}: ${m[1]}${short}`;
    }
    return `digits then a unit (ms, s, m, h, d), e.g. ${field}: 5m or ${field}: 1h30m`;
  }
  if (message.includes('expression')) {
    const expr = `\${{ ${text.replace(/^\s*\$\{\{|\}\}\s*$/g, '').trim()} }}`;
    return /^\d+$/.test(field) ? `write it as ${expr}` : `write it as ${field}: ${expr}`;
  }
  if (message.includes('semantic version')) {
    const m = /^(\d+)(?:\.(\d+))?$/.exec(text);
    return m ? `write version: ${m[1]}.${m[2] ?? 0}.0` : "major.minor.patch, e.g. version: '1.0.0'";
  }
  if (message.includes('lowercase')) {
    const fixed = snakeCase(text, '-').slice(0, 63).replace(/-+$/, '');
    return fixed ? `for example ${field}: ${fixed}` : undefined;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Rules beyond the schema

class Semantics {
  private readonly stepIds = new Map<string, number>();
  private readonly inputNames: string[];
  private readonly captures = new Set<string>();
  private readonly steps: unknown[];
  private badTargets = false;

  constructor(
    private readonly rb: Record<string, unknown>,
    private readonly registry: KindCatalog,
    private readonly issues: PendingIssue[],
  ) {
    this.steps = Array.isArray(rb.steps) ? rb.steps : [];
    this.inputNames = isObj(rb.inputs) ? Object.keys(rb.inputs) : [];
  }

  private error(path: Path, message: string, hint?: string, extra: Partial<PendingIssue> = {}): void {
    this.issues.push({ path, message, hint, severity: 'error', ...extra });
  }

  private warn(path: Path, message: string, hint?: string, extra: Partial<PendingIssue> = {}): void {
    this.issues.push({ path, message, hint, severity: 'warning', ...extra });
  }

  run(): void {
    this.inputs();
    this.collectIds();
    this.steps.forEach((s, i) => {
      if (isObj(s)) this.step(s, i);
    });
    this.graph();
  }

  private inputs(): void {
    if (!isObj(this.rb.inputs)) return;
    for (const [name, spec] of Object.entries(this.rb.inputs)) {
      if (!isObj(spec)) continue;
      const at = (field: string): Path => ['inputs', name, field];
      const type = spec.type;
      if (type === 'enum' && !Array.isArray(spec.values)) {
        this.error(at('type'), `enum input '${name}' has no values`, 'add values: the allowed choices, e.g. values: [stop-start, reboot]');
      }
      if (spec.values !== undefined && typeof type === 'string' && type !== 'enum') {
        this.error(at('values'), `values only apply to enum inputs, and '${name}' is a ${type}`, 'set type: enum, or remove values', { at: 'key' });
      }
      let patternOk = true;
      if (typeof spec.pattern === 'string') {
        try {
          patternRegExp(spec.pattern);
        } catch (err) {
          patternOk = false;
          const why = String((err as Error).message).replace(/^Invalid regular expression: \/.*\/[a-z]*: /, '');
          this.error(at('pattern'), `pattern of input '${name}' is not a valid regular expression: ${why}`, 'JavaScript regular expression syntax; it must match the whole value, e.g. ^i-[0-9a-f]{8,17}$');
        }
      }
      if (typeof spec.min === 'number' && typeof spec.max === 'number' && spec.min > spec.max) {
        this.error(at('min'), `min ${spec.min} is greater than max ${spec.max}`);
      }
      if ((spec.min !== undefined || spec.max !== undefined) && typeof type === 'string' && type !== 'number') {
        this.warn(at(spec.min !== undefined ? 'min' : 'max'), `min and max apply to number inputs only; '${name}' is a ${type}`, 'use a pattern to constrain text', { at: 'key' });
      }
      const plainDefault = ['string', 'number', 'boolean'].includes(typeof spec.default); // anything else: the schema says so
      if (plainDefault && typeof type === 'string' && patternOk) {
        const problem = inputValueProblem(spec as InputSpec, spec.default);
        // A secret's default is not echoed, even in a complaint about it.
        const shown = problem && spec.secret === true ? problem.split(String(spec.default)).join(`[redacted:${name}]`) : problem;
        if (shown) this.error(at('default'), `default of input '${name}': ${shown}`, defaultHint(spec as InputSpec));
      }
      // An empty default only makes the secret optional; any other is a value written in the file.
      if (spec.secret === true && spec.default !== undefined && String(spec.default) !== '') {
        this.warn(
          at('default'),
          `secret input '${name}' has a default: the value is kept in plain text in this file, and in the copy of it each incident journals`,
          'leave the default out so the operator gives the value, or read it from AWS Secrets Manager in a step; oncall still never shows it',
          { at: 'key' },
        );
      }
      if (spec.required === true && spec.default !== undefined) {
        this.warn(at('required'), `input '${name}' is required but has a default, so it is never asked for`, 'remove required: true, or remove the default so the operator must choose', { at: 'key' });
      }
    }
  }

  private collectIds(): void {
    this.steps.forEach((s, i) => {
      if (!isObj(s)) return;
      if (typeof s.id === 'string') {
        const first = this.stepIds.get(s.id);
        if (first !== undefined) {
          this.error(['steps', i, 'id'], `duplicate step id '${s.id}'`, 'step ids must be unique within a runbook; rename one of them', {
            also: { path: ['steps', first, 'id'], label: 'first used on' },
          });
        } else this.stepIds.set(s.id, i);
        if (s.id === 'end') this.error(['steps', i, 'id'], "'end' cannot be a step id: next: end finishes the runbook", 'rename the step, e.g. finish or wrap-up');
      }
      if (isObj(s.capture)) for (const k of Object.keys(s.capture)) this.captures.add(k);
    });
  }

  private step(s: Record<string, unknown>, i: number): void {
    const at = (...p: Path): Path => ['steps', i, ...p];
    const kind = this.kindAt(s.kind, at('kind'));
    if (kind) this.params(kind, s.with, at('with'), at('kind'));
    if (isObj(s.rollback)) {
      const rk = this.kindAt(s.rollback.kind, at('rollback', 'kind'));
      if (rk) this.params(rk, s.rollback.with, at('rollback', 'with'), at('rollback', 'kind'));
      if (s.rollback.with !== undefined && s.rollback.kind === undefined) {
        this.error(at('rollback', 'with'), 'rollback.with needs a rollback.kind to pass its parameters to', 'add kind: the step kind that undoes this step', { at: 'key' });
      }
      this.template(s.rollback.note, at('rollback', 'note'), ROOTS_BEFORE);
      this.template(s.rollback.with, at('rollback', 'with'), ROOTS_BEFORE);
    }
    if (isObj(s.verify)) {
      const vk = this.kindAt(s.verify.kind, at('verify', 'kind'));
      if (vk) this.params(vk, s.verify.with, at('verify', 'with'), at('verify', 'kind'));
      this.template(s.verify.with, at('verify', 'with'), ROOTS_BEFORE);
      this.expression(s.verify.done, at('verify', 'done'), ROOTS_AFTER);
    }
    // Expressions: before the step runs, there is no `result`.
    this.expression(s.when, at('when'), ROOTS_BEFORE);
    this.template(s.title, at('title'), ROOTS_BEFORE);
    this.template(s.guidance, at('guidance'), ROOTS_BEFORE);
    if (isObj(s.confirm)) {
      this.template(s.confirm.message, at('confirm', 'message'), ROOTS_BEFORE);
      this.template(s.confirm.resource, at('confirm', 'resource'), ROOTS_BEFORE);
    }
    if (isObj(s.with)) {
      // A kind's raw parameters (wait's until) are evaluated by the step itself, over a probe's result.
      const late = kind?.rawParams ?? [];
      for (const [k, v] of Object.entries(s.with)) this.template(v, at('with', k), late.includes(k) ? ROOTS_AFTER : ROOTS_BEFORE);
    }
    if (isObj(s.capture)) for (const [k, v] of Object.entries(s.capture)) this.expression(v, at('capture', k), ROOTS_AFTER);
    if (Array.isArray(s.assert)) {
      s.assert.forEach((a, j) => {
        if (isObj(a)) this.expression(a.that, at('assert', j, 'that'), ROOTS_AFTER);
        else this.expression(a, at('assert', j), ROOTS_AFTER);
      });
    }
    if (typeof s.next === 'string') this.target(s.next, at('next'));
    if (Array.isArray(s.branches)) {
      // A decision's options are the only choices it can return.
      const options = isObj(s.with) && Array.isArray(s.with.options) ? s.with.options.map((o) => (isObj(o) ? o.value : undefined)) : [];
      const choices = options.every((v) => typeof v === 'string') ? (options as string[]) : [];
      s.branches.forEach((b, j) => {
        if (!isObj(b)) return;
        this.expression(b.when, at('branches', j, 'when'), ROOTS_AFTER);
        if (typeof b.choice === 'string' && choices.length && !choices.includes(b.choice)) {
          this.error(at('branches', j, 'choice'), `'${b.choice}' is not one of this step's options${suggestion(b.choice, choices)}`, `options: ${choices.join(', ')}`);
        }
        if (typeof b.next === 'string') this.target(b.next, at('branches', j, 'next'));
      });
    }
  }

  private kindAt(name: unknown, path: Path): KindInfo | undefined {
    if (typeof name !== 'string') return undefined;
    const kind = this.registry.get(name);
    if (!kind) {
      const names = this.registry.names();
      this.error(path, `unknown step kind '${name}'${suggestion(name, names)}`, `known kinds: ${listNames(names, 16)}`);
    }
    return kind;
  }

  /** `with` against the kind's parameter schema; values holding ${{ }} are checked after templating, at run time. */
  private params(kind: KindInfo, given: unknown, path: Path, kindPath: Path): void {
    if (given !== undefined && !isObj(given)) return; // the schema reports it
    const w = given ?? {};
    const shape = objectKeys(kind.params);
    if (shape) {
      for (const k of Object.keys(w)) {
        if (!shape.includes(k)) {
          this.error([...path, k], `unknown parameter '${k}' for kind '${kind.name}'${suggestion(k, shape)}`, `${kind.name} takes: ${listNames(shape, 20)}`, { at: 'key' });
        }
      }
    }
    let result: ReturnType<z.ZodType['safeParse']>;
    try {
      result = kind.params.safeParse(w);
    } catch {
      return; // async or throwing refinements: the run will tell
    }
    if (result.success) return;
    for (const zi of result.error.issues) {
      if (zi.code === 'unrecognized_keys' && shape) continue;
      const p = zi.path.filter((x) => typeof x !== 'symbol') as Path;
      if (touchesTemplate(w, p)) continue;
      if (zi.code === 'invalid_type' && getAt(w, p) === undefined && p.length === 1) {
        const desc = describeAt(kind.params, p);
        const name = String(p[0]);
        this.error(given === undefined ? kindPath : path, `missing required parameter '${name}' for kind '${kind.name}'`, desc ? `${name}: ${desc}` : `add ${name}: under with:`, {
          at: given === undefined ? 'value' : 'key',
        });
        continue;
      }
      for (const pi of fromZod(zi, this.rb, path, kind.params, 'parameter')) {
        this.issues.push(pi.path.length === path.length && !pi.at ? { ...pi, at: 'key' } : pi);
      }
    }
  }

  private target(t: string, path: Path): void {
    if (t === 'end' || this.stepIds.has(t)) return;
    this.badTargets = true;
    this.error(path, `no step '${t}' to go to${suggestion(t, [...this.stepIds.keys(), 'end'])}`, `use a step id of this runbook, or 'end' to finish`);
  }

  /** A field that must be exactly one ${{ }} (when, capture, assert, branches, verify.done). */
  private expression(v: unknown, path: Path, roots: readonly string[]): void {
    if (typeof v !== 'string' || !EXPR_RE.test(v)) return; // the schema reports the shape
    const { found, unclosedAt } = scanExpressions(v);
    if (unclosedAt !== undefined) return this.unclosed(path, unclosedAt);
    if (soleExpression(v) === undefined) {
      return this.error(path, 'must be a single ${{ }} expression with nothing around it', 'combine conditions inside one expression with && or ||', {
        strOffset: found[1]?.start ?? 0,
      });
    }
    this.checkOne(found[0]!, path, roots);
  }

  /** Any string (deeply, in objects and lists) that may hold ${{ }} among other text. */
  private template(v: unknown, path: Path, roots: readonly string[]): void {
    // `path` is a stack, copied only when a string holds an expression (this walk is hot).
    if (typeof v === 'string') {
      if (!v.includes('${{')) return;
      const at = [...path];
      const { found, unclosedAt } = scanExpressions(v);
      for (const f of found) this.checkOne(f, at, roots);
      if (unclosedAt !== undefined) this.unclosed(at, unclosedAt);
    } else if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        path.push(i);
        this.template(v[i], path, roots);
        path.pop();
      }
    } else if (isObj(v)) {
      for (const k in v) {
        path.push(k);
        this.template(v[k], path, roots);
        path.pop();
      }
    }
  }

  private unclosed(path: Path, offset: number): void {
    this.error(path, "'${{' is never closed", "end the expression with '}}'", { strOffset: offset });
  }

  private checkOne(f: FoundExpr, path: Path, roots: readonly string[]): void {
    const base = f.start + 3;
    const shown = f.expr.trim().length <= 60 ? `\${{ ${f.expr.trim()} }}` : 'this expression';
    const fail = (message: string, offset: number | undefined, hint?: string) =>
      this.error(path, `${shown}: ${message}`, hint, { strOffset: base + (offset ?? f.expr.length - f.expr.trimStart().length) });
    // `steps.check-health` parses as a subtraction; say what to write instead.
    const dashed = /\b(steps|vars)\.([A-Za-z0-9_]+(?:-[A-Za-z0-9_]+)+)/.exec(f.expr);
    if (dashed) {
      return fail(`'${dashed[2]}' contains '-', which CEL reads as minus`, dashed.index, `write ${dashed[1]}["${dashed[2]}"]`);
    }
    const res = checkExpr(f.expr, roots);
    if (!res.ok) return fail(res.message, res.offset, res.hint);
    for (const r of exprRefs(f.expr)) {
      const [k0, k1] = r.keys;
      const o0 = r.keyOffsets[0];
      const tested = (n: number) => r.presence && r.keys.length === n;
      if (k0 === undefined || tested(1)) continue;
      if (r.root === 'inputs' && !this.inputNames.includes(k0)) {
        fail(
          `unknown input '${k0}'${suggestion(k0, this.inputNames)}`,
          o0,
          this.inputNames.length ? `declared inputs: ${listNames(this.inputNames)}` : `declare it under inputs: (${k0}: {type: string})`,
        );
      } else if (r.root === 'steps') {
        if (!this.stepIds.has(k0)) {
          fail(`no step '${k0}'${suggestion(k0, this.stepIds.keys())}`, o0, `step ids: ${listNames(this.stepIds.keys())}`);
        } else if (k1 !== undefined && !tested(2) && !(STEP_FIELDS as readonly string[]).includes(k1)) {
          fail(`a step has no '${k1}'${suggestion(k1, STEP_FIELDS)}`, r.keyOffsets[1], `steps.${k0} has ${STEP_FIELDS.join(', ')}`);
        }
      } else if (r.root === 'vars' && !this.captures.has(k0)) {
        fail(
          `no step captures '${k0}'${suggestion(k0, this.captures)}`,
          o0,
          this.captures.size ? `captured: ${listNames(this.captures)}` : `capture it in an earlier step: capture: {${k0}: \${{ result.… }}}`,
        );
      } else if (r.root === 'incident' && !(INCIDENT_FIELDS as readonly string[]).includes(k0)) {
        fail(`incident has no '${k0}'${suggestion(k0, INCIDENT_FIELDS)}`, o0, `incident has ${INCIDENT_FIELDS.join(', ')}`);
      }
    }
  }

  /** Targets, loops and unreachable steps. Fall-through to the next step in order is implicit. */
  private graph(): void {
    const n = this.steps.length;
    if (n === 0) return;
    // Edges with where they are written (for pointing at the jump that closes a loop).
    const edges: { to: number; path?: Path }[][] = this.steps.map(() => []);
    const skipEdges: number[][] = this.steps.map(() => []);
    this.steps.forEach((s, i) => {
      if (!isObj(s)) {
        if (i + 1 < n) edges[i]!.push({ to: i + 1 }); // reported by the schema; don't also call the rest unreachable
        return;
      }
      const add = (t: unknown, path: Path) => {
        if (typeof t !== 'string' || t === 'end') return;
        const to = this.stepIds.get(t);
        if (to !== undefined) edges[i]!.push({ to, path });
      };
      if (Array.isArray(s.branches)) s.branches.forEach((b, j) => isObj(b) && add(b.next, ['steps', i, 'branches', j, 'next']));
      if (s.next !== undefined) add(s.next, ['steps', i, 'next']);
      else if (i + 1 < n) edges[i]!.push({ to: i + 1 });
      // A step skipped by `when` moves on in order.
      if (s.when !== undefined && s.next !== undefined && i + 1 < n) skipEdges[i]!.push(i + 1);
    });
    this.loops(edges, skipEdges);
    if (this.badTargets || this.issues.some((x) => x.message.startsWith('duplicate step id'))) return;
    const seen = new Set<number>([0]);
    const queue = [0];
    while (queue.length) {
      const i = queue.shift()!;
      for (const to of [...edges[i]!.map((e) => e.to), ...skipEdges[i]!]) {
        if (!seen.has(to)) {
          seen.add(to);
          queue.push(to);
        }
      }
    }
    this.steps.forEach((s, i) => {
      if (seen.has(i) || !isObj(s) || typeof s.id !== 'string') return;
      this.warn(['steps', i, 'id'], 'this step can never be reached: no next, branch or fall-through leads to it', `point a next or a branch at '${s.id}', or remove the step`);
    });
  }

  private loops(edges: { to: number; path?: Path }[][], skipEdges: number[][]): void {
    const n = edges.length;
    const state = new Array<number>(n).fill(0); // 0 new, 1 on the stack, 2 done
    const reported = new Set<string>();
    const stack: number[] = [];
    const name = (i: number) => {
      const s = this.steps[i];
      return isObj(s) && typeof s.id === 'string' ? s.id : `#${i + 1}`;
    };
    // Depth-first, with an explicit stack: a runbook of thousands of chained steps must not
    // overflow the call stack.
    const pos = new Array<number>(n).fill(-1); // where each step sits on `stack`
    const outs: number[][] = [];
    const next = new Array<number>(n).fill(0); // the next of outs[u] to follow
    const enter = (u: number) => {
      state[u] = 1;
      pos[u] = stack.length;
      stack.push(u);
      outs[u] = [...edges[u]!.map((e) => e.to), ...skipEdges[u]!];
    };
    for (let i = 0; i < n; i++) {
      if (state[i] !== 0) continue;
      enter(i);
      while (stack.length) {
        const u = stack[stack.length - 1]!;
        if (next[u]! < outs[u]!.length) {
          const v = outs[u]![next[u]!++]!;
          if (state[v] === 0) enter(v);
          else if (state[v] === 1) {
            const cycle = stack.slice(pos[v]);
            const key = [...cycle].sort((a, b) => a - b).join(',');
            if (reported.has(key)) continue;
            reported.add(key);
            this.reportLoop(cycle, edges, name);
          }
          continue;
        }
        stack.pop();
        pos[u] = -1;
        state[u] = 2;
      }
    }
  }

  private reportLoop(cycle: number[], edges: { to: number; path?: Path }[][], name: (i: number) => string): void {
    // The loop is closed by a jump backwards (or to itself), which is always written down.
    for (let k = 0; k < cycle.length; k++) {
      const from = cycle[k]!;
      const to = cycle[(k + 1) % cycle.length]!;
      if (to > from) continue;
      const edge = edges[from]!.find((e) => e.to === to && e.path);
      if (!edge?.path) continue;
      const start = cycle.indexOf(to);
      let ordered = [...cycle.slice(start), ...cycle.slice(0, start), to].map(name);
      if (ordered.length > 12) ordered = [...ordered.slice(0, 5), `… ${ordered.length - 10} more steps …`, ...ordered.slice(-5)];
      this.error(edge.path, `this makes a loop: ${ordered.join(' → ')}`, 'runbooks run forward; to poll, use a wait step with until, or retry on the step');
      return;
    }
  }
}

/** Inputs: what a valid default would look like. */
function defaultHint(spec: InputSpec): string | undefined {
  if (spec.type === 'enum' && spec.values) return `use one of: ${spec.values.join(', ')}`;
  if (spec.pattern) return `the default must match the whole pattern ${spec.pattern}`;
  if (spec.type === 'duration') return "e.g. default: 5m";
  return undefined;
}

/** Whether the issue at path p lies in (or contains) a value that is templated at run time. */
function touchesTemplate(w: unknown, p: Path): boolean {
  let v: unknown = w;
  for (const seg of p) {
    if (typeof v === 'string' && v.includes('${{')) return true;
    v = isObj(v) || Array.isArray(v) ? (v as Record<string | number, unknown>)[seg] : undefined;
  }
  return holdsTemplate(v);
}

function holdsTemplate(v: unknown): boolean {
  if (typeof v === 'string') return v.includes('${{');
  if (Array.isArray(v)) return v.some(holdsTemplate);
  if (isObj(v)) return Object.values(v).some(holdsTemplate);
  return false;
}

// ---------------------------------------------------------------------------------------------
// Helpers over values and zod schemas

export function isObj(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** The label of a field inside its step (the step is named separately). */
function fieldLabel(path: Path): string {
  const p = path[0] === 'steps' && typeof path[1] === 'number' && path.length > 2 ? path.slice(2) : path;
  return formatPath(p) || 'the value';
}

function objectLabel(path: Path): string {
  const strings = path.filter((p): p is string => typeof p === 'string');
  if (path.length === 0) return 'runbook';
  if (path[0] === 'steps' && path.length === 2) return 'step';
  if (path[0] === 'inputs' && path.length === 2) return 'input';
  return strings[strings.length - 1] ?? 'allowed';
}

function typeWords(expected: string): string {
  return (
    {
      string: 'text',
      number: 'a number',
      int: 'a whole number',
      boolean: 'true or false',
      array: 'a list',
      object: 'a mapping',
      record: 'a mapping',
      null: 'empty (null)',
      undefined: 'left out',
      bigint: 'a whole number',
      date: 'a date',
    } as Record<string, string>
  )[expected] ?? `a ${expected}`;
}

export function describeValue(v: unknown): string {
  if (v === null || v === undefined) return 'empty';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return `the text '${v.length > 40 ? `${v.slice(0, 40)}…` : v}'`;
  if (typeof v === 'boolean') return String(v);
  return `the number ${String(v)}`;
}

function quoteValue(v: unknown): string {
  if (typeof v === 'string') return `'${v.length > 60 ? `${v.slice(0, 60)}…` : v}'`;
  if (v !== null && typeof v === 'object') return describeValue(v);
  return String(v);
}

// zod v4 keeps a schema's structure in `_zod.def`; these walk it to say which fields exist.
type AnyDef = { type: string; [k: string]: unknown };
function defOf(s: unknown): AnyDef | undefined {
  return (s as { _zod?: { def?: AnyDef } })?._zod?.def;
}

function unwrap(s: unknown): unknown[] {
  const def = defOf(s);
  if (!def) return [];
  switch (def.type) {
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'catch':
    case 'nonoptional':
      return unwrap(def.innerType);
    case 'pipe':
      return unwrap(def.in);
    case 'lazy':
      return unwrap((def.getter as () => unknown)());
    case 'union':
      return (def.options as unknown[]).flatMap(unwrap);
    default:
      return [s];
  }
}

function schemasAt(schema: unknown, path: Path): unknown[] {
  let current = unwrap(schema);
  for (const seg of path) {
    const next: unknown[] = [];
    for (const s of current) {
      const def = defOf(s)!;
      if (def.type === 'object' && typeof seg === 'string') {
        const shape = def.shape as Record<string, unknown>;
        if (shape[seg]) next.push(...unwrap(shape[seg]));
      } else if (def.type === 'array' && typeof seg === 'number') next.push(...unwrap(def.element));
      else if (def.type === 'record') next.push(...unwrap(def.valueType));
    }
    current = next;
  }
  return current;
}

/** Field names of the object schema(s) at a path. */
function keysAt(schema: unknown, path: Path): string[] {
  const keys = new Set<string>();
  for (const s of schemasAt(schema, path)) {
    const def = defOf(s)!;
    if (def.type === 'object') for (const k of Object.keys(def.shape as object)) keys.add(k);
  }
  return [...keys];
}

/** The option of a union (at path) whose type fits the value, for re-reading its issues. */
function optionMatching(schema: unknown, path: Path, value: unknown): unknown {
  const options = schemasAt(schema, path);
  const want = isObj(value) ? 'object' : Array.isArray(value) ? 'array' : typeof value;
  return options.find((o) => defOf(o)?.type === want) ?? options[0];
}

function describeAt(schema: unknown, path: Path): string | undefined {
  let s: unknown = schema;
  for (const seg of path) {
    const found = schemasAt(s, [seg]);
    if (!found.length) return undefined;
    // Keep the wrapper (optional/default) when it carries the description.
    const def = defOf(unwrap(s)[0]);
    if (def?.type === 'object' && typeof seg === 'string') s = (def.shape as Record<string, unknown>)[seg];
    else s = found[0];
  }
  return (s as { description?: string } | undefined)?.description;
}

const keysOfKind = new WeakMap<object, string[] | undefined>();

/** Parameter names of a kind, when its schema is an object (possibly wrapped); undefined otherwise. */
function objectKeys(schema: object): string[] | undefined {
  if (!keysOfKind.has(schema)) keysOfKind.set(schema, objectKeysOf(schema));
  return keysOfKind.get(schema);
}

function objectKeysOf(schema: unknown): string[] | undefined {
  const options = unwrap(schema);
  if (!options.length || !options.every((o) => defOf(o)?.type === 'object')) return undefined;
  // A non-strict object passes unknown keys through silently; they are still likely typos.
  const keys = new Set<string>();
  for (const o of options) {
    const def = defOf(o)!;
    const rest = defOf(def.catchall);
    if (rest && rest.type !== 'never') return undefined; // .loose()/.catchall(): any name goes
    for (const k of Object.keys(def.shape as object)) keys.add(k);
  }
  return [...keys];
}

