// What the AWS runbooks needed the drill world to simulate: Enable IO, instance types, subnets,
// listener rules, target group attributes, classic tags, errors that end once targets are healthy,
// and the plain snapshot drills score `expect.mitigated` against (through the `aws` root).
import { describe, expect, it } from 'vitest';
import { AwsAccount } from '../../../src/drill/aws/account.js';
import { drillAwsProvider } from '../../../src/drill/aws/middleware.js';
import { worldExpr } from '../../../src/drill/world.js';
import { awsCall } from '../../../src/providers/aws/call.js';
import { TestClock } from './helpers.js';

function world(spec: ConstructorParameters<typeof AwsAccount>[0]) {
  const clock = new TestClock();
  const w = new AwsAccount(spec, clock);
  return { clock, world: w, aws: drillAwsProvider(w, clock) };
}

describe('EC2 additions', () => {
  it('Enable IO brings the volume and, a minute later, the attached-EBS check back; stop/start does not', async () => {
    const spec = {
      ec2: {
        instances: [
          {
            id: 'i-0aaaabbbbccccdddd',
            status: { attached_ebs: 'impaired' as const },
            volumes: [{ id: 'vol-0a1b2c3d4e5f60005', status: 'impaired' as const, io_enabled: false }],
            delays: { stop: '10s', force_stop: '10s', start: '10s', reboot: '10s', status_checks: '60s' },
          },
        ],
      },
    };
    const moved = world(spec);
    await awsCall(moved.aws, 'ec2', (m) => new m.StopInstancesCommand({ InstanceIds: ['i-0aaaabbbbccccdddd'] }));
    moved.clock.advance(20_000);
    await awsCall(moved.aws, 'ec2', (m) => new m.StartInstancesCommand({ InstanceIds: ['i-0aaaabbbbccccdddd'] }));
    moved.clock.advance(120_000);
    expect(moved.world.snapshot().ec2.instances['i-0aaaabbbbccccdddd']!.checks.attached_ebs).toBe('impaired');

    const { aws, clock, world: w } = world(spec);
    await awsCall(aws, 'ec2', (m) => new m.EnableVolumeIOCommand({ VolumeId: 'vol-0a1b2c3d4e5f60005' }));
    const vs = await awsCall(aws, 'ec2', (m) => new m.DescribeVolumeStatusCommand({ VolumeIds: ['vol-0a1b2c3d4e5f60005'] }));
    expect(vs.output.VolumeStatuses?.[0]).toMatchObject({ VolumeStatus: { Status: 'ok', Details: [{ Name: 'io-enabled', Status: 'passed' }, expect.anything()] }, Actions: [] });
    expect(w.snapshot().ec2.instances['i-0aaaabbbbccccdddd']!.checks.attached_ebs).toBe('impaired');
    clock.advance(61_000);
    expect(w.snapshot().ec2.instances['i-0aaaabbbbccccdddd']).toMatchObject({ ok: true, checks: { attached_ebs: 'ok' } });
    expect(w.snapshot().ec2.volumes['vol-0a1b2c3d4e5f60005']).toEqual({ instance: 'i-0aaaabbbbccccdddd', status: 'ok', io_enabled: true });
  });

  it('instance types: instance store, recovery support, hypervisor, from the name', async () => {
    const { aws } = world({});
    const out = await awsCall(aws, 'ec2', (m) => new m.DescribeInstanceTypesCommand({ InstanceTypes: ['m5.large', 'c5d.xlarge', 'i3.large', 'm5.metal'] }));
    const byName = Object.fromEntries((out.output.InstanceTypes ?? []).map((t) => [t.InstanceType, t]));
    expect(byName['m5.large']).toMatchObject({ InstanceStorageSupported: false, AutoRecoverySupported: true, Hypervisor: 'nitro' });
    expect(byName['c5d.xlarge']).toMatchObject({ InstanceStorageSupported: true, AutoRecoverySupported: false, InstanceStorageInfo: { TotalSizeInGB: 150 } });
    expect(byName['i3.large']).toMatchObject({ InstanceStorageSupported: true, Hypervisor: 'xen' });
    expect(byName['m5.metal']).toMatchObject({ BareMetal: true, AutoRecoverySupported: false });
    // Not a type the SDK lists: the drill answers as EC2 does.
    const err = await awsCall(aws, 'ec2', (m) => new m.DescribeInstanceTypesCommand({ InstanceTypes: ['m5.huge' as 'm5.large'] })).catch((e) => e);
    expect(err.code).toBe('InvalidInstanceType');
  });

  it('subnets: the scenario\'s CIDRs, and stable made-up ones for subnets it only names', async () => {
    const { aws } = world({
      ec2: { subnets: [{ id: 'subnet-0d1d1d1d1d1d1d1d1', cidr: '10.0.0.0/24' }], network_acls: [{ id: 'acl-0d000000000000a01', subnets: ['subnet-0d9d9d9d9d9d9d9d9'] }] },
    });
    const out = await awsCall(aws, 'ec2', (m) => new m.DescribeSubnetsCommand({ SubnetIds: ['subnet-0d1d1d1d1d1d1d1d1', 'subnet-0d9d9d9d9d9d9d9d9'] }));
    expect(out.output.Subnets?.[0]).toMatchObject({ SubnetId: 'subnet-0d1d1d1d1d1d1d1d1', CidrBlock: '10.0.0.0/24' });
    expect(out.output.Subnets?.[1]?.CidrBlock).toMatch(/^10\.0\.\d+\.0\/24$/);
    const err = await awsCall(aws, 'ec2', (m) => new m.DescribeSubnetsCommand({ SubnetIds: ['subnet-0ffffffffffffffff'] })).catch((e) => e);
    expect(err.code).toBe('InvalidSubnetID.NotFound');
  });
});

describe('load balancer additions', () => {
  const spec = {
    ec2: { instances: [{ id: 'i-0c00000000000cc01' }, { id: 'i-0c00000000000cc02', state: 'stopped' as const, delays: { stop: '10s', force_stop: '10s', start: '30s', reboot: '10s', status_checks: '60s' } }] },
    elbv2: {
      load_balancers: [
        {
          name: 'checkout',
          listeners: [{ port: 443, protocol: 'HTTPS', target_group: 'app', rules: [{ priority: 10, path_patterns: ['/api/*'], target_group: 'api' }] }],
          target_groups: [
            { name: 'app', attributes: { 'deregistration_delay.timeout_seconds': 30 }, targets: [{ id: 'i-0c00000000000cc01' }, { id: 'i-0c00000000000cc02' }] },
            { name: 'api', target_type: 'lambda' as const },
          ],
        },
      ],
    },
    elb: { load_balancers: [{ name: 'legacy', tags: { 'kubernetes.io/cluster/prod': 'owned' } }] },
    cloudwatch: {
      metrics: [{ namespace: 'AWS/ApplicationELB', name: 'HTTPCode_ELB_504_Count', load_balancer: 'checkout', while_unhealthy: 'app', series: [{ from: '-10m', every: '1m', value: 7 }] }],
    },
  };

  it('rules, target group attributes and classic tags', async () => {
    const { aws, world: w } = world(spec);
    const lb = w.elbv2.find('checkout')!;
    const listener = (await awsCall(aws, 'elbv2', (m) => new m.DescribeListenersCommand({ LoadBalancerArn: lb.arn }))).output.Listeners![0]!;
    const rules = (await awsCall(aws, 'elbv2', (m) => new m.DescribeRulesCommand({ ListenerArn: listener.ListenerArn }))).output.Rules ?? [];
    expect(rules.map((r) => [r.Priority, r.Conditions?.[0]?.Values, r.Actions?.[0]?.TargetGroupArn?.split(':').pop()])).toEqual([
      ['10', ['/api/*'], expect.stringMatching(/^targetgroup\/api\//)],
      ['default', undefined, expect.stringMatching(/^targetgroup\/app\//)],
    ]);
    const attrs = (await awsCall(aws, 'elbv2', (m) => new m.DescribeTargetGroupAttributesCommand({ TargetGroupArn: lb.targetGroups[0]!.arn }))).output.Attributes;
    expect(attrs).toContainEqual({ Key: 'deregistration_delay.timeout_seconds', Value: '30' });
    expect((await awsCall(aws, 'elbv2', (m) => new m.DescribeTargetGroupAttributesCommand({ TargetGroupArn: lb.targetGroups[1]!.arn }))).output.Attributes).toEqual([{ Key: 'lambda.multi_value_headers.enabled', Value: 'false' }]);
    const tags = (await awsCall(aws, 'elb', (m) => new m.DescribeTagsCommand({ LoadBalancerNames: ['legacy'] }))).output.TagDescriptions?.[0];
    expect(tags).toEqual({ LoadBalancerName: 'legacy', Tags: [{ Key: 'kubernetes.io/cluster/prod', Value: 'owned' }] });
  });

  it('errors marked while_unhealthy end once every target of the group is healthy again', async () => {
    const { aws, clock, world: w } = world(spec);
    const sum = async () => {
      const out = await awsCall(aws, 'cloudwatch', (m) => new m.GetMetricDataCommand({
        StartTime: new Date(clock.now() - 5 * 60_000),
        EndTime: new Date(clock.now()),
        MetricDataQueries: [{ Id: 'e', MetricStat: { Metric: { Namespace: 'AWS/ApplicationELB', MetricName: 'HTTPCode_ELB_504_Count', Dimensions: [{ Name: 'LoadBalancer', Value: w.elbv2.find('checkout')!.dimension }] }, Period: 60, Stat: 'Sum' } }],
      }));
      return (out.output.MetricDataResults?.[0]?.Values ?? []).reduce((a, b) => a + b, 0);
    };
    expect(await sum()).toBe(35);
    expect(w.snapshot().elbv2.load_balancers.checkout!.target_groups.app).toMatchObject({ healthy: 1, total: 2, all_healthy: false });
    await awsCall(aws, 'ec2', (m) => new m.StartInstancesCommand({ InstanceIds: ['i-0c00000000000cc02'] }));
    clock.advance(91_000);
    expect(w.snapshot().elbv2.load_balancers.checkout!.target_groups.app).toMatchObject({ healthy: 2, all_healthy: true });
    clock.advance(6 * 60_000);
    expect(await sum()).toBe(0);
  });
});

describe('the snapshot behind the aws root', () => {
  it('is plain JSON of the world now, with no secret values, and drives scenario expressions', async () => {
    const { aws, world: w } = world({
      ec2: { instances: [{ id: 'i-0abc1234def567890', status: { system: 'impaired' } }] },
      secretsmanager: { secrets: [{ name: 'prod/db', value: 'hunter2-do-not-leak' }] },
    });
    const calls: string[] = [];
    w.onCall((c) => calls.push(`${c.command}:${c.ok}`));
    await awsCall(aws, 'ec2', (m) => new m.DescribeInstancesCommand({}));
    await awsCall(aws, 'ec2', (m) => new m.DescribeInstancesCommand({ InstanceIds: ['i-0ffffffffffffffff'] })).catch(() => undefined);
    expect(calls).toEqual(['DescribeInstances:true', 'DescribeInstances:false']);
    const snap = w.snapshot();
    expect(JSON.parse(JSON.stringify(snap))).toEqual(snap);
    expect(JSON.stringify(snap)).not.toContain('hunter2');
    expect(snap).toMatchObject({
      region: 'us-east-1',
      ec2: { instances: { 'i-0abc1234def567890': { state: 'running', ok: false, checks: { system: 'impaired', instance: 'ok', attached_ebs: 'ok' } } } },
      secretsmanager: { secrets: { 'prod/db': { deleted: false, versions: 1 } } },
      calls: { 'ec2:DescribeInstances': 1 },
    });
    expect(worldExpr.evalExpr("${{ aws.ec2.instances['i-0abc1234def567890'].ok }}", { aws: snap })).toBe(false);
    expect(worldExpr.evalExpr('${{ aws.calls["ec2:DescribeInstances"] == 1 }}', { aws: snap })).toBe(true);
  });
});
