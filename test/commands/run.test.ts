// The headless runner as people and scripts use it: the built binary, its exit codes and output.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { events, oncall, startDemo, tempDir } from '../helpers/cli.js';

const NODE = process.execPath;
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

function writeRunbook(yaml: string): string {
  const file = join(tempDir(), 'rb.yaml');
  writeFileSync(file, yaml);
  return file;
}

const ECHO = writeRunbook(`
id: echo-argv
title: Echo argv
version: 1.0.0
summary: Prints its argument vector as JSON
inputs:
  value: { type: string }
  other: { type: string, default: should-never-be-evaluated }
steps:
  - id: echo
    title: echo
    kind: shell
    with:
      argv: [${JSON.stringify(NODE)}, "-e", "const h = (a) => require('crypto').createHash('sha256').update(a).digest('hex'); process.stdout.write(JSON.stringify(process.argv.slice(1).map(h)))", "\${{ inputs.value }}", "prefix-\${{ inputs.value }}"]
      effect: read
`);

describe('oncall run', () => {
  let demo: Awaited<ReturnType<typeof startDemo>>;
  let stateFile: string;

  beforeAll(async () => {
    stateFile = join(tempDir(), 'demo.json');
    demo = await startDemo(stateFile);
  });
  afterAll(() => demo.stop());

  const exampleArgs = () => ['run', 'examples/local-504.yaml', '--input', `url=${demo.url}`, '--input', `state=${stateFile}`];

  it('runs the example runbook end to end: exit 0, progress on stderr, events on stdout', async () => {
    const res = await oncall([...exampleArgs(), '--yes', '--answer', 'diagnose=raise-timeout', '--answer', 'record=done', '--json']);
    expect(res.code, res.stderr).toBe(0);
    const evs = events(res.stdout);
    expect(evs[0]!.type).toBe('incident.opened');
    expect(evs.at(-1)!.type).toBe('run.finished');
    expect(evs.at(-1)!.payload.outcome).toBe('completed');
    const finished = Object.fromEntries(evs.filter((e) => e.type === 'step.finished').map((e) => [e.payload.step, e.payload]));
    expect(finished.probe.result.status).toBe(504);
    expect(finished['wait-healthy'].result.met).toBe(true);
    expect(Object.keys(finished)).toEqual(['probe', 'read-config', 'diagnose', 'raise-timeout', 'wait-healthy', 'record']);
    expect(res.stderr).toMatch(/▶ probe/);
    expect(res.stderr).toMatch(/✓ raise-timeout/);
    // Seq numbers are contiguous: stdout shows every durable record.
    expect(evs.map((e) => e.seq)).toEqual(evs.map((_, i) => i));
    writeFileSync(stateFile, JSON.stringify({ proxy_timeout_ms: 200, backend_latency_ms: 350 }));
  });

  it('exits 4 naming the flag when a human is needed, and resume continues with the answer', async () => {
    const stateDir = tempDir();
    const res = await oncall([...exampleArgs(), '--yes'], { stateDir });
    expect(res.code).toBe(4);
    expect(res.stderr).toMatch(/--answer diagnose=raise-timeout/);
    const id = /resume with: oncall resume (\S+)/.exec(res.stderr)![1]!;
    const again = await oncall(['resume', id, '--yes', '--answer', 'diagnose=healthy', '--answer', 'record=done'], { stateDir });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/diagnose: tester answered healthy/);
    const list = await oncall(['incidents', '--json'], { stateDir });
    expect(JSON.parse(list.stdout)[0]).toMatchObject({ id, status: 'completed' });
    const verify = await oncall(['verify', id], { stateDir });
    expect(verify.code).toBe(0);
    expect(verify.stdout).toMatch(/hash chain intact/);
  });

  it('exits 1 when the runbook fails and 2 on bad input, without a stack trace', async () => {
    const failing = writeRunbook(`
id: fails
title: fails
version: 1.0.0
summary: s
steps:
  - id: boom
    title: boom
    kind: shell
    with: { argv: [${JSON.stringify(NODE)}, "-e", "process.exit(7)"], effect: read }
`);
    const failed = await oncall(['run', failing]);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/exited with code 7/);

    const badInput = await oncall([...exampleArgs().slice(0, 2), '--input', 'url=http://example.com/']);
    expect(badInput.code).toBe(2);
    expect(badInput.stderr).toMatch(/input 'url': 'http:\/\/example.com\/' does not match/);

    const unknownInput = await oncall([...exampleArgs(), '--input', 'colour=blue']);
    expect(unknownInput.code).toBe(2);
    expect(unknownInput.stderr).toMatch(/no input 'colour'/);

    for (const args of [['run'], ['run', 'no-such-runbook'], ['run', 'x', '--bogus'], ['frobnicate'], ['verify', '../../etc/passwd']]) {
      const res = await oncall(args);
      expect(res.code, args.join(' ')).toBe(2);
      expect(res.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('refuses write steps in --read-only and reports them as skipped', async () => {
    const res = await oncall([...exampleArgs(), '--read-only', '--answer', 'diagnose=raise-timeout', '--answer', 'record=done', '--json']);
    expect(res.code, res.stderr).toBe(0);
    const skipped = events(res.stdout).filter((e) => e.type === 'step.skipped');
    expect(skipped.map((e) => e.payload.step)).toEqual(['raise-timeout', 'wait-healthy']);
    expect(skipped[0]!.payload.reason).toMatch(/read-only/);
    expect(events(res.stdout).some((e) => e.type === 'step.started' && e.payload.effect === 'write')).toBe(false);
    expect(JSON.parse(readFileSync(stateFile, 'utf8')).proxy_timeout_ms).toBe(200);
  });

  it('passes hostile input values to processes as inert arguments', async () => {
    const marker = join(tempDir(), 'pwned');
    const hostile = [
      '; rm -rf /',
      `$(touch ${marker})`,
      `\`touch ${marker}\``,
      '${{ inputs.other }}',
      'line one\nline two',
      "' \" \\ | & > < * ? ~ #",
      'x'.repeat(100_000),
    ];
    for (const value of hostile) {
      const res = await oncall(['run', ECHO, '--input', `value=${value}`, '--json']);
      expect(res.code, res.stderr.slice(0, 500)).toBe(0);
      const done = events(res.stdout).find((e) => e.type === 'step.finished')!;
      // The child saw exactly the value (compared by hash: the 100 kB one is too long to journal whole).
      expect(done.payload.result.json).toEqual([sha256(value), sha256(`prefix-${value}`)]);
    }
    expect(() => readFileSync(marker)).toThrow();
  });
});
