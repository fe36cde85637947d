// An example read-only plugin: how long until an endpoint's TLS certificate expires.
// It connects, reads the certificate the server presents, and never sends application data.
import tls from 'node:tls';
import { definePlugin, StepFailure, z } from 'oncall/plugin';

const DAY_MS = 86_400_000;

const certificate = {
  name: 'tls.certificate',
  effect: 'read',
  params: z
    .object({
      host: z.string().regex(/^[A-Za-z0-9.-]{1,253}$/, { message: 'must be a host name or IPv4 address' }),
      port: z.coerce.number().int().min(1).max(65535).default(443),
      servername: z.string().optional().describe('SNI name, when it differs from host'),
      timeout_ms: z.number().int().min(100).max(60_000).default(10_000),
    })
    .strict(),
  describe: (p) => ({ summary: `read the TLS certificate of ${p.host}:${p.port}`, resources: [`${p.host}:${p.port}`], params: p }),
  async run(p, ctx) {
    // TLS has no simulated counterpart in drills, and drills never leave the machine.
    if (ctx.mode === 'drill') throw new StepFailure('tls.certificate cannot run in a drill: it would connect to a real endpoint');
    const cert = await new Promise((resolve, reject) => {
      const socket = tls.connect({ host: p.host, port: p.port, servername: p.servername ?? (/^[\d.]+$/.test(p.host) ? undefined : p.host), rejectUnauthorized: false });
      const fail = (err) => {
        socket.destroy();
        reject(err);
      };
      const timer = setTimeout(() => fail(new StepFailure(`no TLS handshake with ${p.host}:${p.port} within ${p.timeout_ms} ms`)), p.timeout_ms);
      const onAbort = () => fail(ctx.signal.reason);
      ctx.signal.addEventListener('abort', onAbort, { once: true });
      socket.once('secureConnect', () => {
        clearTimeout(timer);
        ctx.signal.removeEventListener('abort', onAbort);
        const peer = socket.getPeerCertificate();
        resolve({ peer, authorized: socket.authorized, authorizationError: socket.authorizationError ? String(socket.authorizationError) : undefined });
        socket.end();
      });
      socket.once('error', (err) => {
        clearTimeout(timer);
        fail(new StepFailure(`TLS connection to ${p.host}:${p.port} failed: ${err.message}`));
      });
    });
    const notAfter = new Date(cert.peer.valid_to);
    const daysLeft = Math.floor((notAfter.getTime() - Date.now()) / DAY_MS);
    const result = {
      host: p.host,
      port: p.port,
      subject: cert.peer.subject?.CN ?? '',
      issuer: cert.peer.issuer?.CN ?? '',
      sans: (cert.peer.subjectaltname ?? '').split(', ').filter(Boolean).map((s) => s.replace(/^(DNS|IP Address):/, '')),
      not_before: new Date(cert.peer.valid_from).toISOString(),
      not_after: notAfter.toISOString(),
      days_left: daysLeft,
      expired: daysLeft < 0,
      trusted: cert.authorized,
      ...(cert.authorizationError ? { trust_error: cert.authorizationError } : {}),
      fingerprint256: cert.peer.fingerprint256,
    };
    ctx.log(`${p.host}:${p.port} presents '${result.subject}' issued by '${result.issuer}', valid until ${result.not_after}`, 'log');
    return { result, summary: result.expired ? `certificate EXPIRED ${-daysLeft} days ago` : `certificate expires in ${daysLeft} days (${result.not_after.slice(0, 10)})` };
  },
};

export default definePlugin({
  name: 'tls-expiry',
  version: '1.0.0',
  stepKinds: [certificate],
  runbooks: ['runbooks'],
});
