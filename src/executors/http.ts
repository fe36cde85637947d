// `http`: a probe. Reports status, latency and headers; a network error is a result
// (status 0 and the reason), so `assert` and `wait` decide what it means.
import { z } from 'zod';
import { defineKind } from '../core/kind.js';
import { parseDuration } from '../runbook/duration.js';
import { duration } from '../runbook/schema.js';

const BODY_LIMIT = 4096;
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

const params = z
  .object({
    url: z.string().regex(/^https?:\/\/[^\s]+$/, { message: 'must be an http:// or https:// URL' }),
    method: z.enum(['GET', 'HEAD', 'OPTIONS', 'POST', 'PUT', 'PATCH', 'DELETE']).default('GET'),
    headers: z.record(z.string(), z.string()).optional(),
    body: z.string().optional(),
    request_timeout: duration.default('10s').describe('Give up on the request after this long (reported as status 0)'),
    effect: z.enum(['read', 'write']).optional().describe('Defaults to read for GET, HEAD and OPTIONS, write otherwise'),
  })
  .strict();

export type HttpParams = z.infer<typeof params>;

export const http = defineKind({
  name: 'http',
  effect: (p) => p.effect ?? (SAFE.has(p.method) ? 'read' : 'write'),
  params,
  describe: (p) => ({ summary: `${p.method} ${p.url}`, api: `HTTP ${p.method}`, resources: [p.url] }),
  async run(p, ctx) {
    const limitMs = parseDuration(p.request_timeout);
    const timeout = AbortSignal.timeout(limitMs);
    // Latency on the step's clock: real time live, simulated time in a drill.
    const started = ctx.clock.now();
    try {
      const res = await ctx.providers.fetch(p.url, {
        method: p.method,
        headers: p.headers,
        body: p.body,
        redirect: 'manual',
        signal: AbortSignal.any([ctx.signal, timeout]),
      });
      const text = p.method === 'HEAD' ? '' : await res.text();
      const latency_ms = Math.round(ctx.clock.now() - started);
      const headers = Object.fromEntries([...res.headers].map(([k, v]) => [k.toLowerCase(), v]));
      return {
        result: {
          status: res.status,
          ok: res.ok,
          latency_ms,
          headers,
          body: text.length > BODY_LIMIT ? `${text.slice(0, BODY_LIMIT)}…` : text,
        },
        summary: `HTTP ${res.status} in ${latency_ms} ms`,
      };
    } catch (err) {
      if (ctx.signal.aborted) throw ctx.signal.reason;
      const latency_ms = Math.round(ctx.clock.now() - started);
      const error = timeout.aborted ? `no response within ${p.request_timeout}` : describeNetworkError(err);
      return {
        result: { status: 0, ok: false, latency_ms, headers: {}, body: '', error },
        summary: `no HTTP response: ${error}`,
        problem: `no HTTP response: ${error}`,
      };
    }
  },
});

function describeNetworkError(err: unknown): string {
  const cause = (err as { cause?: NodeJS.ErrnoException }).cause;
  const code = cause?.code;
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused (nothing listening)';
    case 'ECONNRESET':
      return 'connection reset by the peer';
    case 'ENOTFOUND':
      return 'host name not found';
    case 'EHOSTUNREACH':
      return 'host unreachable';
    default:
      // fetch says only "fetch failed"; the cause holds the reason (e.g. "bad port").
      return code ? `${code}: ${cause?.message ?? ''}`.trim() : (cause?.message ?? String((err as Error).message ?? err));
  }
}
