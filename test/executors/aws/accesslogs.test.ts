// The access-log scanner on real-format ALB and CLB lines: quoted fields (with spaces and escaped
// quotes), -1 markers, gzip streams read from S3 (client mocked), the window's files chosen by the
// time in their names; and nothing of a URL's query string or a client IP kept.
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { dayPrefixes, fileEndTime, normalizePath, parseAlbLine, parseClbLine, scanAccessLogs, splitLogLine } from '../../../src/executors/aws/accesslogs.js';
import { run } from './helpers.js';

const s3 = mockClient(S3Client);
afterEach(() => s3.reset());

const TG = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-tg/6d0ecf831eec9f09';
// The documented field order, as ALB writes it (a line from the AWS docs' examples, re-timed).
const LB_504 =
  'https 2026-03-02T03:00:12.345678Z app/web/50dc6c495c0c9188 203.0.113.9:51234 10.0.10.21:8080 0.001 -1 -1 504 - 734 0 "GET https://web.example.com:443/reports/export?from=2026-02-01&token=eyJhbGciOi.SECRET HTTP/1.1" "Mozilla/5.0 (X11; Linux x86_64) \\"quoted\\" UA" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 ' +
  `${TG} "Root=1-67e1a2b3-0123456789abcdef01234567" "web.example.com" "arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012" 10 2026-03-02T02:59:12.344000Z "forward" "-" "-" "10.0.10.21:8080" "-" "-" "-" TID_1a2b3c "future-field"`;
const TARGET_504 = `https 2026-03-02T03:01:40.000000Z app/web/50dc6c495c0c9188 198.51.100.7:40000 10.0.11.37:8080 0.000 30.002 0.000 504 504 512 183 "POST https://web.example.com:443/v2/orders/8812731/invoice HTTP/2.0" "okhttp/4.12.0" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 ${TG} "Root=1-2" "web.example.com" "-" 1 2026-03-02T03:01:09.998000Z "forward" "-" "-" "10.0.11.37:8080" "504" "-" "-" TID_2`;
const OK = `https 2026-03-02T03:02:00.000000Z app/web/50dc6c495c0c9188 198.51.100.8:40001 10.0.10.21:8080 0.000 0.245 0.000 200 200 512 5120 "GET https://web.example.com:443/api/cart?id=42 HTTP/1.1" "curl/8" - - ${TG} "Root=1-3" "web.example.com" "-" 1 2026-03-02T03:01:59.754000Z "forward" "-" "-" "10.0.10.21:8080" "200" "-" "-" TID_3`;
const LAMBDA = `https 2026-03-02T03:03:00.000000Z app/web/50dc6c495c0c9188 198.51.100.9:40002 - 0.000 -1 -1 504 - 512 0 "GET https://web.example.com:443/fn HTTP/1.1" "curl/8" - - ${TG} "Root=1-4" "web.example.com" "-" 2 2026-03-02T03:02:50.000000Z "forward" "-" "LambdaConnectionTimeout" "-" "-" "-" "-" TID_4`;

describe('parsing', () => {
  it('splits quoted fields with spaces and escaped quotes, ignoring trailing new fields', () => {
    const f = splitLogLine(LB_504);
    expect(f[12]).toBe('GET https://web.example.com:443/reports/export?from=2026-02-01&token=eyJhbGciOi.SECRET HTTP/1.1');
    expect(f[13]).toBe('Mozilla/5.0 (X11; Linux x86_64) "quoted" UA');
    expect(f[24]).toBe('-');
    expect(f.at(-1)).toBe('future-field');
  });

  it('reads an ALB 504 made by the load balancer: no target status, -1 processing time, 60 s long', () => {
    expect(parseAlbLine(LB_504)).toEqual({
      time: Date.parse('2026-03-02T03:00:12.345678Z'),
      elbStatus: 504,
      targetStatus: '-',
      target: '10.0.10.21:8080',
      targetProcessingTime: -1,
      duration: 60.001,
      method: 'GET',
      path: '/reports/export',
      errorReason: '-',
    });
    expect(parseAlbLine(TARGET_504)).toMatchObject({ targetStatus: '504', targetProcessingTime: 30.002, duration: 30.002, path: '/v2/orders/{n}/invoice' });
    expect(parseAlbLine(LAMBDA)).toMatchObject({ target: '-', errorReason: 'LambdaConnectionTimeout' });
    expect(parseAlbLine('garbage line')).toBeUndefined();
  });

  it('reads a Classic Load Balancer line (-1 when the back end did not answer)', () => {
    const line = '2026-03-02T03:00:00.123456Z legacy-web 192.0.2.1:2817 10.0.0.1:3000 0.000073 -1 -1 504 0 0 0 "GET http://legacy.example.com:80/slow?user=alice HTTP/1.1" "curl/8" - -';
    expect(parseClbLine(line)).toMatchObject({ elbStatus: 504, targetStatus: '0', target: '10.0.0.1:3000', targetProcessingTime: -1, duration: null, path: '/slow' });
  });

  it('folds id-like path segments and drops query strings', () => {
    expect(normalizePath('https://x.example.com:443/users/123/reset/3f2a9c1e-1b2c-4d5e-8f90-1a2b3c4d5e6f?token=abc')).toBe('/users/{n}/reset/{uuid}');
    expect(normalizePath('/download/aGVsbG8gd29ybGQ1234567890abcdef#frag')).toBe('/download/{id}');
    expect(normalizePath('/')).toBe('/');
  });

  it('knows the key layout and the file end time', () => {
    expect(dayPrefixes({ prefix: 'prod/', account: '123456789012', region: 'us-east-1', start: Date.parse('2026-03-01T23:50:00Z'), end: Date.parse('2026-03-02T00:20:00Z') })).toEqual([
      'prod/AWSLogs/123456789012/elasticloadbalancing/us-east-1/2026/03/01/',
      'prod/AWSLogs/123456789012/elasticloadbalancing/us-east-1/2026/03/02/',
    ]);
    expect(fileEndTime('123456789012_elasticloadbalancing_us-east-1_app.web.50dc6c495c0c9188_20260302T0305Z_10.0.0.5_2a1b3c4d.log.gz')).toBe(Date.parse('2026-03-02T03:05:00Z'));
  });
});

describe('aws.s3.scanAccessLogs', () => {
  const prefix = 'prod/AWSLogs/123456789012/elasticloadbalancing/us-east-1/2026/03/02/';
  const key = (end: string, lb = 'app.web.50dc6c495c0c9188') => `${prefix}123456789012_elasticloadbalancing_us-east-1_${lb}_20260302T${end}Z_10.0.0.5_2a1b3c4d.log.gz`;

  it('streams the gzip files of the window and counts 504s per target and per path, keeping no query string or client IP', async () => {
    const files: Record<string, Buffer> = {
      [key('0305')]: gzipSync(`${LB_504}\n${TARGET_504}\n${OK}\n`),
      [key('0310')]: gzipSync(`${LB_504.replace('03:00:12', '03:06:12').replace('02:59:12', '03:05:12')}\n${LAMBDA}\nnot a log line\n`),
      // Outside the window, and another load balancer's file: not read.
      [key('0100')]: gzipSync(`${LB_504}\n`),
      [key('0305', 'app.admin.1111222233334444')]: gzipSync(`${LB_504}\n`),
    };
    s3.on(ListObjectsV2Command)
      .resolvesOnce({ Contents: Object.keys(files).slice(0, 2).map((Key) => ({ Key, Size: files[Key]!.length })), IsTruncated: true, NextContinuationToken: 'c2' })
      .resolvesOnce({ Contents: Object.keys(files).slice(2).map((Key) => ({ Key, Size: files[Key]!.length })), IsTruncated: false });
    // Each body is a stream, as the SDK hands it over; it arrives in small chunks.
    s3.on(GetObjectCommand).callsFake((input: { Key: string }) => {
      const body = files[input.Key]!;
      const chunks = Array.from({ length: Math.ceil(body.length / 7) }, (_, i) => body.subarray(i * 7, i * 7 + 7));
      return { Body: Readable.from(chunks), ContentLength: body.length };
    });
    const { result, summary, raw, h } = await run(scanAccessLogs, {
      bucket: 'web-alb-logs',
      prefix: 'prod',
      load_balancer: 'app/web/50dc6c495c0c9188',
      account_id: '123456789012',
      window: '30m',
      end: '2026-03-02T03:12:00Z',
      idle_timeout_s: 60,
    });
    expect(result).toMatchObject({
      files: { matched: 2, scanned: 2, listed: 4, truncated: false },
      lines: { read: 6, in_window: 5, malformed: 1 },
      matching: 4,
      lb_generated: 3,
      target_generated: 1,
      not_dispatched: 1,
      near_idle_timeout: 2,
      error_reasons: { LambdaConnectionTimeout: 1 },
    });
    expect(result.per_target).toEqual([
      { target: '10.0.10.21:8080', count: 2, lb_generated: 2, p50_duration_s: 60.001 },
      { target: '10.0.11.37:8080', count: 1, lb_generated: 0, p50_duration_s: 30.002 },
      { target: '-', count: 1, lb_generated: 1, p50_duration_s: 10 },
    ]);
    expect(result.per_path).toEqual([
      { path: 'GET /reports/export', count: 2, lb_generated: 2 },
      { path: 'POST /v2/orders/{n}/invoice', count: 1, lb_generated: 0 },
      { path: 'GET /fn', count: 1, lb_generated: 1 },
    ]);
    expect(summary).toMatch(/^4 × 504 in 2 files: 3 made by the load balancer/);
    const everything = JSON.stringify({ result, raw, lines: h.lines });
    expect(everything).not.toContain('SECRET');
    expect(everything).not.toContain('203.0.113.9');
    expect(s3.commandCalls(ListObjectsV2Command)[0]!.args[0].input).toMatchObject({ Bucket: 'web-alb-logs', Prefix: prefix });
    expect(s3.commandCalls(ListObjectsV2Command)[1]!.args[0].input).toMatchObject({ ContinuationToken: 'c2' });
    expect(s3.commandCalls(GetObjectCommand).map((c) => c.args[0].input.Key)).toEqual([key('0305'), key('0310')]);
  });

  it('stops at max_files and says so', async () => {
    const keys = ['0250', '0255', '0300'].map((e) => key(e));
    s3.on(ListObjectsV2Command).resolves({ Contents: keys.map((Key) => ({ Key, Size: 10 })) });
    s3.on(GetObjectCommand).callsFake(() => ({ Body: Readable.from([gzipSync(`${OK}\n`)]) }));
    const { result, summary } = await run(scanAccessLogs, { bucket: 'web-alb-logs', prefix: 'prod', load_balancer: 'app.web.50dc6c495c0c9188', account_id: '123456789012', end: '2026-03-02T03:12:00Z', max_files: 2 });
    expect(result).toMatchObject({ files: { matched: 3, scanned: 2, truncated: true }, matching: 0 });
    expect(summary).toBe('no 504 lines in 2 log files of the window (stopped early: raise max_files or max_bytes)');
  });
});
