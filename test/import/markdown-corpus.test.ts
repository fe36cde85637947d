// The Markdown corpus (test/fixtures/import/markdown): each page of a different style is imported
// by the built binary, validated, and played headless — against the example service (the demo
// proxy and its control tool), the local AWS endpoint, or a stand-in kubectl that records the
// argument vectors it was given. What could not be mapped is reported, never dropped.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startAwsWire, type AwsWire } from '../helpers/aws-wire.js';
import { kubeconfigYaml } from '../../src/drill/kube/kubeconfig.js';
import { startKubeApi } from '../../src/drill/kube/server.js';
import { events, oncall, ROOT, tempDir } from '../helpers/cli.js';

const DIR = join(ROOT, 'test/fixtures/import/markdown');
const FIXTURES = readdirSync(DIR).filter((f) => f.endsWith('.md')).sort();

interface Imported {
  file: string;
  doc: { id: string; inputs: Record<string, { secret?: boolean; default?: unknown }>; steps: { id: string; kind: string; with?: Record<string, any>; guidance?: string; confirm?: unknown }[] };
  stderr: string;
  yaml: string;
}

async function importFixture(name: string): Promise<Imported> {
  const out = join(tempDir('oncall-import-'), name.replace(/\.md$/, '.yaml'));
  const res = await oncall(['import', join(DIR, name), '--out', out]);
  expect(res.code, res.stderr).toBe(0);
  const yaml = readFileSync(out, 'utf8');
  return { file: out, doc: parse(yaml), stderr: res.stderr, yaml };
}

/** `--answer id=done` for every manual step: a person says they did it. */
const manualAnswers = (doc: Imported['doc']) => doc.steps.filter((s) => s.kind === 'manual').flatMap((s) => ['--answer', `${s.id}=done`]);
const inputArgs = (o: Record<string, string>) => Object.entries(o).flatMap(([k, v]) => ['--input', `${k}=${v}`]);

async function play(imp: Imported, inputs: Record<string, string> = {}, opts: { env?: Record<string, string>; args?: string[] } = {}) {
  const res = await oncall(['run', imp.file, '--yes', '--json', ...inputArgs(inputs), ...manualAnswers(imp.doc), ...(opts.args ?? [])], { stateDir: tempDir(), env: opts.env });
  return { ...res, evs: events(res.stdout) };
}
const finished = (evs: ReturnType<typeof events>, step: string) => evs.filter((e) => e.type === 'step.finished' && e.payload.step === step).map((e) => e.payload);

// ── the example service ─────────────────────────────────────────────────────────────────────────

let demo: ChildProcess | undefined;
let demoUrl = '';
let demoState = '';
beforeAll(async () => {
  demoState = join(tempDir('oncall-demo-'), 'state.json');
  writeFileSync(demoState, JSON.stringify({ proxy_timeout_ms: 200, backend_latency_ms: 350 }));
  demo = spawn(process.execPath, [join(ROOT, 'examples/demo/server.mjs'), '--port', '0', '--state', demoState], { stdio: ['ignore', 'pipe', 'inherit'] });
  demoUrl = await new Promise<string>((resolve, reject) => {
    demo!.stdout!.on('data', (b: Buffer) => {
      const m = /(http:\/\/127\.0\.0\.1:\d+)/.exec(b.toString());
      if (m) resolve(m[1]!);
    });
    demo!.on('exit', (code) => reject(new Error(`demo server exited ${code}`)));
  });
});
afterAll(() => {
  demo?.kill();
});

let wire: AwsWire | undefined;
afterEach(async () => {
  await wire?.close();
  wire = undefined;
});

describe('oncall import: the Markdown corpus', () => {
  it(`has at least 10 pages of different styles (${FIXTURES.length})`, () => {
    expect(FIXTURES.length).toBeGreaterThanOrEqual(10);
  });

  for (const name of FIXTURES) {
    it(`${name}: imports to a valid runbook; every heading and command is in it or reported`, async () => {
      const imp = await importFixture(name);
      expect(imp.stderr).toMatch(/; valid\n$/);
      const source = readFileSync(join(DIR, name), 'utf8');
      const headings = [...source.matchAll(/^#{1,6}\s+(.+)$/gm)].map((m) => m[1]!.replace(/`/g, '').trim());
      for (const h of headings) expect(imp.yaml.includes(h) || imp.stderr.includes(h), `heading '${h}'`).toBe(true);
      // Each command line of a shell block: its program appears in a step (argv, script or guidance).
      for (const block of source.matchAll(/^\s*(```|~~~)(sh|bash|shell|console)?[^\n]*\n([\s\S]*?)^\s*\1/gm)) {
        for (const line of block[3]!.split('\n')) {
          const cmd = line.trim().replace(/^\$ /, '');
          if (!cmd || cmd.startsWith('#') || /^export /.test(cmd) || (!line.trim().startsWith('$ ') && block[2] === 'console')) continue;
          const word = cmd.split(/\s+/)[0]!;
          expect(imp.yaml.includes(word) || imp.stderr.includes(word), `'${cmd}' of ${name}`).toBe(true);
        }
      }
    });
  }

  it('01 Runme: named blocks are step ids, exports are inputs with defaults, writes are confirmed; plays against the demo service', async () => {
    const imp = await importFixture('01-runme-demo-504.md');
    expect(imp.doc.steps.map((s) => [s.id, s.kind, s.with?.effect])).toEqual([
      ['read-settings', 'shell', 'read'],
      ['raise-timeout', 'shell', 'write'],
      ['check-again', 'shell', 'read'],
    ]);
    expect(imp.doc.inputs).toMatchObject({ state_file: { default: 'examples/demo/state.json' }, new_timeout_ms: { type: 'number', default: 1000 } });
    expect(imp.doc.steps[1]!.with!.argv).toEqual(['node', 'examples/demo/ctl.mjs', 'set-timeout', '${{ inputs.new_timeout_ms }}', '--state', '${{ inputs.state_file }}']);
    expect(imp.doc.steps[1]!.confirm).toBeDefined();
    const r = await play(imp, { state_file: demoState, new_timeout_ms: '900' });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(readFileSync(demoState, 'utf8')).proxy_timeout_ms).toBe(900);
    expect(r.evs.find((e) => e.type === 'step.started' && e.payload.step === 'raise-timeout')!.payload.intent.argv).toEqual(['node', 'examples/demo/ctl.mjs', 'set-timeout', '900', '--state', demoState]);
  });

  it('01 Runme, --read-only: the change is refused, the reads run', async () => {
    const imp = await importFixture('01-runme-demo-504.md');
    const before = readFileSync(demoState, 'utf8');
    const r = await play(imp, { state_file: demoState }, { args: ['--read-only'] });
    expect(r.code, r.stderr).toBe(0);
    expect(r.evs.filter((e) => e.type === 'step.skipped').map((e) => e.payload.step)).toEqual(['raise-timeout']);
    expect(readFileSync(demoState, 'utf8')).toBe(before);
  });

  it('02 console prompts: `$ ` lines are commands, the rest is expected output; rm is a confirmed write', async () => {
    const imp = await importFixture('02-console-prompts.md');
    expect(imp.doc.steps.map((s) => s.with?.argv)).toEqual([['df', '-h', '/'], ['du', '-sh', '${{ inputs.scratch_dir }}'], ['rm', '-rf', '${{ inputs.scratch_dir }}/cache'], ['ls', '${{ inputs.scratch_dir }}']]);
    expect(imp.doc.steps[0]!.guidance).toContain('Expected output');
    expect(imp.doc.steps[2]).toMatchObject({ with: { effect: 'write' }, confirm: { message: expect.stringContaining('rm -rf') } });
    const scratch = tempDir('oncall-scratch-');
    mkdirSync(join(scratch, 'cache'));
    const r = await play(imp, { scratch_dir: scratch });
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(scratch, 'cache'))).toBe(false);
  });

  it('03 runmd: <placeholders> are inputs', async () => {
    const imp = await importFixture('03-runmd-attributes.md');
    expect(imp.doc.steps.map((s) => s.id)).toEqual(['status', 'raise', 'confirm']);
    expect(Object.keys(imp.doc.inputs)).toEqual(['state_file', 'timeout_ms']);
    const r = await play(imp, { state_file: demoState, timeout_ms: '1200' });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(readFileSync(demoState, 'utf8')).proxy_timeout_ms).toBe(1200);
  });

  it('04 wiki: setext headings and commands indented in a list; plays against the demo service', async () => {
    const imp = await importFixture('04-wiki-numbered-list.md');
    expect(imp.doc.steps.map((s) => s.kind)).toEqual(['shell', 'shell', 'manual']);
    const r = await play(imp, { base_url: demoUrl });
    expect(r.code, r.stderr).toBe(0);
  });

  it('05 GitLab-style prose: sections without commands are manual steps; the ruby block and the empty section are reported', async () => {
    const imp = await importFixture('05-gitlab-troubleshooting.md');
    expect(imp.stderr).toContain('not mapped: a ruby block is not a shell block');
    expect(imp.stderr).toContain("section 'Notes' is empty");
    expect(imp.doc.steps.map((s) => s.kind)).toEqual(['manual', 'shell', 'manual', 'manual']);
    const r = await play(imp, { queue_name: 'default' });
    expect(r.code, r.stderr).toBe(0);
  });

  it('06 aws one-liners become aws.call steps (exact mappings) and play against the local AWS endpoint', async () => {
    const imp = await importFixture('06-aws-cli-instance.md');
    expect(imp.doc.steps.map((s) => [s.kind, s.with?.operation])).toEqual([
      ['aws.call', 'DescribeInstances'],
      ['aws.call', 'DescribeInstanceStatus'],
      ['aws.call', 'DescribeAlarms'],
      ['aws.call', 'RebootInstances'],
    ]);
    const ID = 'i-0abc1234def567890';
    wire = await startAwsWire({ ec2: { instances: [{ id: ID, type: 'm5.large', delays: { reboot: '0s' } }] }, latency_ms: 0 });
    const empty = mkdtempSync(join(tmpdir(), 'oncall-aws-'));
    const env = wire.env({ AWS_PROFILE: '', AWS_CONFIG_FILE: join(empty, 'c'), AWS_SHARED_CREDENTIALS_FILE: join(empty, 'k'), AWS_ENDPOINT_URL: '' });
    const r = await play(imp, { instance_id: ID }, { env, args: ['--answer', `reboot-it=${ID}`] });
    expect(r.code, r.stderr).toBe(0);
    expect(wire.world.callsOf('ec2', 'RebootInstances')).toHaveLength(1);
    expect(finished(r.evs, 'describe-the-instance')[0]!.result.Reservations[0].Instances[0].InstanceId).toBe(ID);
  });

  it('07 kubectl: exact one-liners become Kubernetes steps, the rest argument vectors exactly as written (played on the simulated API and a kubectl that records its argv)', async () => {
    const imp = await importFixture('07-kubectl-crashloop.md');
    expect(imp.doc.steps.map((s) => (s.kind === 'shell' ? `shell:${s.with?.effect}` : s.kind))).toEqual(['shell:read', 'shell:read', 'shell:read', 'k8s.rolloutRestart', 'shell:read', 'k8s.deletePod']);
    expect(imp.doc.steps[5]).toMatchObject({ with: { namespace: '${{ inputs.namespace }}', pod: '${{ inputs.pod_name }}' }, confirm: { message: expect.stringContaining('kubectl delete pod') } });
    const bin = tempDir('oncall-kubectl-');
    const log = join(bin, 'argv.jsonl');
    writeFileSync(join(bin, 'kubectl'), `#!/usr/bin/env node\nrequire('fs').appendFileSync(${JSON.stringify(log)}, JSON.stringify(process.argv.slice(2)) + '\\n');\nconsole.log('ok');\n`);
    chmodSync(join(bin, 'kubectl'), 0o755);
    const pods = [{ name: 'checkout-7d9f-x2', namespace: 'shop', labels: { app: 'checkout' }, phase: 'Running' }];
    const deployment = { name: 'checkout', namespace: 'shop', labels: { app: 'checkout' }, replicas: 2, ready_replicas: 2, restarted_at: undefined as string | undefined };
    const api = await startKubeApi({
      up: () => true,
      version: () => 'v1.30.4',
      readyz: () => [],
      leases: () => [],
      nodes: () => [],
      pods: () => pods,
      deployments: () => [deployment],
      deletePod: (ns, name) => pods.splice(pods.findIndex((p) => p.namespace === ns && p.name === name), 1).length === 1,
      restartDeployment: (_ns, _name, at) => Boolean((deployment.restarted_at = at)),
    });
    try {
      writeFileSync(join(bin, 'kubeconfig'), kubeconfigYaml(api.url, 'shop-prod'));
      const r = await play(imp, { namespace: 'shop', app: 'checkout', pod_name: 'checkout-7d9f-x2' }, { env: { PATH: `${bin}:${process.env.PATH}` }, args: ['--kubeconfig', join(bin, 'kubeconfig'), '--answer', 'delete-the-pod=checkout-7d9f-x2'] });
      expect(r.code, r.stderr).toBe(0);
      const calls = readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
      expect(calls).toEqual([
        ['get', 'pods', '-n', 'shop', '-l', 'app=checkout', '-o', 'wide'],
        ['logs', '-n', 'shop', 'checkout-7d9f-x2', '--previous', '--tail=200'],
        ['get', 'events', '-n', 'shop', '--field-selector', 'involvedObject.name=checkout-7d9f-x2'],
        ['rollout', 'status', 'deployment/checkout', '-n', 'shop', '--timeout=120s'],
      ]);
      expect(pods).toEqual([]);
      expect(deployment.restarted_at).toEqual(expect.any(String));
    } finally {
      await api.close();
    }
  });

  it('08 scripts: a block a shell must read is a marked bash -c, its placeholders passed as environment variables', async () => {
    const imp = await importFixture('08-script-heavy.md');
    expect(imp.stderr.match(/review: .*runs through bash -c/g)).toHaveLength(3);
    expect(imp.doc.steps[0]!.with).toMatchObject({ argv: ['bash', '-c', 'grep -c set-timeout "$STATE_FILE.audit" || true'], env: { STATE_FILE: '${{ inputs.state_file }}' }, effect: 'read' });
    for (const s of imp.doc.steps) expect(s.guidance).toContain('Imported for review');
    const note = join(tempDir(), 'note.txt');
    const r = await play(imp, { state_file: demoState, note_file: note, operator: 'alice' });
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(note, 'utf8')).toBe('proxy timeout reviewed by alice\n');
  });

  it('09 a token-like variable is a secret input: never in the journal or the output', async () => {
    const imp = await importFixture('09-secret-token.md');
    expect(imp.doc.inputs.api_token).toMatchObject({ secret: true });
    expect(imp.doc.inputs.api_token!.default).toBeUndefined();
    const TOKEN = 'tok-very-secret-4f1b2c';
    const r = await play(imp, { base_url: demoUrl }, { env: { DEMO_TOKEN: TOKEN }, args: ['--input-env', 'api_token=DEMO_TOKEN'] });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout + r.stderr).not.toContain(TOKEN);
  });

  it('10 a checklist without commands: one manual step per section', async () => {
    const imp = await importFixture('10-checklist-only.md');
    expect(imp.doc.steps.map((s) => [s.id, s.kind])).toEqual([
      ['declare-the-incident', 'manual'],
      ['assign-roles', 'manual'],
      ['first-status-update', 'manual'],
    ]);
    const r = await play(imp);
    expect(r.code, r.stderr).toBe(0);
  });

  it('11 mixed fences: tilde fences and an unlabelled command block run; python and text are kept as guidance and reported', async () => {
    const imp = await importFixture('11-mixed-fences.md');
    expect(imp.doc.steps.map((s) => s.with?.argv?.[0] ?? s.kind)).toEqual(['node', 'date', 'manual', 'manual']);
    expect(imp.stderr).toContain('a python block is not a shell block');
    const r = await play(imp);
    expect(r.code, r.stderr).toBe(0);
  });
});
