// The CLI contract of validate, list and schema, called directly with captured streams.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { KindRegistry } from '../../src/core/registry.js';
import { listCommand } from '../../src/commands/list.js';
import { runbookJsonSchema, schemaCommand, schemaPath } from '../../src/commands/schema.js';
import { validateCommand } from '../../src/commands/validate.js';
import { packageRoot } from '../../src/paths.js';
import { capture, minimalRunbook, writeRunbooks } from './helpers.js';

const here = import.meta.dirname;
const broken = join(here, 'broken');
const good = join(here, 'good');
const STACK = /\n\s+at |Error:|TypeError|node:internal/;

describe('oncall validate', () => {
  test('the broken corpus: exit 2, one line per issue, no stack traces', async () => {
    const io = capture({ cwd: here });
    const code = await validateCommand(['broken'], io);
    expect(code).toBe(2);
    const out = io.out();
    expect(out).not.toMatch(STACK);
    expect(io.err()).toBe('');
    expect(out).toContain("broken/unknown-kind.yaml:9:11: error: step 'probe': unknown step kind 'shel' — did you mean 'shell'?\n    hint: known kinds:");
    expect(out).toContain('broken/unreachable.yaml:13:9: warning:');
    const summary = out.trimEnd().split('\n').at(-1);
    expect(summary).toMatch(/^31 runbooks checked, 30 errors, 1 warning$/);
  });

  test('--json parses and says the same', async () => {
    const io = capture({ cwd: here });
    expect(await validateCommand(['--json', broken], io)).toBe(2);
    const report = JSON.parse(io.out()) as { files: { file: string; id?: string; ok: boolean; issues: { line: number; severity: string }[] }[]; errors: number; warnings: number };
    expect(report.errors).toBe(30);
    expect(report.warnings).toBe(1);
    expect(report.files).toHaveLength(31);
    const byFile = Object.fromEntries(report.files.map((f) => [f.file, f]));
    expect(byFile['broken/unreachable.yaml']).toMatchObject({ ok: true, id: 'unreachable' });
    expect(byFile['broken/unknown-kind.yaml']).toMatchObject({ ok: false, id: 'unknown-kind', issues: [expect.objectContaining({ line: 9, col: 11, stepId: 'probe', path: 'steps[0].kind' })] });
    expect(io.out()).not.toMatch(STACK);
  });

  test('a valid runbook: exit 0', async () => {
    const io = capture({ cwd: here });
    expect(await validateCommand([join(good, 'full.yaml')], io)).toBe(0);
    expect(io.out()).toBe('1 runbook checked, 0 errors, 0 warnings\n');
  });

  test('warnings alone exit 0', async () => {
    const io = capture({ cwd: here });
    expect(await validateCommand(['broken/unreachable.yaml'], io)).toBe(0);
    expect(io.out()).toMatch(/1 runbook checked, 0 errors, 1 warning\n$/);
  });

  test('directories are searched recursively', async () => {
    const dir = writeRunbooks({ 'a.yaml': minimalRunbook('a'), 'sub/deeper/b.yml': minimalRunbook('b'), 'sub/notes.txt': 'x', '.hidden/c.yaml': 'broken: [' });
    const io = capture({ cwd: dir });
    expect(await validateCommand(['--json', '.'], io)).toBe(0);
    expect(JSON.parse(io.out()).files.map((f: { file: string }) => f.file)).toEqual(['a.yaml', 'sub/deeper/b.yml']);
  });

  test('unknown flags: usage on stderr, exit 2', async () => {
    const io = capture({ cwd: here });
    expect(await validateCommand(['--jsno'], io)).toBe(2);
    expect(io.err()).toMatch(/^oncall: Unknown option '--jsno'\nusage: oncall validate/);
    expect(io.out()).toBe('');
  });

  test('a path that does not exist: exit 2 with a sentence', async () => {
    const io = capture({ cwd: here });
    expect(await validateCommand(['nope/'], io)).toBe(2);
    expect(io.err()).toBe("oncall validate: 'nope/': no such file or directory\n");
    expect(io.err()).not.toMatch(STACK);
  });

  test('no paths: every runbook on the search path, --runbooks first', async () => {
    const extra = writeRunbooks({ 'x.yaml': minimalRunbook('from-flag') });
    const cwd = writeRunbooks({ 'runbooks/y.yaml': minimalRunbook('from-cwd') });
    const io = capture({ cwd });
    await validateCommand(['--json', '--runbooks', extra], io);
    const files = JSON.parse(io.out()).files.map((f: { file: string }) => f.file) as string[];
    expect(files[0]).toBe(join(extra, 'x.yaml'));
    expect(files[1]).toBe(join('runbooks', 'y.yaml'));
  });

  test('1,000 runbooks are checked in one run (bench/validate.mjs holds the time budget)', async () => {
    const steps = Array.from({ length: 15 }, (_, i) => `  - id: s${i}\n    title: Step ${i}\n    kind: shell\n    when: \${{ inputs.region != "" && steps.s0.status != "failed" }}\n    with:\n      argv: [aws, ec2, describe-instances, --region, "\${{ inputs.region }}", --filter, "n${i}"]\n    capture:\n      out${i}: \${{ result.stdout }}\n    assert:\n      - \${{ result.exit_code == ${i % 3} }}\n    timeout: ${i + 1}m\n`).join('');
    const files: Record<string, string> = {};
    for (let n = 0; n < 1000; n++) files[`rb-${n}.yaml`] = minimalRunbook(`rb-${n}`, `inputs:\n  region:\n    type: string\n    default: eu-west-${n % 3}\n`).replace(/steps:\n[\s\S]*$/, `steps:\n${steps}`);
    const dir = writeRunbooks(files);
    const io = capture({ cwd: dir });
    expect(await validateCommand(['.'], io)).toBe(0);
    expect(io.out()).toBe('1000 runbooks checked, 0 errors, 0 warnings\n');
  });
});

describe('oncall list', () => {
  const dir = writeRunbooks({
    'ec2.yaml': minimalRunbook(
      'ec2-status',
      'tags: [aws, ec2]\ninputs:\n  instance_id: {type: string}\n  region: {type: string, default: us-east-1}\n  token: {type: string, secret: true, default: hunter2, required: true}\n',
    ).replace('title: Runbook ec2-status', 'title: EC2 status check'),
    'bare.yaml': minimalRunbook('bare'),
    'bad.yaml': minimalRunbook('bad').replace('kind: shell', 'kind: shel'),
  });

  test('tab-separated, one runbook per line, when not a terminal; invalid ones on stderr', async () => {
    const io = capture();
    expect(await listCommand(['--runbooks', dir], io)).toBe(0);
    const lines = io.out().trimEnd().split('\n');
    expect(lines).toContain('ec2-status\tEC2 status check\taws,ec2\tinstance_id*, region, token* (secret)');
    expect(lines).toContain('bare\tRunbook bare\t\t');
    expect(io.err()).toContain(`skipped invalid runbook ${join(dir, 'bad.yaml')}`);
    expect(io.err()).toContain("unknown step kind 'shel'");
    expect(io.err()).not.toMatch(STACK);
  });

  test('aligned columns with a header on a terminal', async () => {
    const io = capture({ tty: true });
    expect(await listCommand(['--runbooks', dir], io)).toBe(0);
    const lines = io.out().split('\n');
    expect(lines[0]).toMatch(/^ID +TITLE +TAGS +INPUTS$/);
    const row = lines.find((l) => l.startsWith('ec2-status'))!;
    expect(row.indexOf('EC2 status check')).toBe(lines[0]!.indexOf('TITLE'));
    expect(row.indexOf('aws,ec2')).toBe(lines[0]!.indexOf('TAGS'));
  });

  test('--json prints the array, secret defaults shown as placeholders', async () => {
    const io = capture();
    expect(await listCommand(['--json', '--runbooks', dir], io)).toBe(0);
    const list = JSON.parse(io.out()) as { id: string; inputs: Record<string, { default?: unknown }>; file: string }[];
    const ec2 = list.find((r) => r.id === 'ec2-status')!;
    expect(ec2.file).toBe(join(dir, 'ec2.yaml'));
    expect(ec2.inputs.region!.default).toBe('us-east-1');
    expect(ec2.inputs.token!.default).toBe('[redacted:token]');
    expect(io.out()).not.toContain('hunter2');
  });

  test('exit 2 when nothing valid was found and some runbooks were invalid', async () => {
    const io = capture();
    expect(await listCommand(['--runbooks', dir], io, { registry: new KindRegistry() })).toBe(2);
    expect(io.out()).toBe('');
  });

  test('unknown flags: usage, exit 2', async () => {
    const io = capture();
    expect(await listCommand(['--all'], io)).toBe(2);
    expect(io.err()).toContain('usage: oncall list');
  });
});

describe('oncall schema', () => {
  test('the checked-in schema is what the zod schema emits', () => {
    expect(schemaPath()).toBe(join(packageRoot(), 'runbooks', 'runbook.schema.json'));
    expect(readFileSync(schemaPath(), 'utf8')).toBe(runbookJsonSchema());
  });

  test('--check passes; the printed schema is the file', async () => {
    const io = capture();
    expect(await schemaCommand(['--check'], io)).toBe(0);
    const print = capture();
    expect(await schemaCommand([], print)).toBe(0);
    expect(print.out()).toBe(readFileSync(schemaPath(), 'utf8'));
  });

  test('identity, and defaults do not make fields required for editors', () => {
    const s = JSON.parse(runbookJsonSchema());
    expect(s.$schema).toMatch(/json-schema\.org/);
    expect(s.$id).toBe('https://oncall.dev/schema/runbook.schema.json');
    expect(s.title).toBeTruthy();
    expect(s.description).toBeTruthy();
    expect(s.required).toEqual(['id', 'title', 'version', 'summary', 'steps']);
    expect(s.properties.steps.items.required).toEqual(['id', 'title', 'kind']);
    expect(s.properties.steps.items.additionalProperties).toBe(false);
    expect(runbookJsonSchema().endsWith('}\n')).toBe(true);
  });

  test('--write with --check is a usage error', async () => {
    const io = capture();
    expect(await schemaCommand(['--write', '--check'], io)).toBe(2);
    expect(io.err()).toContain('usage: oncall schema');
  });
});
