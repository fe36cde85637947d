// A fuzz corpus that stays: seeded mutations of the shipped runbooks, drill scenarios, .env samples
// and CEL expressions, fed to the loaders in-process. For every case: no crash (no uncaught
// exception, no "this is a bug in oncall"), no hang (each case under a time bound), and an error
// located at file:line:col for every invalid file. Deterministic: a failure prints the seed and
// the case, and FUZZ_SEED=<n> replays another run. A few thousand cases, well under a minute.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { validateCommand } from '../../src/commands/validate.js';
import { StepFailure } from '../../src/core/failure.js';
import { parseScenario } from '../../src/drill/scenario.js';
import { builtinRegistry } from '../../src/executors/index.js';
import { decodeEnvText, loadDotenv, scanEnvText } from '../../src/executors/secrets/envfile.js';
import { checkExpr, evalExpr, ExprError, scanExpressions, template } from '../../src/runbook/expr.js';
import { type RunbookIssue } from '../../src/runbook/issues.js';
import { parseRunbook } from '../../src/runbook/load.js';
import { capture, tempDir } from '../runbook/helpers.js';

const ROOT = join(import.meta.dirname, '..', '..');
const SEED = Number(process.env.FUZZ_SEED ?? 20261206);
/** Per case, on a busy 2-CPU machine; real cases take milliseconds. */
const CASE_MS = 2000;
const BUG = /this is a bug in oncall/;
const NOT_WORDS = /\bundefined\b|\[object Object\]/;
const registry = builtinRegistry();

// ---------------------------------------------------------------------------------------------
// A small seeded PRNG (mulberry32) and the mutations

function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T,>(xs: readonly T[]): T => xs[int(xs.length)]!;
  return { next, int, pick };
}
type Rng = ReturnType<typeof prng>;

const HUGE = ['1e309', '-1e309', '99999999999999999999999999999', '0x7fffffffffffffffff', '.inf', '-.nan', '1_000_000', '0o777', '-0', '4294967296', '9007199254740993', `${'9'.repeat(400)}`];
const CONTROL = ['\u0000', '\u0007', '\u001b[31m', '\r', '\r\n', '\u2028', '\ufeff', '\u0085', '\t', '\ud800', '\uffff', '\u202e'];
const YAML_CHARS = [':', '-', '[', ']', '{', '}', "'", '"', '#', '&', '*', '!', '|', '>', '%', '@', '`', ',', '?', ' ', '\n'];

/** One random change to YAML (or .env) text, line- or character-wise. */
function mutate(src: string, r: Rng): string {
  const lines = src.split('\n');
  const li = () => r.int(lines.length);
  switch (r.int(16)) {
    case 0: // delete a line
      lines.splice(li(), 1);
      return lines.join('\n');
    case 1: {
      // duplicate a line (or a run of them)
      const i = li();
      const n = 1 + r.int(3);
      lines.splice(i, 0, ...lines.slice(i, i + n));
      return lines.join('\n');
    }
    case 2: {
      // swap two lines
      const i = li();
      const j = li();
      [lines[i], lines[j]] = [lines[j]!, lines[i]!];
      return lines.join('\n');
    }
    case 3: {
      // change indentation
      const i = li();
      const d = r.int(7) - 3;
      lines[i] = d >= 0 ? ' '.repeat(d) + lines[i] : lines[i]!.replace(new RegExp(`^ {0,${-d}}`), '');
      if (r.int(8) === 0) lines[i] = `\t${lines[i]}`;
      return lines.join('\n');
    }
    case 4: {
      // an anchor on one value, aliases to it elsewhere (before it, after it, inside it)
      const name = r.pick(['a', 'x', 'defaults', 'nope']);
      const i = li();
      lines[i] = lines[i]!.replace(/(:|- )\s*(\S)/, `$1 &${name} $2`);
      for (let k = 0, n = 1 + r.int(3); k < n; k++) {
        const j = li();
        lines[j] = lines[j]!.replace(/(:|- )\s*\S.*$/, `$1 *${name}`);
      }
      return lines.join('\n');
    }
    case 5: {
      // a small alias bomb somewhere (at the top level, or as a value)
      const levels = 3 + r.int(8);
      const bomb = [`bomb0: &b0 [x, x, x, x, x, x, x, x, x]`];
      for (let k = 1; k <= levels; k++) bomb.push(`bomb${k}: &b${k} [${Array(9).fill(`*b${k - 1}`).join(', ')}]`);
      lines.splice(r.int(lines.length + 1), 0, ...bomb);
      if (r.int(2)) {
        const j = li();
        lines[j] = lines[j]!.replace(/(:|- )\s*\S.*$/, `$1 *b${levels}`);
      }
      return lines.join('\n');
    }
    case 6: // truncate
      return src.slice(0, r.int(src.length + 1));
    case 7: {
      // control characters
      const at = r.int(src.length + 1);
      return src.slice(0, at) + r.pick(CONTROL) + src.slice(at);
    }
    case 8: {
      // a huge or odd number for a scalar
      const i = li();
      lines[i] = lines[i]!.replace(/(:\s+|- )[^\s{[&*][^#]*$/, `$1${r.pick(HUGE)}`);
      return lines.join('\n');
    }
    case 9: {
      // a YAML-significant character in a random place
      const at = r.int(src.length + 1);
      return src.slice(0, at) + r.pick(YAML_CHARS) + src.slice(at + r.int(2));
    }
    case 10: {
      // deep nesting: flow brackets, or block dashes
      const d = r.pick([50, 101, 300, 2000, 50_000]);
      const i = li();
      lines[i] = r.int(2) ? `${lines[i]!.replace(/:\s.*$/, ':')} ${'['.repeat(d)}${']'.repeat(r.int(2) ? d : 0)}` : `${'- '.repeat(d)}x`;
      return lines.join('\n');
    }
    case 11: // a second document
      lines.splice(li(), 0, r.pick(['---', '...', '--- !tag', '%YAML 1.2']));
      return lines.join('\n');
    case 12: {
      // a long run of one line (thousands of steps, keys or entries), within the 1 MiB bound
      const i = li();
      const n = r.pick([50, 500, 2000]);
      lines.splice(i, 0, ...Array<string>(n).fill(lines[i]!));
      return lines.join('\n');
    }
    case 13: {
      // a very long value
      const i = li();
      lines[i] = `${lines[i]} ${'v'.repeat(r.pick([5000, 70_000, 300_000]))}`;
      return lines.join('\n');
    }
    case 14: {
      // a key renamed: camelCase, a typo, an unknown one
      const i = li();
      lines[i] = lines[i]!.replace(/^(\s*(?:- )?)([a-z_]+)(:)/, (_m, p: string, k: string, c: string) => `${p}${r.pick([k.replace(/_(.)/g, (_x, ch: string) => ch.toUpperCase()), `${k}x`, k.slice(1), 'zzz', '<<', '? x'])}${c}`);
      return lines.join('\n');
    }
    default: {
      // an expression broken inside its ${{ }}
      const i = lines.findIndex((l, k) => k >= li() && l.includes('${{'));
      if (i < 0) return src;
      lines[i] = lines[i]!.replace(/\$\{\{([^}]*)\}\}/, (_m, e: string) => `\${{${mutateExpr(e, r)}}}`);
      return lines.join('\n');
    }
  }
}

function mutateExpr(e: string, r: Rng): string {
  const at = r.int(e.length + 1);
  switch (r.int(9)) {
    case 0:
      return e.slice(0, at) + e.slice(at + 1 + r.int(4));
    case 1:
      return e.slice(0, at) + r.pick(['(', ')', '[', ']', '{', '}', '"', "'", '.', '?', ':', '!', '-', '&&', '||', '==', '+', ',', 'in', ' ']) + e.slice(at);
    case 2:
      return `${'('.repeat(r.pick([10, 300, 3000]))}${e}${')'.repeat(r.pick([10, 300, 3000]))}`;
    case 3:
      return `${e}${` + ${e}`.repeat(r.pick([5, 300, 2000]))}`;
    case 4:
      return e.slice(0, at) + r.pick(HUGE) + e.slice(at);
    case 5:
      return e.slice(0, at) + r.pick(CONTROL) + e.slice(at);
    case 6:
      return `${'!'.repeat(r.pick([3, 400, 20_000]))}${e}`;
    case 7:
      return e.replace(/\b(inputs|steps|vars|result)\b/, r.pick(['input', 'step', 'var', 'results', 'incident', 'state', 'x']));
    default:
      return e + e.slice(r.int(e.length));
  }
}

// ---------------------------------------------------------------------------------------------
// The corpus

function files(dir: string, ext: RegExp): { name: string; text: string }[] {
  return readdirSync(join(ROOT, dir))
    .filter((f) => ext.test(f))
    .sort()
    .map((f) => ({ name: `${dir}/${f}`, text: readFileSync(join(ROOT, dir, f), 'utf8') }));
}

const RUNBOOKS = [...files('runbooks', /\.ya?ml$/), ...files('examples', /\.ya?ml$/)];
const SCENARIOS = files('examples/drills', /\.ya?ml$/);
const ENVS = files('examples/env', /\.env$/);
const EXPRESSIONS = [...RUNBOOKS, ...SCENARIOS].flatMap((f) => scanExpressions(f.text).found.map((x) => x.expr));

// ---------------------------------------------------------------------------------------------
// What every case must hold

/** Each problem found, as a line for the report; empty when the case holds. */
function issueProblems(issues: readonly RunbookIssue[], ok: boolean, file: string, src: string): string[] {
  const out: string[] = [];
  const lines = src.split(/\r\n|\r|\n/);
  if (!ok && !issues.some((i) => i.severity === 'error')) out.push('invalid, but no error reported');
  for (const i of issues) {
    const text = `${i.message} ${i.hint ?? ''}`;
    if (BUG.test(text)) out.push(`"bug in oncall": ${i.message}`);
    if (NOT_WORDS.test(i.message)) out.push(`not words: ${i.message}`);
    if (i.file !== file) out.push(`issue names file ${i.file}, not ${file}`);
    if (!(Number.isInteger(i.line) && i.line >= 1 && i.line <= lines.length + 1)) out.push(`line ${i.line} outside 1…${lines.length + 1}: ${i.message}`);
    if (!(Number.isInteger(i.col) && i.col >= 1)) out.push(`col ${i.col}: ${i.message}`);
    if (i.message.length > 4200) out.push(`a message of ${i.message.length} characters`);
  }
  return out;
}

interface Failure {
  kind: string;
  index: number;
  problems: string[];
  input: string;
}

function record(failures: Failure[], kind: string, index: number, problems: string[], input: string): void {
  if (problems.length) failures.push({ kind, index, problems, input });
}

function report(failures: Failure[]): string {
  return failures
    .slice(0, 5)
    .map((f) => `${f.kind} #${f.index} (FUZZ_SEED=${SEED}): ${f.problems.slice(0, 3).join('; ')}\n--- input (first 600 characters) ---\n${JSON.stringify(f.input.slice(0, 600))}`)
    .join('\n\n');
}

function timed<T>(f: () => T): { value?: T; error?: unknown; ms: number } {
  const t = performance.now();
  try {
    return { value: f(), ms: performance.now() - t };
  } catch (error) {
    return { error, ms: performance.now() - t };
  }
}

function crash(error: unknown): string {
  return `threw ${error instanceof Error ? `${error.name}: ${error.message.slice(0, 200)}` : String(error)}`;
}

// ---------------------------------------------------------------------------------------------

describe(`fuzzing the loaders (seed ${SEED})`, () => {
  test('the corpus is there', () => {
    expect(RUNBOOKS.length).toBeGreaterThanOrEqual(5);
    expect(SCENARIOS.length).toBeGreaterThanOrEqual(10);
    expect(ENVS.length).toBeGreaterThanOrEqual(3);
    expect(EXPRESSIONS.length).toBeGreaterThan(50);
  });

  test('runbooks: 1,200 mutations', { timeout: 120_000 }, () => {
    const r = prng(SEED);
    const failures: Failure[] = [];
    let invalid = 0;
    for (let n = 0; n < 1200; n++) {
      const base = r.pick(RUNBOOKS);
      let src = base.text;
      for (let k = 0, m = 1 + r.int(3); k < m; k++) src = mutate(src, r);
      const res = timed(() => parseRunbook(src, base.name, registry));
      const problems = res.error ? [crash(res.error)] : issueProblems(res.value!.issues, res.value!.ok, base.name, src);
      if (res.ms > CASE_MS) problems.push(`took ${Math.round(res.ms)} ms`);
      if (res.value && !res.value.ok) invalid++;
      record(failures, 'runbook', n, problems, src);
    }
    expect(failures, report(failures)).toEqual([]);
    expect(invalid).toBeGreaterThan(300); // the mutations do break things
  });

  test('drill scenarios: 1,000 mutations', { timeout: 120_000 }, () => {
    const r = prng(SEED + 1);
    const failures: Failure[] = [];
    let invalid = 0;
    for (let n = 0; n < 1000; n++) {
      const base = r.pick(SCENARIOS);
      let src = base.text;
      for (let k = 0, m = 1 + r.int(3); k < m; k++) src = mutate(src, r);
      const res = timed(() => parseScenario(src, base.name));
      const v = res.value;
      const problems = res.error ? [crash(res.error)] : v!.ok ? [] : issueProblems(v!.issues, false, base.name, src);
      if (res.ms > CASE_MS) problems.push(`took ${Math.round(res.ms)} ms`);
      if (v && !v.ok) invalid++;
      record(failures, 'scenario', n, problems, src);
    }
    expect(failures, report(failures)).toEqual([]);
    expect(invalid).toBeGreaterThan(250);
  });

  test('.env files: 800 mutations through the parser the secrets runbook uses', { timeout: 120_000 }, async () => {
    const r = prng(SEED + 2);
    const parse = await loadDotenv();
    const failures: Failure[] = [];
    for (let n = 0; n < 800; n++) {
      const base = r.pick(ENVS);
      let text = base.text;
      for (let k = 0, m = 1 + r.int(3); k < m; k++) text = mutate(text, r);
      const bytes = Buffer.from(text, 'utf8');
      if (r.int(10) === 0) bytes[r.int(bytes.length)] = r.pick([0x00, 0xff, 0xc3, 0x80, 0xed]);
      const res = timed(() => {
        const decoded = decodeEnvText(base.name, bytes);
        return scanEnvText(decoded, base.name, parse(decoded));
      });
      const problems: string[] = [];
      if (res.error) {
        // Refusals are StepFailures that say where (an offset and a line), never what.
        if (!(res.error instanceof StepFailure)) problems.push(crash(res.error));
        else if (!/offset \d+.*line \d+/.test(res.error.message)) problems.push(`refusal without a place: ${res.error.message}`);
      } else {
        const lines = res.value!.lines;
        for (const f of res.value!.facts) if (!(f.line >= 1 && f.line <= lines + 1)) problems.push(`fact at line ${f.line} of ${lines}: ${f.code}`);
      }
      if (res.ms > CASE_MS) problems.push(`took ${Math.round(res.ms)} ms`);
      record(failures, '.env', n, problems, text);
    }
    expect(failures, report(failures)).toEqual([]);
  });

  test('CEL expressions: 1,000 mutations, checked, compiled and evaluated', { timeout: 120_000 }, () => {
    const r = prng(SEED + 3);
    const ctx = {
      inputs: { instance_id: 'i-0123456789abcdef0', url: 'http://127.0.0.1:1', threshold: 5, force: false },
      steps: { check: { status: 'ok', result: { status: 200, json: { a: [1, 2] } }, captures: { n: 3 } } },
      vars: { n: 3, name: 'x', list: [1, 2, 3] },
      result: { status: 504, exit_code: 0, stdout: 'ok', json: { items: [{ a: 1 }], state: 'running' }, choice: 'raise-timeout' },
      incident: { id: 'inc-1', mode: 'drill' as const },
    };
    const failures: Failure[] = [];
    let refused = 0;
    for (let n = 0; n < 1000; n++) {
      let e = r.pick(EXPRESSIONS);
      for (let k = 0, m = 1 + r.int(2); k < m; k++) e = mutateExpr(e, r).slice(0, 1 << 20); // no expression outlives a 1 MiB file
      const problems: string[] = [];
      const res = timed(() => {
        const checked = checkExpr(e, ['inputs', 'steps', 'vars', 'result', 'incident']);
        if (!checked.ok) {
          refused++;
          if (NOT_WORDS.test(checked.message) || BUG.test(checked.message)) problems.push(`message: ${checked.message}`);
          if (checked.offset !== undefined && !(checked.offset >= 0 && checked.offset <= e.length)) problems.push(`offset ${checked.offset} outside the expression`);
        }
        for (const f of [() => evalExpr(e, ctx), () => template(`x \${{${e}}} y`, ctx)]) {
          try {
            f();
          } catch (err) {
            if (!(err instanceof ExprError)) problems.push(crash(err));
          }
        }
      });
      if (res.error) problems.push(crash(res.error));
      if (res.ms > CASE_MS) problems.push(`took ${Math.round(res.ms)} ms`);
      record(failures, 'expression', n, problems, e);
    }
    expect(failures, report(failures)).toEqual([]);
    expect(refused).toBeGreaterThan(200);
  });

  test('oncall validate over batches of mutated files: exit 0 or 2, each invalid file located, the batch goes on', { timeout: 120_000 }, async () => {
    const r = prng(SEED + 4);
    for (let batch = 0; batch < 6; batch++) {
      const dir = tempDir();
      const names: string[] = [];
      for (let n = 0; n < 25; n++) {
        const base = r.int(3) ? r.pick(RUNBOOKS) : r.pick(SCENARIOS);
        let src = base.text;
        for (let k = 0, m = r.int(3); k < m; k++) src = mutate(src, r);
        const name = `f${String(n).padStart(2, '0')}.yaml`;
        writeFileSync(join(dir, name), src);
        names.push(name);
      }
      const io = capture({ cwd: dir });
      const t = performance.now();
      const code = await validateCommand(['--json', '.'], io, { registry });
      expect(performance.now() - t, `batch ${batch}`).toBeLessThan(25 * CASE_MS);
      expect([0, 2], `batch ${batch}: ${io.err()}`).toContain(code);
      const report = JSON.parse(io.out()) as { files: { file: string; ok: boolean; issues: RunbookIssue[] }[] };
      expect(report.files.map((f) => f.file)).toEqual(names);
      for (const f of report.files) {
        const src = readFileSync(join(dir, f.file), 'utf8');
        expect(issueProblems(f.issues, f.ok, f.file, src), `batch ${batch}, ${f.file} (FUZZ_SEED=${SEED})`).toEqual([]);
      }
    }
  });

  test('the checks can fail: a known bad outcome is caught', () => {
    const src = 'id: x\n';
    expect(issueProblems([{ file: 'x.yaml', line: 1, col: 1, path: '', severity: 'error', message: 'could not check this runbook: boom', hint: 'this is a bug in oncall; please report it' }], false, 'x.yaml', src)).toHaveLength(1);
    expect(issueProblems([{ file: 'x.yaml', line: 9, col: 1, path: '', severity: 'error', message: 'type undefined is not one of a, b' }], false, 'x.yaml', src)).toHaveLength(2);
    expect(issueProblems([], false, 'x.yaml', src)).toEqual(['invalid, but no error reported']);
    // And a real invalid file is invalid, with a located error.
    const bomb = mutate('id: x\nsteps: []\n', { next: () => 0, int: () => 5, pick: <T,>(xs: readonly T[]) => xs[0]! });
    const res = parseRunbook(bomb, 'bomb.yaml', registry);
    expect(res.ok).toBe(false);
    expect(issueProblems(res.issues, res.ok, 'bomb.yaml', bomb)).toEqual([]);
  });
});
