import { describe, expect, test } from 'vitest';
import {
  checkExpr,
  compileExpr,
  evalExpr,
  ExprError,
  exprLanguage,
  exprRefs,
  findExpressions,
  fromCel,
  ROOTS_AFTER,
  ROOTS_BEFORE,
  scanExpressions,
  soleExpression,
  template,
  toCel,
} from '../../src/runbook/expr.js';
import type { ExprContext } from '../../src/runbook/expr.js';

const ctx: ExprContext = {
  inputs: { instance_id: 'i-0abc12345678', count: 3, ratio: 0.5, flag: true, tags: ['a', 'b'], other: 'x' },
  steps: { probe: { status: 'ok', result: { status: 504, latency_ms: 1200.5, body: { items: [{ name: 'n1' }] } }, captures: { code: 504 } } },
  vars: { code: 504, name: 'web' },
  incident: { id: 'inc-1', mode: 'drill' },
  result: { status: 504, ok: false, list: [1, 2, 3] },
};

describe('evalExpr: values in and out', () => {
  test('JS integers compare as CEL ints (result.status == 504)', () => {
    expect(evalExpr('result.status == 504', ctx)).toBe(true);
    expect(evalExpr('${{ result.status == 504 }}', ctx)).toBe(true);
    expect(evalExpr('steps.probe.result.status >= 500 && steps.probe.status == "ok"', ctx)).toBe(true);
  });

  test('ints come back as numbers, doubles stay doubles', () => {
    expect(evalExpr('result.status + 1', ctx)).toBe(505);
    expect(evalExpr('steps.probe.result.latency_ms', ctx)).toBe(1200.5);
    expect(evalExpr('size(result.list)', ctx)).toBe(3);
    expect(evalExpr('inputs.ratio * 2.0', ctx)).toBe(1);
  });

  test('maps and lists come back as plain JS, recursively', () => {
    expect(evalExpr('result.list.map(x, x * 2)', ctx)).toEqual([2, 4, 6]);
    expect(evalExpr('{"a": [1, {"b": 2}], "c": "d"}', ctx)).toEqual({ a: [1, { b: 2 }], c: 'd' });
    expect(evalExpr('steps.probe.result.body', ctx)).toEqual({ items: [{ name: 'n1' }] });
  });

  test('integers beyond 2^53 keep every digit as text', () => {
    expect(evalExpr('9223372036854775807', ctx)).toBe('9223372036854775807');
  });

  test('vars, incident, macros and optional fields', () => {
    expect(evalExpr('vars.name + "-" + incident.mode', ctx)).toBe('web-drill');
    expect(evalExpr('inputs.tags.exists(t, t == "b")', ctx)).toBe(true);
    expect(evalExpr('has(result.missing)', ctx)).toBe(false);
    expect(evalExpr('inputs.?nope.orValue("fallback")', ctx)).toBe('fallback');
    expect(evalExpr('duration("5m")', ctx)).toBe('300s');
  });

  test('toCel / fromCel', () => {
    expect(toCel({ a: 1, b: 1.5, c: [2, undefined], d: undefined, e: new Map([['k', 3]]) })).toEqual({ a: 1n, b: 1.5, c: [2n, null], e: { k: 3n } });
    expect(fromCel({ a: 1n, b: [2n, new Map([['x', 3n]])] })).toEqual({ a: 1, b: [2, { x: 3 }] });
  });

  test('errors are ExprErrors in plain words', () => {
    expect(() => evalExpr('result.missing == 1', ctx)).toThrow(/no field 'missing'.*has\(/);
    expect(() => evalExpr('result.status == 1', { inputs: {} })).toThrow(/'result' is not available here/);
    expect(() => evalExpr('inputs.ratio * 2', ctx)).toThrow(ExprError);
    expect(() => evalExpr('1 +', ctx)).toThrow(/ends too early/);
  });

  test('compiled expressions are cached by source', () => {
    expect(compileExpr('1 + 1')).toBe(compileExpr('1 + 1'));
    // The text inside ${{ }} is the key (untrimmed, so offsets stay true to the source).
    expect(compileExpr('${{ 1 + 1 }}')).toBe(compileExpr(' 1 + 1 '));
  });
});

describe('finding ${{ }}', () => {
  test('finds every expression with offsets', () => {
    const s = 'a ${{ x }} b ${{ y.z }}';
    expect(findExpressions(s)).toEqual([
      { expr: ' x ', start: 2, end: 10 },
      { expr: ' y.z ', start: 13, end: 23 },
    ]);
  });

  test('map literals and strings holding }} do not end an expression early', () => {
    expect(findExpressions('${{ {"a": {"b": 1}} }}')[0]!.expr).toBe(' {"a": {"b": 1}} ');
    expect(findExpressions('${{ "}}" + x }}')[0]!.expr).toBe(' "}}" + x ');
  });

  test('an unclosed ${{ is reported with its offset', () => {
    expect(scanExpressions('ok ${{ x }} then ${{ y')).toEqual({ found: [{ expr: ' x ', start: 3, end: 11 }], unclosedAt: 17 });
  });

  test('soleExpression: exactly one, nothing around it', () => {
    expect(soleExpression('  ${{ a }} ')).toBe(' a ');
    expect(soleExpression('${{ a }} and ${{ b }}')).toBeUndefined();
    expect(soleExpression('x ${{ a }}')).toBeUndefined();
  });
});

describe('template', () => {
  test('a lone expression gives the typed value', () => {
    expect(template('${{ inputs.count }}', ctx)).toBe(3);
    expect(template(' ${{ inputs.flag }} ', ctx)).toBe(true);
    expect(template('${{ inputs.tags }}', ctx)).toEqual(['a', 'b']);
    expect(template('${{ result.status == 504 }}', ctx)).toBe(true);
  });

  test('expressions amid text are interpolated as text', () => {
    expect(template('id=${{ inputs.instance_id }} n=${{ inputs.count }}', ctx)).toBe('id=i-0abc12345678 n=3');
    expect(template('tags: ${{ inputs.tags }}', ctx)).toBe('tags: ["a","b"]');
    expect(template('ok=${{ inputs.flag }}', ctx)).toBe('ok=true');
  });

  test('deep: objects and lists are templated, keys and non-strings untouched', () => {
    const withObj = { argv: ['aws', '--id', '${{ inputs.instance_id }}'], n: 5, on: false, nested: { '${{ k }}': 'v ${{ inputs.count }}' }, nil: null };
    expect(template(withObj, ctx)).toEqual({ argv: ['aws', '--id', 'i-0abc12345678'], n: 5, on: false, nested: { '${{ k }}': 'v 3' }, nil: null });
  });

  test('single pass: text produced by an expression is never evaluated again', () => {
    const hostile = { inputs: { a: '${{ inputs.b }}', b: 'SECRET' } };
    expect(template('${{ inputs.a }}', hostile)).toBe('${{ inputs.b }}');
    expect(template('x ${{ inputs.a }} y', hostile)).toBe('x ${{ inputs.b }} y');
    expect(template(['${{ inputs.a }}'], hostile)).toEqual(['${{ inputs.b }}']);
  });

  test.each(['; rm -rf /', '$(id)', '`id`', 'a\nb\r\nc', '"quoted" \'single\'', '${HOME}', '|| true', '\u0000nul'])(
    'hostile input %j passes through unchanged',
    (value) => {
      const c = { inputs: { v: value } };
      expect(template('${{ inputs.v }}', c)).toBe(value);
      expect(template('[${{ inputs.v }}]', c)).toBe(`[${value}]`);
      expect(template({ argv: ['echo', '${{ inputs.v }}'] }, c)).toEqual({ argv: ['echo', value] });
    },
  );

  test('strings without expressions come back as they are', () => {
    expect(template('plain $ {{ not }} text', ctx)).toBe('plain $ {{ not }} text');
  });

  test('an unclosed expression is an error, not literal text', () => {
    expect(() => template('x ${{ inputs.count', ctx)).toThrow(/never closed/);
  });
});

describe('checkExpr and exprRefs (for the loader)', () => {
  test('valid expressions pass', () => {
    expect(checkExpr('inputs.a == "x" && steps.probe.result.status == 200', ROOTS_BEFORE)).toEqual({ ok: true });
    expect(checkExpr('result.items.exists(i, i.status == "bad")', ROOTS_AFTER)).toEqual({ ok: true });
    expect(checkExpr('cel.bind(t, result.status, t >= 500)', ROOTS_AFTER)).toEqual({ ok: true });
    expect(checkExpr('type(result.status) == int', ROOTS_AFTER)).toEqual({ ok: true });
  });

  test('unknown root names get a did-you-mean with the offset of the name', () => {
    const r = checkExpr(' input.x == 1', ROOTS_BEFORE);
    expect(r).toMatchObject({ ok: false, offset: 1 });
    expect(!r.ok && r.message).toBe("unknown name 'input' — did you mean 'inputs'?");
  });

  test('result where there is none', () => {
    const r = checkExpr('result.status == 200', ROOTS_BEFORE);
    expect(!r.ok && r.message).toMatch(/'result' is not available here/);
  });

  test('syntax errors in plain words, with the offset', () => {
    const r = checkExpr('inputs.a == ', ROOTS_BEFORE);
    expect(r).toMatchObject({ ok: false, offset: 12 });
    expect(!r.ok && r.message).toMatch(/ends too early/);
    const eq = checkExpr('inputs.a = 1', ROOTS_BEFORE);
    expect(!eq.ok && eq.hint).toMatch(/==/);
    const and = checkExpr('inputs.a and inputs.b', ROOTS_BEFORE);
    expect(!and.ok && and.hint).toMatch(/&&/);
  });

  test('type errors are caught before the incident', () => {
    const r = checkExpr('"a" + 1', ROOTS_BEFORE);
    expect(!r.ok && r.message).toMatch(/no such overload/);
  });

  test('indexes and calls in a member chain', () => {
    expect(exprRefs('int(result.json[0]) + size(steps["a"].result.items[1].name)').map((r) => [r.root, ...r.keys].join('.'))).toEqual(['result.json', 'steps.a.result.items']);
    expect(exprRefs('result.list[inputs.i].name').map((r) => r.root)).toEqual(['result', 'inputs']);
    expect(checkExpr('int(result.json[0]) > 5', ROOTS_AFTER)).toEqual({ ok: true });
  });

  test('macro variables are not roots', () => {
    expect(exprRefs('result.list.all(x, x > inputs.min)').map((r) => r.root)).toEqual(['result', 'inputs']);
  });

  test('refs carry the static member path and offsets', () => {
    const [r] = exprRefs('steps["probe"].result.status');
    expect(r).toMatchObject({ root: 'steps', keys: ['probe', 'result', 'status'], offset: 0 });
    const [i] = exprRefs('has(inputs.x)');
    expect(i).toMatchObject({ root: 'inputs', keys: ['x'], presence: true, keyOffsets: [11] });
  });
});

describe('exprLanguage: extra roots for callers that evaluate over more names', () => {
  const lang = exprLanguage({ state: 'map', elapsed_s: 'int', args: 'list' });

  test('evaluates and templates over its extra roots, besides the runbook roots', () => {
    expect(lang.extraRoots).toEqual(['state', 'elapsed_s', 'args']);
    expect(lang.evalExpr('state.ready && elapsed_s >= 30 && args[0] == "curl"', { state: { ready: true }, elapsed_s: 31, args: ['curl'] })).toBe(true);
    expect(lang.evalExpr('inputs.count + 1', ctx)).toBe(4);
    expect(lang.template('up=${{ state.ready }} after ${{ elapsed_s }} s', { state: { ready: false }, elapsed_s: 5 })).toBe('up=false after 5 s');
    expect(lang.checkExpr('elapsed_s > 10 && state.ok', ['state', 'elapsed_s'])).toEqual({ ok: true });
    expect(lang.checkExpr('elapsed_s + "s"', ['elapsed_s'])).toMatchObject({ ok: false });
  });

  test('the runbook language knows none of them, whatever the context holds', () => {
    expect(() => evalExpr('state.ready', { state: { ready: true } })).toThrow(/unknown name 'state'/);
    expect(() => template('${{ elapsed_s }}', { elapsed_s: 1 })).toThrow(/unknown name 'elapsed_s'/);
    expect(checkExpr('state.ready', ROOTS_AFTER)).toMatchObject({ ok: false, message: "unknown name 'state'" });
  });

  test('an extra root cannot take a runbook root name', () => {
    expect(() => exprLanguage({ inputs: 'map' })).toThrow(/runbook root/);
  });
});
