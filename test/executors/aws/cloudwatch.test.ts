// CloudWatch kinds with the real client mocked: pages merged by query id, missing ELB counts read
// as zero, the incident window against the baseline, the 504 decision table, the recover alarm.
import { CloudWatchClient, DescribeAlarmsCommand, GetMetricDataCommand, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { getMetricData, grid, loadBalancerMetrics, onGrid, putRecoveryAlarm, segments, stats } from '../../../src/executors/aws/cloudwatch.js';
import { START, awsError, failure, harness, provider, run } from './helpers.js';

const cw = mockClient(CloudWatchClient);
afterEach(() => cw.reset());

const MIN = 60_000;
const minutes = (from: number, n: number) => Array.from({ length: n }, (_, i) => new Date(START + (from + i) * MIN));

/** Answers GetMetricData from per-id functions of (start, end), as CloudWatch would (sparse where asked). */
function answer(series: Record<string, (t: Date) => number | undefined>) {
  cw.on(GetMetricDataCommand).callsFake((input: any) => {
    const start = new Date(input.StartTime).getTime();
    const end = new Date(input.EndTime).getTime();
    return {
      MetricDataResults: input.MetricDataQueries.map((q: any) => {
        const f = series[q.Id];
        const ts: Date[] = [];
        const vs: number[] = [];
        for (let t = Math.floor(start / MIN) * MIN; t < end; t += MIN) {
          const v = f?.(new Date(t));
          if (v !== undefined) {
            ts.push(new Date(t));
            vs.push(v);
          }
        }
        return { Id: q.Id, Timestamps: ts, Values: vs, StatusCode: 'Complete' };
      }),
    };
  });
}

describe('series helpers', () => {
  it('fills missing ELB counts with zero, keeps gaps for others, and sums up', () => {
    const slots = grid(START, START + 5 * MIN, 60);
    const series = { t: [START + MIN, START + 3 * MIN], v: [4, 2] };
    expect(onGrid(series, slots, true)).toEqual([0, 4, 0, 2, 0]);
    expect(onGrid(series, slots, false)).toEqual([null, 4, null, 2, null]);
    expect(stats(onGrid(series, slots, true), slots)).toMatchObject({ sum: 6, max: 4, nonzero_periods: 2, trailing_zero_periods: 1, first_nonzero_at: new Date(START + MIN).toISOString(), datapoints: 5 });
    expect(segments([1, 1, null, null, 0], slots, 60)).toEqual([
      { from: new Date(START).toISOString(), to: new Date(START + 2 * MIN).toISOString(), value: 1 },
      { from: new Date(START + 2 * MIN).toISOString(), to: new Date(START + 4 * MIN).toISOString(), value: null },
      { from: new Date(START + 4 * MIN).toISOString(), to: new Date(START + 5 * MIN).toISOString(), value: 0 },
    ]);
  });
});

describe('aws.cloudwatch.getMetricData', () => {
  it('follows NextToken and merges the pages of each query, ascending', async () => {
    cw.on(GetMetricDataCommand)
      .resolvesOnce({ MetricDataResults: [{ Id: 'system', Timestamps: minutes(-3, 2), Values: [1, 1] }], NextToken: 'n1' })
      .resolvesOnce({ MetricDataResults: [{ Id: 'system', Timestamps: minutes(-1, 1), Values: [0] }] });
    const h = harness();
    const { result } = await run(
      getMetricData,
      { last: '5m', queries: [{ id: 'system', namespace: 'AWS/EC2', metric: 'StatusCheckFailed_System', dimensions: { InstanceId: 'i-0abc1234def567890' } }] },
      h,
    );
    expect(result.series).toMatchObject({ system: { datapoints: 3, max: 1, first_nonzero_at: new Date(START - 3 * MIN).toISOString(), last_nonzero_at: new Date(START - 2 * MIN).toISOString() } });
    const calls = cw.commandCalls(GetMetricDataCommand);
    expect(calls).toHaveLength(2);
    expect(calls[1]!.args[0].input).toMatchObject({ NextToken: 'n1', ScanBy: 'TimestampAscending' });
    expect(calls[0]!.args[0].input.MetricDataQueries![0]).toMatchObject({ Id: 'system', MetricStat: { Period: 60, Stat: 'Maximum' } });
  });

  it('access denied names cloudwatch:GetMetricData', async () => {
    cw.on(GetMetricDataCommand).rejects(awsError('AccessDenied', 'User: arn:aws:iam::123456789012:user/bob is not authorized to perform: cloudwatch:GetMetricData because no identity-based policy allows it'));
    const err = await failure(run(getMetricData, { queries: [{ id: 'a', namespace: 'AWS/EC2', metric: 'CPUUtilization' }] }));
    expect(err.message).toContain('Access denied: arn:aws:iam::123456789012:user/bob may not call cloudwatch:GetMetricData in us-east-1.');
  });
});

describe('aws.cloudwatch.loadBalancerMetrics', () => {
  const LB = 'app/web/50dc6c495c0c9188';
  const incident = (t: Date) => t.getTime() >= START - 25 * MIN;

  it('idle timeout: 504s only in the incident window, responses reaching the idle timeout', async () => {
    answer({
      elb_504: (t) => (incident(t) ? 5 : undefined),
      requests: () => 1000,
      response_max: (t) => (incident(t) ? 60 : 0.4),
      response_p99: (t) => (incident(t) ? 60 : 0.3),
      response_p50: () => 0.2,
    });
    const { result, summary } = await run(loadBalancerMetrics, { load_balancer: LB, idle_timeout_s: 60 });
    expect(result).toMatchObject({ lb_504: 125, baseline_lb_504: 0, requests: 30000, rate_504_pct: 0.417, response_max_s: 60, connection_errors: 0, target_5xx: 0, suspected: 'idle-timeout', causes: ['idle-timeout'] });
    expect(summary).toBe('HTTPCode_ELB_504_Count 125 (baseline 0), 30000 requests (0.417%), target 5xx 0, connection errors 0, response max 60 s → suspected: idle-timeout');
    const q = cw.commandCalls(GetMetricDataCommand)[0]!.args[0].input;
    expect(q.MetricDataQueries!.find((x) => x.Id === 'elb_504')!.MetricStat).toMatchObject({ Metric: { Namespace: 'AWS/ApplicationELB', MetricName: 'HTTPCode_ELB_504_Count', Dimensions: [{ Name: 'LoadBalancer', Value: LB }] }, Stat: 'Sum' });
    // Two windows: the incident and the same window a day before.
    const windows = cw.commandCalls(GetMetricDataCommand).map((c) => [new Date(c.args[0].input.StartTime!).getTime(), new Date(c.args[0].input.EndTime!).getTime()]);
    expect(windows).toEqual([
      [START - 30 * MIN, START],
      [START - 30 * MIN - 86_400_000, START - 86_400_000],
    ]);
  });

  it('not the load balancer: no ELB 504 datapoints while target 5xx rise', async () => {
    answer({ target_5xx: (t) => (incident(t) ? 9 : undefined), requests: () => 500, response_max: () => 30 });
    const { result } = await run(loadBalancerMetrics, { load_balancer: LB, idle_timeout_s: 60 });
    expect(result).toMatchObject({ lb_504: 0, target_5xx: 225, suspected: 'not-lb' });
    expect((result.findings as any[])[0].text).toMatch(/not the load balancer/);
  });

  it('connection errors come before timeouts; host counts per target group need its dimension', async () => {
    answer({ elb_504: () => 40, connection_errors: () => 80, requests: () => 100, healthy_min_tg0: () => 0, unhealthy_min_tg0: () => 2, unhealthy_max_tg0: () => 2, response_max: () => 10 });
    const { result } = await run(loadBalancerMetrics, { load_balancer: LB, idle_timeout_s: 10, target_groups: ['targetgroup/web-tg/6d0ecf831eec9f09'], expected_targets: 2, baseline_offset: 'none' });
    expect(result).toMatchObject({ suspected: 'target-connection', causes: ['target-connection', 'capacity', 'idle-timeout'], healthy_min: 0, unhealthy_max: 2, baseline: null });
    const q = cw.commandCalls(GetMetricDataCommand)[0]!.args[0].input.MetricDataQueries!.find((x) => x.Id === 'healthy_min_tg0')!;
    expect(q.MetricStat!.Metric!.Dimensions).toEqual([
      { Name: 'LoadBalancer', Value: LB },
      { Name: 'TargetGroup', Value: 'targetgroup/web-tg/6d0ecf831eec9f09' },
    ]);
  });

  it('classic: back-end connection errors on quick requests with healthy hosts are a keep-alive mismatch (a 504 cause at a CLB)', async () => {
    answer({ elb_5xx: () => 20, connection_errors: () => 45, requests: () => 1500, response_max: () => 2.4, healthy_min: () => 2, unhealthy_min: () => 0, unhealthy_max: () => 0 });
    const { result } = await run(loadBalancerMetrics, { load_balancer: 'legacy-web', type: 'classic', idle_timeout_s: 60, baseline_offset: 'none' });
    expect(result).toMatchObject({ lb_504_metric: 'HTTPCode_ELB_5XX', lb_504: 600, suspected: 'keep-alive', causes: ['keep-alive'] });
    const q = cw.commandCalls(GetMetricDataCommand)[0]!.args[0].input.MetricDataQueries!;
    expect(q.find((x) => x.Id === 'connection_errors')!.MetricStat!.Metric).toMatchObject({ Namespace: 'AWS/ELB', MetricName: 'BackendConnectionErrors', Dimensions: [{ Name: 'LoadBalancerName', Value: 'legacy-web' }] });
  });

  it('an ALB with 502s beside its 504s hints at keep-alive too', async () => {
    answer({ elb_504: () => 3, elb_502: () => 7, requests: () => 100, response_max: () => 1 });
    const { result } = await run(loadBalancerMetrics, { load_balancer: LB, idle_timeout_s: 60, baseline_offset: 'none' });
    expect(result.causes).toEqual(['keep-alive']);
    expect((result.findings as any[])[0].text).toMatch(/a 502 cause at an ALB/);
  });
});

describe('aws.cloudwatch.putRecoveryAlarm', () => {
  it('creates the documented alarm with the region\'s recover action, keeping any previous one', async () => {
    cw.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [] });
    cw.on(PutMetricAlarmCommand).resolves({ $metadata: { requestId: 'req-put' } });
    const { result } = await run(putRecoveryAlarm, { instance_id: 'i-0abc1234def567890' });
    expect(result).toMatchObject({ alarm_name: 'recover-i-0abc1234def567890', called: true, created: true, previous: null, actions: ['arn:aws:automate:us-east-1:ec2:recover'], request_id: 'req-put' });
    expect(cw.commandCalls(PutMetricAlarmCommand)[0]!.args[0].input).toMatchObject({
      Namespace: 'AWS/EC2',
      MetricName: 'StatusCheckFailed_System',
      Dimensions: [{ Name: 'InstanceId', Value: 'i-0abc1234def567890' }],
      Statistic: 'Maximum',
      Period: 60,
      EvaluationPeriods: 2,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: ['arn:aws:automate:us-east-1:ec2:recover'],
    });
  });

  it('GovCloud gets its partition; an identical alarm is left alone', async () => {
    const arn = 'arn:aws-us-gov:automate:us-gov-west-1:ec2:recover';
    cw.on(DescribeAlarmsCommand).resolves({
      MetricAlarms: [{ AlarmName: 'recover-i-0abc1234def567890', MetricName: 'StatusCheckFailed_System', Dimensions: [{ Name: 'InstanceId', Value: 'i-0abc1234def567890' }], EvaluationPeriods: 2, Period: 60, AlarmActions: [arn] }],
    });
    const { result } = await run(putRecoveryAlarm, { instance_id: 'i-0abc1234def567890' }, harness(provider('us-gov-west-1')));
    expect(result).toMatchObject({ called: false, actions: [arn] });
    expect(cw.commandCalls(PutMetricAlarmCommand)).toHaveLength(0);
  });
});
