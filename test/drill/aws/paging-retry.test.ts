// The SDK's own paginators walk the world's pages, and its own retry strategy retries the
// world's throttling faults.
import { EC2Client, DescribeInstanceStatusCommand, paginateDescribeInstanceStatus } from '@aws-sdk/client-ec2';
import { paginateListSecrets, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetMetricDataCommand, CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { describe, expect, it } from 'vitest';
import { awsPaginate } from '../../../src/providers/aws/call.js';
import { drill, forbidNetwork } from './helpers.js';

forbidNetwork();

const ids = Array.from({ length: 12 }, (_, i) => `i-0${(i + 1).toString(16).padStart(16, '0')}`);
const fleet = {
  ec2: { instances: ids.map((id, i) => ({ id, status: { system: i % 4 === 0 ? ('impaired' as const) : ('ok' as const) } })) },
  secretsmanager: { secrets: Array.from({ length: 7 }, (_, i) => ({ name: `prod/app${i}/db`, value: 'x'.repeat(8) })) },
};

describe('pagination', () => {
  it('paginateDescribeInstanceStatus walks several pages with NextToken', async () => {
    const { aws, world } = drill(fleet);
    const client: EC2Client = await aws.client('ec2');
    const pages: string[][] = [];
    for await (const page of paginateDescribeInstanceStatus({ client, pageSize: 5 }, { IncludeAllInstances: true })) {
      pages.push((page.InstanceStatuses ?? []).map((s) => s.InstanceId!));
    }
    expect(pages.map((p) => p.length)).toEqual([5, 5, 2]);
    expect(pages.flat()).toEqual([...ids].sort());
    expect(world.callsOf('ec2', 'DescribeInstanceStatus').map((c) => (c.input as { NextToken?: string }).NextToken === undefined)).toEqual([true, false, false]);
  });

  it('a fleet sweep filters on the impaired system check', async () => {
    const { aws } = drill(fleet);
    const impaired: string[] = [];
    for await (const { output } of awsPaginate(aws, 'ec2', (m) => new m.DescribeInstanceStatusCommand({ Filters: [{ Name: 'system-status.status', Values: ['impaired'] }] }), { pageSize: 5 })) {
      impaired.push(...(output.InstanceStatuses ?? []).map((s) => s.InstanceId!));
    }
    expect(impaired).toEqual([ids[0], ids[4], ids[8]]);
  });

  it('EC2 refuses MaxResults together with instance ids, as the real API does', async () => {
    const { aws } = drill(fleet);
    const client: EC2Client = await aws.client('ec2');
    await expect(client.send(new DescribeInstanceStatusCommand({ InstanceIds: [ids[0]!], MaxResults: 5 }))).rejects.toMatchObject({ name: 'InvalidParameterCombination' });
  });

  it('paginateListSecrets walks the secrets with a name-prefix filter', async () => {
    const { aws } = drill(fleet);
    const client: SecretsManagerClient = await aws.client('secretsmanager');
    const names: string[] = [];
    let pages = 0;
    for await (const page of paginateListSecrets({ client, pageSize: 3 }, { Filters: [{ Key: 'name', Values: ['prod/app'] }] })) {
      pages++;
      names.push(...(page.SecretList ?? []).map((s) => s.Name!));
    }
    expect(pages).toBe(3);
    expect(names).toHaveLength(7);
  });
});

describe('retries', () => {
  it('an injected throttle is retried by the SDK and then succeeds', async () => {
    const { aws, world } = drill({ ...fleet, faults: [{ service: 'ec2', command: 'DescribeInstanceStatus', error: 'RequestLimitExceeded', times: 1 }] });
    const client: EC2Client = await aws.client('ec2');
    const out = await client.send(new DescribeInstanceStatusCommand({ InstanceIds: [ids[0]!] }));
    expect(out.$metadata.attempts).toBe(2);
    expect(out.InstanceStatuses?.[0]?.SystemStatus?.Status).toBe('impaired');
    expect(world.callsOf('ec2', 'DescribeInstanceStatus').map((c) => [c.attempt, c.ok, c.error])).toEqual([
      [1, false, 'RequestLimitExceeded'],
      [2, true, undefined],
    ]);
  });

  it('more throttles than the retry budget surface as the throttling error', async () => {
    const { aws, world } = drill(
      { ...fleet, faults: [{ service: 'cloudwatch', command: 'GetMetricData', error: 'Throttling', times: 5 }] },
      { clientConfig: { maxAttempts: 2 } },
    );
    const client: CloudWatchClient = await aws.client('cloudwatch');
    const q = { MetricDataQueries: [{ Id: 'q', MetricStat: { Metric: { Namespace: 'AWS/EC2', MetricName: 'CPUUtilization' }, Period: 60, Stat: 'Average' } }] };
    const err = await client.send(new GetMetricDataCommand({ ...q, StartTime: new Date(world.start - 3_600_000), EndTime: new Date(world.start) })).catch((e) => e);
    expect(err.name).toBe('Throttling');
    expect(err.$metadata.attempts).toBe(2);
    expect(world.callsOf('cloudwatch', 'GetMetricData')).toHaveLength(2);
  });
});
