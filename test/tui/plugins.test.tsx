// Plugins in the TUI, wired as `oncall --plugin …` wires them (src/tui/launch.ts tuiCommand): the
// registry and the runbook listing come from the plugin session, and what plugins report about
// themselves goes to the message line. The webhook example plugin's runbook is picked and its
// write step kind runs against a webhook on loopback; a broken plugin is named on the message line.
import { fill, journal, KEY, renderTui, ROOT, runStep, tempDir, type RenderOptions, type Tui } from './helpers.js';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { join } from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandIO } from '../../src/core/io.js';
import { journalPath } from '../../src/journal/paths.js';
import { pluginContext } from '../../src/plugins/session.js';
import { lazyPlugins } from '../../src/tui/launch.js';
import { hasCommand, requireSystem } from '../helpers/system.js';

let server: Server;
let url = '';
const received: { headers: IncomingMessage['headers']; body: string }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.writeHead(202).end('accepted');
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`;
});
afterAll(() => new Promise<void>((ok) => server.close(() => ok())));

/**
 * The controller options tuiCommand derives from --plugin flags: the registry from the plugin
 * session (loaded once), the listing's plugins, and the problems plugins reported.
 */
function pluginOptions(flags: string[] = []): RenderOptions {
  const home = tempDir('oncall-tui-home-');
  const env = { HOME: home, PATH: process.env.PATH, XDG_CACHE_HOME: join(home, '.cache'), XDG_CONFIG_HOME: join(home, '.config') };
  const io: CommandIO = { stdout: process.stdout, stderr: process.stderr, env, cwd: ROOT };
  // The same wiring tuiCommand uses: what plugins report goes to the message line, not stderr.
  return { env, ...lazyPlugins(io, flags).options };
}

/** A plugin directory whose module throws while loading. */
function brokenPlugin(): string {
  const dir = join(tempDir(), 'vault-sync');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'index.mjs'), "throw new Error('cannot reach the vault');\n");
  return dir;
}

const TOKEN = 'xoxb-tui-canary-9182';

describe('plugins in the TUI', () => {
  it("lists a plugin's runbooks in the picker and runs its write step kind through confirmation", async () => {
    received.length = 0;
    const stateDir = tempDir();
    // No runbook directories of our own: the plugins' runbooks come through the listing.
    const t = renderTui({ stateDir, runbookDirs: [], columns: 150, rows: 40, ...pluginOptions() });
    await t.waitFor('+ New incident');
    t.press(KEY.enter);
    await t.waitFor('New incident');
    t.type('Checkout degraded');
    t.press(KEY.enter, KEY.enter, KEY.enter);
    await t.until((s) => !s.runbooks.loading, { what: 'runbooks to load' });
    const ids = t.state().runbooks.list.map((r) => r.id);
    expect(ids).toContain('incident-update');
    expect(ids).toContain('tls-expiry-check');
    expect(t.state().runbooks.invalid).toBe(0);
    t.type("'incident-update");
    await t.waitFor(/> incident-update Post an incident status/);
    let f = await t.waitFor('Post the update (post-update, webhook.post)');
    expect(f).toMatch(/token\s+string\s+secret/);
    t.press(KEY.enter);
    await t.waitFor('Inputs for incident-update');
    fill(t, url);
    fill(t, TOKEN);
    t.press(KEY.enter); // status: its default
    fill(t, 'Checkout is degraded; we are on it');

    // The plugin's kind is a write: its gate says so, and the confirmation shows exactly what it does.
    f = await t.waitFor('Next: Post the update');
    expect(f).toContain('this step changes something: you will confirm exactly what next');
    t.press(KEY.enter);
    f = await t.waitFor('Confirm change');
    expect(f).toContain(`what:      post an incident update to ${new URL(url).host} (investigating)`);
    expect(f).toContain('API:       HTTP POST');
    // An HTTP write names no AWS account, and says so rather than 'account: unknown'.
    expect(f).toContain('where:     over the network from this machine (no AWS account involved)');
    expect(f).not.toContain('account:');
    expect(f).toContain(`resources: ${new URL(url).origin}`);
    // The parameters as they will be sent, with the token redacted before it is drawn.
    expect(f).toMatch(/"authorization":"Bearer\s+\[redacted:token\]"/);
    expect(f).toContain('Everyone following the incident will see this update.');
    expect(received).toHaveLength(0);
    t.press('y');
    f = await t.waitFor('Next: Check that the update arrived');
    expect(f).toContain('↳ ✓ post-update: posted (HTTP 202)');
    await runStep(t, 'Check that the update arrived');
    await t.waitFor('◆ Done?');
    t.press(KEY.enter);
    await t.waitFor('Runbook completed');
    const id = t.state().incidentId!;
    expect(t.frames().filter((fr) => fr.includes(TOKEN))).toEqual([]);
    await t.close();

    expect(received).toHaveLength(1);
    expect(received[0]!.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(JSON.parse(received[0]!.body)).toMatchObject({ text: 'Checkout is degraded; we are on it', status: 'investigating', incident: id });
    const records = await journal(stateDir, id);
    expect(records.find((r) => r.type === 'step.started' && r.payload.step === 'post-update')?.payload).toMatchObject({
      kind: 'webhook.post',
      plugin: 'webhook',
      effect: 'write',
      write_ahead: true,
    });
    expect(records.find((r) => r.type === 'confirm.given')?.payload).toMatchObject({ step: 'post-update', approved: true, by: 'tester' });
    expect(readFileSync(journalPath(stateDir, id), 'utf8')).not.toContain(TOKEN);
  });

  it("runs the tls-expiry plugin's read kind; the runbook's rule decides and the manual step asks", async () => {
    if (!requireSystem('openssl (to make a test certificate)', hasCommand('openssl', ['version']))) return;
    const port = await tlsServer(3);
    const stateDir = tempDir();
    const t = renderTui({ stateDir, runbookDirs: [], columns: 120, ...pluginOptions() });
    await t.waitFor('+ New incident');
    t.press(KEY.enter);
    await t.waitFor('New incident');
    t.press(KEY.enter, KEY.enter, KEY.enter);
    await t.until((s) => !s.runbooks.loading, { what: 'runbooks to load' });
    await toInputsFromPicker(t, "'tls-expiry-check");
    await t.waitFor('Inputs for tls-expiry-check');
    fill(t, '127.0.0.1');
    fill(t, String(port));
    t.press(KEY.enter); // warn_days: its default (21)
    let f = await t.waitFor('Next: Read the certificate the endpoint presents');
    expect(f).toContain('this step only reads');
    expect(f).toContain(`read the TLS certificate of 127.0.0.1:${port}`);
    t.press(KEY.enter);
    f = await t.waitFor('Next: Decide whether the certificate needs renewing');
    expect(f).toMatch(/↳ ✓ read-certificate: certificate expires in \d days/);
    await runStep(t, 'Decide whether the certificate needs renewing');
    await runStep(t, 'Get the certificate renewed');
    f = await t.waitFor('◆ Ticket for the renewal');
    expect(f).toContain('matching ^[A-Z][A-Z0-9]*-\\d+$');
    t.type('SEC-12');
    t.press(KEY.enter);
    await t.waitFor('Runbook completed');
    const id = t.state().incidentId!;
    await t.close();

    const records = await journal(stateDir, id);
    expect(records.find((r) => r.type === 'step.started' && r.payload.step === 'read-certificate')?.payload).toMatchObject({ kind: 'tls.certificate', plugin: 'tls-expiry', effect: 'read' });
    expect(records.find((r) => r.type === 'step.finished' && r.payload.step === 'read-certificate')?.payload.result).toMatchObject({ subject: 'oncall-test.local', expired: false });
    expect(records.find((r) => r.type === 'step.finished' && r.payload.step === 'verdict')?.payload.result).toMatchObject({ choice: 'renew-soon', decided_by: 'rule' });
    expect(records.find((r) => r.type === 'decision.made')?.payload).toMatchObject({ step: 'renew', value: 'SEC-12', by: 'tester' });
  });

  it("names a broken plugin on the message line, and the others' runbooks still work", async () => {
    const broken = brokenPlugin();
    const t = renderTui({ runbookDirs: [], columns: 160, ...pluginOptions([broken]) });
    await t.waitFor('+ New incident');
    t.press(KEY.enter);
    await t.waitFor('New incident');
    t.press(KEY.enter, KEY.enter, KEY.enter);
    const f = await t.waitFor("plugin 'vault-sync' was not loaded");
    expect(f).toContain(`oncall: plugin 'vault-sync' was not loaded (${join(broken, 'index.mjs')}): cannot reach the vault`);
    expect(t.state().message?.level).toBe('warn');
    await t.until((s) => !s.runbooks.loading, { what: 'runbooks to load' });
    expect(t.state().runbooks.list.map((r) => r.id)).toContain('incident-update');
    // The registry (loaded on opening) has the good plugins' kinds: the webhook runbook opens.
    await toInputsFromPicker(t, "'incident-update");
    await t.waitFor('Inputs for incident-update');
    fill(t, url);
    fill(t, TOKEN);
    t.press(KEY.enter);
    fill(t, 'testing');
    await t.waitFor('Next: Post the update');
  });

  it('names a broken plugin when the runbook listing comes from its cache (plugins not loaded for it)', async () => {
    // In the built oncall the listing is cached per build and plugin files, and a cache hit never
    // loads the plugins: the listing reports nothing, and the plugins' runbook directories come
    // from the cache. Here that is what the controller is given; only the registry loads plugins.
    const o = pluginOptions([brokenPlugin()]);
    const silent = { write: () => true } as unknown as NodeJS.WritableStream;
    const fromCache = async () => {
      const set = await pluginContext({ stdout: silent, stderr: silent, env: o.env!, cwd: ROOT }, []);
      return { registry: set.registry, runbookDirs: set.runbookDirs };
    };
    const t = renderTui({ ...o, columns: 160, listingPlugins: async () => ({ key: 'cached', load: fromCache }) });
    await t.waitFor('+ New incident');
    t.press(KEY.enter);
    await t.waitFor('New incident');
    t.press(KEY.enter, KEY.enter, KEY.enter);
    await t.until((s) => !s.runbooks.loading, { what: 'runbooks to load' });
    expect(t.state().runbooks.list.map((r) => r.id)).toContain('incident-update');
    // Before anything is chosen, the operator learns that a plugin is missing.
    await t.waitFor("plugin 'vault-sync' was not loaded");
  });
});

const tlsServers: tls.Server[] = [];
afterAll(() => Promise.all(tlsServers.map((srv) => new Promise<void>((ok) => srv.close(() => ok())))));

/** A TLS server on loopback whose certificate (made by openssl) expires in `days`. */
async function tlsServer(days: number): Promise<number> {
  const dir = tempDir();
  const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem'), '-days', String(days), '-subj', '/CN=oncall-test.local', '-addext', 'subjectAltName=DNS:oncall-test.local,IP:127.0.0.1'], { stdio: 'ignore' });
  if (r.status !== 0) throw new Error('openssl could not make a test certificate');
  const srv = tls.createServer({ key: readFileSync(join(dir, 'k.pem')), cert: readFileSync(join(dir, 'c.pem')) }, (sock) => sock.end());
  tlsServers.push(srv);
  await new Promise<void>((ok) => srv.listen(0, '127.0.0.1', ok));
  return (srv.address() as { port: number }).port;
}

/** From the picker (already shown), filter and choose. */
async function toInputsFromPicker(t: Tui, filter: string): Promise<void> {
  t.type(filter);
  await t.until((s) => s.filter === filter && s.matches.length > 0);
  t.press(KEY.enter);
  await t.until((s) => s.screen.kind === 'inputs', { what: 'the inputs form' });
}
