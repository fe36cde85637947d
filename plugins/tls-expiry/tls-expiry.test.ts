// The tls-expiry example plugin against a real TLS server on loopback with a certificate made by
// openssl for the test.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { events, oncall, tempDir } from '../../test/helpers/cli.js';
import { hasCommand, requireSystem } from '../../test/helpers/system.js';

const servers: tls.Server[] = [];

function certificate(days: number): { key: string; cert: string } {
  const dir = tempDir();
  const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem'), '-days', String(days), '-subj', '/CN=oncall-test.local', '-addext', 'subjectAltName=DNS:oncall-test.local,IP:127.0.0.1'], { stdio: 'ignore' });
  if (r.status !== 0) throw new Error('openssl could not make a test certificate');
  return { key: readFileSync(join(dir, 'k.pem'), 'utf8'), cert: readFileSync(join(dir, 'c.pem'), 'utf8') };
}

async function serve(days: number): Promise<number> {
  const server = tls.createServer(certificate(days), (s) => s.end());
  servers.push(server);
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return (server.address() as { port: number }).port;
}

const haveOpenssl = hasCommand('openssl', ['version']);
beforeAll(() => undefined);
afterAll(() => Promise.all(servers.map((s) => new Promise<void>((ok) => s.close(() => ok())))));

describe('tls-expiry plugin', () => {
  it('reads the certificate and lets the rule decide: fine, or renew soon', async () => {
    if (!requireSystem('openssl (to make a test certificate)', haveOpenssl)) return;
    const fresh = await serve(90);
    const ok = await oncall(['run', 'tls-expiry-check', '--input', 'host=127.0.0.1', '--input', `port=${fresh}`, '--json']);
    expect(ok.code, ok.stderr).toBe(0);
    const read = events(ok.stdout).find((e) => e.type === 'step.finished' && e.payload.step === 'read-certificate')!;
    expect(read.payload.result).toMatchObject({ subject: 'oncall-test.local', expired: false, trusted: false, sans: ['oncall-test.local', '127.0.0.1'] });
    expect(read.payload.result.days_left).toBeGreaterThanOrEqual(88);
    expect(ok.stderr).toMatch(/rule chose No: it has time left/);

    const soon = await serve(3);
    const renew = await oncall(['run', 'tls-expiry-check', '--input', 'host=127.0.0.1', '--input', `port=${soon}`, '--answer', 'renew=SEC-12']);
    expect(renew.code, renew.stderr).toBe(0);
    expect(renew.stderr).toMatch(/rule chose Renew it soon/);
    expect(renew.stderr).toMatch(/renew: tester answered SEC-12/);
  });

  it('says plainly when nothing answers', async () => {
    const res = await oncall(['run', 'tls-expiry-check', '--input', 'host=127.0.0.1', '--input', 'port=1']);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/TLS connection to 127\.0\.0\.1:1 failed: .*ECONNREFUSED/);
  });
});
