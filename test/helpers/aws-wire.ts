// A local AWS endpoint for wire tests: a plain HTTP server on 127.0.0.1 that speaks each service's
// own protocol — EC2 query/XML, awsQuery/XML (ELBv2, ELB, STS), awsJson 1.0 (CloudWatch, with its
// query-compatible errors), JSON 1.1 (Secrets Manager), REST/XML (S3) — and answers from a drill
// AwsAccount on the wall clock. Requests are parsed, and responses written, from the SDK's own
// operation schemas (the `<Operation>$` exports), so any operation the world simulates works;
// errors travel as the world's WireResponse (src/drill/aws/wire.ts). The real SDK clients reach
// it through AWS_ENDPOINT_URL_<SERVICE>, exactly as the CLI's users would point them elsewhere.
import { mkdtempSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { JsonShapeDeserializer, JsonShapeSerializer, XmlShapeSerializer } from '@aws-sdk/core/protocols';
import { NormalizedSchema } from '@smithy/core/schema';
import type { Clock } from '../../src/core/step.js';
import type { AwsService } from '../../src/providers/aws/provider.js';
import { realClock } from '../../src/core/clock.js';
import type { AwsSpecInput } from '../../src/drill/aws/spec.js';
import { WorldError, errorResponse, type WireResponse } from '../../src/drill/aws/wire.js';
import { AwsAccount } from '../../src/drill/aws/account.js';

export interface WireRequest {
  service: AwsService;
  action: string;
  status: number;
  /** The access key id from the SigV4 Authorization header. */
  accessKeyId?: string;
  region?: string;
  /** The connection fault this request met, if any. */
  fault?: WireFault['mode'];
}

/**
 * A fault of the connection, not of the service (those are the world's own `faults`): what a
 * network or a load balancer in front of AWS does to one call.
 * - `reset`: the world acts on the request, then the connection is cut before any answer.
 * - `server-error`: the world acts, then a 500 InternalError is the answer.
 * - `hang`: the world acts and no answer ever comes (the client's own timeout must end it).
 * - `throttle`: the service's throttling error, before the world sees the call.
 * - `pass`: answered as usual (with `down`: the last call before the endpoint goes away).
 * `down` stops the endpoint listening once the fault fired: later calls are refused.
 */
export interface WireFault {
  action: string;
  mode: 'reset' | 'server-error' | 'hang' | 'throttle' | 'pass';
  /** How many calls it hits (default 1). */
  times?: number;
  /** Matching calls that pass before it starts (a step's dry run, say). */
  skip?: number;
  /** Armed only while this holds (checked before the world answers). */
  when?: () => boolean;
  down?: boolean;
}

/**
 * The environment of an `oncall` child process talking to the wire: only the wire's endpoints
 * and keys, never the developer's AWS setup (no profile, config file, session or IMDS).
 */
export function childEnv(w: AwsWire): Record<string, string> {
  const empty = mkdtempSync(join(tmpdir(), 'oncall-aws-wire-'));
  return w.env({
    AWS_PROFILE: '',
    AWS_DEFAULT_PROFILE: '',
    AWS_SESSION_TOKEN: '',
    AWS_DEFAULT_REGION: '',
    AWS_ENDPOINT_URL: '',
    AWS_ROLE_ARN: '',
    AWS_WEB_IDENTITY_TOKEN_FILE: '',
    AWS_CONFIG_FILE: join(empty, 'config'),
    AWS_SHARED_CREDENTIALS_FILE: join(empty, 'credentials'),
    AWS_MAX_ATTEMPTS: '3',
    NO_COLOR: '1',
  });
}

export interface AwsWire {
  url: string;
  world: AwsAccount;
  requests: WireRequest[];
  /** Connection faults, consumed in order as they fire. */
  faults: WireFault[];
  /** Stops listening and drops every connection: new calls get ECONNREFUSED. */
  down(): Promise<void>;
  /** Listens again on the same port. */
  up(): Promise<void>;
  /** AWS_ENDPOINT_URL_* for every service, fake static keys, no profile, no IMDS. */
  env(extra?: Record<string, string>): Record<string, string>;
  close(): Promise<void>;
}

const PACKAGES: Record<AwsService, string> = {
  ec2: '@aws-sdk/client-ec2',
  elbv2: '@aws-sdk/client-elastic-load-balancing-v2',
  elb: '@aws-sdk/client-elastic-load-balancing',
  cloudwatch: '@aws-sdk/client-cloudwatch',
  s3: '@aws-sdk/client-s3',
  secretsmanager: '@aws-sdk/client-secrets-manager',
  sts: '@aws-sdk/client-sts',
};

const XMLNS: Partial<Record<AwsService, string>> = {
  ec2: 'http://ec2.amazonaws.com/doc/2016-11-15/',
  elbv2: 'http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/',
  elb: 'http://elasticloadbalancing.amazonaws.com/doc/2012-06-01/',
  sts: 'https://sts.amazonaws.com/doc/2011-06-15/',
  s3: 'http://s3.amazonaws.com/doc/2006-03-01/',
};

const modules = new Map<AwsService, Promise<Record<string, any>>>();
const load = (s: AwsService) => {
  let m = modules.get(s);
  if (!m) modules.set(s, (m = import(PACKAGES[s])));
  return m;
};

async function operation(service: AwsService, action: string): Promise<[unknown, unknown] | undefined> {
  const op = (await load(service))[`${action}$`];
  return Array.isArray(op) ? [op[4], op[5]] : undefined;
}

// ── awsQuery / ec2Query request bodies → input objects ──────────────────────────────────────────

const cap = (s: string) => s[0]!.toUpperCase() + s.slice(1);

/** The reverse of the SDK's QueryShapeSerializer: form parameters back into the operation's input. */
export function fromQuery(schema: unknown, params: URLSearchParams, ec2: boolean, prefix = ''): any {
  const ns = NormalizedSchema.of(schema as any);
  const has = (key: string) => [...params.keys()].some((k) => k === key || k.startsWith(`${key}.`));
  if (ns.isStructSchema()) {
    const out: Record<string, unknown> = {};
    for (const [name, member] of ns.structIterator()) {
      const t = member.getMergedTraits() as { xmlName?: string; ec2QueryName?: string };
      const key = ec2 ? (t.ec2QueryName ?? cap(t.xmlName ?? name)) : (t.xmlName ?? name);
      const full = prefix ? `${prefix}.${key}` : key;
      if (!has(full)) continue;
      const v = fromQuery(member, params, ec2, full);
      if (v !== undefined) out[name] = v;
    }
    return out;
  }
  if (ns.isListSchema()) {
    const member = ns.getValueSchema();
    const flat = ec2 || Boolean((ns.getMergedTraits() as { xmlFlattened?: boolean }).xmlFlattened);
    const suffix = (member.getMergedTraits() as { xmlName?: string }).xmlName ?? 'member';
    const out: unknown[] = [];
    for (let i = 1; i < 10_000; i++) {
      const key = flat ? `${prefix}.${i}` : `${prefix}.${suffix}.${i}`;
      if (!has(key)) break;
      out.push(fromQuery(member, params, ec2, key));
    }
    return out;
  }
  if (ns.isMapSchema()) {
    const out: Record<string, unknown> = {};
    for (let i = 1; i < 10_000; i++) {
      const base = `${prefix}.entry.${i}`;
      if (!has(base)) break;
      out[String(params.get(`${base}.key`))] = fromQuery(ns.getValueSchema(), params, ec2, `${base}.value`);
    }
    return out;
  }
  const raw = params.get(prefix);
  if (raw === null) return undefined;
  if (ns.isBooleanSchema()) return raw === 'true';
  if (ns.isNumericSchema()) return Number(raw);
  if (ns.isTimestampSchema()) return new Date(/^\d+(\.\d+)?$/.test(raw) ? Number(raw) * 1000 : raw);
  return raw;
}

function xmlBody(service: AwsService, schema: unknown, output: Record<string, unknown>): string {
  const ser = new XmlShapeSerializer({ xmlNamespace: XMLNS[service] ?? '', serviceNamespace: '', timestampFormat: { useTrait: true, default: 5 } } as any);
  ser.write(schema as any, output);
  return String(ser.flush());
}

/** Inner XML of the serialized output struct (without its own root element). */
function inner(xml: string): string {
  const m = /^<([A-Za-z0-9_]+)[^>]*?(\/>|>([\s\S]*)<\/\1>)$/.exec(xml.trim());
  return m?.[3] ?? '';
}

// ── the server ──────────────────────────────────────────────────────────────────────────────────

export async function startAwsWire(spec: AwsSpecInput, opts: { clock?: Clock } = {}): Promise<AwsWire> {
  const world = new AwsAccount(spec, opts.clock ?? realClock);
  const requests: WireRequest[] = [];
  const faults: WireFault[] = [];
  const hung: import('node:http').ServerResponse[] = [];

  async function handle(req: IncomingMessage, body: Buffer): Promise<WireResponse & { fault?: WireFault }> {
    const auth = String(req.headers.authorization ?? '');
    const scope = /Credential=([^/]+)\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(auth);
    const target = req.headers['x-amz-target'] as string | undefined;
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    let service: AwsService;
    let action: string;
    let input: Record<string, unknown>;
    let output: [unknown, unknown] | undefined;
    if (target) {
      // JSON protocols name the operation in X-Amz-Target.
      service = target.startsWith('secretsmanager.') ? 'secretsmanager' : 'cloudwatch';
      action = target.split('.').pop()!;
      output = await operation(service, action);
      const de = new JsonShapeDeserializer({ timestampFormat: { useTrait: true, default: 7 }, jsonName: false } as any);
      input = output ? ((await de.read(output[0] as any, body.toString('utf8') || '{}')) as Record<string, unknown>) : {};
    } else if (scope?.[3] === 's3') {
      service = 's3';
      const [, bucket = '', ...rest] = url.pathname.split('/');
      const key = rest.map(decodeURIComponent).join('/');
      if (key) {
        action = 'GetObject';
        input = { Bucket: decodeURIComponent(bucket), Key: key };
      } else {
        action = url.searchParams.get('list-type') === '2' ? 'ListObjectsV2' : 'ListObjects';
        const q = (k: string) => url.searchParams.get(k) ?? undefined;
        input = {
          Bucket: decodeURIComponent(bucket),
          ...(q('prefix') !== undefined ? { Prefix: q('prefix') } : {}),
          ...(q('delimiter') !== undefined ? { Delimiter: q('delimiter') } : {}),
          ...(q('continuation-token') !== undefined ? { ContinuationToken: q('continuation-token') } : {}),
          ...(q('start-after') !== undefined ? { StartAfter: q('start-after') } : {}),
          ...(q('max-keys') !== undefined ? { MaxKeys: Number(q('max-keys')) } : {}),
        };
      }
      output = await operation(service, action);
    } else {
      const params = new URLSearchParams(body.toString('utf8'));
      action = params.get('Action') ?? '';
      const signing = scope?.[3] ?? '';
      service = signing === 'ec2' ? 'ec2' : signing === 'sts' ? 'sts' : params.get('Version') === '2015-12-01' ? 'elbv2' : 'elb';
      output = await operation(service, action);
      input = output ? fromQuery(output[0], params, service === 'ec2') : {};
    }
    const record: WireRequest = { service, action, status: 200, ...(scope ? { accessKeyId: scope[1], region: scope[2] } : {}) };
    // Decided before the request is in the log, so `when` sees only the calls before this one.
    let fault = faults.find((f) => f.action === action && (f.times ?? 1) > 0 && (f.when?.() ?? true));
    if (fault && (fault.skip ?? 0) > 0) {
      fault.skip! -= 1;
      fault = undefined;
    }
    requests.push(record);
    if (fault) {
      fault.times = (fault.times ?? 1) - 1;
      record.fault = fault.mode;
      if (fault.mode === 'throttle') {
        // Refused before the world sees it, as AWS does.
        const throttle = service === 'ec2' ? new WorldError('RequestLimitExceeded', 'Request limit exceeded.', 503) : new WorldError('ThrottlingException', 'Rate exceeded', 400);
        const w = errorResponse(service, throttle, 'wire-throttle');
        record.status = w.statusCode;
        return { ...w, fault };
      }
    }
    const attempt = Number(/attempt=(\d+)/.exec(String(req.headers['amz-sdk-request'] ?? ''))?.[1] ?? 1);
    let wire: WireResponse;
    try {
      if (!output) throw new WorldError('InvalidAction', `The action ${action} is not valid for this web service.`);
      const reply = world.invoke(service, action, input, { attempt });
      if ('wire' in reply) wire = reply.wire;
      else wire = success(service, action, output[1], reply.output, reply.requestId);
    } catch (err) {
      if (!(err instanceof WorldError)) {
        const message = err instanceof Error ? err.message : String(err);
        wire = errorResponse(service, new WorldError('InternalFailure', message, 500), 'wire-internal');
      } else wire = errorResponse(service, err, err.requestId ?? 'wire');
    }
    record.status = wire.statusCode;
    if (fault?.mode === 'server-error') {
      record.status = 500;
      return { ...errorResponse(service, new WorldError('InternalError', 'An internal error has occurred', 500), 'wire-fault'), fault };
    }
    return fault ? { ...wire, fault } : wire;
  }

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      handle(req, Buffer.concat(chunks)).then(
        (w: WireResponse & { fault?: WireFault }) => {
          if (w.fault?.mode === 'reset' || w.fault?.mode === 'hang') {
            if (w.fault.mode === 'reset') req.socket.destroy();
            else hung.push(res);
            if (w.fault.down) void down();
            return;
          }
          // Going down after this answer: the client must not keep the connection for its next call
          // (that one must be refused, not reset).
          res.writeHead(w.statusCode, { ...w.headers, 'content-length': String(w.body.byteLength), ...(w.fault?.down ? { connection: 'close' } : {}) });
          res.end(Buffer.from(w.body));
          if (w.fault?.down) res.on('finish', () => void down());
        },
        (err: unknown) => {
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end(String(err));
        },
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  async function down(): Promise<void> {
    if (!server.listening) return;
    const closed = new Promise<void>((r) => server.close(() => r()));
    for (const res of hung.splice(0)) res.destroy();
    server.closeAllConnections();
    await closed;
  }
  return {
    url,
    world,
    requests,
    faults,
    down,
    up: () => new Promise<void>((r) => (server.listening ? r() : server.listen(port, '127.0.0.1', r))),
    env(extra = {}) {
      return {
        AWS_ACCESS_KEY_ID: 'AKIDWIREINTEGRATION0',
        AWS_SECRET_ACCESS_KEY: 'wire-integration-secret-not-real',
        AWS_REGION: world.region,
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_ENDPOINT_URL_EC2: url,
        AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2: url,
        AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING: url,
        AWS_ENDPOINT_URL_CLOUDWATCH: url,
        AWS_ENDPOINT_URL_S3: url,
        AWS_ENDPOINT_URL_STS: url,
        AWS_ENDPOINT_URL_SECRETS_MANAGER: url,
        ...extra,
      };
    },
    close: async () => {
      await down();
    },
  };
}

function success(service: AwsService, action: string, schema: unknown, output: Record<string, unknown>, requestId: string): WireResponse {
  const bytes = (s: string) => Buffer.from(s, 'utf8');
  // Operations without output (PutMetricAlarm, RebootInstances) have a unit schema: an empty body.
  const struct = NormalizedSchema.of(schema as any).isStructSchema();
  if (service === 'cloudwatch' || service === 'secretsmanager') {
    const ser = new JsonShapeSerializer({ timestampFormat: { useTrait: true, default: 7 }, jsonName: false } as any);
    if (struct) ser.write(schema as any, output);
    const type = service === 'cloudwatch' ? 'application/x-amz-json-1.0' : 'application/x-amz-json-1.1';
    return { statusCode: 200, headers: { 'content-type': type, 'x-amzn-requestid': requestId }, body: bytes(struct ? String(ser.flush()) : '{}') };
  }
  const xml = struct ? xmlBody(service, schema, output) : '<Empty/>';
  if (service === 's3') return { statusCode: 200, headers: { 'content-type': 'application/xml', 'x-amz-request-id': requestId }, body: bytes(`<?xml version="1.0" encoding="UTF-8"?>\n${xml}`) };
  const xmlns = XMLNS[service] ?? '';
  const body =
    service === 'ec2'
      ? `<${action}Response xmlns="${xmlns}"><requestId>${requestId}</requestId>${inner(xml)}</${action}Response>`
      : `<${action}Response xmlns="${xmlns}"><${action}Result>${inner(xml)}</${action}Result><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`;
  return { statusCode: 200, headers: { 'content-type': 'text/xml;charset=UTF-8', 'x-amzn-requestid': requestId }, body: bytes(`<?xml version="1.0" encoding="UTF-8"?>\n${body}`) };
}
