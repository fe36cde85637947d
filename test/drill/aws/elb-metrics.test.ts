// Load balancers and CloudWatch: raising the idle timeout ends the 504s from that moment on;
// GetMetricData aggregates the scenario's series per period.
import { CloudWatchClient, GetMetricDataCommand, PutMetricAlarmCommand, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { ModifyLoadBalancerAttributesCommand as ModifyClassic } from '@aws-sdk/client-elastic-load-balancing';
import {
  DescribeLoadBalancerAttributesCommand,
  DescribeLoadBalancersCommand,
  DescribeTagsCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  ModifyLoadBalancerAttributesCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { describe, expect, it } from 'vitest';
import { aggregate } from '../../../src/drill/aws/metrics.js';
import { drill, forbidNetwork } from './helpers.js';

forbidNetwork();

const LB_ARN = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188';
const spec = {
  ec2: { instances: [{ id: 'i-0aaaaaaaaaaaaaaa1' }, { id: 'i-0aaaaaaaaaaaaaaa2', state: 'stopped' as const }] },
  elbv2: {
    load_balancers: [
      {
        name: 'web',
        arn: LB_ARN,
        tags: { 'elbv2.k8s.aws/cluster': 'prod' },
        slow_requests: { duration_s: 75 },
        listeners: [{ port: 80, target_group: 'web-tg' }],
        target_groups: [{ name: 'web-tg', targets: [{ id: 'i-0aaaaaaaaaaaaaaa1' }, { id: 'i-0aaaaaaaaaaaaaaa2' }] }],
      },
    ],
  },
  elb: { load_balancers: [{ name: 'legacy', slow_requests: { duration_s: 90 } }] },
  cloudwatch: {
    metrics: [
      { namespace: 'AWS/ApplicationELB', name: 'HTTPCode_ELB_504_Count', load_balancer: 'web', series: [{ from: '-2h', every: '1m', pattern: [0, 6, 12] }] },
      { namespace: 'AWS/ELB', name: 'HTTPCode_ELB_5XX', load_balancer: 'legacy', series: [{ from: '-1h', every: '1m', value: 4 }] },
      {
        namespace: 'AWS/ApplicationELB',
        name: 'TargetResponseTime',
        load_balancer: 'web',
        series: [
          { from: '-10m', to: '-5m', every: '15s', pattern: [1, 2, 3, 60] },
          { at: '-2m', value: 0.5 },
        ],
      },
    ],
  },
};

function query(name: string, namespace: string, dims: Record<string, string>, stat: string, period = 60) {
  return {
    Id: stat.toLowerCase().replace(/\./g, '_'),
    MetricStat: { Metric: { Namespace: namespace, MetricName: name, Dimensions: Object.entries(dims).map(([Name, Value]) => ({ Name, Value })) }, Period: period, Stat: stat },
  };
}

describe('ALB idle timeout and the 504s', () => {
  it('raising the idle timeout above the slow requests clears HTTPCode_ELB_504_Count in later windows', async () => {
    const { aws, clock, world } = drill(spec);
    const elbv2: ElasticLoadBalancingV2Client = await aws.client('elbv2');
    const cw: CloudWatchClient = await aws.client('cloudwatch');
    const lb = (await elbv2.send(new DescribeLoadBalancersCommand({ Names: ['web'] }))).LoadBalancers![0]!;
    const dim = lb.LoadBalancerArn!.split(':loadbalancer/')[1]!;
    expect(dim).toBe('app/web/50dc6c495c0c9188');
    const attrs = await elbv2.send(new DescribeLoadBalancerAttributesCommand({ LoadBalancerArn: lb.LoadBalancerArn }));
    expect(attrs.Attributes).toContainEqual({ Key: 'idle_timeout.timeout_seconds', Value: '60' });
    expect(attrs.Attributes).toContainEqual({ Key: 'client_keep_alive.seconds', Value: '3600' });

    const sum = async (from: number, to: number) => {
      const out = await cw.send(new GetMetricDataCommand({ StartTime: new Date(from), EndTime: new Date(to), MetricDataQueries: [query('HTTPCode_ELB_504_Count', 'AWS/ApplicationELB', { LoadBalancer: dim }, 'Sum', 300)] }));
      return (out.MetricDataResults![0]!.Values ?? []).reduce((a, b) => a + b, 0);
    };
    expect(await sum(world.start - 30 * 60_000, world.start)).toBe(180); // 30 min of 0, 6, 12

    clock.advance(10 * 60_000);
    const changedAt = clock.now();
    const out = await elbv2.send(new ModifyLoadBalancerAttributesCommand({ LoadBalancerArn: lb.LoadBalancerArn, Attributes: [{ Key: 'idle_timeout.timeout_seconds', Value: '120' }] }));
    expect(out.Attributes).toContainEqual({ Key: 'idle_timeout.timeout_seconds', Value: '120' });
    clock.advance(20 * 60_000);

    expect(await sum(world.start - 30 * 60_000, world.start)).toBe(180); // history is unchanged
    expect(await sum(changedAt + 60_000, clock.now())).toBe(0); // after the change: none
    const changes = world.elbv2.find('web')!.attributeChanges;
    expect(changes).toEqual([{ at: changedAt + 50, key: 'idle_timeout.timeout_seconds', from: '60', to: '120' }]);
  });

  it('a value out of range is refused, as the service does', async () => {
    const { aws } = drill(spec);
    const elbv2: ElasticLoadBalancingV2Client = await aws.client('elbv2');
    await expect(
      elbv2.send(new ModifyLoadBalancerAttributesCommand({ LoadBalancerArn: LB_ARN, Attributes: [{ Key: 'idle_timeout.timeout_seconds', Value: '5000' }] })),
    ).rejects.toMatchObject({ name: 'InvalidConfigurationRequestException' });
  });

  it('the classic load balancer: IdleTimeout above the slow requests clears HTTPCode_ELB_5XX', async () => {
    const { aws, clock, world } = drill(spec);
    const elb = await aws.client('elb');
    const cw: CloudWatchClient = await aws.client('cloudwatch');
    await elb.send(new ModifyClassic({ LoadBalancerName: 'legacy', LoadBalancerAttributes: { ConnectionSettings: { IdleTimeout: 120 } } }));
    clock.advance(10 * 60_000);
    const out = await cw.send(
      new GetMetricDataCommand({
        StartTime: new Date(world.start - 5 * 60_000),
        EndTime: new Date(clock.now()),
        ScanBy: 'TimestampAscending',
        MetricDataQueries: [query('HTTPCode_ELB_5XX', 'AWS/ELB', { LoadBalancerName: 'legacy' }, 'Sum')],
      }),
    );
    const r = out.MetricDataResults![0]!;
    // ELB counts are absent (not zero) when nothing happened: only the minutes up to the fix
    // (made 50 simulated ms after the start) remain.
    expect(r.Timestamps!.map((t) => (t.getTime() - world.start) / 60_000)).toEqual([-5, -4, -3, -2, -1, 0]);
    expect(r.Values).toEqual([4, 4, 4, 4, 4, 4]);
  });

  it('target groups, health that follows the instances, and ownership tags', async () => {
    const { aws } = drill(spec);
    const elbv2: ElasticLoadBalancingV2Client = await aws.client('elbv2');
    const tg = (await elbv2.send(new DescribeTargetGroupsCommand({ LoadBalancerArn: LB_ARN }))).TargetGroups![0]!;
    expect(tg).toMatchObject({ TargetGroupName: 'web-tg', HealthCheckPath: '/', Matcher: { HttpCode: '200' }, TargetType: 'instance' });
    const health = await elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg.TargetGroupArn }));
    expect(health.TargetHealthDescriptions!.map((d) => [d.Target!.Id, d.TargetHealth!.State, d.TargetHealth!.Reason])).toEqual([
      ['i-0aaaaaaaaaaaaaaa1', 'healthy', undefined],
      ['i-0aaaaaaaaaaaaaaa2', 'unused', 'Target.InvalidState'],
    ]);
    const tags = await elbv2.send(new DescribeTagsCommand({ ResourceArns: [LB_ARN] }));
    expect(tags.TagDescriptions![0]!.Tags).toEqual([{ Key: 'elbv2.k8s.aws/cluster', Value: 'prod' }]);
  });
});

describe('GetMetricData aggregation', () => {
  it('Sum, Average, Maximum, Minimum, SampleCount and p99 per period; newest first by default', async () => {
    const { aws, world } = drill(spec);
    const cw: CloudWatchClient = await aws.client('cloudwatch');
    const dims = { LoadBalancer: 'app/web/50dc6c495c0c9188' };
    const stats = ['Sum', 'Average', 'Maximum', 'Minimum', 'SampleCount', 'p99', 'p50'];
    const out = await cw.send(
      new GetMetricDataCommand({
        StartTime: new Date(world.start - 10 * 60_000),
        EndTime: new Date(world.start),
        MetricDataQueries: stats.map((s) => query('TargetResponseTime', 'AWS/ApplicationELB', dims, s)),
      }),
    );
    const byId = Object.fromEntries(out.MetricDataResults!.map((r) => [r.Id!, r] as const));
    // Five 1-minute windows of samples 1, 2, 3, 60 (every 15 s), then one lone sample at -2m.
    expect(byId.sum!.Timestamps!.map((t) => (t.getTime() - world.start) / 60_000)).toEqual([-2, -6, -7, -8, -9, -10]);
    expect(byId.sum!.Values).toEqual([0.5, 66, 66, 66, 66, 66]);
    expect(byId.average!.Values).toEqual([0.5, 16.5, 16.5, 16.5, 16.5, 16.5]);
    expect(byId.maximum!.Values!.slice(1)).toEqual([60, 60, 60, 60, 60]);
    expect(byId.minimum!.Values!.slice(1)).toEqual([1, 1, 1, 1, 1]);
    expect(byId.samplecount!.Values!.slice(1)).toEqual([4, 4, 4, 4, 4]);
    expect(byId.p99!.Values!.slice(1)).toEqual([60, 60, 60, 60, 60]);
    expect(byId.p50!.Values!.slice(1)).toEqual([2, 2, 2, 2, 2]);
    expect(byId.sum!.StatusCode).toBe('Complete');
  });

  it('samples after the simulated now do not exist yet', async () => {
    const { aws, world } = drill(spec);
    const cw: CloudWatchClient = await aws.client('cloudwatch');
    const out = await cw.send(
      new GetMetricDataCommand({
        StartTime: new Date(world.start - 3 * 60_000),
        EndTime: new Date(world.start + 60 * 60_000),
        ScanBy: 'TimestampAscending',
        MetricDataQueries: [query('HTTPCode_ELB_5XX', 'AWS/ELB', { LoadBalancerName: 'legacy' }, 'Sum')],
      }),
    );
    const minutes = out.MetricDataResults![0]!.Timestamps!.map((t) => (t.getTime() - world.start) / 60_000);
    expect(Math.max(...minutes)).toBe(0);
  });

  it('aggregate() aligns periods to multiples of the period and leaves empty periods out', () => {
    const t0 = Date.parse('2026-01-01T00:00:00Z');
    const samples = [
      { t: t0 + 10_000, v: 1 },
      { t: t0 + 50_000, v: 3 },
      { t: t0 + 190_000, v: 10 },
    ];
    expect(aggregate(samples, t0 + 30_000, t0 + 600_000, 60, 'Sum')).toEqual({ timestamps: [t0, t0 + 180_000], values: [4, 10] });
    expect(aggregate(samples, t0, t0 + 600_000, 300, 'Average')).toEqual({ timestamps: [t0], values: [14 / 3] });
  });

  it('alarms: the EC2 recover action only on the system check; state from the data', async () => {
    const { aws } = drill(spec);
    const cw: CloudWatchClient = await aws.client('cloudwatch');
    const base = { Namespace: 'AWS/EC2', Dimensions: [{ Name: 'InstanceId', Value: 'i-0aaaaaaaaaaaaaaa1' }], Statistic: 'Maximum' as const, Period: 60, EvaluationPeriods: 2, Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' as const, AlarmActions: ['arn:aws:automate:us-east-1:ec2:recover'] };
    await expect(cw.send(new PutMetricAlarmCommand({ ...base, AlarmName: 'bad', MetricName: 'StatusCheckFailed_Instance' }))).rejects.toMatchObject({
      // CloudWatch's query-era code ValidationError is modeled as ValidationException.
      name: 'ValidationException',
      Code: 'ValidationError',
    });
    await cw.send(new PutMetricAlarmCommand({ ...base, AlarmName: 'recover-i-0aaaaaaaaaaaaaaa1', MetricName: 'StatusCheckFailed_System' }));
    const alarms = await cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: 'recover-' }));
    expect(alarms.MetricAlarms!.map((a) => [a.AlarmName, a.StateValue])).toEqual([['recover-i-0aaaaaaaaaaaaaaa1', 'OK']]);
  });
});
