// Inputs that must not hang or crash oncall: alias bombs, aliases to nowhere or to themselves,
// huge files, deep nesting, thousands of chained steps, deeply nested expressions. Each is refused
// (or read) quickly, with an error located at file:line:col and what to do.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { validateCommand } from '../../src/commands/validate.js';
import { summarize } from '../../src/engine/incidents.js';
import { parseScenario, loadScenario } from '../../src/drill/scenario.js';
import { builtinRegistry } from '../../src/executors/index.js';
import { RunbookError } from '../../src/runbook/issues.js';
import { YAML_LIMITS } from '../../src/runbook/limits.js';
import { listRunbooks } from '../../src/runbook/listing.js';
import { loadRunbook, parseRunbook, type RunbookIssue } from '../../src/runbook/load.js';
import { readYamlValue } from '../../src/runbook/yaml.js';
import { capture, minimalRunbook, tempDir, writeRunbooks } from './helpers.js';

const registry = builtinRegistry();
const BUG = /this is a bug in oncall/;

/** Nine lists of nine aliases to the one before: 9^levels values from a few hundred bytes. */
export function aliasBomb(levels = 8, head = 'id: bomb\ntitle: Bomb\nversion: 1.0.0\nsummary: An alias bomb.\n'): string {
  const names = 'abcdefghijklmnop';
  const lines = [`${names[0]}: &${names[0]} [x, x, x, x, x, x, x, x, x]`];
  for (let i = 1; i <= levels; i++) lines.push(`${names[i]}: &${names[i]} [${Array(9).fill(`*${names[i - 1]}`).join(', ')}]`);
  return `${head}${lines.join('\n')}\nsteps:\n  - id: s\n    title: S\n    kind: manual\n    with: {instruction: *${names[levels]}}\n`;
}

function timed<T>(f: () => T): { value: T; ms: number } {
  const t = performance.now();
  const value = f();
  return { value, ms: performance.now() - t };
}

function errorsOf(r: { ok: true } | { ok: false; issues: RunbookIssue[] }): RunbookIssue[] {
  expect(r.ok).toBe(false);
  return r.ok ? [] : r.issues.filter((i) => i.severity === 'error');
}

describe('YAML alias bombs', () => {
  test('a runbook that expands to 43 million values is refused at the alias that multiplies, at once', { timeout: 20_000 }, () => {
    const src = aliasBomb(8);
    expect(src.length).toBeLessThan(700);
    const { value: r, ms } = timed(() => parseRunbook(src, 'bomb.yaml', registry));
    expect(ms).toBeLessThan(2000);
    const [e] = errorsOf(r);
    expect(e).toMatchObject({ file: 'bomb.yaml', line: 11, col: 8 });
    expect(e!.message).toMatch(/^'\*f' repeats more than 250,000 values \(aliases inside aliases multiply\)/);
    expect(e!.hint).toMatch(/write the values out/);
  });

  test('the same with a tab in it (read by `yaml`, not the fast reader) and in a drill scenario', { timeout: 20_000 }, () => {
    const tabbed = aliasBomb(8).replace('summary: An alias bomb.', 'summary: "An\talias bomb."');
    const { value: r, ms } = timed(() => parseRunbook(tabbed, 'bomb.yaml', registry));
    expect(ms).toBeLessThan(2000);
    expect(errorsOf(r)[0]!.message).toMatch(/repeats more than 250,000 values/);

    const scenario = aliasBomb(8, 'id: bomb\ntitle: Bomb\nrunbook: x\npage: {text: p}\nexpect: {}\n').replace(/steps:[\s\S]*$/, 'inputs: {x: *i}\n');
    const { value: s, ms: ms2 } = timed(() => parseScenario(scenario, 'bomb-drill.yaml'));
    expect(ms2).toBeLessThan(2000);
    expect(errorsOf(s)[0]).toMatchObject({ line: 12, message: expect.stringMatching(/repeats more than 250,000 values/) });
  });

  test('a modest use of anchors is still fine', () => {
    const src = `${minimalRunbook('anchors').replace('steps:', 'inputs:\n  a: &spec {type: string, default: x}\n  b: *spec\nsteps:')}`;
    const r = parseRunbook(src, 'anchors.yaml', registry);
    expect(r.issues).toEqual([]);
    expect(r.ok).toBe(true);
  });

  test('oncall validate, oncall list and loading by path stay quick with a bomb on the search path', { timeout: 30_000 }, async () => {
    const dir = writeRunbooks({ 'bomb.yaml': aliasBomb(8), 'good.yaml': minimalRunbook('good') });
    const io = capture({ cwd: dir });
    let t = performance.now();
    expect(await validateCommand(['.'], io, { registry })).toBe(2);
    expect(performance.now() - t).toBeLessThan(3000);
    expect(io.out()).toMatch(/^bomb\.yaml:11:8: error: '\*f' repeats/m);
    expect(io.out()).toMatch(/2 runbooks checked, 1 error, 0 warnings\n$/);

    t = performance.now();
    const listing = await listRunbooks({ extra: [dir], env: { XDG_CONFIG_HOME: join(dir, 'cfg'), XDG_CACHE_HOME: join(dir, 'cache') }, cwd: dir, plugins: { key: 'test', load: async () => ({ registry, runbookDirs: [] }) } });
    expect(performance.now() - t).toBeLessThan(3000);
    expect(listing.invalid.map((i) => i.file)).toEqual([join(dir, 'bomb.yaml')]);
    expect(listing.runbooks.map((r) => r.id)).toContain('good');

    t = performance.now();
    await expect(loadRunbook(join(dir, 'bomb.yaml'), registry)).rejects.toThrow(RunbookError);
    expect(performance.now() - t).toBeLessThan(2000);
  });

  test('the runbook source an incident journal carries is read within the same bounds', { timeout: 20_000 }, () => {
    const { value, ms } = timed(() => readYamlValue(aliasBomb(10)));
    expect(ms).toBeLessThan(2000);
    expect(value).toBeUndefined();
    expect(readYamlValue(minimalRunbook('fine'))).toMatchObject({ id: 'fine' });
    expect(readYamlValue('a: [')).toBeUndefined();
    // `oncall incidents` counts the steps of the runbook each journal carries.
    const state = { id: 'inc-1', title: 'T', severity: 'SEV3', mode: 'live', steps: {}, runbook: { id: 'bomb', version: '1.0.0', file: 'bomb.yaml', source: aliasBomb(10) } };
    const s = timed(() => summarize(state as unknown as Parameters<typeof summarize>[0]));
    expect(s.ms).toBeLessThan(2000);
    expect(s.value.stepsTotal).toBe(0);
  });
});

describe('aliases that name nothing, or themselves', () => {
  const runbook = 'id: rb\ntitle: T\nversion: 1.0.0\nsummary: S\nsteps:\n  - id: a\n    title: A\n    kind: manual\n    with: {instruction: *nope}\n';
  const scenario = 'id: sc\ntitle: T\nrunbook: x\npage: {text: *nope}\nexpect: {}\n';

  test('an undefined alias is located, in a runbook and in a scenario', () => {
    const [r] = errorsOf(parseRunbook(runbook, 'rb.yaml', registry));
    expect(r).toMatchObject({ line: 9, col: 25, message: "'*nope' names no anchor: no '&nope' is set before it" });
    expect(r!.hint).toMatch(/put &nope on an earlier value/);
    const [s] = errorsOf(parseScenario(scenario, 'sc.yaml'));
    expect(s).toMatchObject({ file: 'sc.yaml', line: 4, col: 14, message: "'*nope' names no anchor: no '&nope' is set before it" });
  });

  test('oncall validate reports each file and goes on with the batch (exit 2, not 1)', async () => {
    const dir = writeRunbooks({ 'a-scenario.yaml': scenario, 'b-runbook.yaml': runbook, 'c-good.yaml': minimalRunbook('good') });
    const io = capture({ cwd: dir });
    expect(await validateCommand(['a-scenario.yaml', 'b-runbook.yaml', 'c-good.yaml'], io, { registry })).toBe(2);
    const out = io.out();
    expect(out).toContain("a-scenario.yaml:4:14: error: '*nope' names no anchor");
    expect(out).toContain("b-runbook.yaml:9:25: error: '*nope' names no anchor");
    expect(out).not.toMatch(BUG);
    expect(out).toMatch(/2 runbooks and 1 scenario checked, 2 errors, 0 warnings\n$/);
    expect(io.err()).toBe('');
  });

  test('an alias inside its own anchor (a cycle) is located, not followed forever', () => {
    const src = 'id: c\ntitle: T\nversion: 1.0.0\nsummary: S\nsteps: &s\n  - id: a\n    title: A\n    kind: manual\n    with: {instruction: x, answer: *s}\n';
    const [e] = errorsOf(parseRunbook(src, 'cycle.yaml', registry));
    expect(e).toMatchObject({ line: 9, col: 36, message: "'*s' is inside the value '&s' names, so it would repeat itself forever" });
    expect(errorsOf(parseScenario('id: s\ntitle: T\nrunbook: x\npage: &p {text: t, from: *p}\nexpect: {}\n', 's.yaml'))[0]!.message).toMatch(/inside the value '&p'/);
  });
});

describe('size and nesting', () => {
  test('a file over 1 MiB is refused before it is parsed, naming its size', async () => {
    const dir = tempDir();
    const file = join(dir, 'huge.yaml');
    writeFileSync(file, `${minimalRunbook('huge')}# ${'x'.repeat(YAML_LIMITS.bytes)}\n`);
    const err = await loadRunbook(file, registry).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RunbookError);
    expect((err as RunbookError).issues[0]).toMatchObject({ line: 1, col: 1, message: 'this file is 1 MiB; oncall reads runbook files of at most 1 MiB' });
    const sc = await loadScenario(file).catch((e: unknown) => e);
    expect((sc as RunbookError).issues[0]!.message).toMatch(/oncall reads scenario files of at most 1 MiB/);
    const r = parseRunbook(`${minimalRunbook('huge')}# ${'x'.repeat(2 * YAML_LIMITS.bytes)}\n`, 'huge.yaml', registry);
    expect(errorsOf(r)[0]!.message).toBe('this file is 2 MiB; oncall reads runbook files of at most 1 MiB');
  });

  test.each([
    ['flow lists', `id: deep\nsteps: ${'['.repeat(300_000)}${']'.repeat(300_000)}\n`, 2],
    ['flow mappings', `id: deep\nsteps: ${'{a: '.repeat(200_000)}1${'}'.repeat(200_000)}\n`, 2],
    ['block lists', `${'- '.repeat(400_000)}x\n`, 1],
  ])('%s nested hundreds of thousands deep: a located error, no crash', (_name, src, line) => {
    const { value: r, ms } = timed(() => parseRunbook(src, 'deep.yaml', registry));
    expect(ms).toBeLessThan(2000);
    const [e] = errorsOf(r);
    expect(e).toMatchObject({ line, message: 'lists and mappings nest more than 1,000 levels deep here' });
    expect(e!.hint).toMatch(/check the brackets and the indentation/);
  });

  test('nesting past 100 levels is located at the level that goes too deep', () => {
    const r = parseRunbook(`id: deep\nsteps: ${'['.repeat(150)}${']'.repeat(150)}\n`, 'deep.yaml', registry);
    expect(errorsOf(r)[0]).toMatchObject({ line: 2, col: 107, message: 'lists and mappings nest more than 100 levels deep here' });
  });
});

describe('found by the fuzz corpus (test/fuzz)', () => {
  test('20,000 keys in one mapping cost about ten times 2,000, not a hundred (yaml\'s own duplicate-key check is quadratic)', { timeout: 60_000 }, () => {
    // A tab sends the file to `yaml` rather than the fast reader; the unknown fields need locating.
    const src = (n: number) => `id: many\ntitle: "Many\tkeys"\nversion: 1.0.0\nsummary: S\n${Array.from({ length: n }, (_, i) => `k${i}: 1`).join('\n')}\nsteps: []\n`;
    // A ratio measured in the same run, best of three, so a busy machine slows both sides alike.
    const best = (n: number) => Math.min(...[0, 1, 2].map(() => timed(() => parseRunbook(src(n), 'many.yaml', registry)).ms));
    const ratio = best(20_000) / Math.max(1, best(2_000));
    expect(ratio).toBeLessThan(35);
    const r = parseRunbook(src(20_000), 'many.yaml', registry);
    expect(errorsOf(r)[0]).toMatchObject({ line: 5, col: 1, message: "unknown field 'k0'" });
  });

  test('5,000 duplicate keys: the first 100 problems, then one that counts the rest', () => {
    const src = `${minimalRunbook('dups')}${Array<string>(5000).fill('summary: again').join('\n')}\n`;
    const { value: r, ms } = timed(() => parseRunbook(src, 'dups.yaml', registry));
    expect(ms).toBeLessThan(2000);
    const errors = errorsOf(r);
    expect(errors).toHaveLength(101);
    expect(errors[0]).toMatchObject({ line: 11, col: 1, message: "duplicate key 'summary' (first on line 4)" });
    expect(errors[100]).toMatchObject({ line: 111, message: '… and 4,900 more problems in this file, not shown' });
  });

  test('a mapping used as a key is located, never spelled [object Object]', () => {
    const [e] = errorsOf(parseRunbook(`${minimalRunbook('k')}{x: 1}: 2\n`, 'k.yaml', registry));
    expect(e).toMatchObject({ line: 11, col: 1, message: 'this key is a mapping; keys are plain names here' });
  });

  test('nesting after prose with quotes and commas in it is still found', () => {
    const src = `${minimalRunbook('prose').replace('steps:', "guidance: |\n  join(', ') and 'quotes\nsteps:")}x: ${'['.repeat(50_000)}\n`;
    const { value: r, ms } = timed(() => parseRunbook(src, 'prose.yaml', registry));
    expect(ms).toBeLessThan(2000);
    expect(errorsOf(r)[0]).toMatchObject({ line: 13, col: 1004, message: 'lists and mappings nest more than 1,000 levels deep here' });
  });
});

describe('oncall validate on what holds no runbook', () => {
  test('a folder with no YAML in it says so and exits 2', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'empty', 'sub'), { recursive: true });
    writeFileSync(join(dir, 'empty', 'notes.txt'), 'x');
    const io = capture({ cwd: dir });
    expect(await validateCommand(['empty'], io, { registry })).toBe(2);
    expect(io.err()).toBe("oncall validate: no runbooks in 'empty': it holds no *.yaml or *.yml files (subdirectories included)\n");
    expect(io.out()).toBe('0 runbooks checked, 1 error, 0 warnings\n');
  });
});
