import { readdirSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { z } from 'zod';
import { describe, expect, test } from 'vitest';
import { KindRegistry } from '../../src/core/registry.js';
import type { StepKind } from '../../src/core/step.js';
import { builtinRegistry } from '../../src/executors/index.js';
import { formatIssue, loadRunbook, parseRunbook, RunbookError } from '../../src/runbook/load.js';
import type { RunbookIssue } from '../../src/runbook/issues.js';

const here = import.meta.dirname;
const registry = builtinRegistry();

function check(file: string, reg: KindRegistry = registry) {
  return parseRunbook(readFileSync(join(here, file), 'utf8'), file, reg);
}

describe('the good fixture', () => {
  test('uses every field and parses with no issues at all', () => {
    const r = check('good/full.yaml');
    expect(r.issues).toEqual([]);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const rb = r.value.runbook;
    expect(rb.id).toBe('full-example');
    expect(Object.keys(rb.inputs)).toEqual(['instance_id', 'action', 'threshold', 'dry_run', 'settle', 'api_token']);
    expect(rb.steps.map((s) => s.id)).toEqual(['probe', 'choose', 'stop-start', 'reboot', 'settle', 'done']);
    // Every step field appears somewhere in the fixture.
    const used = new Set(rb.steps.flatMap((s) => Object.keys(s)));
    for (const f of ['id', 'title', 'kind', 'with', 'when', 'capture', 'assert', 'retry', 'timeout', 'expected_duration', 'confirm', 'rollback', 'verify', 'next', 'branches', 'guidance']) {
      expect(used, f).toContain(f);
    }
  });

  test('LoadedRunbook carries the file, the source and its sha256', async () => {
    const file = join(here, 'good/full.yaml');
    const loaded = await loadRunbook(file, registry);
    const source = readFileSync(file, 'utf8');
    expect(loaded.file).toBe(file);
    expect(loaded.source).toBe(source);
    expect(loaded.hash).toBe(createHash('sha256').update(readFileSync(file)).digest('hex'));
  });

  test('tags and inputs default to empty', () => {
    const r = parseRunbook('id: x\ntitle: X\nversion: 0.1.0\nsummary: s\nsteps:\n  - id: a\n    title: A\n    kind: shell\n    with: {argv: [echo]}\n', 'x.yaml', registry);
    expect(r.ok && r.value.runbook.tags).toEqual([]);
    expect(r.ok && r.value.runbook.inputs).toEqual({});
  });
});

interface Row {
  file: string;
  line: number;
  col: number;
  step?: string;
  message: string | RegExp;
  hint?: string | RegExp;
  severity?: 'error' | 'warning';
}

// One file per fault: where it is reported, for which step, and what it says.
const corpus: Row[] = [
  { file: 'unclosed-quote.yaml', line: 3, col: 8, message: 'quoted string is never closed' },
  { file: 'tab-indent.yaml', line: 8, col: 1, message: 'tab is used for indentation', hint: 'spaces' },
  { file: 'duplicate-key.yaml', line: 12, col: 5, message: "duplicate key 'kind' (first on line 9)" },
  { file: 'unknown-kind.yaml', line: 9, col: 11, step: 'probe', message: "unknown step kind 'shel' — did you mean 'shell'?", hint: 'known kinds: ' },
  { file: 'unknown-step-field.yaml', line: 12, col: 5, step: 'probe', message: "unknown field 'timout' — did you mean 'timeout'?", hint: 'step fields: id, title, kind' },
  { file: 'unknown-top-field.yaml', line: 6, col: 1, message: "unknown field 'tag' — did you mean 'tags'?", hint: 'runbook fields:' },
  { file: 'unknown-param.yaml', line: 12, col: 7, step: 'probe', message: "unknown parameter 'methd' for kind 'http' — did you mean 'method'?", hint: 'http takes: url, method' },
  { file: 'missing-steps.yaml', line: 2, col: 1, message: "missing required field 'steps'", hint: 'add a steps: list' },
  { file: 'expr-syntax.yaml', line: 14, col: 32, step: 'probe', message: 'ends too early' },
  { file: 'expr-unknown-root.yaml', line: 15, col: 25, step: 'probe', message: "unknown name 'input' — did you mean 'inputs'?", hint: 'expressions start from inputs' },
  { file: 'expr-undeclared-input.yaml', line: 15, col: 64, step: 'probe', message: "unknown input 'regoin' — did you mean 'region'?", hint: 'declared inputs: region' },
  { file: 'next-missing.yaml', line: 12, col: 11, step: 'probe', message: "no step 'verfy' to go to — did you mean 'verify'?", hint: "or 'end' to finish" },
  { file: 'cycle-next.yaml', line: 17, col: 11, step: 'check', message: 'loop: probe → check → probe', hint: 'wait step with until' },
  { file: 'cycle-branches.yaml', line: 21, col: 15, step: 'check', message: 'loop: probe → check → probe' },
  { file: 'duplicate-step-id.yaml', line: 12, col: 9, step: 'probe', message: "duplicate step id 'probe' (first used on line 7)" },
  { file: 'default-pattern.yaml', line: 10, col: 14, message: "default of input 'instance_id': 'web-1' does not match the pattern" },
  { file: 'enum-default.yaml', line: 10, col: 14, message: "'rebot' is not one of stop-start, reboot — did you mean 'reboot'?" },
  { file: 'bad-duration.yaml', line: 12, col: 14, step: 'probe', message: "timeout '5 minutes' must be a duration like '30s'", hint: 'write timeout: 5m' },
  { file: 'bad-id.yaml', line: 2, col: 5, message: "id 'ELB-Triage' must be lowercase", hint: 'for example id: elb-triage' },
  { file: 'bad-version.yaml', line: 4, col: 10, message: "version must be a semantic version like '1.0.0'", hint: 'write version: 1.0.0' },
  { file: 'bad-regex.yaml', line: 9, col: 14, message: "pattern of input 'instance_id' is not a valid regular expression" },
  // Beyond the basic list.
  { file: 'result-in-when.yaml', line: 12, col: 15, step: 'probe', message: "'result' is not available here" },
  { file: 'unknown-step-ref.yaml', line: 16, col: 31, step: 'report', message: "no step 'prob' — did you mean 'probe'?" },
  { file: 'dashed-step-ref.yaml', line: 15, col: 15, step: 'report', message: "'check-health' contains '-'", hint: 'steps["check-health"]' },
  { file: 'unclosed-expr.yaml', line: 14, col: 20, step: 'probe', message: "'${{' is never closed" },
  { file: 'missing-param.yaml', line: 10, col: 5, step: 'probe', message: "missing required parameter 'url' for kind 'http'" },
  { file: 'wrong-param-type.yaml', line: 12, col: 16, step: 'probe', message: 'with.headers must be a mapping, not a list' },
  { file: 'enum-no-values.yaml', line: 8, col: 11, message: "enum input 'action' has no values", hint: 'add values' },
  { file: 'rollback-kind.yaml', line: 13, col: 13, step: 'stop', message: "unknown step kind 'shel' — did you mean 'shell'?" },
  { file: 'ternary-unquoted.yaml', line: 14, col: 11, message: "YAML reads the ': ' inside this expression", hint: `quote the whole value: when: "\${{ inputs.mode == 'fast' ? true : false }}"` },
  { file: 'unreachable.yaml', line: 13, col: 9, step: 'cleanup', message: 'can never be reached', severity: 'warning' },
];

describe('the broken corpus: one fault per file, pointed at exactly', () => {
  test('every corpus file has a row (and starts with the schema line)', () => {
    const files = readdirSync(join(here, 'broken')).filter((f) => f.endsWith('.yaml'));
    expect(files.sort()).toEqual(corpus.map((r) => r.file).sort());
    for (const f of files) expect(readFileSync(join(here, 'broken', f), 'utf8').split('\n')[0]).toBe('# yaml-language-server: $schema=../../../runbooks/runbook.schema.json');
  });

  test.each(corpus)('$file → $line:$col', (row) => {
    const r = check(`broken/${row.file}`);
    const severity = row.severity ?? 'error';
    // The fault is the first issue of its severity, and the only error.
    const issue = r.issues.find((i) => i.severity === severity)!;
    expect(issue, JSON.stringify(r.issues)).toBeDefined();
    expect(r.issues.filter((i) => i.severity === 'error')).toHaveLength(severity === 'error' ? 1 : 0);
    expect(r.ok).toBe(severity === 'warning');
    expect([issue.line, issue.col]).toEqual([row.line, row.col]);
    expect(issue.stepId).toBe(row.step);
    if (typeof row.message === 'string') expect(issue.message).toContain(row.message);
    else expect(issue.message).toMatch(row.message);
    if (row.hint !== undefined) expect(issue.hint).toContain(row.hint);
    expect(issue.file).toBe(`broken/${row.file}`);
  });
});

describe('issues', () => {
  test('formatIssue: file:line:col: severity: step: message, hint indented below', () => {
    const issue: RunbookIssue = {
      file: 'runbooks/x.yaml',
      line: 12,
      col: 11,
      stepId: 'probe',
      path: 'steps[2].kind',
      message: "unknown step kind 'shel' — did you mean 'shell'?",
      hint: 'known kinds: shell, http',
      severity: 'error',
    };
    expect(formatIssue(issue)).toBe("runbooks/x.yaml:12:11: error: step 'probe': unknown step kind 'shel' — did you mean 'shell'?\n    hint: known kinds: shell, http");
  });

  test('paths name the node', () => {
    const r = check('broken/unknown-kind.yaml');
    expect(r.issues[0]!.path).toBe('steps[0].kind');
    expect(check('broken/unknown-param.yaml').issues[0]!.path).toBe('steps[0].with.methd');
  });

  test('loadRunbook throws RunbookError with the issues, and a readable message', async () => {
    const err = await loadRunbook(join(here, 'broken/unknown-kind.yaml'), registry).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RunbookError);
    expect((err as RunbookError).issues).toHaveLength(1);
    expect((err as RunbookError).message).toContain("unknown step kind 'shel'");
  });

  test('a missing file is a RunbookError, not an ENOENT stack', async () => {
    const err = await loadRunbook(join(here, 'nope.yaml'), registry).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RunbookError);
    expect((err as RunbookError).issues[0]!.message).toBe('cannot read the runbook: no such file');
  });

  test('an unexpected exception inside the loader becomes an issue at 1:1', () => {
    const throwing = new KindRegistry();
    const boom = {
      name: 'shell',
      effect: 'read',
      get params(): never {
        throw new Error('kaboom');
      },
      describe: () => ({ summary: '', params: {} }),
      run: async () => ({ result: {} }),
    } as unknown as StepKind;
    throwing.register(boom);
    const r = check('good/full.yaml', throwing);
    expect(r.ok).toBe(false);
    expect(r.issues).toEqual([expect.objectContaining({ line: 1, col: 1, severity: 'error', message: expect.stringContaining('kaboom') })]);
  });

  test('empty files and non-mappings', () => {
    expect(parseRunbook('', 'e.yaml', registry).issues[0]).toMatchObject({ line: 1, col: 1, message: expect.stringContaining('holds empty') });
    expect(parseRunbook('- a\n- b\n', 'l.yaml', registry).issues[0]!.message).toContain('holds a list');
  });

  test('expressions are pointed at inside quoted and block scalars, past escapes', () => {
    const src = [
      'id: t',
      'title: T',
      'version: 1.0.0',
      'summary: s',
      'inputs:',
      '  x: {type: string}',
      'steps:',
      '  - id: c',
      '    title: C',
      '    kind: shell',
      '    with:',
      `      argv: ["a\\"b \${{ inptus.x }}", 'it''s \${{ inputs.y }}']`,
      '    guidance: |',
      '      First line',
      '      then ${{ inputs.z }} here',
      '    rollback:',
      '      note: >',
      '        undo ${{ steps.c.bogus }}',
      '',
    ].join('\n');
    const r = parseRunbook(src, 't.yaml', registry);
    expect(r.issues.map((i) => `${i.line}:${i.col} ${i.message.replace(/:.*/, '')}`)).toEqual([
      '12:24 ${{ inptus.x }}',
      '12:56 ${{ inputs.y }}',
      '15:23 ${{ inputs.z }}',
      '18:26 ${{ steps.c.bogus }}',
    ]);
  });

  test('issues come sorted by position and several faults are all reported', () => {
    const src = 'id: x\ntitle: X\nversion: 1.0.0\nsummary: s\nsteps:\n  - id: a\n    title: A\n    kind: shel\n    timout: 5s\n  - id: a\n    title: B\n    kind: wait\n    with: {for: 5 min}\n';
    const r = parseRunbook(src, 'm.yaml', registry);
    expect(r.issues.map((i) => `${i.line}:${i.col}`)).toEqual(['8:11', '9:5', '10:9', '13:17']);
  });
});

describe('semantic checks in detail', () => {
  const base = (steps: string, inputs = '') => `id: t\ntitle: T\nversion: 1.0.0\nsummary: s\n${inputs}steps:\n${steps}`;
  const messages = (src: string, reg = registry) => parseRunbook(src, 't.yaml', reg).issues.map((i) => `${i.severity}: ${i.message}`);

  test('values on a non-enum, required with a default, min/max', () => {
    const out = messages(
      base('  - id: a\n    title: A\n    kind: shell\n    with: {argv: [echo]}\n', 'inputs:\n  s:\n    type: string\n    values: [a]\n  n:\n    type: number\n    min: 5\n    max: 1\n  r:\n    type: string\n    required: true\n    default: x\n  m:\n    type: number\n    min: 1\n    default: 0\n'),
    );
    expect(out).toEqual([
      "error: values only apply to enum inputs, and 's' is a string",
      'error: min 5 is greater than max 1',
      "warning: input 'r' is required but has a default, so it is never asked for",
      "error: default of input 'm': 0 is below the minimum 1",
    ]);
  });

  test('a secret input with a default: warned of, and its value never echoed', () => {
    const r = parseRunbook(
      base('  - id: a\n    title: A\n    kind: shell\n    with: {argv: [echo]}\n', 'inputs:\n  ok: {type: string, secret: true, required: false, default: ""}\n  tok:\n    type: string\n    secret: true\n    pattern: ^tok_[a-z]+$\n    default: hunter2secret\n'),
      't.yaml',
      registry,
    );
    expect(r.issues.map((i) => `${i.line}:${i.col} ${i.severity}: ${i.message}`)).toEqual([
      "11:5 warning: secret input 'tok' has a default: the value is kept in plain text in this file, and in the copy of it each incident journals",
      "11:14 error: default of input 'tok': '[redacted:tok]' does not match the pattern ^tok_[a-z]+$",
    ]);
    expect(JSON.stringify(r.issues)).not.toContain('hunter2secret');
  });

  test('steps.<id>.<field>, vars and incident are checked', () => {
    const out = messages(
      base(
        '  - id: a\n    title: A\n    kind: shell\n    with: {argv: [echo]}\n    capture:\n      code: ${{ result.exit_code }}\n  - id: b\n    title: B\n    kind: shell\n    with:\n      argv: [echo, "${{ steps.a.results }}", "${{ vars.cod }}", "${{ incident.idd }}", "${{ vars.code }}"]\n',
      ),
    );
    expect(out).toEqual([
      "error: ${{ steps.a.results }}: a step has no 'results' — did you mean 'result'?",
      "error: ${{ vars.cod }}: no step captures 'cod' — did you mean 'code'?",
      "error: ${{ incident.idd }}: incident has no 'idd' — did you mean 'id'?",
    ]);
  });

  test('has() may test for fields that are not declared', () => {
    expect(messages(base('  - id: a\n    title: A\n    kind: shell\n    when: ${{ has(inputs.maybe) }}\n    with: {argv: [echo]}\n'))).toEqual([]);
  });

  test("a wait step's until may use result (it is evaluated per probe)", () => {
    const steps = '  - id: w\n    title: W\n    kind: wait\n    with:\n      probe: {kind: http, with: {url: "https://x.example"}}\n      until: ${{ result.status == 200 }}\n';
    expect(messages(base(steps))).toEqual([]);
  });

  test('a branch choice must be one of the decision options', () => {
    const steps =
      '  - id: d\n    title: D\n    kind: decision\n    with:\n      question: Q?\n      options:\n        - {value: restart, label: R}\n        - {value: wait, label: W}\n    branches:\n      - choice: restrat\n        next: end\n';
    expect(messages(base(steps))).toEqual(["error: 'restrat' is not one of this step's options — did you mean 'restart'?"]);
  });

  test('templated parameters are checked at run time, literal ones now', () => {
    const steps =
      '  - id: h\n    title: H\n    kind: http\n    with:\n      url: ${{ inputs.url }}\n      method: FETCH\n      request_timeout: ${{ inputs.t }}\n';
    const out = messages(base(steps, 'inputs:\n  url: {type: string}\n  t: {type: duration}\n'));
    expect(out).toEqual(["error: with.method 'FETCH' is not one of GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE"]);
  });

  test("'end' is not a step id; verify.kind must be known", () => {
    const out = messages(base('  - id: end\n    title: E\n    kind: shell\n    with: {argv: [echo]}\n    verify:\n      kind: htp\n      done: ${{ true }}\n'));
    expect(out).toEqual(["error: 'end' cannot be a step id: next: end finishes the runbook", "error: unknown step kind 'htp' — did you mean 'http'?"]);
  });

  test('parameters of plugin-like kinds: loose schemas accept any name, strict ones are checked', () => {
    const reg = new KindRegistry();
    const kind = (name: string, params: z.ZodType): StepKind => ({ name, effect: 'read', params, describe: () => ({ summary: name, params: {} }), run: async () => ({ result: {} }) });
    reg.register(kind('loose', z.object({ a: z.string() }).loose()));
    reg.register(kind('strict', z.object({ count: z.number().int(), name: z.string().optional() }).strict()));
    const steps = '  - id: a\n    title: A\n    kind: loose\n    with: {a: x, anything: 1}\n  - id: b\n    title: B\n    kind: strict\n    with: {count: "3", nmae: y}\n';
    expect(messages(base(steps), reg)).toEqual(["error: with.count must be a number, not the text '3'", "error: unknown parameter 'nmae' for kind 'strict' — did you mean 'name'?"]);
  });
});
