// The http probe and the wait step against a real local server.
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StepContext } from '../../src/core/step.js';
import { http } from '../../src/executors/http.js';
import { wait } from '../../src/executors/wait.js';
import { realClock } from '../../src/core/clock.js';
import { localProviders } from '../helpers/providers.js';

const localWorld = localProviders();
import { evalExpr } from '../../src/runbook/expr.js';

let server: Server;
let base = '';
let hits = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    hits += 1;
    if (req.url === '/slow') return void setTimeout(() => res.end('late'), 2000);
    if (req.url === '/flaky') {
      res.writeHead(hits >= 3 ? 200 : 504, { 'X-Upstream': 'demo' });
      return void res.end(hits >= 3 ? 'ok' : 'gateway timeout');
    }
    res.writeHead(504, { 'Content-Type': 'text/plain', 'X-Upstream': 'demo' });
    res.end('504 Gateway Timeout');
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => new Promise<void>((ok) => server.close(() => ok())));

function ctx(overrides: Partial<StepContext> = {}): StepContext & { lines: string[] } {
  const lines: string[] = [];
  const c: StepContext & { lines: string[] } = {
    lines,
    incidentId: 'inc-20260101-000000-test',
    stepId: 's',
    attempt: 1,
    signal: new AbortController().signal,
    clock: realClock,
    ports: {} as StepContext['ports'],
    mode: 'live',
    providers: localWorld,
    log: (t) => lines.push(t),
    secret: (v) => v,
    evaluate: (expr, extra) => evalExpr(expr, { ...extra }),
    runKind: async (_name, params) => http.run(http.params.parse(params), c),
    ...overrides,
  };
  return c;
}

describe('http probe', () => {
  it('reports status, latency and lower-cased headers of a 504', async () => {
    const out = await http.run(http.params.parse({ url: `${base}/` }), ctx());
    expect(out.result).toMatchObject({ status: 504, ok: false, body: '504 Gateway Timeout', headers: { 'x-upstream': 'demo' } });
    expect(out.result.latency_ms).toBeGreaterThanOrEqual(0);
    expect(out.summary).toMatch(/^HTTP 504 in \d+ ms$/);
  });

  it('turns a request timeout and a refused connection into results, not failures', async () => {
    const slow = await http.run(http.params.parse({ url: `${base}/slow`, request_timeout: '200ms' }), ctx());
    expect(slow.result).toMatchObject({ status: 0, error: 'no response within 200ms' });
    const free = createServer();
    await new Promise<void>((ok) => free.listen(0, '127.0.0.1', ok));
    const port = (free.address() as { port: number }).port;
    await new Promise<void>((ok) => free.close(() => ok()));
    const closed = await http.run(http.params.parse({ url: `http://127.0.0.1:${port}/` }), ctx());
    expect(closed.result).toMatchObject({ status: 0, error: 'connection refused (nothing listening)' });
    const badPort = await http.run(http.params.parse({ url: 'http://127.0.0.1:9/' }), ctx());
    expect(badPort.result).toMatchObject({ status: 0, error: 'bad port' });
  });

  it('is a read for GET and a write for POST unless declared', () => {
    expect((http.effect as (p: unknown) => string)(http.params.parse({ url: base }))).toBe('read');
    expect((http.effect as (p: unknown) => string)(http.params.parse({ url: base, method: 'POST' }))).toBe('write');
    expect(http.params.safeParse({ url: 'file:///etc/passwd' }).success).toBe(false);
  });

  it('stops when the step is aborted', async () => {
    const controller = new AbortController();
    const p = http.run(http.params.parse({ url: `${base}/slow` }), ctx({ signal: controller.signal }));
    controller.abort(new Error('aborted by the operator'));
    await expect(p).rejects.toThrow('aborted by the operator');
  });
});

describe('wait', () => {
  it('probes until the condition holds', async () => {
    hits = 0;
    const c = ctx();
    const out = await wait.run(wait.params.parse({ probe: { kind: 'http', with: { url: `${base}/flaky` } }, until: '${{ result.status == 200 }}', interval: '10ms', max_wait: '5s' }), c);
    expect(out.result).toMatchObject({ met: true, attempts: 3 });
    expect(c.lines.at(-1)).toMatch(/probe 3: HTTP 200 .* condition holds/);
  });

  it('fails with the last result when the condition never holds', async () => {
    await expect(
      wait.run(wait.params.parse({ probe: { kind: 'http', with: { url: `${base}/` } }, until: '${{ result.status == 200 }}', interval: '20ms', max_wait: '100ms' }), ctx()),
    ).rejects.toThrow(/did not hold within 100ms .*last: HTTP 504/);
  });

  it('needs either a duration or a probe with a condition', () => {
    expect(wait.params.safeParse({ for: '1s' }).success).toBe(true);
    expect(wait.params.safeParse({ until: '${{ true }}' }).success).toBe(false);
    expect(wait.params.safeParse({ for: '1s', until: '${{ true }}', probe: { kind: 'http' } }).success).toBe(false);
  });
});
