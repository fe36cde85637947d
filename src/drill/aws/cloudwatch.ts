// CloudWatch in a drill: GetMetricData over the scenario's series and the world's own metrics,
// and alarms whose state is evaluated from the same data at the simulated "now".
import type { MetricAlarm, MetricDataResult, PutMetricAlarmInput } from '@aws-sdk/client-cloudwatch';
import type { ClassicElbModel } from './elb.js';
import type { ElbV2Model } from './elbv2.js';
import { aggregate, defaultAbsentWhenZero, isStatistic, MetricStore, type MetricId, type Statistic } from './metrics.js';
import { page } from './paging.js';
import { offsetMs, type AwsSpec, type MetricSpec } from './spec.js';
import { DrillUnsupportedError, WorldError } from './wire.js';
import type { AwsWorld, CommandHandlers } from './world.js';

const QUERY_ID_RE = /^[a-z][a-zA-Z0-9_]*$/;
const RECOVER_ACTION_RE = /^arn:aws[a-z-]*:automate:[^:]+:ec2:recover$/;

interface StoredAlarm {
  input: PutMetricAlarmInput;
  configuredAt: number;
}

export class CloudWatchModel {
  readonly store = new MetricStore();
  readonly alarms = new Map<string, StoredAlarm>();

  constructor(
    readonly world: AwsWorld,
    spec: AwsSpec['cloudwatch'],
  ) {
    for (const a of spec.alarms) {
      this.alarms.set(a.name, {
        configuredAt: world.start,
        input: {
          AlarmName: a.name,
          Namespace: a.namespace,
          MetricName: a.metric,
          Dimensions: Object.entries(a.dimensions).map(([Name, Value]) => ({ Name, Value })),
          Statistic: a.statistic,
          Period: a.period,
          EvaluationPeriods: a.evaluation_periods,
          Threshold: a.threshold,
          ComparisonOperator: a.comparison,
          AlarmActions: a.actions,
        },
      });
    }
  }

  /** Loads the scenario's series, once the load balancers (which series may name) exist. */
  loadSeries(metrics: MetricSpec[], lbs: { elb: ClassicElbModel; elbv2: ElbV2Model }): void {
    for (const m of metrics) {
      const dimensions = { ...m.dimensions };
      const gated = m.while_unhealthy !== undefined ? lbs.elbv2.targetGroupByName(m.while_unhealthy) : undefined;
      const gate = gated ? (t: number) => !lbs.elbv2.allHealthyAt(gated, t) : undefined;
      if (m.load_balancer) Object.assign(dimensions, loadBalancerDimension(lbs, m.namespace, m.load_balancer));
      if (m.target_group) dimensions.TargetGroup = lbs.elbv2.targetGroupByName(m.target_group).dimension;
      this.store.add({
        namespace: m.namespace,
        name: m.name,
        dimensions,
        ...(m.unit ? { unit: m.unit } : {}),
        absentWhenZero: m.absent_when_zero ?? defaultAbsentWhenZero(m.namespace, m.name),
        points: m.series.flatMap((s) => ('at' in s ? [{ t: this.world.when(s.at), v: s.value }] : [])),
        runs: m.series.flatMap((s) =>
          'from' in s
            ? [
                {
                  from: this.world.when(s.from),
                  ...(s.to ? { to: this.world.when(s.to) } : {}),
                  every: offsetMs(s.every),
                  values: s.pattern ?? [s.value!],
                  ...(gate ? { gate } : {}),
                },
              ]
            : [],
        ),
      });
    }
  }

  /** One statistic of one metric per period over [start, end), ascending. */
  query(id: MetricId, start: number, end: number, periodS: number, stat: Statistic): { timestamps: number[]; values: number[] } {
    return aggregate(this.store.samples(id, start, end, this.world.now()), start, end, periodS, stat);
  }

  alarmState(a: StoredAlarm, now: number): { state: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA'; reason: string } {
    const i = a.input;
    const period = i.Period ?? 60;
    const periods = i.EvaluationPeriods ?? 1;
    const stat = (i.ExtendedStatistic ?? i.Statistic ?? 'Average') as Statistic;
    const end = Math.floor(now / (period * 1000)) * period * 1000;
    const start = end - periods * period * 1000;
    const id = { namespace: i.Namespace ?? '', name: i.MetricName ?? '', dimensions: Object.fromEntries((i.Dimensions ?? []).map((d) => [d.Name ?? '', d.Value ?? ''])) };
    const { values } = this.query(id, start, end, period, isStatistic(stat) ? stat : 'Average');
    if (!values.length) return { state: 'INSUFFICIENT_DATA', reason: 'Insufficient Data: no datapoints were received for the evaluation periods.' };
    const threshold = i.Threshold ?? 0;
    const breaches = values.filter((v) => compare(v, threshold, i.ComparisonOperator ?? 'GreaterThanOrEqualToThreshold')).length;
    const needed = i.DatapointsToAlarm ?? periods;
    return breaches >= needed
      ? { state: 'ALARM', reason: `Threshold Crossed: ${breaches} datapoint(s) breached the threshold (${threshold}).` }
      : { state: 'OK', reason: `Threshold Crossed: ${values.length - breaches} datapoint(s) were not breaching the threshold (${threshold}).` };
  }
}

/** The CloudWatch dimension that names a load balancer: `LoadBalancerName` (classic) or `LoadBalancer` (`app/<name>/<id>`). */
function loadBalancerDimension(lbs: { elb: ClassicElbModel; elbv2: ElbV2Model }, namespace: string, name: string): Record<string, string> {
  if (namespace === 'AWS/ELB') {
    if (!lbs.elb.find(name)) throw new Error(`the scenario's metrics name classic load balancer '${name}', which it does not define`);
    return { LoadBalancerName: name };
  }
  const lb = lbs.elbv2.find(name);
  if (!lb) throw new Error(`the scenario's metrics name load balancer '${name}', which it does not define`);
  return { LoadBalancer: lb.dimension };
}

function compare(v: number, t: number, op: string): boolean {
  switch (op) {
    case 'GreaterThanOrEqualToThreshold':
      return v >= t;
    case 'GreaterThanThreshold':
      return v > t;
    case 'LessThanThreshold':
      return v < t;
    case 'LessThanOrEqualToThreshold':
      return v <= t;
    default:
      return false;
  }
}

function ms(value: unknown, field: string): number {
  const t = value instanceof Date ? value.getTime() : typeof value === 'string' || typeof value === 'number' ? new Date(value).getTime() : NaN;
  if (!Number.isFinite(t)) throw new WorldError('ValidationError', `The parameter ${field} is required.`);
  return t;
}

export function cloudwatchCommands(model: CloudWatchModel): CommandHandlers<'cloudwatch'> {
  const world = model.world;
  return {
    GetMetricData: (input) => {
      const queries = input.MetricDataQueries ?? [];
      if (!queries.length) throw new WorldError('ValidationError', 'The parameter MetricDataQueries is required.');
      if (queries.length > 500) throw new WorldError('ValidationError', 'The collection MetricDataQueries must not have a size greater than 500.');
      const start = ms(input.StartTime, 'StartTime');
      const end = ms(input.EndTime, 'EndTime');
      if (start >= end) throw new WorldError('ValidationError', 'The parameter StartTime must be less than the parameter EndTime.');
      const seen = new Set<string>();
      const results: MetricDataResult[] = [];
      queries.forEach((q, n) => {
        const where = `MetricDataQueries.member.${n + 1}`;
        const qid = q.Id ?? '';
        if (!QUERY_ID_RE.test(qid)) throw new WorldError('ValidationError', `The value ${qid} for parameter ${where}.Id is not matching the expected pattern ^[a-z][a-zA-Z_0-9]*$.`);
        if (seen.has(qid)) throw new WorldError('ValidationError', `The values for parameter id in MetricDataQueries are not unique.`);
        seen.add(qid);
        if (q.Expression !== undefined) throw new DrillUnsupportedError(`the drill world does not simulate metric math (query ${qid}: ${q.Expression})`);
        const stat = q.MetricStat;
        if (!stat?.Metric) throw new WorldError('ValidationError', `The parameter ${where}.MetricStat is required.`);
        const period = stat.Period ?? 0;
        if (!(period > 0 && (period % 60 === 0 || [1, 5, 10, 20, 30].includes(period)))) {
          throw new WorldError('ValidationError', `The parameter ${where}.MetricStat.Period must be 1, 5, 10, 20, 30 or a multiple of 60.`);
        }
        if (!stat.Stat || !isStatistic(stat.Stat)) throw new WorldError('InvalidParameterValue', `The value ${stat.Stat ?? ''} for parameter ${where}.MetricStat.Stat is not valid.`);
        const id: MetricId = {
          namespace: stat.Metric.Namespace ?? '',
          name: stat.Metric.MetricName ?? '',
          dimensions: Object.fromEntries((stat.Metric.Dimensions ?? []).map((d) => [d.Name ?? '', d.Value ?? ''])),
        };
        if (q.ReturnData === false) return;
        const { timestamps, values } = model.query(id, start, end, period, stat.Stat);
        // CloudWatch returns newest first unless asked otherwise.
        const order = input.ScanBy === 'TimestampAscending' ? timestamps.map((_, i) => i) : timestamps.map((_, i) => timestamps.length - 1 - i);
        results.push({
          Id: qid,
          Label: q.Label ?? id.name,
          Timestamps: order.map((i) => new Date(timestamps[i]!)),
          Values: order.map((i) => values[i]!),
          StatusCode: 'Complete',
        });
      });
      return { MetricDataResults: results, Messages: [] };
    },

    PutMetricAlarm: (input, { now }) => {
      if (!input.AlarmName) throw new WorldError('ValidationError', 'The parameter AlarmName is required.');
      if (!input.EvaluationPeriods || input.Threshold === undefined || !input.ComparisonOperator) {
        throw new WorldError('ValidationError', 'EvaluationPeriods, Threshold and ComparisonOperator are required.');
      }
      const actions = [...(input.AlarmActions ?? []), ...(input.OKActions ?? []), ...(input.InsufficientDataActions ?? [])];
      // The EC2 recover action works on the system check only (a recovered host cannot fix a guest OS).
      if (actions.some((a) => RECOVER_ACTION_RE.test(a)) && !(input.Namespace === 'AWS/EC2' && input.MetricName === 'StatusCheckFailed_System')) {
        throw new WorldError('ValidationError', 'The EC2 recover action is only supported on the StatusCheckFailed_System metric.');
      }
      model.alarms.set(input.AlarmName, { input: structuredClone(input), configuredAt: now });
      return {};
    },

    DescribeAlarms: (input, { now }) => {
      const wanted = [...model.alarms.values()]
        .filter((a) => !input.AlarmNames?.length || input.AlarmNames.includes(a.input.AlarmName!))
        .filter((a) => !input.AlarmNamePrefix || a.input.AlarmName!.startsWith(input.AlarmNamePrefix))
        .filter((a) => !input.ActionPrefix || (a.input.AlarmActions ?? []).some((x) => x.startsWith(input.ActionPrefix!)))
        .map((a) => ({ a, s: model.alarmState(a, now) }))
        .filter(({ s }) => !input.StateValue || s.state === input.StateValue)
        .sort((x, y) => x.a.input.AlarmName!.localeCompare(y.a.input.AlarmName!));
      if (input.AlarmTypes?.length && !input.AlarmTypes.includes('MetricAlarm')) return { MetricAlarms: [], CompositeAlarms: [] };
      const p = page(wanted, input.MaxRecords, input.NextToken);
      return {
        MetricAlarms: p.items.map(({ a, s }): MetricAlarm => {
          const i = a.input;
          return {
            AlarmName: i.AlarmName,
            AlarmArn: `arn:aws:cloudwatch:${world.region}:${world.account}:alarm:${i.AlarmName}`,
            ...(i.AlarmDescription ? { AlarmDescription: i.AlarmDescription } : {}),
            AlarmConfigurationUpdatedTimestamp: new Date(a.configuredAt),
            ActionsEnabled: i.ActionsEnabled ?? true,
            OKActions: i.OKActions ?? [],
            AlarmActions: i.AlarmActions ?? [],
            InsufficientDataActions: i.InsufficientDataActions ?? [],
            StateValue: s.state,
            StateReason: s.reason,
            StateUpdatedTimestamp: new Date(now),
            MetricName: i.MetricName,
            Namespace: i.Namespace,
            ...(i.Statistic ? { Statistic: i.Statistic } : {}),
            ...(i.ExtendedStatistic ? { ExtendedStatistic: i.ExtendedStatistic } : {}),
            Dimensions: i.Dimensions ?? [],
            Period: i.Period,
            EvaluationPeriods: i.EvaluationPeriods,
            ...(i.DatapointsToAlarm ? { DatapointsToAlarm: i.DatapointsToAlarm } : {}),
            Threshold: i.Threshold,
            ComparisonOperator: i.ComparisonOperator,
            TreatMissingData: i.TreatMissingData ?? 'missing',
          };
        }),
        CompositeAlarms: [],
        ...(p.next ? { NextToken: p.next } : {}),
      };
    },
  };
}
