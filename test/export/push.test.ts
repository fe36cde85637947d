// `oncall export --to` (#22): pushes against a local endpoint that checks the documented request
// shape and answers 429 with Retry-After and a 5xx before it accepts.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportCommand } from '../../src/commands/export.js';
import { buildTimeline } from '../../src/export/index.js';
import { pushTimeline, statePath } from '../../src/export/push.js';
import { JournalWriter } from '../../src/journal/writer.js';
import { Redactor } from '../../src/journal/redact.js';
import { richEntries, T0, writeJournal } from './fixtures.js';

interface Seen {
  path: string;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown>;
}

let server: Server;
let base: string;
const seen: Seen[] = [];
/** Answers queued for the next requests; 200 when empty. */
const answers: { status: number; headers?: Record<string, string> }[] = [];
const problems: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        problems.push(`not JSON: ${raw.slice(0, 80)}`);
      }
      if (req.method !== 'POST') problems.push(`method ${req.method}`);
      if (!String(req.headers['content-type']).startsWith('application/json')) problems.push(`content-type ${req.headers['content-type']}`);
      if (req.url === '/hook') {
        // The generic webhook: a versioned event, its dedup key in the body and the header.
        if (body.schema !== 'oncall.push.event' || body.version !== 1) problems.push('webhook: schema/version');
        if (req.headers['idempotency-key'] !== body.dedup_key) problems.push('webhook: Idempotency-Key differs from dedup_key');
        if (req.headers.authorization !== 'Bearer s3cret-token-value') problems.push('webhook: bearer token');
      } else if (req.url === '/slack') {
        // Slack incoming webhook: text (the notification) and Block Kit blocks.
        if (typeof body.text !== 'string' || !Array.isArray(body.blocks)) problems.push('slack: text and blocks');
        for (const b of (body.blocks ?? []) as { type: string; text?: { type: string; text: string } }[]) {
          if (!['header', 'section', 'context'].includes(b.type)) problems.push(`slack: block ${b.type}`);
          if (b.type === 'header' && (b.text?.type !== 'plain_text' || b.text.text.length > 150)) problems.push('slack: header');
          if (b.type === 'section' && (b.text?.type !== 'mrkdwn' || b.text.text.length > 3000)) problems.push('slack: section');
        }
      }
      seen.push({ path: req.url!, headers: req.headers, body });
      const a = answers.shift() ?? { status: 200 };
      res.writeHead(a.status, a.headers ?? {});
      res.end(req.url === '/slack' && a.status === 200 ? 'ok' : '');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((r) => server.close(() => r())));

function io(env: Record<string, string>) {
  const out: string[] = [];
  const err: string[] = [];
  const sink = (into: string[]) => new Writable({ write: (c, _e, done) => (into.push(String(c)), done()) });
  return { io: { stdout: sink(out), stderr: sink(err), env, cwd: '/' }, out: () => out.join(''), err: () => err.join('') };
}

describe('push to a generic webhook (#22)', () => {
  it('sends every event once, honours 429 Retry-After and retries a 5xx, and sends only what is new next time', async () => {
    const { root, id } = await writeJournal(richEntries());
    const env = { ONCALL_WEBHOOK_URL: `${base}/hook`, ONCALL_WEBHOOK_TOKEN: 's3cret-token-value' };
    const tl = await buildTimeline(root, id);
    seen.length = 0;
    answers.push({ status: 429, headers: { 'retry-after': '2' } }, { status: 503 });
    const waits: number[] = [];
    const results = await pushTimeline(root, tl, 'webhook', { env, sleep: async (ms) => void waits.push(ms) });
    expect(problems).toEqual([]);
    expect(waits).toEqual([2000, 1000]); // Retry-After: 2 s; then the backoff after the 503
    expect(results.every((r) => r.ok && r.detail === 'sent')).toBe(true);
    expect(results).toHaveLength(tl.events.length);
    const accepted = seen.slice(2).map((s) => (s.body.event as { seq: number }).seq);
    expect(accepted).toEqual(tl.events.map((e) => e.seq));
    expect(readFileSync(statePath(root, id, 'webhook'), 'utf8').trim().split('\n')).toHaveLength(tl.events.length);

    // Again: nothing new, nothing sent.
    seen.length = 0;
    const again = await pushTimeline(root, await buildTimeline(root, id), 'webhook', { env });
    expect(seen).toHaveLength(0);
    expect(again.every((r) => r.detail === 'already sent')).toBe(true);

    // A new record: only it is sent.
    const w = await JournalWriter.open(root, id, { redactor: new Redactor(), clock: () => T0 + 80_000 });
    void w.append('note.added', { text: 'postmortem on Thursday', by: 'alice' });
    await w.close();
    const more = await pushTimeline(root, await buildTimeline(root, id), 'webhook', { env });
    expect(seen.map((s) => (s.body.event as { body: string }).body)).toEqual(['postmortem on Thursday']);
    expect(more.filter((r) => r.detail === 'sent')).toHaveLength(1);
  });

  it('stops at a refusal, reports each event, and never shows the token or the URL', async () => {
    const { root, id } = await writeJournal(richEntries());
    answers.push({ status: 200 }, { status: 400 });
    const c = io({ ONCALL_WEBHOOK_URL: `${base}/hook`, ONCALL_WEBHOOK_TOKEN: 's3cret-token-value' });
    expect(await exportCommand([id, '--state-dir', root, '--to', 'webhook', '--no-verify'], c.io)).toBe(1);
    const lines = c.out().trim().split('\n');
    expect(lines[0]).toMatch(/^✓ #0 incident .* opened: .*: sent$/);
    expect(lines[1]).toMatch(/^✗ #1 runbook checkout-504 2\.1\.0: HTTP 400 .*not retried$/);
    expect(lines[2]).toMatch(/: not sent: an earlier one failed$/);
    expect(c.err()).toMatch(/pushed to webhook: 1 sent, 0 already sent, \d+ not sent/);
    expect(c.out() + c.err()).not.toMatch(/s3cret|127\.0\.0\.1/);
  });

  it('reads where to push from the environment only, and --dry-run sends nothing', async () => {
    const { root, id } = await writeJournal(richEntries());
    const none = io({});
    expect(await exportCommand([id, '--state-dir', root, '--to', 'webhook'], none.io)).toBe(2);
    expect(none.err()).toContain('set ONCALL_WEBHOOK_URL');
    const flag = io({});
    expect(await exportCommand([id, '--state-dir', root, '--to', 'webhook', '--url', 'http://x'], flag.io)).toBe(2);
    seen.length = 0;
    const dry = io({ ONCALL_WEBHOOK_URL: `${base}/hook` });
    expect(await exportCommand([id, '--state-dir', root, '--to', 'webhook', '--dry-run'], dry.io)).toBe(0);
    expect(seen).toHaveLength(0);
    expect(dry.err()).toMatch(/dry run: would send \d+ to webhook, 0 already sent; nothing was sent/);
  });
});

describe('push to a Slack incoming webhook (#22)', () => {
  it('posts a Block Kit summary with the milestones, once per change', async () => {
    const { root, id } = await writeJournal(richEntries());
    const env = { ONCALL_SLACK_WEBHOOK_URL: `${base}/slack` };
    seen.length = 0;
    const r1 = await pushTimeline(root, await buildTimeline(root, id), 'slack', { env });
    expect(problems).toEqual([]);
    expect(r1.map((r) => r.detail)).toEqual(['sent']);
    const body = seen[0]!.body as { text: string; blocks: { type: string; text?: { text: string } }[] };
    const all = body.blocks.map((b) => b.text?.text ?? '').join('\n');
    // Journal text is data: Slack's &, <, > are escaped, so no link or mention is made from it.
    expect(all).toContain('Checkout | 504s &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(all).toContain('*detected* 2026-03-02 03:12:00 UTC (marked by alice)');
    expect(all).toContain('*resolved* 2026-03-02 03:13:10 UTC (marked by alice)');
    seen.length = 0;
    expect((await pushTimeline(root, await buildTimeline(root, id), 'slack', { env })).map((r) => r.detail)).toEqual(['already sent']);
    expect(seen).toHaveLength(0);
  });
});
