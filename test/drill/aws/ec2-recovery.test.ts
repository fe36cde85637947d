// Status-check recovery in simulated time: stop/start moves to a healthy host, reboot does not.
import { EC2Client, DescribeInstanceStatusCommand, DescribeInstancesCommand, GetConsoleOutputCommand, RebootInstancesCommand, StartInstancesCommand, StopInstancesCommand } from '@aws-sdk/client-ec2';
import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { describe, expect, it } from 'vitest';
import { drill, forbidNetwork } from './helpers.js';

forbidNetwork();

const ID = 'i-0abc1234def567890';
const spec = {
  ec2: {
    instances: [
      {
        id: ID,
        public_ip: '54.10.20.30',
        status: { system: 'impaired' as const, instance: 'impaired' as const },
        impaired_since: '-25m',
        console_output: 'xenbus: timeout connecting to devices\n',
        events: [{ code: 'system-reboot' as const, not_before: '+2d' }],
      },
      { id: 'i-0000000000000bad1', status: { instance: 'impaired' as const }, instance_check_cause: 'guest_transient' as const },
      { id: 'i-0000000000000bad2', root_device_type: 'instance-store' as const },
      { id: 'i-0000000000000bad3', stuck_stopping: true },
    ],
  },
};

async function status(ec2: EC2Client, id = ID) {
  const out = await ec2.send(new DescribeInstanceStatusCommand({ InstanceIds: [id], IncludeAllInstances: true }));
  const s = out.InstanceStatuses![0]!;
  return { state: s.InstanceState?.Name, system: s.SystemStatus?.Status, instance: s.InstanceStatus?.Status, since: s.SystemStatus?.Details?.[0]?.ImpairedSince };
}

describe('EC2 status-check recovery', () => {
  it('stop/start moves an impaired instance to a healthy host after the simulated delays', async () => {
    const { aws, clock, world } = drill(spec);
    const ec2: EC2Client = await aws.client('ec2');
    expect(await status(ec2)).toMatchObject({ state: 'running', system: 'impaired', instance: 'impaired', since: new Date(world.start - 25 * 60_000) });

    const stop = await ec2.send(new StopInstancesCommand({ InstanceIds: [ID] }));
    expect(stop.StoppingInstances?.[0]).toMatchObject({ CurrentState: { Name: 'stopping', Code: 64 }, PreviousState: { Name: 'running', Code: 16 } });
    clock.advance(20_000);
    expect((await status(ec2)).state).toBe('stopping');
    clock.advance(30_000);
    expect(await status(ec2)).toMatchObject({ state: 'stopped', system: 'not-applicable' });

    await ec2.send(new StartInstancesCommand({ InstanceIds: [ID] }));
    expect((await status(ec2)).state).toBe('pending');
    clock.advance(31_000);
    expect(await status(ec2)).toMatchObject({ state: 'running', system: 'initializing', instance: 'initializing' });
    clock.advance(61_000);
    expect(await status(ec2)).toMatchObject({ state: 'running', system: 'ok', instance: 'ok' });

    const desc = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [ID] }));
    const inst = desc.Reservations![0]!.Instances![0]!;
    expect(inst.PublicIpAddress).toBeDefined();
    expect(inst.PublicIpAddress).not.toBe('54.10.20.30'); // no Elastic IP: a new address
    const events = await ec2.send(new DescribeInstanceStatusCommand({ InstanceIds: [ID] }));
    expect(events.InstanceStatuses![0]!.Events![0]!.Description).toMatch(/^\[Completed\]/);
  });

  it('a reboot does not fix a system-check failure (same host)', async () => {
    const { aws, clock, world } = drill(spec);
    const ec2: EC2Client = await aws.client('ec2');
    await ec2.send(new RebootInstancesCommand({ InstanceIds: [ID] }));
    clock.advance(10 * 60_000);
    expect(await status(ec2)).toMatchObject({ state: 'running', system: 'impaired', instance: 'impaired' });
    expect(world.callsOf('ec2', 'RebootInstances')).toHaveLength(1);
  });

  it('a reboot fixes a guest problem that a fresh boot cures, and the console shows the boot', async () => {
    const { aws, clock } = drill(spec);
    const ec2: EC2Client = await aws.client('ec2');
    expect(await status(ec2, 'i-0000000000000bad1')).toMatchObject({ system: 'ok', instance: 'impaired' });
    await ec2.send(new RebootInstancesCommand({ InstanceIds: ['i-0000000000000bad1'] }));
    clock.advance(41_000);
    expect(await status(ec2, 'i-0000000000000bad1')).toMatchObject({ system: 'ok', instance: 'ok' });
    const console = await ec2.send(new GetConsoleOutputCommand({ InstanceId: 'i-0000000000000bad1', Latest: true }));
    expect(Buffer.from(console.Output!, 'base64').toString('utf8')).toContain('Reached target Multi-User System');
  });

  it('instance-store instances cannot be stopped; a stuck stop needs Force', async () => {
    const { aws, clock } = drill(spec);
    const ec2: EC2Client = await aws.client('ec2');
    await expect(ec2.send(new StopInstancesCommand({ InstanceIds: ['i-0000000000000bad2'] }))).rejects.toMatchObject({ name: 'UnsupportedOperation' });
    await ec2.send(new StopInstancesCommand({ InstanceIds: ['i-0000000000000bad3'] }));
    clock.advance(15 * 60_000);
    expect((await status(ec2, 'i-0000000000000bad3')).state).toBe('stopping');
    await ec2.send(new StopInstancesCommand({ InstanceIds: ['i-0000000000000bad3'], Force: true }));
    clock.advance(61_000);
    expect((await status(ec2, 'i-0000000000000bad3')).state).toBe('stopped');
  });

  it('StatusCheckFailed_System follows the instance: 1 while impaired, no data while stopped, 0 once recovered', async () => {
    const { aws, clock, world } = drill(spec);
    const ec2: EC2Client = await aws.client('ec2');
    clock.advance(5 * 60_000);
    await ec2.send(new StopInstancesCommand({ InstanceIds: [ID] }));
    clock.advance(60_000);
    await ec2.send(new StartInstancesCommand({ InstanceIds: [ID] }));
    clock.advance(20 * 60_000);
    const cw: CloudWatchClient = await aws.client('cloudwatch');
    const out = await cw.send(
      new GetMetricDataCommand({
        StartTime: new Date(world.start - 30 * 60_000),
        EndTime: new Date(clock.now()),
        ScanBy: 'TimestampAscending',
        MetricDataQueries: [
          { Id: 'sys', MetricStat: { Metric: { Namespace: 'AWS/EC2', MetricName: 'StatusCheckFailed_System', Dimensions: [{ Name: 'InstanceId', Value: ID }] }, Period: 60, Stat: 'Maximum' } },
        ],
      }),
    );
    const r = out.MetricDataResults![0]!;
    const series = r.Timestamps!.map((t, i) => [(t.getTime() - world.start) / 60_000, r.Values![i]]);
    const minutes = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
    // Impaired from 25 minutes before the page until the stop just after +5 (each call takes
    // 50 simulated ms); no data while stopping, stopped, pending and initializing; healthy from +8.
    expect(series.filter(([, v]) => v === 1).map(([m]) => m)).toEqual(minutes(-25, 5));
    expect(series.filter(([, v]) => v === 0).map(([m]) => m)).toEqual([...minutes(-30, -26), ...minutes(8, 26)]);
  });
});

describe('a failure during the drill', () => {
  it("impaired_since in the future makes the checks fail then, not before", async () => {
    const { aws, clock } = drill({ ec2: { instances: [{ id: ID, status: { system: 'impaired' }, impaired_since: '+5m' }] } });
    const ec2: EC2Client = await aws.client('ec2');
    expect((await status(ec2)).system).toBe('ok');
    clock.advance(5 * 60_000);
    expect((await status(ec2)).system).toBe('impaired');
  });
});
