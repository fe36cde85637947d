// The load balancer's S3 access logs for a time window, streamed (gzip for ALB, plain for CLB)
// and reduced to counts: how many 504s the load balancer made itself (target_status_code "-",
// target_processing_time -1), how many the targets sent, per target and per path, and how long
// they took — ≈ the idle timeout means cause A, ≈ 10 s a connect or TLS timeout.
// Access-log lines hold client IPs, full URLs and query strings (which can carry tokens): none of
// those leave this file. Paths lose their query string and id-like segments.
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';
import { Readable } from 'node:stream';
import { z } from 'zod';
import { defineKind } from '../../core/kind.js';
import { parseDuration } from '../../runbook/duration.js';
import { StepFailure } from '../../core/failure.js';
import { accountId, api, AwsSession, bucketName, duration, isoTime, percentile, regionOf, regionParam, round } from './common.js';

// ── parsing ─────────────────────────────────────────────────────────────────────────────────────

/** Splits an access-log line: space-separated, double-quoted fields may hold spaces and \" escapes. */
export function splitLogLine(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  const n = line.length;
  while (i < n) {
    while (i < n && line[i] === ' ') i++;
    if (i >= n) break;
    if (line[i] === '"') {
      let v = '';
      i++;
      while (i < n && line[i] !== '"') {
        if (line[i] === '\\' && i + 1 < n) {
          v += line[i + 1];
          i += 2;
        } else v += line[i++];
      }
      i++;
      out.push(v);
    } else {
      const start = i;
      while (i < n && line[i] !== ' ') i++;
      out.push(line.slice(start, i));
    }
  }
  return out;
}

export interface LogEntry {
  time: number;
  elbStatus: number;
  /** '-' when no response came from a target. */
  targetStatus: string;
  /** host:port of the target, '-' when not dispatched. */
  target: string;
  /** -1 when the target did not answer before the idle timeout (or was never reached). */
  targetProcessingTime: number;
  /** Seconds from request creation to the log time (ALB), when known. */
  duration: number | null;
  method: string;
  path: string;
  errorReason: string;
}

/** One ALB line (fields are documented in order; new ones are appended, so extra fields are ignored). */
export function parseAlbLine(line: string): LogEntry | undefined {
  const f = splitLogLine(line);
  if (f.length < 22) return undefined;
  const time = Date.parse(f[1]!);
  const elbStatus = Number(f[8]);
  if (!Number.isFinite(time) || !Number.isFinite(elbStatus)) return undefined;
  const created = Date.parse(f[21]!);
  const [method = '', url = ''] = (f[12] ?? '').split(' ');
  return {
    time,
    elbStatus,
    targetStatus: f[9] ?? '-',
    target: f[4] ?? '-',
    targetProcessingTime: Number(f[6]),
    duration: Number.isFinite(created) ? round((time - created) / 1000, 3) : null,
    method,
    path: normalizePath(url),
    errorReason: f[24] ?? '-',
  };
}

/** One Classic Load Balancer line: timestamp elb client:port backend:port rpt bpt rspt elb_status backend_status … "request". */
export function parseClbLine(line: string): LogEntry | undefined {
  const f = splitLogLine(line);
  if (f.length < 12) return undefined;
  const time = Date.parse(f[0]!);
  const elbStatus = Number(f[7]);
  if (!Number.isFinite(time) || !Number.isFinite(elbStatus)) return undefined;
  const [method = '', url = ''] = (f[11] ?? '').split(' ');
  const times = [f[4], f[5], f[6]].map(Number);
  return {
    time,
    elbStatus,
    targetStatus: f[8] ?? '-',
    target: f[3] ?? '-',
    targetProcessingTime: Number(f[5]),
    duration: times.every((t) => Number.isFinite(t) && t >= 0) ? round(times.reduce((a, b) => a + b, 0), 3) : null,
    method,
    path: normalizePath(url),
    errorReason: '-',
  };
}

/** The path of a logged URL without its query string, with id-like segments folded, so no token or user id is kept. */
export function normalizePath(url: string): string {
  let path = url;
  const scheme = /^[a-z]+:\/\/[^/]*/i.exec(url);
  if (scheme) path = url.slice(scheme[0].length) || '/';
  path = path.split(/[?#]/)[0] ?? '/';
  if (!path.startsWith('/')) path = `/${path}`;
  const segments = path.split('/').map((seg) => {
    if (!seg) return seg;
    if (/^\d+$/.test(seg)) return '{n}';
    if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(seg)) return '{uuid}';
    if (seg.length >= 16 && /^[A-Za-z0-9_=.~%-]+$/.test(seg) && /\d/.test(seg)) return '{id}';
    return seg.length > 40 ? `${seg.slice(0, 39)}…` : seg;
  });
  const out = segments.join('/');
  return out.length > 120 ? `${out.slice(0, 119)}…` : out;
}

// ── the window's files ──────────────────────────────────────────────────────────────────────────

const FILE_WINDOW_MS = 5 * 60_000;

/** The day prefixes (…/AWSLogs/<acct>/elasticloadbalancing/<region>/yyyy/mm/dd/) a window touches. */
export function dayPrefixes(o: { prefix: string; account: string; region: string; start: number; end: number }): string[] {
  const base = `${o.prefix ? `${o.prefix.replace(/\/+$/, '')}/` : ''}AWSLogs/${o.account}/elasticloadbalancing/${o.region}/`;
  const out: string[] = [];
  const day = 86_400_000;
  for (let t = Math.floor((o.start - FILE_WINDOW_MS) / day) * day; t <= o.end + FILE_WINDOW_MS; t += day) {
    const d = new Date(t);
    out.push(`${base}${d.getUTCFullYear()}/${String(d.getUTCMonth() + 1).padStart(2, '0')}/${String(d.getUTCDate()).padStart(2, '0')}/`);
  }
  return [...new Set(out)];
}

/** The end of the 5-minute interval a log file covers, from its name (…_20260302T0310Z_…). */
export function fileEndTime(key: string): number | undefined {
  const m = /_(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})Z_/.exec(key);
  return m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5])) : undefined;
}

// ── streaming ───────────────────────────────────────────────────────────────────────────────────

/** An S3 object's body: a stream of bytes in Node, or (elsewhere) something that reads into one array. */
type ObjectBody = AsyncIterable<Uint8Array> | { transformToByteArray(): Promise<Uint8Array> };

/** Lines of an S3 body, gunzipped when it starts with the gzip magic bytes. */
async function* bodyLines(body: ObjectBody | undefined, signal: AbortSignal, maxLineChars: number): AsyncGenerator<string> {
  if (!body) throw new Error('S3 returned the object without a body');
  const source: AsyncIterable<Uint8Array> = Symbol.asyncIterator in body ? body : Readable.from([await body.transformToByteArray()]);
  const iterator = source[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.done) return;
  const head = Buffer.from(first.value);
  const rest = (async function* () {
    yield head;
    for (;;) {
      const n = await iterator.next();
      if (n.done) return;
      yield Buffer.from(n.value);
    }
  })();
  const gzip = head[0] === 0x1f && head[1] === 0x8b;
  const stream = gzip ? Readable.from(rest).pipe(createGunzip()) : Readable.from(rest);
  const decoder = new StringDecoder('utf8');
  let carry = '';
  try {
    for await (const chunk of stream) {
      if (signal.aborted) throw signal.reason;
      carry += decoder.write(chunk as Buffer);
      let nl: number;
      while ((nl = carry.indexOf('\n')) >= 0) {
        const line = carry.slice(0, nl).replace(/\r$/, '');
        carry = carry.slice(nl + 1);
        if (line) yield line.length > maxLineChars ? line.slice(0, maxLineChars) : line;
      }
      // A line longer than any real log line: keep the start, drop the rest.
      if (carry.length > maxLineChars * 4) carry = carry.slice(0, maxLineChars);
    }
    carry += decoder.end();
    if (carry.trim()) yield carry;
  } finally {
    stream.destroy();
    await iterator.return?.();
  }
}

// ── counting ────────────────────────────────────────────────────────────────────────────────────

export interface ScanCounts {
  lines: number;
  in_window: number;
  malformed: number;
  matching: number;
  lb_generated: number;
  target_generated: number;
  partial_response: number;
  not_dispatched: number;
  durations: number[];
  perTarget: Map<string, { count: number; lb_generated: number; durations: number[] }>;
  perPath: Map<string, { count: number; lb_generated: number }>;
  errorReasons: Map<string, number>;
  first?: number;
  last?: number;
}

export function newCounts(): ScanCounts {
  return { lines: 0, in_window: 0, malformed: 0, matching: 0, lb_generated: 0, target_generated: 0, partial_response: 0, not_dispatched: 0, durations: [], perTarget: new Map(), perPath: new Map(), errorReasons: new Map() };
}

const KEEP_DURATIONS = 100_000;

/** Adds one line to the counts (lines outside [start, end) or with another status only count as read). */
export function countLine(c: ScanCounts, e: LogEntry | undefined, o: { start: number; end: number; status: number }): void {
  c.lines++;
  if (!e) {
    c.malformed++;
    return;
  }
  if (e.time < o.start || e.time >= o.end) return;
  c.in_window++;
  if (e.elbStatus !== o.status) return;
  c.matching++;
  c.first = Math.min(c.first ?? e.time, e.time);
  c.last = Math.max(c.last ?? e.time, e.time);
  const lbMade = e.targetStatus === '-' && e.targetProcessingTime === -1;
  if (e.target === '-') c.not_dispatched++;
  if (lbMade) c.lb_generated++;
  else if (e.targetStatus === String(o.status)) c.target_generated++;
  else if (e.targetStatus !== '-') c.partial_response++;
  if (e.duration !== null && c.durations.length < KEEP_DURATIONS) c.durations.push(e.duration);
  const t = c.perTarget.get(e.target) ?? { count: 0, lb_generated: 0, durations: [] };
  t.count++;
  if (lbMade) t.lb_generated++;
  if (e.duration !== null && t.durations.length < 10_000) t.durations.push(e.duration);
  c.perTarget.set(e.target, t);
  const key = `${e.method} ${e.path}`;
  const pth = c.perPath.get(key) ?? { count: 0, lb_generated: 0 };
  pth.count++;
  if (lbMade) pth.lb_generated++;
  if (c.perPath.size < 5000 || c.perPath.has(key)) c.perPath.set(key, pth);
  if (e.errorReason && e.errorReason !== '-' && (c.errorReasons.size < 20 || c.errorReasons.has(e.errorReason))) c.errorReasons.set(e.errorReason, (c.errorReasons.get(e.errorReason) ?? 0) + 1);
}

const HISTOGRAM_EDGES = [1, 5, 9, 11, 30, 55, 65, 120, 300];

export function summarizeCounts(c: ScanCounts, o: { top: number; idleTimeoutS?: number }) {
  const hist = HISTOGRAM_EDGES.map((le) => ({ le_s: le, count: 0 }));
  let over = 0;
  for (const d of c.durations) {
    const bucket = hist.find((h) => d <= h.le_s);
    if (bucket) bucket.count++;
    else over++;
  }
  const near = (x: number, tol: number) => c.durations.filter((d) => Math.abs(d - x) <= tol).length;
  const p50 = c.durations.length ? round(percentile(c.durations, 50), 3) : null;
  let reading = 'no matching lines';
  if (c.matching) {
    if (c.target_generated > c.lb_generated) reading = 'mostly sent by the targets themselves (target_status_code set): look at the application or its proxy';
    else if (o.idleTimeoutS && p50 !== null && Math.abs(p50 - o.idleTimeoutS) <= 1) reading = `load-balancer 504s lasting about the ${o.idleTimeoutS} s idle timeout: targets answer too slowly (cause A)`;
    else if (p50 !== null && p50 >= 9 && p50 <= 11) reading = 'load-balancer 504s lasting about 10 s: connecting (or TLS) to the targets timed out (causes B/C)';
    else if (c.partial_response > c.lb_generated) reading = 'targets sent headers but not the whole body: check Content-Length (cause E)';
    else reading = 'load-balancer 504s without a response from the targets';
  }
  return {
    matching: c.matching,
    lb_generated: c.lb_generated,
    target_generated: c.target_generated,
    partial_response: c.partial_response,
    not_dispatched: c.not_dispatched,
    lb_generated_pct: c.matching ? round((100 * c.lb_generated) / c.matching, 1) : 0,
    duration_s: { p50, p90: c.durations.length ? round(percentile(c.durations, 90), 3) : null, max: c.durations.length ? round(Math.max(...c.durations), 3) : null },
    near_idle_timeout: o.idleTimeoutS ? near(o.idleTimeoutS, 1) : null,
    near_connect_limit: near(10, 1),
    histogram: [...hist, { le_s: null, count: over }],
    per_target: [...c.perTarget.entries()]
      .sort((a, b) => b[1].count - a[1].count)
      .slice(0, o.top)
      .map(([target, t]) => ({ target, count: t.count, lb_generated: t.lb_generated, p50_duration_s: t.durations.length ? round(percentile(t.durations, 50), 3) : null })),
    per_path: [...c.perPath.entries()]
      .sort((a, b) => b[1].count - a[1].count)
      .slice(0, o.top)
      .map(([path, x]) => ({ path, count: x.count, lb_generated: x.lb_generated })),
    error_reasons: Object.fromEntries(c.errorReasons),
    first_at: c.first !== undefined ? new Date(c.first).toISOString() : null,
    last_at: c.last !== undefined ? new Date(c.last).toISOString() : null,
    reading,
  };
}

// ── the kind ────────────────────────────────────────────────────────────────────────────────────

const params = z
  .object({
    bucket: bucketName,
    prefix: z.string().regex(/^[A-Za-z0-9!_.*'()/-]{0,512}$/, { message: 'an S3 key prefix' }).default(''),
    load_balancer: z
      .string()
      .regex(/^((app|net)[./][A-Za-z0-9-]{1,32}[./][0-9a-f]{16}|[a-zA-Z0-9-]{1,32})$/, { message: "an ALB's app/<name>/<id> (or app.<name>.<id>), or a classic load balancer's name" }),
    type: z.enum(['application', 'classic']).default('application'),
    account_id: z.union([accountId, z.literal('')]).default('').describe('The account in the log path; empty: the caller\'s'),
    window: duration.default('30m'),
    end: isoTime.optional(),
    status: z.number().int().min(100).max(599).default(504),
    idle_timeout_s: z.number().positive().optional().describe('Counts the lines that lasted about this long'),
    max_files: z.number().int().min(1).max(2000).default(200),
    max_bytes: z.number().int().min(1024).max(10 * 1024 ** 3).default(512 * 1024 ** 2).describe('Stop after reading this many compressed bytes'),
    top: z.number().int().min(1).max(50).default(10),
    ...regionParam,
  })
  .strict();

export const scanAccessLogs = defineKind({
  name: 'aws.s3.scanAccessLogs',
  effect: 'read',
  params,
  describe: (p) => ({
    summary: `s3:ListBucket, s3:GetObject on s3://${p.bucket}${p.prefix ? `/${p.prefix}` : ''}: ${p.status} lines of ${p.load_balancer} in the last ${p.window}`,
    api: api('s3', 'GetObject'),
    resources: [`arn:aws:s3:::${p.bucket}`],
  }),
  async run(p, ctx) {
    const s = new AwsSession(ctx, p.region);
    const end = p.end ? Date.parse(p.end) : ctx.clock.now();
    const start = end - parseDuration(p.window);
    const region = await regionOf(ctx, p.region);
    if (!region) throw new StepFailure('the log path names a region, and none is set: pass --region or the region parameter');
    const account = p.account_id || (await s.provider.identity(ctx.signal)).account;
    // ALB files: <acct>_elasticloadbalancing_<region>_app.<name>.<id>_<end>_<ip>_<rand>.log.gz; CLB: …_<name>_<end>_<ip>_<rand>.log
    const lbToken = p.type === 'classic' ? p.load_balancer : p.load_balancer.replace(/\//g, '.');
    const marker = `_elasticloadbalancing_${region}_${lbToken}_`;
    const keys: { key: string; size: number }[] = [];
    let listed = 0;
    for (const prefix of dayPrefixes({ prefix: p.prefix, account, region, start, end })) {
      for await (const page of s.pages('s3', (m) => new m.ListObjectsV2Command({ Bucket: p.bucket, Prefix: prefix }), { maxPages: 200 })) {
        for (const o of page.Contents ?? []) {
          listed++;
          const key = String(o.Key ?? '');
          const t = fileEndTime(key);
          if (!key.includes(marker) || t === undefined) continue;
          if (t >= start && t - FILE_WINDOW_MS <= end) keys.push({ key, size: Number(o.Size ?? 0) });
        }
      }
    }
    keys.sort((a, b) => (a.key < b.key ? -1 : 1));
    const chosen = keys.slice(0, p.max_files);
    const counts = newCounts();
    const parse = p.type === 'classic' ? parseClbLine : parseAlbLine;
    let bytes = 0;
    let scanned = 0;
    let stoppedAtBytes = false;
    ctx.log(`${keys.length} log files of ${p.load_balancer} in the window (${listed} objects listed); reading ${chosen.length}`, 'log');
    for (const f of chosen) {
      if (bytes >= p.max_bytes) {
        stoppedAtBytes = true;
        break;
      }
      const out = await s.call('s3', (m) => new m.GetObjectCommand({ Bucket: p.bucket, Key: f.key }), [`s3://${p.bucket}/${f.key}`], (o) => ({ ContentLength: o.ContentLength, ContentType: o.ContentType, ETag: o.ETag }));
      bytes += Number(out.output.ContentLength ?? f.size ?? 0);
      for await (const line of bodyLines(out.output.Body, ctx.signal, 16_384)) countLine(counts, parse(line), { start, end, status: p.status });
      scanned++;
    }
    const summary = summarizeCounts(counts, { top: p.top, idleTimeoutS: p.idle_timeout_s });
    const truncated = keys.length > chosen.length || stoppedAtBytes;
    const note = 'access-log lines hold client IPs and full URLs: only targets, paths without query strings (id-like segments folded) and counts are kept';
    ctx.log(note, 'log');
    for (const t of summary.per_target.slice(0, 5)) ctx.log(`${t.target}: ${t.count} × ${p.status} (${t.lb_generated} made by the load balancer), p50 ${t.p50_duration_s ?? '?'} s`, 'stdout');
    for (const x of summary.per_path.slice(0, 5)) ctx.log(`${x.path}: ${x.count} × ${p.status}`, 'stdout');
    const result = {
      window: { start: new Date(start).toISOString(), end: new Date(end).toISOString() },
      status: p.status,
      files: { matched: keys.length, scanned, listed, bytes, truncated },
      lines: { read: counts.lines, in_window: counts.in_window, malformed: counts.malformed },
      ...summary,
      note,
    };
    const line = counts.matching
      ? `${counts.matching} × ${p.status} in ${scanned} files: ${counts.lb_generated} made by the load balancer (no target response), ${counts.target_generated} sent by targets; p50 ${summary.duration_s.p50 ?? '?'} s — ${summary.reading}`
      : `no ${p.status} lines in ${scanned} log files of the window`;
    return { result, summary: truncated ? `${line} (stopped early: raise max_files or max_bytes)` : line, raw: s.raw() };
  },
});

export const ACCESS_LOG_KINDS = [scanAccessLogs];
