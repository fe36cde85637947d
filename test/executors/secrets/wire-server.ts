// A local endpoint that speaks Secrets Manager's JSON protocol (awsJson1_1) and STS's query
// protocol, answering from the drill's simulated account (ClientRequestToken idempotency,
// versions, deletion windows). The real SDK reaches it through AWS_ENDPOINT_URL_SECRETS_MANAGER and
// AWS_ENDPOINT_URL_STS, signed with fake static keys, exactly as it would reach AWS.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Clock } from '../../../src/core/step.js';
import type { AwsSpecInput } from '../../../src/drill/aws/spec.js';
import { errorResponse, WorldError } from '../../../src/drill/aws/wire.js';
import { AwsAccount } from '../../../src/drill/aws/account.js';

export interface WireRequest {
  command: string;
  /** The raw request body (it carries SecretString for writes: only ever sent to this endpoint). */
  body: string;
  status?: number;
}

export interface WireReply {
  status: number;
  type?: string;
  message?: string;
}

export interface WireHooks {
  /** Before the world answers: return a reply to answer with instead (an error that echoes input). */
  before?(command: string, input: Record<string, unknown>): WireReply | undefined | Promise<WireReply | undefined>;
  /** After the world applied the command, before the answer is sent (the crash test holds it here). */
  after?(command: string, input: Record<string, unknown>): void | Promise<void>;
}

export interface SecretsWire {
  url: string;
  world: AwsAccount;
  requests: WireRequest[];
  hooks: WireHooks;
  /** Environment for a child process (or the SDK in-process) that sends AWS calls here. */
  env(extra?: Record<string, string>): Record<string, string>;
  close(): Promise<void>;
}

const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((ok, fail) => {
      const t = setTimeout(ok, ms);
      signal?.addEventListener('abort', () => (clearTimeout(t), fail(signal.reason)), { once: true });
    }),
  deadline: (ms, signal) =>
    new Promise((ok, fail) => {
      const t = setTimeout(ok, ms);
      signal?.addEventListener('abort', () => (clearTimeout(t), fail(signal.reason)), { once: true });
    }),
};

/** awsJson wire values: Dates are epoch seconds, blobs are base64. */
function toWire(v: unknown): unknown {
  if (v instanceof Date) return v.getTime() / 1000;
  if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
  if (Array.isArray(v)) return v.map(toWire);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toWire(x)]));
  return v;
}

const xml = (s: string) => `<?xml version="1.0" encoding="UTF-8"?>\n${s}`;

export async function startSecretsWire(spec: AwsSpecInput = {}, hooks: WireHooks = {}): Promise<SecretsWire> {
  const world = new AwsAccount({ latency_ms: 0, ...spec }, realClock);
  const requests: WireRequest[] = [];
  const wire: Partial<SecretsWire> = { world, requests, hooks };

  const handle = async (req: IncomingMessage, body: string): Promise<{ status: number; headers: Record<string, string>; body: string | Uint8Array }> => {
    const target = String(req.headers['x-amz-target'] ?? '');
    if (!target) {
      const params = new URLSearchParams(body);
      const action = params.get('Action') ?? '';
      requests.push({ command: `sts:${action}`, body });
      if (action !== 'GetCallerIdentity') return { status: 400, headers: { 'content-type': 'text/xml' }, body: xml(`<ErrorResponse><Error><Type>Sender</Type><Code>InvalidAction</Code><Message>unexpected ${action}</Message></Error></ErrorResponse>`) };
      const id = world.spec.identity;
      return {
        status: 200,
        headers: { 'content-type': 'text/xml', 'x-amzn-requestid': 'req-sts' },
        body: xml(`<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>${id.arn}</Arn><UserId>${id.user_id}</UserId><Account>${id.account}</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>req-sts</RequestId></ResponseMetadata></GetCallerIdentityResponse>`),
      };
    }
    const command = target.split('.').pop()!;
    const entry: WireRequest = { command, body };
    requests.push(entry);
    const input = body ? (JSON.parse(body) as Record<string, unknown>) : {};
    if (typeof input.SecretBinary === 'string') input.SecretBinary = Buffer.from(input.SecretBinary, 'base64');
    const custom = await hooks.before?.(command, input);
    if (custom) {
      entry.status = custom.status;
      return {
        status: custom.status,
        headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': 'req-custom' },
        body: JSON.stringify({ __type: custom.type ?? 'ValidationException', Message: custom.message ?? '' }),
      };
    }
    let reply;
    try {
      reply = world.invoke('secretsmanager', command, input);
    } catch (err) {
      if (!(err instanceof WorldError)) {
        entry.status = 400;
        return { status: 400, headers: { 'content-type': 'application/x-amz-json-1.1' }, body: JSON.stringify({ __type: 'UnknownOperationException', Message: (err as Error).message }) };
      }
      const w = errorResponse('secretsmanager', err, err.requestId ?? 'req');
      entry.status = w.statusCode;
      await hooks.after?.(command, input);
      return { status: w.statusCode, headers: w.headers, body: w.body };
    }
    await hooks.after?.(command, input);
    entry.status = 200;
    const out = 'output' in reply ? reply.output : {};
    return { status: 200, headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': reply.requestId }, body: JSON.stringify(toWire(out)) };
  };

  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      handle(req, body).then(
        (a) => {
          if (res.destroyed) return;
          const bytes = typeof a.body === 'string' ? Buffer.from(a.body) : Buffer.from(a.body);
          res.writeHead(a.status, { ...a.headers, 'content-length': bytes.byteLength });
          res.end(bytes);
        },
        (err) => {
          if (res.destroyed) return;
          res.writeHead(500, { 'content-type': 'application/x-amz-json-1.1' });
          res.end(JSON.stringify({ __type: 'InternalServiceError', Message: String(err) }));
        },
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  wire.url = url;
  wire.env = (extra = {}) => ({
    AWS_ACCESS_KEY_ID: 'AKIDSECRETSWIRETEST0',
    AWS_SECRET_ACCESS_KEY: 'wire-test-not-a-secret',
    AWS_SESSION_TOKEN: '',
    AWS_PROFILE: '',
    AWS_DEFAULT_PROFILE: '',
    AWS_REGION: world.region,
    AWS_DEFAULT_REGION: '',
    AWS_ENDPOINT_URL: '',
    AWS_ENDPOINT_URL_SECRETS_MANAGER: url,
    AWS_ENDPOINT_URL_STS: url,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: '/nonexistent/oncall-test/config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/oncall-test/credentials',
    AWS_MAX_ATTEMPTS: '2',
    ...extra,
  });
  wire.close = () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  return wire as SecretsWire;
}
