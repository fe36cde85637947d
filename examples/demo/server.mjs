#!/usr/bin/env node
// A tiny stand-in for "a proxy in front of a slow backend" on 127.0.0.1: when the backend takes
// longer than the proxy's timeout, GET /health answers 504 after the timeout, as a load balancer would.
// usage: node examples/demo/server.mjs [--port 8504] [--state examples/demo/state.json]
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { readState } from './state.mjs';

const { values } = parseArgs({ options: { port: { type: 'string', default: '8504' }, state: { type: 'string', default: 'examples/demo/state.json' } } });
const server = createServer((req, res) => {
  const { proxy_timeout_ms, backend_latency_ms } = readState(values.state);
  const timedOut = backend_latency_ms > proxy_timeout_ms;
  setTimeout(() => {
    if (timedOut) {
      res.writeHead(504, { 'content-type': 'text/plain', 'x-demo-proxy': 'timeout' });
      res.end('504 Gateway Timeout: the backend did not answer within the proxy timeout\n');
    } else {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok\n');
    }
  }, timedOut ? proxy_timeout_ms : backend_latency_ms);
});
server.listen(Number(values.port), '127.0.0.1', () => {
  const { port } = server.address();
  process.stdout.write(`demo service on http://127.0.0.1:${port} (state ${values.state})\n`);
});
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => server.close(() => process.exit(0)));
