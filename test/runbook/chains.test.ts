// Thousands of chained steps and deeply nested expressions: checked without overflowing the
// stack, or refused in words.
import { describe, expect, test } from 'vitest';
import { builtinRegistry } from '../../src/executors/index.js';
import { checkExpr } from '../../src/runbook/expr.js';
import { parseRunbook } from '../../src/runbook/load.js';

const registry = builtinRegistry();

describe('long chains', () => {
  const chain = (n: number, last: string) =>
    `id: chain\ntitle: Chain\nversion: 1.0.0\nsummary: S\nsteps:\n${Array.from({ length: n }, (_, i) => `  - id: s${i}\n    title: T\n    kind: manual\n    with: {instruction: x}\n    next: ${i + 1 < n ? `s${i + 1}` : last}\n`).join('')}`;

  test('a chain of 6,000 steps is checked (no stack overflow)', () => {
    const r = parseRunbook(chain(6000, 'end'), 'chain.yaml', registry);
    expect(r.issues).toEqual([]);
    expect(r.ok).toBe(true);
  });

  test('a loop of 6,000 steps is one short error', () => {
    const r = parseRunbook(chain(6000, 's0'), 'loop.yaml', registry);
    expect(r.ok).toBe(false);
    const [e] = r.issues.filter((i) => i.severity === 'error');
    expect(e!.message).toBe('this makes a loop: s0 → s1 → s2 → s3 → s4 → … 5991 more steps … → s5996 → s5997 → s5998 → s5999 → s0');
    expect(e!.stepId).toBe('s5999');
  });

  test.each([
    // Each well within 10,000 characters: these are refused for their depth, not their length.
    ['a + chain', `inputs.a${' + inputs.a'.repeat(400)}`],
    ['an && chain', `true${' && true'.repeat(400)}`],
    ['nested brackets', `${'('.repeat(400)}1${')'.repeat(400)}`],
    ['a run of unary minus', `${'-'.repeat(3000)}1`],
    ['a run of !', `${'!'.repeat(3000)}true`],
  ])('an expression nested past 250 levels (%s) is refused in words', (_name, expr) => {
    const r = checkExpr(expr, ['inputs']);
    expect(r).toMatchObject({ ok: false, message: expect.stringMatching(/^this expression nests more than 250 levels deep/) });
  });
});

test('an expression longer than 10,000 characters is refused for its length, at once', () => {
  const t = performance.now();
  const r = checkExpr(`inputs.a${' + inputs.a'.repeat(2_000_000)}`, ['inputs']);
  expect(performance.now() - t).toBeLessThan(1000);
  expect(r).toMatchObject({ ok: false, message: expect.stringMatching(/^this expression is 22,000,008 characters long; at most 10,000 are read/) });
});
