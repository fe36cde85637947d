// What a failed AWS call proves, with the real SDK against a local endpoint that breaks the
// connection the way networks do. A change whose request may have reached AWS is never sent again
// by the SDK's retries and reads as `applied: 'unknown'`; one AWS refused, or that never left,
// reads as `applied: 'no'`. Reads keep the SDK's retries.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { awsCall } from '../../../src/providers/aws/call.js';
import { AwsStepError } from '../../../src/providers/aws/errors.js';
import { createAwsProvider } from '../../../src/providers/aws/provider.js';
import { failureFacts } from '../../../src/core/failure.js';
import type { AwsSpecInput } from '../../../src/drill/aws/spec.js';
import { startAwsWire, type AwsWire } from '../../helpers/aws-wire.js';

const ID = 'i-0abc1234def567890';
const empty = mkdtempSync(join(tmpdir(), 'oncall-aws-faults-'));
let wire: AwsWire | undefined;

async function start(faults: AwsSpecInput['faults'] = []): Promise<AwsWire> {
  wire = await startAwsWire({
    ec2: { instances: [{ id: ID, type: 'm5.large', delays: { stop: '0s', start: '0s', reboot: '0s', status_checks: '0s' } }] },
    latency_ms: 0,
    faults,
  });
  const env = wire.env({ AWS_MAX_ATTEMPTS: '3', AWS_CONFIG_FILE: join(empty, 'config'), AWS_SHARED_CREDENTIALS_FILE: join(empty, 'credentials') });
  for (const name of ['AWS_PROFILE', 'AWS_DEFAULT_PROFILE', 'AWS_SESSION_TOKEN', 'AWS_DEFAULT_REGION', 'AWS_ENDPOINT_URL', 'AWS_ROLE_ARN', 'AWS_WEB_IDENTITY_TOKEN_FILE']) vi.stubEnv(name, undefined);
  for (const [k, v] of Object.entries(env)) vi.stubEnv(k, v);
  return wire;
}

afterEach(async () => {
  vi.unstubAllEnvs();
  await wire?.close();
  wire = undefined;
});

const stop = (aws = createAwsProvider({})) => awsCall(aws, 'ec2', (m) => new m.StopInstancesCommand({ InstanceIds: [ID] }), { ids: [ID] });
const calls = (w: AwsWire, action: string) => w.requests.filter((r) => r.action === action).length;

describe('a change whose request may have reached AWS', () => {
  it('a connection reset after the request: sent once, in doubt, and the instance did stop', async () => {
    const w = await start();
    w.faults.push({ action: 'StopInstances', mode: 'reset' });
    const err = await stop().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AwsStepError);
    expect(err).toMatchObject({ applied: 'unknown', transient: true });
    expect(failureFacts(err)).toEqual({ applied: 'unknown', transient: true });
    expect((err as Error).message).toMatch(/may have reached AWS/);
    // The SDK would have sent it three times; the world shows the one that got through.
    expect(calls(w, 'StopInstances')).toBe(1);
    expect(w.world.snapshot().ec2.instances[ID]!.state).toMatch(/stopp/);
  });

  it('a 500 after the world acted: sent once, in doubt', async () => {
    const w = await start();
    w.faults.push({ action: 'StopInstances', mode: 'server-error' });
    const err = await stop().catch((e: unknown) => e);
    expect(err).toMatchObject({ applied: 'unknown', transient: true, httpStatusCode: 500 });
    expect(calls(w, 'StopInstances')).toBe(1);
  });

  it('a reset and then an endpoint that refuses (the trial’s ECONNREFUSED): still in doubt, still sent once', async () => {
    const w = await start();
    w.faults.push({ action: 'StopInstances', mode: 'reset', down: true });
    const err = await stop().catch((e: unknown) => e);
    expect(err).toMatchObject({ applied: 'unknown' });
    expect(calls(w, 'StopInstances')).toBe(1);
  });
});

describe('what AWS certainly did not act on', () => {
  it('connection refused before anything was sent: a definite failure that says so, retried by the SDK as it is safe', async () => {
    const w = await start();
    await w.down();
    const err = await stop().catch((e: unknown) => e);
    expect(err).toMatchObject({ applied: 'no', transient: true, attempts: 3 });
    expect((err as Error).message).toMatch(/ECONNREFUSED: connection refused\)\. Nothing was sent: AWS never received the request\./);
  });

  it('throttling is a refusal: the SDK retries the change, and it happens once', async () => {
    const w = await start([{ service: 'ec2', command: 'StopInstances', error: 'RequestLimitExceeded', times: 1 }]);
    const out = await stop();
    expect(out.meta.attempts).toBe(2);
    expect(w.requests.filter((r) => r.action === 'StopInstances').map((r) => r.status)).toEqual([503, 200]);
  });

  it('an access denied write is applied: no, not transient', async () => {
    const w = await start([{ service: 'ec2', command: 'StopInstances', error: 'UnauthorizedOperation', times: 1 }]);
    const err = await stop().catch((e: unknown) => e);
    expect(err).toMatchObject({ applied: 'no', transient: false });
    expect(calls(w, 'StopInstances')).toBe(1);
  });
});

describe('reads keep the SDK’s retries', () => {
  it('a read cut off by a reset is sent again and answers', async () => {
    const w = await start();
    w.faults.push({ action: 'DescribeInstances', mode: 'reset' });
    const out = await awsCall(createAwsProvider({}), 'ec2', (m) => new m.DescribeInstancesCommand({ InstanceIds: [ID] }));
    expect(out.output.Reservations?.[0]?.Instances?.[0]?.InstanceId).toBe(ID);
    expect(calls(w, 'DescribeInstances')).toBe(2);
  });
});
