// Simulated CloudWatch data: raw samples from the scenario's series (or computed from the world,
// like EC2 status checks), and GetMetricData's period aggregation over them. Samples later than
// the simulated "now" do not exist yet, so the same query shows recovery only after it happened.

export interface Sample {
  t: number;
  v: number;
}

export interface MetricId {
  namespace: string;
  name: string;
  dimensions: Record<string, string>;
}

export interface SeriesRun {
  from: number;
  to?: number;
  every: number;
  values: number[];
  /** Samples exist only at times this holds (e.g. while a target group has unhealthy targets). */
  gate?: (t: number) => boolean;
}

export interface StoredSeries extends MetricId {
  unit?: string;
  absentWhenZero: boolean;
  points: Sample[];
  runs: SeriesRun[];
}

/** A span during which a metric reads zero (e.g. after the idle timeout was raised). */
export interface Suppression extends MetricId {
  from: number;
  to?: number;
}

/** Computes samples for metrics the world derives itself; undefined when it does not know the metric. */
export type MetricSource = (id: MetricId, start: number, end: number) => Sample[] | undefined;

// CloudWatch reports ELB error and request counts only while they are non-zero.
const ELB_NAMESPACES = new Set(['AWS/ApplicationELB', 'AWS/NetworkELB', 'AWS/ELB']);
const SPARSE_METRIC = /^HTTPCode_|ErrorCount$|Errors$|^RequestCount$|^RejectedConnectionCount$|^SpilloverCount$|^Lambda(Internal|User)Error$/;

export function defaultAbsentWhenZero(namespace: string, name: string): boolean {
  return ELB_NAMESPACES.has(namespace) && SPARSE_METRIC.test(name);
}

/** CloudWatch's metric identity: namespace, name and exactly the same dimensions. */
export function sameMetric(a: MetricId, b: MetricId): boolean {
  if (a.namespace !== b.namespace || a.name !== b.name) return false;
  const ak = Object.keys(a.dimensions);
  if (ak.length !== Object.keys(b.dimensions).length) return false;
  return ak.every((k) => b.dimensions[k] === a.dimensions[k]);
}

/** The suppression applies to this metric: same namespace and name, and its dimensions include the suppression's. */
function covers(s: Suppression, id: MetricId): boolean {
  return s.namespace === id.namespace && s.name === id.name && Object.entries(s.dimensions).every(([k, v]) => id.dimensions[k] === v);
}

export class MetricStore {
  readonly series: StoredSeries[] = [];
  readonly suppressions: Suppression[] = [];
  private readonly sources: MetricSource[] = [];

  add(series: StoredSeries): void {
    const existing = this.series.find((s) => sameMetric(s, series));
    if (existing) {
      existing.points.push(...series.points);
      existing.runs.push(...series.runs);
    } else {
      this.series.push(series);
    }
  }

  /** Registers a computed source, consulted when no explicit series matches. */
  addSource(source: MetricSource): void {
    this.sources.push(source);
  }

  /** Opens (or keeps) a zero span from `at`. */
  suppress(id: MetricId, at: number): void {
    const open = this.suppressions.find((s) => sameMetric(s, id) && s.to === undefined);
    if (!open) this.suppressions.push({ ...id, dimensions: { ...id.dimensions }, from: at });
  }

  /** Closes an open zero span at `at` (the fix was undone). */
  unsuppress(id: MetricId, at: number): void {
    for (const s of this.suppressions) if (sameMetric(s, id) && s.to === undefined) s.to = at;
  }

  /** Samples of one metric in [start, end), none later than `now`. */
  samples(id: MetricId, start: number, end: number, now: number): Sample[] {
    const stop = Math.min(end, now + 1);
    const series = this.series.find((s) => sameMetric(s, id));
    let out: Sample[];
    let sparse = defaultAbsentWhenZero(id.namespace, id.name);
    if (series) {
      sparse = series.absentWhenZero;
      out = series.points.filter((p) => p.t >= start && p.t < stop).map((p) => ({ ...p }));
      for (const run of series.runs) out.push(...expand(run, start, stop));
    } else {
      out = [];
      for (const source of this.sources) {
        const got = source(id, start, stop);
        if (got) {
          out = got.filter((p) => p.t >= start && p.t < stop);
          break;
        }
      }
    }
    const zeroed = this.suppressions.filter((s) => covers(s, id));
    if (zeroed.length) {
      for (const p of out) if (zeroed.some((s) => p.t >= s.from && (s.to === undefined || p.t < s.to))) p.v = 0;
    }
    if (sparse) out = out.filter((p) => p.v !== 0);
    return out.sort((a, b) => a.t - b.t);
  }
}

/** The samples of a generator run that fall in [start, stop). */
function expand(run: SeriesRun, start: number, stop: number): Sample[] {
  const out: Sample[] = [];
  if (run.every <= 0 || run.values.length === 0) return out;
  const last = Math.min(stop, run.to ?? Infinity);
  let i = Math.max(0, Math.ceil((start - run.from) / run.every));
  // A bound on work: a month of one-second samples is more than any drill asks for.
  for (let n = 0; n < 3_000_000; n++, i++) {
    const t = run.from + i * run.every;
    if (t >= last) break;
    if (run.gate && !run.gate(t)) continue;
    out.push({ t, v: run.values[i % run.values.length]! });
  }
  return out;
}

export type Statistic = 'Sum' | 'Average' | 'Maximum' | 'Minimum' | 'SampleCount' | `p${number}`;

const STAT_RE = /^(Sum|Average|Maximum|Minimum|SampleCount|p(\d{1,2}(\.\d+)?|100))$/;

export function isStatistic(stat: string): stat is Statistic {
  return STAT_RE.test(stat);
}

/**
 * GetMetricData's aggregation: one datapoint per period that has samples, periods aligned to
 * multiples of the period (as CloudWatch rounds StartTime down), ascending.
 */
export function aggregate(samples: Sample[], start: number, end: number, periodS: number, stat: Statistic): { timestamps: number[]; values: number[] } {
  const period = periodS * 1000;
  const first = Math.floor(start / period) * period;
  const buckets = new Map<number, number[]>();
  for (const s of samples) {
    if (s.t < first || s.t >= end) continue;
    const b = Math.floor(s.t / period) * period;
    let list = buckets.get(b);
    if (!list) buckets.set(b, (list = []));
    list.push(s.v);
  }
  const timestamps = [...buckets.keys()].sort((a, b) => a - b);
  return { timestamps, values: timestamps.map((t) => reduce(buckets.get(t)!, stat)) };
}

function reduce(values: number[], stat: Statistic): number {
  switch (stat) {
    case 'Sum':
      return values.reduce((a, b) => a + b, 0);
    case 'Average':
      return values.reduce((a, b) => a + b, 0) / values.length;
    case 'Maximum':
      return Math.max(...values);
    case 'Minimum':
      return Math.min(...values);
    case 'SampleCount':
      return values.length;
    default: {
      // Nearest-rank percentile.
      const p = Number(stat.slice(1));
      const sorted = [...values].sort((a, b) => a - b);
      const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
      return sorted[rank - 1]!;
    }
  }
}
