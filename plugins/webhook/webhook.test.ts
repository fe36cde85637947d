// The webhook example plugin end to end: the built CLI loads it from plugins/, and its write step
// goes through confirmation, read-only mode, write-ahead journaling and redaction like any other.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { journalPath } from '../../src/journal/paths.js';
import { events, oncall, tempDir } from '../../test/helpers/cli.js';

let server: Server;
let url = '';
const received: { headers: IncomingMessage['headers']; body: string }[] = [];
let failNext = false;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.writeHead(failNext ? 500 : 202).end(failNext ? 'boom' : 'accepted');
      failNext = false;
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`;
});
afterAll(() => new Promise<void>((ok) => server.close(() => ok())));

const TOKEN = 'xoxb-canary-4242-secret';
const args = () => ['run', 'incident-update', '--input', `webhook_url=${url}`, '--input', `token=${TOKEN}`, '--input', 'message=Checkout is back to normal', '--input', 'status=resolved'];

describe('webhook plugin', () => {
  it('posts the update once approved, and never writes the token', async () => {
    received.length = 0;
    const stateDir = tempDir();
    const res = await oncall([...args(), '--yes', '--answer', 'check-channel=done', '--json'], { stateDir });
    expect(res.code, res.stderr).toBe(0);
    expect(received).toHaveLength(1);
    expect(JSON.parse(received[0]!.body)).toMatchObject({ text: 'Checkout is back to normal', status: 'resolved' });
    expect(received[0]!.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(received[0]!.headers['idempotency-key']).toMatch(/^[0-9a-f]{32}$/);
    const evs = events(res.stdout);
    const started = evs.find((e) => e.type === 'step.started' && e.payload.step === 'post-update')!;
    expect(started.payload).toMatchObject({ kind: 'webhook.post', plugin: 'webhook', effect: 'write', write_ahead: true });
    const id = evs[0]!.incident;
    const journal = readFileSync(journalPath(`${stateDir}/`, id), 'utf8');
    expect(journal).not.toContain(TOKEN);
    expect(journal).toContain('[redacted:token]');
    expect(res.stdout + res.stderr).not.toContain(TOKEN);
  });

  it('asks before posting, and posts nothing in --read-only', async () => {
    received.length = 0;
    const ask = await oncall(args());
    expect(ask.code).toBe(4);
    expect(ask.stderr).toMatch(/post-update' changes something .*pass --yes/);
    const ro = await oncall([...args(), '--read-only', '--answer', 'check-channel=done']);
    expect(ro.code, ro.stderr).toBe(0);
    expect(ro.stderr).toMatch(/post-update skipped: read-only mode/);
    expect(received).toHaveLength(0);
  });

  it('fails the step when the webhook refuses the update', async () => {
    failNext = true;
    const res = await oncall([...args(), '--yes', '--answer', 'check-channel=done']);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/the webhook answered HTTP 500/);
    expect(res.stderr).not.toContain(TOKEN);
  });
});
