// CloudWatch step kinds: raw GetMetricData reduced to what people read (stats and run-length
// segments rather than thousands of points); a load-balancer summary over an incident window
// against a baseline window, with the 504 decision table applied; and the EC2 recover alarm.
import type { MetricAlarm, PutMetricAlarmInput } from '@aws-sdk/client-cloudwatch';
import { z } from 'zod';
import { defineKind } from '../../core/kind.js';
import { parseDuration } from '../../runbook/duration.js';
import { StepFailure } from '../../core/failure.js';
import { api, AwsSession, duration, instanceId, iso, isoTime, partitionOf, percentile, regionOf, regionParam, round, snsTopicArn, tgArn } from './common.js';

// ── fetching series ─────────────────────────────────────────────────────────────────────────────

export interface Query {
  id: string;
  namespace: string;
  metric: string;
  dimensions: Record<string, string>;
  stat: string;
  period: number;
  label?: string;
}

export interface Series {
  /** Epoch ms, ascending. */
  t: number[];
  v: number[];
}

/** GetMetricData for all queries over [start, end), every page, ascending; at most 500 queries per call. */
export async function fetchSeries(s: AwsSession, queries: Query[], start: number, end: number): Promise<Map<string, Series>> {
  const out = new Map<string, Series>(queries.map((q) => [q.id, { t: [], v: [] }]));
  for (let i = 0; i < queries.length; i += 500) {
    const chunk = queries.slice(i, i + 500);
    const input = {
      StartTime: new Date(start),
      EndTime: new Date(end),
      ScanBy: 'TimestampAscending' as const,
      MetricDataQueries: chunk.map((q) => ({
        Id: q.id,
        ...(q.label ? { Label: q.label } : {}),
        ReturnData: true,
        MetricStat: {
          Metric: { Namespace: q.namespace, MetricName: q.metric, Dimensions: Object.entries(q.dimensions).map(([Name, Value]) => ({ Name, Value })) },
          Period: q.period,
          Stat: q.stat,
        },
      })),
    };
    for await (const page of s.pages('cloudwatch', (m) => new m.GetMetricDataCommand(input), { maxPages: 50 })) {
      for (const r of page.MetricDataResults ?? []) {
        const series = out.get(String(r.Id));
        if (!series) continue;
        const ts: unknown[] = r.Timestamps ?? [];
        ts.forEach((t, j) => {
          const ms = t instanceof Date ? t.getTime() : Date.parse(String(t));
          const v = Number(r.Values?.[j]);
          if (Number.isFinite(ms) && Number.isFinite(v)) {
            series.t.push(ms);
            series.v.push(v);
          }
        });
      }
    }
  }
  for (const series of out.values()) {
    const order = series.t.map((_, i) => i).sort((a, b) => series.t[a]! - series.t[b]!);
    series.t = order.map((i) => series.t[i]!);
    series.v = order.map((i) => series.v[i]!);
  }
  return out;
}

/** The period starts covering [start, end). */
export function grid(start: number, end: number, periodS: number): number[] {
  const p = periodS * 1000;
  const out: number[] = [];
  for (let t = Math.floor(start / p) * p; t < end && out.length < 100_000; t += p) out.push(t);
  return out;
}

/** Values on the grid; a missing period is 0 when `zero` (ELB counts are absent when zero), else null. */
export function onGrid(series: Series, slots: number[], zero: boolean): (number | null)[] {
  const byT = new Map(series.t.map((t, i) => [t, series.v[i]!]));
  return slots.map((t) => byT.get(t) ?? (zero ? 0 : null));
}

export interface SeriesStats {
  datapoints: number;
  periods: number;
  sum: number;
  max: number;
  min: number;
  avg: number;
  p50: number;
  p99: number;
  nonzero_periods: number;
  /** Periods at the end of the window in a row whose value is 0 (recovery). */
  trailing_zero_periods: number;
  first_nonzero_at: string | null;
  last_nonzero_at: string | null;
  latest: number | null;
}

export function stats(values: (number | null)[], slots: number[]): SeriesStats {
  const present = values.filter((v): v is number => v !== null);
  let trailing = 0;
  for (let i = values.length - 1; i >= 0 && values[i] === 0; i--) trailing++;
  const firstNz = values.findIndex((v) => v !== null && v !== 0);
  let lastNz = -1;
  for (let i = values.length - 1; i >= 0; i--) {
    if (values[i] !== null && values[i] !== 0) {
      lastNz = i;
      break;
    }
  }
  const sum = present.reduce((a, b) => a + b, 0);
  let latest: number | null = null;
  for (let i = values.length - 1; i >= 0; i--) {
    if (values[i] !== null) {
      latest = values[i]!;
      break;
    }
  }
  return {
    datapoints: present.length,
    periods: values.length,
    sum: round(sum),
    max: present.length ? round(Math.max(...present)) : 0,
    min: present.length ? round(Math.min(...present)) : 0,
    avg: present.length ? round(sum / present.length) : 0,
    p50: round(percentile(present, 50)),
    p99: round(percentile(present, 99)),
    nonzero_periods: present.filter((v) => v !== 0).length,
    trailing_zero_periods: trailing,
    first_nonzero_at: firstNz >= 0 ? new Date(slots[firstNz]!).toISOString() : null,
    last_nonzero_at: lastNz >= 0 ? new Date(slots[lastNz]!).toISOString() : null,
    latest: latest === null ? null : round(latest),
  };
}

/** Run-length segments: what a 0/1 status series (or a count) did and when, in a few lines. */
export function segments(values: (number | null)[], slots: number[], periodS: number, limit = 40): { from: string; to: string; value: number | null }[] {
  const out: { from: string; to: string; value: number | null }[] = [];
  let i = 0;
  while (i < values.length) {
    let j = i;
    while (j + 1 < values.length && values[j + 1] === values[i]) j++;
    out.push({ from: new Date(slots[i]!).toISOString(), to: new Date(slots[j]! + periodS * 1000).toISOString(), value: values[i] === null ? null : round(values[i]!) });
    i = j + 1;
  }
  return out.length > limit ? [...out.slice(0, limit / 2), ...out.slice(-limit / 2)] : out;
}

function windowOf(p: { start?: string; end?: string; last?: string }, now: number): { start: number; end: number } {
  const end = p.end ? Date.parse(p.end) : now;
  const start = p.start ? Date.parse(p.start) : end - parseDuration(p.last ?? '3h');
  if (!(start < end)) throw new StepFailure(`the window is empty: start ${new Date(start).toISOString()} is not before end ${new Date(end).toISOString()}`);
  return { start, end };
}

// ── aws.cloudwatch.getMetricData ────────────────────────────────────────────────────────────────

const queryParam = z
  .object({
    id: z.string().regex(/^[a-z][a-zA-Z0-9_]{0,254}$/, { message: 'a query id starts with a lowercase letter, then letters, digits or _' }),
    namespace: z.string().min(1),
    metric: z.string().min(1),
    dimensions: z.record(z.string(), z.string()).default({}),
    stat: z.string().regex(/^(Sum|Average|Maximum|Minimum|SampleCount|p\d{1,2}(\.\d+)?|p100)$/, { message: 'a statistic: Sum, Average, Maximum, Minimum, SampleCount or a percentile like p99' }).default('Maximum'),
    period: z.number().int().min(1).default(60),
    zero_when_missing: z.boolean().default(false).describe('A missing period reads 0 (true for ELB counts, which CloudWatch omits when zero)'),
  })
  .strict();

export const getMetricData = defineKind({
  name: 'aws.cloudwatch.getMetricData',
  effect: 'read',
  params: z
    .object({
      queries: z.array(queryParam).min(1).max(100),
      last: duration.default('3h').describe('The window ending now (or at end)'),
      start: isoTime.optional(),
      end: isoTime.optional(),
      ...regionParam,
    })
    .strict(),
  describe: (p) => ({
    summary: `cloudwatch:GetMetricData ${p.queries.map((q) => `${q.namespace} ${q.metric} ${q.stat}`).join(', ')} over ${p.start ? `${p.start}…${p.end ?? 'now'}` : `the last ${p.last}`}`,
    api: api('cloudwatch', 'GetMetricData'),
    resources: [...new Set(p.queries.flatMap((q) => Object.values(q.dimensions)))],
  }),
  async run(p, ctx) {
    const s = new AwsSession(ctx, p.region);
    const { start, end } = windowOf(p, ctx.clock.now());
    const got = await fetchSeries(s, p.queries.map((q) => ({ id: q.id, namespace: q.namespace, metric: q.metric, dimensions: q.dimensions, stat: q.stat, period: q.period })), start, end);
    const series: Record<string, unknown> = {};
    for (const q of p.queries) {
      const slots = grid(start, end, q.period);
      const values = onGrid(got.get(q.id)!, slots, q.zero_when_missing);
      series[q.id] = { metric: q.metric, stat: q.stat, period: q.period, ...stats(values, slots), segments: segments(values, slots, q.period) };
    }
    const line = p.queries.map((q) => {
      const st = series[q.id] as SeriesStats;
      return `${q.id}: ${st.datapoints} points, max ${st.max}${st.first_nonzero_at ? `, non-zero from ${st.first_nonzero_at.slice(11, 16)}Z` : ''}`;
    });
    return { result: { start: new Date(start).toISOString(), end: new Date(end).toISOString(), series }, summary: line.join('; '), raw: s.raw() };
  },
});

// ── aws.cloudwatch.loadBalancerMetrics ──────────────────────────────────────────────────────────

interface MetricDef {
  key: string;
  metric: string;
  stat: string;
  count: boolean;
  perTargetGroup?: boolean;
}

const ALB: MetricDef[] = [
  { key: 'elb_504', metric: 'HTTPCode_ELB_504_Count', stat: 'Sum', count: true },
  { key: 'elb_502', metric: 'HTTPCode_ELB_502_Count', stat: 'Sum', count: true },
  { key: 'elb_5xx', metric: 'HTTPCode_ELB_5XX_Count', stat: 'Sum', count: true },
  { key: 'target_5xx', metric: 'HTTPCode_Target_5XX_Count', stat: 'Sum', count: true },
  { key: 'requests', metric: 'RequestCount', stat: 'Sum', count: true },
  { key: 'connection_errors', metric: 'TargetConnectionErrorCount', stat: 'Sum', count: true },
  { key: 'tls_errors', metric: 'TargetTLSNegotiationErrorCount', stat: 'Sum', count: true },
  { key: 'rejected', metric: 'RejectedConnectionCount', stat: 'Sum', count: true },
  { key: 'lambda_internal', metric: 'LambdaInternalError', stat: 'Sum', count: true },
  { key: 'lambda_user', metric: 'LambdaUserError', stat: 'Sum', count: true },
  { key: 'response_max', metric: 'TargetResponseTime', stat: 'Maximum', count: false },
  { key: 'response_p99', metric: 'TargetResponseTime', stat: 'p99', count: false },
  { key: 'response_p50', metric: 'TargetResponseTime', stat: 'p50', count: false },
  { key: 'healthy_min', metric: 'HealthyHostCount', stat: 'Minimum', count: false, perTargetGroup: true },
  { key: 'unhealthy_min', metric: 'UnHealthyHostCount', stat: 'Minimum', count: false, perTargetGroup: true },
  { key: 'unhealthy_max', metric: 'UnHealthyHostCount', stat: 'Maximum', count: false, perTargetGroup: true },
  { key: 'requests_per_target', metric: 'RequestCountPerTarget', stat: 'Sum', count: true, perTargetGroup: true },
];

const CLB: MetricDef[] = [
  { key: 'elb_5xx', metric: 'HTTPCode_ELB_5XX', stat: 'Sum', count: true },
  { key: 'target_5xx', metric: 'HTTPCode_Backend_5XX', stat: 'Sum', count: true },
  { key: 'requests', metric: 'RequestCount', stat: 'Sum', count: true },
  { key: 'connection_errors', metric: 'BackendConnectionErrors', stat: 'Sum', count: true },
  { key: 'spillover', metric: 'SpilloverCount', stat: 'Sum', count: true },
  { key: 'surge_queue_max', metric: 'SurgeQueueLength', stat: 'Maximum', count: false },
  { key: 'response_max', metric: 'Latency', stat: 'Maximum', count: false },
  { key: 'response_p99', metric: 'Latency', stat: 'p99', count: false },
  { key: 'response_p50', metric: 'Latency', stat: 'p50', count: false },
  { key: 'healthy_min', metric: 'HealthyHostCount', stat: 'Minimum', count: false },
  { key: 'unhealthy_min', metric: 'UnHealthyHostCount', stat: 'Minimum', count: false },
  { key: 'unhealthy_max', metric: 'UnHealthyHostCount', stat: 'Maximum', count: false },
];

/** Causes, in the order the decision table (and the fix order) considers them. */
export const CAUSES = ['not-lb', 'target-connection', 'target-tls', 'lambda', 'capacity', 'idle-timeout', 'keep-alive'] as const;

const lbmParams = z
  .object({
    load_balancer: z
      .string()
      .regex(/^((app|net)\/[A-Za-z0-9-]{1,32}\/[0-9a-f]{16}|[a-zA-Z0-9-]{1,32})$/, { message: "an ALB's dimension (app/<name>/<id>, from its ARN) or a classic load balancer's name" }),
    type: z.enum(['application', 'classic']).default('application'),
    target_groups: z
      .array(z.union([tgArn, z.string().regex(/^targetgroup\/[A-Za-z0-9-]{1,32}\/[0-9a-f]{16}$/)]))
      .max(10)
      .default([])
      .describe('Target groups (ARNs or targetgroup/<name>/<id>) for host counts; ALB only'),
    window: duration.default('30m').describe('The incident window, ending now (or at end)'),
    end: isoTime.optional(),
    baseline_offset: z
      .union([duration, z.literal('none')])
      .default('1d')
      .describe("The baseline is the same window this long before (default a day, for daily traffic shapes); 'none' for no baseline"),
    period: z.number().int().min(60).max(3600).default(60),
    idle_timeout_s: z.number().positive().optional().describe('The load balancer\'s idle timeout, to test whether responses run into it (D3)'),
    expected_targets: z.number().int().min(0).default(0).describe('How many healthy targets there should be (0: unknown)'),
    ...regionParam,
  })
  .strict();

type LbmParams = z.infer<typeof lbmParams>;

export const loadBalancerMetrics = defineKind({
  name: 'aws.cloudwatch.loadBalancerMetrics',
  effect: 'read',
  params: lbmParams,
  describe: (p) => ({
    summary: `cloudwatch:GetMetricData ${p.type === 'classic' ? 'AWS/ELB' : 'AWS/ApplicationELB'} for ${p.load_balancer}: last ${p.window}${p.baseline_offset === 'none' ? '' : ` vs the same window ${p.baseline_offset} earlier`}`,
    api: api('cloudwatch', 'GetMetricData'),
    resources: [p.load_balancer],
  }),
  async run(p, ctx) {
    const s = new AwsSession(ctx, p.region);
    const end = p.end ? Date.parse(p.end) : ctx.clock.now();
    const len = parseDuration(p.window);
    const windows = { incident: { start: end - len, end } } as Record<'incident' | 'baseline', { start: number; end: number }>;
    if (p.baseline_offset !== 'none') {
      const off = parseDuration(p.baseline_offset);
      windows.baseline = { start: end - len - off, end: end - off };
    }
    const defs = p.type === 'classic' ? CLB : ALB;
    const namespace = p.type === 'classic' ? 'AWS/ELB' : 'AWS/ApplicationELB';
    const lbDims: Record<string, string> = p.type === 'classic' ? { LoadBalancerName: p.load_balancer } : { LoadBalancer: p.load_balancer };
    const tgs = p.type === 'classic' ? [] : p.target_groups.map((t) => (t.startsWith('arn:') ? t.slice(t.indexOf(':targetgroup/') + 1) : t));
    const queries: (Query & { def: MetricDef })[] = [];
    for (const def of defs) {
      if (def.perTargetGroup) {
        tgs.forEach((tg, i) => queries.push({ id: `${def.key}_tg${i}`, namespace, metric: def.metric, stat: def.stat, period: p.period, dimensions: { ...lbDims, TargetGroup: tg }, def }));
      } else {
        queries.push({ id: def.key, namespace, metric: def.metric, stat: def.stat, period: p.period, dimensions: lbDims, def });
      }
    }
    const perWindow: Record<string, Record<string, SeriesStats>> = {};
    const unhealthyPoints: Record<string, number> = {};
    for (const [name, w] of Object.entries(windows)) {
      const got = await fetchSeries(s, queries, w.start, w.end);
      const slots = grid(w.start, w.end, p.period);
      const byKey: Record<string, SeriesStats> = {};
      for (const def of defs) {
        const ids = queries.filter((q) => q.def === def).map((q) => q.id);
        if (!ids.length) continue;
        // Per target group, host counts add up per period.
        const summed: (number | null)[] = slots.map(() => null);
        for (const id of ids) {
          onGrid(got.get(id)!, slots, def.count).forEach((v, i) => {
            if (v !== null) summed[i] = (summed[i] ?? 0) + v;
          });
        }
        byKey[def.key] = stats(summed, slots);
        if (def.key === 'unhealthy_min') unhealthyPoints[name] = summed.filter((v) => v !== null && v > 0).length;
      }
      perWindow[name] = byKey;
    }
    const inc = perWindow.incident!;
    const base = perWindow.baseline;
    const val = (k: string, f: keyof SeriesStats = 'sum') => Number(inc[k]?.[f] ?? 0);
    const bval = (k: string, f: keyof SeriesStats = 'sum') => (base ? Number(base[k]?.[f] ?? 0) : null);
    const classic = p.type === 'classic';
    const lb504 = classic ? val('elb_5xx') : val('elb_504');
    const requests = val('requests');
    const hasHosts = classic || tgs.length > 0;
    const summary = {
      type: p.type,
      window: { start: new Date(windows.incident.start).toISOString(), end: new Date(windows.incident.end).toISOString() },
      baseline: windows.baseline ? { start: new Date(windows.baseline.start).toISOString(), end: new Date(windows.baseline.end).toISOString() } : null,
      // At a CLB, 504s are inside HTTPCode_ELB_5XX: there is no separate 504 metric.
      lb_504: lb504,
      lb_504_metric: classic ? 'HTTPCode_ELB_5XX' : 'HTTPCode_ELB_504_Count',
      lb_502: classic ? null : val('elb_502'),
      lb_5xx: val('elb_5xx'),
      target_5xx: val('target_5xx'),
      requests,
      rate_504_pct: requests > 0 ? round((100 * lb504) / requests, 3) : lb504 > 0 ? 100 : 0,
      connection_errors: val('connection_errors'),
      tls_errors: classic ? null : val('tls_errors'),
      lambda_errors: classic ? null : val('lambda_internal') + val('lambda_user'),
      lambda_internal: classic ? null : val('lambda_internal'),
      response_max_s: val('response_max', 'max'),
      response_p99_s: val('response_p99', 'max'),
      response_p50_s: val('response_p50', 'p50'),
      healthy_min: hasHosts && inc.healthy_min?.datapoints ? val('healthy_min', 'min') : null,
      unhealthy_max: hasHosts && inc.unhealthy_max?.datapoints ? val('unhealthy_max', 'max') : null,
      unhealthy_min_points: unhealthyPoints.incident ?? 0,
      surge_queue_max: classic ? val('surge_queue_max', 'max') : null,
      spillover: classic ? val('spillover') : null,
      lb_504_minutes: inc[classic ? 'elb_5xx' : 'elb_504']?.nonzero_periods ?? 0,
      lb_504_trailing_zero_periods: inc[classic ? 'elb_5xx' : 'elb_504']?.trailing_zero_periods ?? 0,
      lb_504_first_at: inc[classic ? 'elb_5xx' : 'elb_504']?.first_nonzero_at ?? null,
      baseline_lb_504: bval(classic ? 'elb_5xx' : 'elb_504'),
      baseline_requests: bval('requests'),
      traffic_ratio: base && Number(bval('requests')) > 0 ? round(requests / Number(bval('requests')), 2) : null,
      idle_timeout_s: p.idle_timeout_s ?? null,
    };
    const findings = decide(summary, p, classic);
    const causes = findings.map((f) => f.cause);
    const suspected = causes[0] ?? (lb504 > 0 ? 'unclear' : summary.target_5xx > 0 ? 'not-lb' : 'no-504');
    for (const f of findings) ctx.log(`${f.id}: ${f.text}`, 'log');
    const result = { ...summary, findings, causes, suspected, metrics: { incident: inc, ...(base ? { baseline: base } : {}) } };
    const parts = [
      `${summary.lb_504_metric} ${lb504}${summary.baseline_lb_504 !== null ? ` (baseline ${summary.baseline_lb_504})` : ''}`,
      `${requests} requests (${summary.rate_504_pct}%)`,
      `target 5xx ${summary.target_5xx}`,
      `connection errors ${summary.connection_errors}`,
      `response max ${summary.response_max_s} s`,
    ];
    return { result, summary: `${parts.join(', ')} → suspected: ${suspected}`, raw: s.raw() };
  },
});

interface Finding {
  id: string;
  cause: (typeof CAUSES)[number];
  text: string;
}

/** The figures of the load-balancer summary that the decision table reads (null: not measured). */
interface LbFigures {
  lb_504: number;
  lb_504_metric: string;
  lb_502: number | null;
  target_5xx: number;
  connection_errors: number;
  tls_errors: number | null;
  lambda_errors: number | null;
  lambda_internal: number | null;
  response_max_s: number;
  healthy_min: number | null;
  unhealthy_max: number | null;
  unhealthy_min_points: number;
  traffic_ratio: number | null;
}

function decide(m: LbFigures, p: LbmParams, classic: boolean): Finding[] {
  const out: Finding[] = [];
  const idle = p.idle_timeout_s;
  const lb504 = m.lb_504;
  if (lb504 === 0 && m.target_5xx > 0) {
    out.push({
      id: 'D1',
      cause: 'not-lb',
      text: `no ${m.lb_504_metric} datapoints while the targets returned ${m.target_5xx} 5xx: the 504s come from the application or a proxy on the targets, not the load balancer`,
    });
  }
  const slowOnIdle = idle !== undefined && m.response_max_s >= 0.95 * idle;
  const fastCloses = idle !== undefined && m.response_max_s < 0.5 * idle;
  // At a CLB a back-end closing keep-alive connections early shows as 504 with connection errors
  // on quick requests and healthy hosts; at an ALB the same mismatch shows as 502.
  const clbKeepAlive = classic && lb504 > 0 && m.connection_errors > 0 && fastCloses && !((m.unhealthy_max ?? 0) > 0);
  if (m.connection_errors > 0 && !clbKeepAlive) {
    out.push({
      id: 'D2',
      cause: 'target-connection',
      text: `${m.connection_errors} failed connections to targets: check security groups, NACL return ports 1024-65535, whether anything listens, and the 10 s connect limit before touching timeouts`,
    });
  }
  if (!classic && (m.tls_errors ?? 0) > 0) out.push({ id: 'C', cause: 'target-tls', text: `${m.tls_errors} TLS negotiation errors to HTTPS targets (10 s handshake limit)` });
  if (!classic && (m.lambda_errors ?? 0) > 0) {
    out.push({
      id: 'D6',
      cause: 'lambda',
      text: `Lambda target errors (${m.lambda_internal} internal, ${(m.lambda_errors ?? 0) - (m.lambda_internal ?? 0)} user): LambdaInternalError means the Lambda service did not answer in time (504); a function hitting its own timeout is a user error and shows as 502`,
    });
  }
  const unhealthyLong = m.unhealthy_min_points >= 2;
  const fewHealthy = p.expected_targets > 0 && m.healthy_min !== null && m.healthy_min < p.expected_targets;
  const surge = m.traffic_ratio !== null && m.traffic_ratio > 2;
  if (unhealthyLong || fewHealthy || surge) {
    const why = [
      unhealthyLong ? `UnHealthyHostCount above 0 for ${m.unhealthy_min_points} periods` : '',
      fewHealthy ? `as few as ${m.healthy_min} healthy of ${p.expected_targets} expected` : '',
      surge ? `${m.traffic_ratio}× the baseline requests` : '',
    ].filter(Boolean);
    out.push({ id: 'D4', cause: 'capacity', text: `${why.join('; ')}: restore capacity and health first` });
  }
  if (lb504 > 0 && slowOnIdle) {
    out.push({ id: 'D3', cause: 'idle-timeout', text: `the slowest responses (${m.response_max_s} s) reach the ${idle} s idle timeout: the targets answer after the load balancer gave up` });
  }
  if (clbKeepAlive) {
    out.push({
      id: 'H',
      cause: 'keep-alive',
      text: `504s with back-end connection errors on quick requests (max ${m.response_max_s} s, idle timeout ${idle} s) and healthy hosts: the back-ends close keep-alive connections before the idle timeout`,
    });
  } else if (!classic && (m.lb_502 ?? 0) > 0 && lb504 > 0) {
    out.push({ id: 'H', cause: 'keep-alive', text: `${m.lb_502} ELB 502s as well: targets closing connections early (keep-alive shorter than the idle timeout) — a 502 cause at an ALB` });
  }
  return out;
}

// ── alarms ──────────────────────────────────────────────────────────────────────────────────────

function reduceAlarm(a: MetricAlarm) {
  return {
    name: a.AlarmName ?? '',
    state: a.StateValue ?? null,
    namespace: a.Namespace ?? null,
    metric: a.MetricName ?? null,
    dimensions: Object.fromEntries((a.Dimensions ?? []).map((d) => [d.Name ?? '', d.Value ?? ''])),
    statistic: a.Statistic ?? a.ExtendedStatistic ?? null,
    period: a.Period ?? null,
    evaluation_periods: a.EvaluationPeriods ?? null,
    threshold: a.Threshold ?? null,
    comparison: a.ComparisonOperator ?? null,
    actions: a.AlarmActions ?? [],
    ok_actions: a.OKActions ?? [],
    updated: iso(a.AlarmConfigurationUpdatedTimestamp) ?? null,
  };
}

const alarmName = z
  .string()
  .min(1)
  .max(255)
  .refine((v) => ![...v].some((c) => c.charCodeAt(0) < 0x20), { message: 'an alarm name is 1 to 255 printable characters' });

export const describeAlarms = defineKind({
  name: 'aws.cloudwatch.describeAlarms',
  effect: 'read',
  params: z.object({ alarm_names: z.array(alarmName).min(1).max(100), ...regionParam }).strict(),
  describe: (p) => ({ summary: `cloudwatch:DescribeAlarms ${p.alarm_names.join(', ')}`, api: api('cloudwatch', 'DescribeAlarms'), resources: p.alarm_names }),
  async run(p, ctx) {
    const s = new AwsSession(ctx, p.region);
    const alarms: ReturnType<typeof reduceAlarm>[] = [];
    for await (const page of s.pages('cloudwatch', (m) => new m.DescribeAlarmsCommand({ AlarmNames: p.alarm_names, AlarmTypes: ['MetricAlarm'] }), { maxPages: 10 })) {
      alarms.push(...(page.MetricAlarms ?? []).map(reduceAlarm));
    }
    const missing = p.alarm_names.filter((n) => !alarms.some((a) => a.name === n));
    return {
      result: { alarms, found: alarms.length, missing },
      summary: alarms.length ? alarms.map((a) => `${a.name}: ${a.state}`).join(', ') : `no alarm named ${p.alarm_names.join(', ')}`,
      raw: s.raw(),
    };
  },
});

/**
 * The documented recover alarm: StatusCheckFailed_System, Maximum over 1 minute, 2 evaluation
 * periods, >= 1, action arn:<partition>:automate:<region>:ec2:recover. The recover action works
 * on the system check only (never the instance check).
 */
export const putRecoveryAlarm = defineKind({
  name: 'aws.cloudwatch.putRecoveryAlarm',
  effect: 'write',
  params: z
    .object({
      instance_id: instanceId,
      alarm_name: alarmName.optional().describe("Default recover-<instance id>"),
      sns_topic_arn: z.union([snsTopicArn, z.literal('')]).default('').describe('Also notify this topic when the alarm fires'),
      ...regionParam,
    })
    .strict(),
  describe: (p) => ({
    summary: `cloudwatch:PutMetricAlarm ${p.alarm_name ?? `recover-${p.instance_id}`}: StatusCheckFailed_System of ${p.instance_id} >= 1 for 2 × 1 min → ec2:recover${p.sns_topic_arn ? ` and ${p.sns_topic_arn}` : ''}`,
    api: api('cloudwatch', 'PutMetricAlarm'),
    resources: [p.alarm_name ?? `recover-${p.instance_id}`, p.instance_id],
  }),
  async run(p, ctx) {
    const s = new AwsSession(ctx, p.region);
    const where = await regionOf(ctx, p.region);
    if (!where) throw new StepFailure('the recover action names a region, and none is set: pass --region or set AWS_REGION');
    const name = p.alarm_name ?? `recover-${p.instance_id}`;
    const recover = `arn:${partitionOf(where)}:automate:${where}:ec2:recover`;
    const actions = [recover, ...(p.sns_topic_arn ? [p.sns_topic_arn] : [])];
    const wanted: PutMetricAlarmInput = {
      AlarmName: name,
      AlarmDescription: `Recover ${p.instance_id} onto healthy hardware when its system status check fails (created by oncall during incident ${ctx.incidentId})`,
      Namespace: 'AWS/EC2',
      MetricName: 'StatusCheckFailed_System',
      Dimensions: [{ Name: 'InstanceId', Value: p.instance_id }],
      Statistic: 'Maximum',
      Period: 60,
      EvaluationPeriods: 2,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: actions,
      ActionsEnabled: true,
    };
    const read = await s.call('cloudwatch', (m) => new m.DescribeAlarmsCommand({ AlarmNames: [name], AlarmTypes: ['MetricAlarm'] }), [name]);
    const existing = read.output.MetricAlarms?.find((a) => a.AlarmName === name);
    const previous = existing ? reduceAlarm(existing) : null;
    const same =
      previous &&
      previous.metric === wanted.MetricName &&
      previous.dimensions.InstanceId === p.instance_id &&
      previous.evaluation_periods === 2 &&
      previous.period === 60 &&
      actions.every((a) => previous.actions.includes(a));
    if (same) {
      ctx.log(`alarm ${name} already recovers ${p.instance_id}; nothing to change`, 'log');
      return { result: { alarm_name: name, called: false, created: false, previous, actions, request_id: null }, summary: `${name} already in place`, raw: s.raw() };
    }
    await s.call('cloudwatch', (m) => new m.PutMetricAlarmCommand(wanted), [name]);
    return {
      result: { alarm_name: name, called: true, created: previous === null, previous, actions, request_id: s.requestId('PutMetricAlarm') ?? null },
      summary: `${previous ? 'updated' : 'created'} ${name}: recover ${p.instance_id} after 2 failed system checks`,
      raw: s.raw(),
    };
  },
});

export const CLOUDWATCH_KINDS = [getMetricData, loadBalancerMetrics, describeAlarms, putRecoveryAlarm];
