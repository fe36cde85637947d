// aws.call on the wire, and the safety it gets from the engine, as a table over several operations:
// the built binary, headless, real SDK clients reaching the local AWS endpoint (which answers any
// operation its world simulates in the service's own protocol). For each write: --read-only refuses
// it, an account outside allowed_accounts blocks it, and a connection cut after AWS acted leaves it
// in doubt (a person decides, or the step's verify read) — never sent twice.
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

const ID = 'i-0abc1234def567890';
const world = (): AwsSpecInput => ({
  ec2: { instances: [{ id: ID, type: 'm5.large', delays: { stop: '0s', force_stop: '0s', start: '0s', reboot: '0s', status_checks: '0s' } }] },
  latency_ms: 0,
});

type Ev = ReturnType<typeof events>[number];
const of = (evs: Ev[], type: string, step?: string) => evs.filter((e) => e.type === type && (step === undefined || e.payload.step === step));

/** A runbook: read the instance (capturing its state with CEL), then the write under test. */
function runbook(write: { service: string; operation: string; input: Record<string, unknown> }, extra = '', verify = ''): string {
  const file = join(tempDir(), 'rb.yaml');
  writeFileSync(
    file,
    `id: aws-call-${write.operation.toLowerCase()}
title: aws.call ${write.operation}
version: 1.0.0
summary: One read and one write through aws.call.
${extra}steps:
  - id: read
    title: Read the instance
    kind: aws.call
    with: { service: ec2, operation: DescribeInstances, input: { InstanceIds: [${ID}] } }
    capture:
      state: \${{ result.Reservations[0].Instances[0].State.Name }}
  - id: change
    title: ${write.operation}
    kind: aws.call
    with: ${JSON.stringify(write)}
${verify}`,
  );
  return file;
}

const WRITES = [
  { service: 'ec2', operation: 'StopInstances', input: { InstanceIds: [ID] }, destructive: true },
  { service: 'ec2', operation: 'RebootInstances', input: { InstanceIds: [ID] }, destructive: true },
  {
    service: 'cloudwatch',
    operation: 'PutMetricAlarm',
    input: { AlarmName: `recover-${ID}`, Namespace: 'AWS/EC2', MetricName: 'StatusCheckFailed_System', Dimensions: [{ Name: 'InstanceId', Value: ID }], Statistic: 'Maximum', Period: 60, EvaluationPeriods: 2, Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' },
    destructive: false,
  },
];

describe('aws.call on the wire', () => {
  for (const w of WRITES) {
    const { destructive, ...write } = w;
    const answers = destructive ? ['--answer', `change=${ID}`] : [];
    const calls = () => wire!.world.callsOf(write.service as 'ec2', write.operation);

    it(`${write.operation}: runs with the read captured by CEL and the request id journaled`, async () => {
      wire = await startAwsWire(world());
      const res = await oncall(['run', runbook(write), '--yes', ...answers, '--json'], { stateDir: tempDir(), env: env(wire) });
      expect(res.code, res.stderr).toBe(0);
      const evs = events(res.stdout);
      expect(of(evs, 'step.finished', 'read')[0]!.payload.captures).toEqual({ state: 'running' });
      const started = of(evs, 'step.started', 'change')[0]!.payload;
      expect(started.intent).toMatchObject({ api: expect.stringContaining(write.operation), params: { service: write.service, operation: write.operation, input: write.input } });
      expect(of(evs, 'step.finished', 'change')[0]!.payload.raw.calls[0]).toMatchObject({ request_id: expect.any(String), http_status: 200 });
      expect(calls()).toHaveLength(1);
      expect(wire.requests.map((r) => `${r.service}:${r.action}`)).toContain(`${write.service}:${write.operation}`);
    });

    it(`${write.operation}: --read-only refuses it and nothing reaches AWS`, async () => {
      wire = await startAwsWire(world());
      const res = await oncall(['run', runbook(write), '--read-only', '--json'], { stateDir: tempDir(), env: env(wire) });
      expect(res.code, res.stderr).toBe(0);
      const evs = events(res.stdout);
      expect(of(evs, 'step.skipped', 'change')[0]!.payload.reason).toMatch(/read-only/);
      expect(calls()).toEqual([]);
    });

    it(`${write.operation}: an account outside allowed_accounts blocks it and nothing reaches AWS`, async () => {
      wire = await startAwsWire(world());
      const res = await oncall(['run', runbook(write, "allowed_accounts: ['111122223333']\n"), '--yes', ...answers, '--json'], { stateDir: tempDir(), env: env(wire) });
      expect(res.code).not.toBe(0);
      const evs = events(res.stdout);
      expect(evs.at(-1)).toMatchObject({ type: 'run.finished', payload: { outcome: 'blocked' } });
      expect(calls()).toEqual([]);
    });

    it(`${write.operation}: cut off after AWS acted, it is in doubt and a person decides (exit 4); sent once`, async () => {
      wire = await startAwsWire(world());
      wire.faults.push({ action: write.operation, mode: 'reset' });
      const res = await oncall(['run', runbook(write), '--yes', ...answers, '--json'], { stateDir: tempDir(), env: env(wire) });
      expect(res.code, res.stderr).toBe(4);
      expect(res.stderr).toContain('--answer change.outcome=done');
      const evs = events(res.stdout);
      expect(of(evs, 'step.finished', 'change').map((e) => e.payload)).toEqual([expect.objectContaining({ status: 'failed', in_doubt: true })]);
      expect(of(evs, 'step.in_doubt', 'change').map((e) => e.payload.resolution)).toEqual(['ask']);
      expect(wire.requests.filter((r) => r.action === write.operation)).toHaveLength(1);
      expect(calls()).toHaveLength(1);
    });
  }

  it('StopInstances cut off, with a verify read declared: settled by the read, the run goes on', async () => {
    wire = await startAwsWire(world());
    wire.faults.push({ action: 'StopInstances', mode: 'reset' });
    const verify = `    verify:
      kind: aws.call
      with: { service: ec2, operation: DescribeInstances, input: { InstanceIds: [${ID}] } }
      done: \${{ result.Reservations[0].Instances[0].State.Name in ['stopping', 'stopped'] }}
`;
    const res = await oncall(['run', runbook(WRITES[0]!, '', verify).replace(/"destructive":true,?/, ''), '--yes', '--answer', `change=${ID}`, '--json'], { stateDir: tempDir(), env: env(wire) });
    expect(res.code, res.stderr).toBe(0);
    const evs = events(res.stdout);
    expect(of(evs, 'step.in_doubt', 'change').map((e) => e.payload.resolution)).toEqual(['verify']);
    expect(of(evs, 'step.finished', 'change').at(-1)!.payload).toMatchObject({ status: 'ok', reconciled: 'verified' });
    expect(wire.world.callsOf('ec2', 'StopInstances')).toHaveLength(1);
  });
});
