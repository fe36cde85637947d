// EC2 kinds with the real EC2Client mocked by aws-sdk-client-mock: what the operator reads, the
// state checked before a change, the dry run, waiters on the step's clock, errors in plain words.
import {
  DescribeInstanceStatusCommand,
  DescribeInstanceTypesCommand,
  DescribeInstancesCommand,
  DescribeVolumeStatusCommand,
  EC2Client,
  EnableVolumeIOCommand,
  GetConsoleOutputCommand,
  RebootInstancesCommand,
  StartInstancesCommand,
  StopInstancesCommand,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import {
  describeInstanceStatus,
  describeInstanceTypes,
  describeInstances,
  describeVolumeStatus,
  enableVolumeIO,
  getConsoleOutput,
  rebootInstances,
  startInstances,
  stopInstances,
  summarizeConsole,
  waitUntilInstanceRunning,
  waitUntilInstanceStatusOk,
  waitUntilInstanceStopped,
} from '../../../src/executors/aws/ec2.js';
import { awsError, failure, harness, run } from './helpers.js';

const ec2 = mockClient(EC2Client);
afterEach(() => ec2.reset());

const ID = 'i-0abc1234def567890';
const dryRunOk = () => awsError('DryRunOperation', 'Request would have succeeded, but DryRun flag is set.', { httpStatusCode: 412 });

function instance(over: Record<string, unknown> = {}) {
  return {
    InstanceId: ID,
    InstanceType: 'm5.large',
    State: { Code: 16, Name: 'running' },
    RootDeviceType: 'ebs',
    PublicIpAddress: '54.10.20.30',
    PrivateIpAddress: '10.0.1.5',
    Placement: { AvailabilityZone: 'us-east-1a', Tenancy: 'default' },
    NetworkInterfaces: [{ Association: { PublicIp: '54.10.20.30', IpOwnerId: 'amazon' } }],
    BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { VolumeId: 'vol-0a1b2c3d4e5f60001' } }],
    MaintenanceOptions: { AutoRecovery: 'default' },
    Tags: [{ Key: 'Name', Value: 'checkout-api-3' }],
    ...over,
  };
}
const reservations = (...list: Record<string, unknown>[]) => ({ Reservations: [{ Instances: list }] });

describe('aws.ec2.describeInstanceStatus', () => {
  it('reduces the three checks, says which failed first, and separates active from completed events', async () => {
    ec2.on(DescribeInstanceStatusCommand).resolves({
      InstanceStatuses: [
        {
          InstanceId: ID,
          AvailabilityZone: 'us-east-1a',
          InstanceState: { Code: 16, Name: 'running' },
          SystemStatus: { Status: 'impaired', Details: [{ Name: 'reachability', Status: 'failed', ImpairedSince: new Date('2026-03-02T02:47:00Z') }] },
          InstanceStatus: { Status: 'impaired', Details: [{ Name: 'reachability', Status: 'failed', ImpairedSince: new Date('2026-03-02T02:48:00Z') }] },
          AttachedEbsStatus: { Status: 'ok', Details: [{ Name: 'reachability', Status: 'passed' }] },
          Events: [
            { InstanceEventId: 'instance-event-1', Code: 'system-reboot', Description: 'scheduled reboot', NotBefore: new Date('2026-03-04T00:00:00Z'), NotBeforeDeadline: new Date('2026-03-10T00:00:00Z') },
            { InstanceEventId: 'instance-event-0', Code: 'instance-reboot', Description: '[Completed] old one', NotBefore: new Date('2026-02-01T00:00:00Z') },
          ],
        },
      ],
    });
    const { result, summary } = await run(describeInstanceStatus, { instance_id: ID });
    expect(result).toMatchObject({
      state: 'running',
      failing: ['system', 'instance'],
      first_failed: 'system',
      impaired_since: '2026-03-02T02:47:00.000Z',
      all_ok: false,
      system: { status: 'impaired', reachability: 'failed', impaired_since: '2026-03-02T02:47:00.000Z' },
      attached_ebs: { status: 'ok' },
    });
    expect(result.active_events).toEqual([expect.objectContaining({ code: 'system-reboot', reschedulable: true, not_before_deadline: '2026-03-10T00:00:00.000Z' })]);
    expect(summary).toBe(`${ID} running: system impaired, instance impaired, attached EBS ok; 1 scheduled event (system-reboot)`);
    expect(ec2.commandCalls(DescribeInstanceStatusCommand)[0]!.args[0].input).toEqual({ InstanceIds: [ID], IncludeAllInstances: true });
  });

  it('an unknown instance names the id', async () => {
    ec2.on(DescribeInstanceStatusCommand).rejects(awsError('InvalidInstanceID.NotFound', `The instance ID '${ID}' does not exist`));
    const err = await failure(run(describeInstanceStatus, { instance_id: ID }));
    expect(err.message).toBe(`EC2 has no instance ${ID} in this account in us-east-1 (InvalidInstanceID.NotFound). Check the id, the --region and the --profile. (request id req-test)`);
  });

  it('rejects an id that is not one before calling AWS', () => {
    expect(describeInstanceStatus.params.safeParse({ instance_id: 'i-123' }).success).toBe(false);
    expect(describeInstanceStatus.params.safeParse({ instance_id: 'web-1' }).success).toBe(false);
  });
});

describe('aws.ec2.describeInstances / describeInstanceTypes', () => {
  it('tells an auto-assigned public IP (changes on stop) from an Elastic IP, and finds the Auto Scaling group', async () => {
    ec2.on(DescribeInstancesCommand).resolves(reservations(instance({ Tags: [{ Key: 'aws:autoscaling:groupName', Value: 'web-asg' }] })));
    const a = await run(describeInstances, { instance_id: ID });
    expect(a.result).toMatchObject({ public_ip: '54.10.20.30', elastic_ip: false, public_ip_changes_on_stop: true, ebs_backed: true, in_auto_scaling_group: true, auto_scaling_group: 'web-asg', volume_ids: ['vol-0a1b2c3d4e5f60001'], region: 'us-east-1' });
    expect(a.summary).toContain('auto-assigned: changes on stop/start');
    ec2.on(DescribeInstancesCommand).resolves(reservations(instance({ NetworkInterfaces: [{ Association: { PublicIp: '54.10.20.30', IpOwnerId: '123456789012', AllocationId: 'eipalloc-1' } }] })));
    const b = await run(describeInstances, { instance_id: ID });
    expect(b.result).toMatchObject({ elastic_ip: true, public_ip_changes_on_stop: false, in_auto_scaling_group: false });
  });

  it('reads instance store and recovery support from the type', async () => {
    ec2.on(DescribeInstanceTypesCommand).resolves({
      InstanceTypes: [{ InstanceType: 'c5d.xlarge', InstanceStorageSupported: true, InstanceStorageInfo: { TotalSizeInGB: 100 }, AutoRecoverySupported: false, Hypervisor: 'nitro', BareMetal: false }],
    });
    const { result, summary } = await run(describeInstanceTypes, { instance_type: 'c5d.xlarge' });
    expect(result).toMatchObject({ instance_storage_supported: true, instance_storage_gb: 100, auto_recovery_supported: false, nitro: true });
    expect(summary).toBe('c5d.xlarge: no automatic recovery, has 100 GB instance store (lost on stop)');
  });
});

describe('aws.ec2.getConsoleOutput', () => {
  const secret = 'DB_PASSWORD=hunter2-from-user-data';
  const text = [`cloud-init: ${secret}`, ...Array.from({ length: 300 }, (_, i) => `[ ${i}.000] line ${i}`), '[812345.1] Out of memory: Killed process 2211 (search-indexer)', '[812391.4] done'].join('\n');

  it('keeps only a bounded tail, names the known failure strings, and says why', async () => {
    ec2.on(GetConsoleOutputCommand).resolves({ InstanceId: ID, Timestamp: new Date('2026-03-02T03:11:00Z'), Output: Buffer.from(text).toString('base64') });
    const { result, raw, h, summary } = await run(getConsoleOutput, { instance_id: ID, tail_lines: 20 });
    expect(result).toMatchObject({ available: true, total_lines: 303, shown_lines: 20, known: ['out-of-memory'] });
    expect(summary).toBe('console shows out-of-memory');
    expect(h.lines[0]).toMatch(/console output can contain values from user data; oncall keeps only the last 20 lines/);
    expect(h.lines.filter((l) => l.startsWith('[ '))).toHaveLength(18);
    // The user-data line is far above the tail: it is nowhere in the result, the log or the raw copy.
    expect(JSON.stringify({ result, raw, lines: h.lines })).not.toContain('hunter2');
    expect(JSON.stringify(raw)).not.toContain(Buffer.from(text).toString('base64').slice(0, 40));
    expect(result.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(ec2.commandCalls(GetConsoleOutputCommand)[0]!.args[0].input).toEqual({ InstanceId: ID, Latest: true });
  });

  it('no output yet reads as such', async () => {
    ec2.on(GetConsoleOutputCommand).resolves({ InstanceId: ID });
    const { result, summary } = await run(getConsoleOutput, { instance_id: ID });
    expect(result).toMatchObject({ available: false, total_lines: 0, known: [] });
    expect(summary).toMatch(/no console output/);
  });

  it('cuts very long lines', () => {
    const r = summarizeConsole(`${'x'.repeat(1000)}\nKernel panic - not syncing`, 5);
    expect(r.tail_lines_list[0]!.length).toBe(300);
    expect(r.known).toEqual(['kernel-panic']);
  });
});

describe('aws.ec2.describeVolumeStatus', () => {
  it('walks every page and finds the volume waiting for Enable IO', async () => {
    ec2
      .on(DescribeVolumeStatusCommand)
      .resolvesOnce({ VolumeStatuses: [{ VolumeId: 'vol-0a1b2c3d4e5f60001', VolumeStatus: { Status: 'ok', Details: [{ Name: 'io-enabled', Status: 'passed' }] } }], NextToken: 'p2' })
      .resolvesOnce({
        VolumeStatuses: [
          {
            VolumeId: 'vol-0a1b2c3d4e5f60005',
            VolumeStatus: { Status: 'impaired', Details: [{ Name: 'io-enabled', Status: 'failed' }] },
            Events: [{ EventType: 'potential-data-inconsistency', Description: 'THIS IS AN AUTOMATED EVENT. Awaiting Action: Enable IO' }],
            Actions: [{ Code: 'enable-volume-io' }],
          },
        ],
      });
    const { result, summary } = await run(describeVolumeStatus, { volume_ids: ['vol-0a1b2c3d4e5f60001', 'vol-0a1b2c3d4e5f60005'] });
    expect(result).toMatchObject({ impaired_ids: ['vol-0a1b2c3d4e5f60005'], awaiting_enable_io_ids: ['vol-0a1b2c3d4e5f60005'], all_ok: false });
    expect(summary).toBe('vol-0a1b2c3d4e5f60005 impaired (1 awaiting Enable IO)');
    expect(ec2.commandCalls(DescribeVolumeStatusCommand)).toHaveLength(2);
    expect(ec2.commandCalls(DescribeVolumeStatusCommand)[1]!.args[0].input).toMatchObject({ NextToken: 'p2' });
  });
});

describe('changes: state first, dry run, pre-state kept', () => {
  it('stop: dry run, then the call; the result keeps the pre-state for the rollback note', async () => {
    ec2.on(DescribeInstancesCommand).resolves(reservations(instance()));
    ec2.on(StopInstancesCommand, { DryRun: true }).rejects(dryRunOk());
    ec2.on(StopInstancesCommand, { InstanceIds: [ID] }).resolves({
      StoppingInstances: [{ InstanceId: ID, PreviousState: { Code: 16, Name: 'running' }, CurrentState: { Code: 64, Name: 'stopping' } }],
      $metadata: { requestId: 'req-stop-1' },
    });
    const { result, summary, h } = await run(stopInstances, { instance_id: ID });
    expect(result).toMatchObject({ called: true, previous_state: 'running', current_state: 'stopping', request_id: 'req-stop-1', pre_state: { public_ip: '54.10.20.30', elastic_ip: false } });
    expect(summary).toBe(`stop of ${ID} requested: running → stopping`);
    expect(h.lines.join('\n')).toContain('54.10.20.30 is released');
    const calls = ec2.commandCalls(StopInstancesCommand).map((c) => c.args[0].input);
    expect(calls).toEqual([{ InstanceIds: [ID], DryRun: true }, { InstanceIds: [ID] }]);
    expect(stopInstances.destructive!({ instance_id: ID, force: false })).toBe(true);
    expect(stopInstances.describe({ instance_id: ID, force: true })).toMatchObject({ api: 'ec2:StopInstances', resources: [ID], summary: expect.stringContaining('Force=true') });
  });

  it('stop is idempotent: an instance already stopped is not asked again', async () => {
    ec2.on(DescribeInstancesCommand).resolves(reservations(instance({ State: { Code: 80, Name: 'stopped' } })));
    const { result } = await run(stopInstances, { instance_id: ID });
    expect(result).toMatchObject({ called: false, current_state: 'stopped' });
    expect(ec2.commandCalls(StopInstancesCommand)).toHaveLength(0);
  });

  it('stop refuses an instance-store-backed instance in plain words, before calling AWS', async () => {
    ec2.on(DescribeInstancesCommand).resolves(reservations(instance({ RootDeviceType: 'instance-store' })));
    const err = await failure(run(stopInstances, { instance_id: ID }));
    expect(err.message).toMatch(/instance-store-backed: it cannot be stopped/);
    expect(ec2.commandCalls(StopInstancesCommand)).toHaveLength(0);
  });

  it('access denied on the dry run names the missing action and who lacks it', async () => {
    ec2.on(DescribeInstancesCommand).resolves(reservations(instance()));
    ec2
      .on(StopInstancesCommand)
      .rejects(
        awsError(
          'UnauthorizedOperation',
          `You are not authorized to perform this operation. User: arn:aws:sts::123456789012:assumed-role/ReadOnly/alice is not authorized to perform: ec2:StopInstances on resource: arn:aws:ec2:us-east-1:123456789012:instance/${ID} because no identity-based policy allows the ec2:StopInstances action. Encoded authorization failure message: AbCd`,
          { httpStatusCode: 403 },
        ),
      );
    const err = await failure(run(stopInstances, { instance_id: ID, force: true }));
    expect(err.message).toContain('Access denied: arn:aws:sts::123456789012:assumed-role/ReadOnly/alice may not call ec2:StopInstances');
    expect(ec2.commandCalls(StopInstancesCommand)).toHaveLength(1);
    expect(ec2.commandCalls(StopInstancesCommand)[0]!.args[0].input).toEqual({ InstanceIds: [ID], Force: true, DryRun: true });
  });

  it('force stop of an instance still stopping is sent with Force', async () => {
    ec2.on(DescribeInstancesCommand).resolves(reservations(instance({ State: { Code: 64, Name: 'stopping' } })));
    ec2.on(StopInstancesCommand, { DryRun: true }).rejects(dryRunOk());
    ec2.on(StopInstancesCommand, { Force: true, InstanceIds: [ID] }).resolves({ StoppingInstances: [{ InstanceId: ID, CurrentState: { Name: 'stopping' } }] });
    const { result } = await run(stopInstances, { instance_id: ID, force: true });
    expect(result).toMatchObject({ called: true, force: true, previous_state: 'stopping' });
  });

  it('start: only the stopped ones; running ones are left alone; a stopping one is refused plainly', async () => {
    const other = 'i-0abc1234def567891';
    ec2.on(DescribeInstancesCommand).resolves(reservations(instance({ State: { Name: 'stopped' }, PublicIpAddress: undefined, NetworkInterfaces: [] }), instance({ InstanceId: other })));
    ec2.on(StartInstancesCommand, { DryRun: true }).rejects(dryRunOk());
    ec2.on(StartInstancesCommand, { InstanceIds: [ID] }).resolves({ StartingInstances: [{ InstanceId: ID, PreviousState: { Name: 'stopped' }, CurrentState: { Name: 'pending' } }] });
    const { result, summary } = await run(startInstances, { instance_ids: [ID, other] });
    expect(result).toMatchObject({ called: true, started_ids: [ID], skipped: [{ instance_id: other, state: 'running', why: 'already running' }] });
    expect(summary).toBe(`start requested for ${ID}; 1 already running`);
    ec2.reset();
    ec2.on(DescribeInstancesCommand).resolves(reservations(instance({ State: { Name: 'stopping' } })));
    const err = await failure(run(startInstances, { instance_ids: [ID] }));
    expect(err.message).toBe(`${ID} is stopping: an instance can be started only once stopped (wait for the stop to finish)`);
  });

  it('reboot needs a running instance', async () => {
    ec2.on(DescribeInstancesCommand).resolves(reservations(instance({ State: { Name: 'stopped' } })));
    const err = await failure(run(rebootInstances, { instance_id: ID }));
    expect(err.message).toMatch(/is stopped, not running/);
    expect(ec2.commandCalls(RebootInstancesCommand)).toHaveLength(0);
  });

  it('Enable IO checks the volume first and is a no-op when I/O is on', async () => {
    ec2.on(DescribeVolumeStatusCommand).resolves({ VolumeStatuses: [{ VolumeId: 'vol-0a1b2c3d4e5f60005', VolumeStatus: { Status: 'ok', Details: [{ Name: 'io-enabled', Status: 'passed' }] } }] });
    const { result } = await run(enableVolumeIO, { volume_id: 'vol-0a1b2c3d4e5f60005' });
    expect(result).toMatchObject({ called: false });
    expect(ec2.commandCalls(EnableVolumeIOCommand)).toHaveLength(0);
  });
});

describe('waiters poll on the step clock with a countdown', () => {
  it('stopped: polls every interval until stopped, logging the time left', async () => {
    let n = 0;
    ec2.on(DescribeInstancesCommand).callsFake(() => reservations(instance({ State: { Name: ++n < 4 ? 'stopping' : 'stopped' } })));
    const h = harness();
    const { result, summary } = await run(waitUntilInstanceStopped, { instance_id: ID, max_wait: '10m' }, h);
    expect(result).toMatchObject({ reached: true, timed_out: false, polls: 4, waited_ms: 45_000, current_state: 'stopped' });
    expect(summary).toBe(`${ID} is stopped after 45s`);
    expect(h.clock.slept).toEqual([15_000, 15_000, 15_000]);
    expect(h.lines[0]).toBe(`${ID}: stopping — waiting until it is stopped, 10m left of 10m (check 1, next in 15s)`);
    expect(h.lines[2]).toBe(`${ID}: stopping — waiting until it is stopped, 9m30s left of 10m (check 3, next in 15s)`);
  });

  it('a poll that could not be made (throttled after the SDK retries) says nothing of the instance: the wait goes on (#16)', async () => {
    let n = 0;
    ec2.on(DescribeInstancesCommand).callsFake(() => {
      n += 1;
      if (n === 2) return Promise.reject(awsError('RequestLimitExceeded', 'Request limit exceeded.'));
      return Promise.resolve(reservations(instance({ State: { Name: n < 3 ? 'stopping' : 'stopped' } })));
    });
    const h = harness();
    const { result } = await run(waitUntilInstanceStopped, { instance_id: ID, max_wait: '10m' }, h);
    expect(result).toMatchObject({ reached: true, current_state: 'stopped' });
    expect(h.lines.some((l) => /check 2 could not be made \(AWS throttled/.test(l))).toBe(true);
    // An error that is a fact (the instance does not exist) still ends the wait at once.
    ec2.reset();
    ec2.on(DescribeInstancesCommand).rejects(awsError('InvalidInstanceID.NotFound', `The instance ID '${ID}' does not exist`));
    await failure(run(waitUntilInstanceStopped, { instance_id: ID, max_wait: '10m' }, harness()));
  });

  it('a stop that hangs is reported (on_timeout: report) so the runbook can offer a force stop', async () => {
    ec2.on(DescribeInstancesCommand).resolves(reservations(instance({ State: { Name: 'stopping' } })));
    const h = harness();
    const { result } = await run(waitUntilInstanceStopped, { instance_id: ID, max_wait: '1m', interval: '20s', on_timeout: 'report' }, h);
    expect(result).toMatchObject({ reached: false, timed_out: true, state: 'stopping', waited_ms: 60_000 });
    // The last sleep is cut to the time left; no poll happens after max_wait.
    expect(h.clock.slept).toEqual([20_000, 20_000, 20_000]);
  });

  it('fails by default at max_wait, and at once on a state that cannot lead to the goal', async () => {
    ec2.on(DescribeInstancesCommand).resolves(reservations(instance({ State: { Name: 'stopping' } })));
    const timeout = await failure(run(waitUntilInstanceStopped, { instance_id: ID, max_wait: '30s' }));
    expect(timeout.message).toBe(`${ID}: still stopping after 30s; it never is stopped within max_wait 30s (3 checks)`);
    ec2.reset();
    ec2.on(DescribeInstancesCommand).resolves(reservations(instance({ State: { Name: 'stopping' } })));
    const bad = await failure(run(waitUntilInstanceRunning, { instance_id: ID }));
    expect(bad.message).toBe(`${ID}: it is stopping, so it will not reach running (after 0s, 1 check)`);
  });

  it('status ok waits for the system and attached-EBS checks too, and retries a NotFound', async () => {
    const replies = [
      () => Promise.reject(awsError('InvalidInstanceID.NotFound', `The instance ID '${ID}' does not exist`)),
      () => Promise.resolve({ InstanceStatuses: [{ InstanceId: ID, InstanceState: { Name: 'running' }, SystemStatus: { Status: 'initializing' }, InstanceStatus: { Status: 'ok' }, AttachedEbsStatus: { Status: 'ok' } }] }),
      () => Promise.resolve({ InstanceStatuses: [{ InstanceId: ID, InstanceState: { Name: 'running' }, SystemStatus: { Status: 'ok' }, InstanceStatus: { Status: 'ok' }, AttachedEbsStatus: { Status: 'ok' } }] }),
    ];
    let i = 0;
    ec2.on(DescribeInstanceStatusCommand).callsFake(() => replies[i++]!());
    const { result } = await run(waitUntilInstanceStatusOk, { instance_id: ID });
    expect(result).toMatchObject({ reached: true, polls: 3, system: 'ok', instance: 'ok', attached_ebs: 'ok' });
  });
});
