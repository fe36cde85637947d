// Never make an incident worse, with the network misbehaving: the shipped AWS runbooks, headless
// through the built binary, with the real SDK reaching a local endpoint that resets a connection
// after the world acted, answers 500 after it acted, refuses connections, throttles, and fails
// STS. For each case: what the journal says happened, what reached AWS (no change sent twice, no
// rollback nobody approved), and the exit code.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AwsSpecInput } from '../../src/drill/aws/spec.js';
import { childEnv, startAwsWire, type AwsWire } from '../helpers/aws-wire.js';
import { events, oncall, tempDir } from '../helpers/cli.js';

let wire: AwsWire | undefined;
afterEach(async () => {
  await wire?.close();
  wire = undefined;
});

const env = childEnv;

const pairs = (o: Record<string, string>, flag: string) => Object.entries(o).flatMap(([k, v]) => [flag, `${k}=${v}`]);
type Ev = ReturnType<typeof events>[number];
const of = (evs: Ev[], type: string, step?: string) => evs.filter((e) => e.type === type && (step === undefined || e.payload.step === step));

// ── EC2: stop/start on an impaired instance ─────────────────────────────────────────────────────

const ID = 'i-0abc1234def567890';
const ec2World = (extra: Partial<AwsSpecInput> = {}): AwsSpecInput => ({
  ec2: {
    instances: [
      {
        id: ID,
        type: 'm5.large',
        public_ip: '54.10.20.30',
        status: { system: 'impaired', instance: 'impaired' },
        impaired_since: '-25m',
        volumes: [{ id: 'vol-0a1b2c3d4e5f60001' }],
        delays: { stop: '0s', force_stop: '0s', start: '0s', reboot: '0s', status_checks: '0s' },
      },
    ],
  },
  latency_ms: 0,
  ...extra,
});
const EC2 = ['run', 'runbooks/ec2-status-check-recovery.yaml', '--input', `instance_id=${ID}`, '--yes', '--json'];
const EC2_ANSWERS = { choose: 'stop-start', 'ack-stop-start': 'proceed', stop: ID, 'offer-alarm': 'create', summary: 'done' };
/** StopInstances that were not dry runs: the ones that change the world. */
const realStops = (w: AwsWire) => w.world.callsOf('ec2', 'StopInstances').filter((c) => (c.input as { DryRun?: boolean }).DryRun !== true);
const realStarts = (w: AwsWire) => w.world.callsOf('ec2', 'StartInstances').filter((c) => (c.input as { DryRun?: boolean }).DryRun !== true);

describe('a write whose outcome is unknown is in doubt, settled by its verify read, never sent twice', () => {
  for (const mode of ['reset', 'server-error'] as const) {
    it(`StopInstances ${mode === 'reset' ? 'cut off by a connection reset' : 'answered with a 500'} after EC2 acted: verified done, the run goes on`, async () => {
      wire = await startAwsWire(ec2World());
      // The stop step sends a dry run first; the fault hits the real request.
      wire.faults.push({ action: 'StopInstances', mode, skip: 1 });
      const res = await oncall([...EC2, ...pairs(EC2_ANSWERS, '--answer')], { stateDir: tempDir(), env: env(wire) });
      expect(res.code, res.stderr).toBe(0);
      const evs = events(res.stdout);
      const stop = of(evs, 'step.finished', 'stop').map((e) => e.payload);
      expect(stop[0]).toMatchObject({ status: 'failed', in_doubt: true, inconclusive: true });
      expect(stop[0].error).toMatch(mode === 'reset' ? /may have reached AWS/ : /server-side error/);
      expect(of(evs, 'step.in_doubt', 'stop').map((e) => e.payload.resolution)).toEqual(['verify']);
      expect(stop[1]).toMatchObject({ status: 'ok', reconciled: 'verified' });
      // Once on the wire, once in the world: the SDK did not send it again, neither did oncall.
      expect(wire.requests.filter((r) => r.action === 'StopInstances').length).toBe(2); // the dry run and the one
      expect(realStops(wire)).toHaveLength(1);
      expect(of(evs, 'rollback.started')).toEqual([]);
      expect(wire.world.snapshot().ec2.instances[ID]).toMatchObject({ state: 'running', ok: true });
    });
  }

  it('a reset and then an endpoint that refuses (the trial: "stop failed: ECONNREFUSED" while it stopped): in doubt, a person decides, exit 4; resume settles it', async () => {
    wire = await startAwsWire(ec2World());
    wire.faults.push({ action: 'StopInstances', mode: 'reset', skip: 1, down: true });
    const stateDir = tempDir();
    const res = await oncall([...EC2, ...pairs(EC2_ANSWERS, '--answer')], { stateDir, env: env(wire) });
    expect(res.code, res.stderr).toBe(4);
    expect(res.stderr).toContain('--answer stop.outcome=done');
    expect(res.stderr).toMatch(/verify read failed too/);
    const evs = events(res.stdout);
    expect(of(evs, 'step.finished', 'stop').map((e) => e.payload)).toEqual([expect.objectContaining({ status: 'failed', in_doubt: true })]);
    expect(of(evs, 'step.in_doubt', 'stop').map((e) => e.payload.resolution)).toEqual(['verify', 'ask']);
    expect(realStops(wire)).toHaveLength(1);
    expect(realStarts(wire)).toHaveLength(0);
    expect(wire.world.snapshot().ec2.instances[ID]!.state).toBe('stopped');

    // The network is back: the resume's verify read settles it without anyone guessing.
    await wire.up();
    const id = evs[0]!.incident;
    const again = await oncall(['resume', id, '--yes', '--json', ...pairs(EC2_ANSWERS, '--answer')], { stateDir, env: env(wire) });
    expect(again.code, again.stderr).toBe(0);
    const more = events(again.stdout);
    expect(of(more, 'step.finished', 'stop').map((e) => e.payload)).toEqual([expect.objectContaining({ status: 'ok', reconciled: 'verified' })]);
    expect(realStops(wire)).toHaveLength(1);
    expect(wire.world.snapshot().ec2.instances[ID]).toMatchObject({ state: 'running', ok: true });
  });
});

describe('a failed read never triggers a rollback', () => {
  it('the start after a stop cannot read the instance (throttled through every SDK retry): the run fails, nothing is undone, even with --rollback', async () => {
    wire = await startAwsWire(ec2World());
    const w = wire;
    // Armed once the instance is stopped and a read after the stop has seen it so (wait-stopped):
    // the next read is the start step's own look at the instance.
    const afterStop = () => {
      const at = w.requests.findIndex((r, i) => r.action === 'StopInstances' && i > w.requests.findIndex((q) => q.action === 'StopInstances'));
      return at >= 0 && w.requests.slice(at).some((r) => r.action === 'DescribeInstances' && r.status === 200);
    };
    w.faults.push({ action: 'DescribeInstances', mode: 'throttle', times: 3, when: afterStop });
    const res = await oncall([...EC2, '--rollback', ...pairs(EC2_ANSWERS, '--answer')], { stateDir: tempDir(), env: env(w) });
    expect(res.code, res.stderr).toBe(1);
    expect(w.requests.filter((r) => r.fault === 'throttle')).toHaveLength(3);
    const evs = events(res.stdout);
    expect(of(evs, 'step.finished', 'start').at(-1)?.payload).toMatchObject({ status: 'failed', inconclusive: true });
    expect(of(evs, 'rollback.started')).toEqual([]);
    // The stop stays in place (no StartInstances from a rollback), and the summary says how to go on.
    expect(realStarts(w)).toHaveLength(0);
    expect(w.world.snapshot().ec2.instances[ID]!.state).toBe('stopped');
    expect(evs.at(-1)).toMatchObject({ type: 'run.finished', payload: { outcome: 'failed', failed_step: 'start' } });
    expect(res.stderr).toMatch(/throttled/);
  });
});

describe('who and where, before any write', () => {
  it('STS fails: no write runs, the run is blocked (exit 5) with how to fix it', async () => {
    wire = await startAwsWire(ec2World({ faults: [{ service: 'sts', command: 'GetCallerIdentity', error: 'ExpiredToken', status: 400, times: 10 }] }));
    const res = await oncall([...EC2, ...pairs(EC2_ANSWERS, '--answer')], { stateDir: tempDir(), env: env(wire) });
    expect(res.code, res.stderr).toBe(5);
    expect(res.stderr).toMatch(/expired/i);
    expect(wire.world.callsOf('ec2', 'StopInstances')).toEqual([]);
  });
});

describe('what certainly did not happen is a definite failure', () => {
  it('the endpoint refuses the stop (it went away after the dry run): failed, "nothing was sent", retried safely, nothing stopped', async () => {
    wire = await startAwsWire(ec2World());
    wire.faults.push({ action: 'StopInstances', mode: 'pass', down: true });
    const res = await oncall([...EC2, ...pairs(EC2_ANSWERS, '--answer')], { stateDir: tempDir(), env: env(wire) });
    expect(res.code, res.stderr).toBe(1);
    expect(res.stderr).toMatch(/ECONNREFUSED: connection refused\)\. Nothing was sent: AWS never received the request\./);
    const evs = events(res.stdout);
    const stop = of(evs, 'step.finished', 'stop').map((e) => e.payload);
    expect(stop).toHaveLength(1);
    expect(stop[0]).toMatchObject({ status: 'failed' });
    expect(stop[0].in_doubt).toBeUndefined();
    expect(of(evs, 'step.in_doubt')).toEqual([]);
    expect(realStops(wire)).toHaveLength(0);
    expect(wire.world.snapshot().ec2.instances[ID]!.state).toBe('running');
  });
});

// ── Secrets Manager: CreateSecret and the verify read ──────────────────────────────────────────

const ENV_FILE = ['DB_PASSWORD=fault-canary-db-1', 'API_KEY=fault-canary-api-2', ''].join('\n');
function secretsArgs(file: string): string[] {
  return [
    'run',
    'secrets-env-migration',
    ...pairs({ env_file: file, app: 'faulty', env: 'prod', owner: 'team-faults', platform: 'ecs' }, '--input'),
    '--yes',
    '--json',
    ...pairs({ findings: 'migrate-effective', classify: 'accept', 'approve-plan': 'approve', deploy: 'done', 'remove-env': file, rotate: 'done' }, '--answer'),
  ];
}
function envFile(): string {
  const dir = tempDir('oncall-faults-env-');
  const file = join(dir, '.env');
  writeFileSync(file, ENV_FILE);
  return file;
}

describe('Secrets Manager', () => {
  it('CreateSecret cut off after the secret was made: in doubt, verified by its read, never "1 FAILED", created once', async () => {
    wire = await startAwsWire({ latency_ms: 0 });
    wire.faults.push({ action: 'CreateSecret', mode: 'reset' });
    const file = envFile();
    const res = await oncall(secretsArgs(file), { stateDir: tempDir(), env: env(wire) });
    expect(res.code, res.stderr).toBe(0);
    const evs = events(res.stdout);
    const migrate = of(evs, 'step.finished', 'migrate').map((e) => e.payload);
    expect(migrate[0]).toMatchObject({ status: 'failed', in_doubt: true });
    expect(migrate[0].error).toMatch(/may or may not have been written/);
    expect(migrate[0].error).not.toMatch(/FAILED/);
    expect(migrate[1]).toMatchObject({ status: 'ok', reconciled: 'verified' });
    const creates = wire.world.callsOf('secretsmanager', 'CreateSecret');
    expect(new Set(creates.map((c) => (c.input as { Name: string }).Name)).size).toBe(creates.length);
    expect(wire.world.callsOf('secretsmanager', 'DeleteSecret')).toEqual([]);
  });

  it('the verify read throttled through every retry: the run fails, and no DeleteSecret runs, even with --rollback', async () => {
    wire = await startAwsWire({ latency_ms: 0, faults: [{ service: 'secretsmanager', command: 'GetSecretValue', error: 'ThrottlingException', status: 400, times: 3 }] });
    const file = envFile();
    const res = await oncall([...secretsArgs(file), '--rollback'], { stateDir: tempDir(), env: env(wire) });
    expect(res.code, res.stderr).toBe(1);
    const evs = events(res.stdout);
    expect(of(evs, 'step.finished', 'verify').at(-1)?.payload).toMatchObject({ status: 'failed', inconclusive: true });
    expect(of(evs, 'rollback.started')).toEqual([]);
    expect(wire.world.callsOf('secretsmanager', 'DeleteSecret')).toEqual([]);
    expect(res.stderr).toMatch(/throttled/);
  });
});
