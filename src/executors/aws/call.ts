// `aws.call`: any operation of an AWS SDK v3 client oncall ships, for runbook authors whose
// incidents need an API the shipped kinds do not wrap:
//
//   kind: aws.call
//   with: { service: ec2, operation: StopInstances, input: { InstanceIds: ['${{ inputs.instance_id }}'] } }
//
// It goes through awsCall like every AWS kind, so the SDK stays lazy, errors are worded for people
// and a change whose request may have reached AWS is never sent again. The effect comes from the
// operation's name (Describe/Get/List/Head/BatchGet/Lookup/Search read; anything else writes), so a
// write gets confirmation, write-ahead, --read-only refusal, the account guard and in-doubt
// settlement from the engine. An author may only make a step *more* cautious, unless they say why.
//
// Before anything is sent, the input is checked against the operation's own schema (the SDK's
// `<Operation>$` export): an unknown member, which the SDK would silently drop, is refused with a
// did-you-mean, and the values a template leaves as text (numbers, booleans, ISO timestamps) become
// what the API takes. `oncall validate` checks the same names without loading the SDK, from the
// generated catalog in operations.ts.
import { z } from 'zod';
import { defineKind } from '../../core/kind.js';
import { StepFailure } from '../../core/failure.js';
import type { StepContext } from '../../core/step.js';
import { awsCall, awsPaginate, type AwsCallMeta } from '../../providers/aws/call.js';
import { AWS_SERVICES, iamAction, loadAwsModule } from '../../providers/aws/modules.js';
import type { AwsCommand, AwsService } from '../../providers/aws/sdk.js';
import { duration } from '../../runbook/schema.js';
import { parseDuration } from '../../runbook/duration.js';
import { listNames, suggestion } from '../../runbook/suggest.js';
import { boundJson } from '../../core/bounded.js';
import { awsOf, regionParam } from './common.js';
import { AWS_OPERATIONS, AWS_WAITERS } from './operations.js';

// ── services and their names ────────────────────────────────────────────────────────────────────

/** How people name the shipped services (the CLI's names, the package names, ours). */
const SERVICE_ALIASES: Record<string, AwsService> = {
  ec2: 'ec2',
  elbv2: 'elbv2',
  elasticloadbalancingv2: 'elbv2',
  'elastic-load-balancing-v2': 'elbv2',
  elb: 'elb',
  elasticloadbalancing: 'elb',
  'elastic-load-balancing': 'elb',
  cloudwatch: 'cloudwatch',
  monitoring: 'cloudwatch',
  s3: 's3',
  s3api: 's3',
  secretsmanager: 'secretsmanager',
  'secrets-manager': 'secretsmanager',
  sts: 'sts',
};

/** Services people call often whose client oncall does not ship: the package to install. */
const OTHER_PACKAGES: Record<string, string> = {
  autoscaling: 'auto-scaling',
  'application-autoscaling': 'application-auto-scaling',
  rds: 'rds',
  lambda: 'lambda',
  ecs: 'ecs',
  eks: 'eks',
  dynamodb: 'dynamodb',
  sqs: 'sqs',
  sns: 'sns',
  iam: 'iam',
  route53: 'route-53',
  cloudformation: 'cloudformation',
  ssm: 'ssm',
  kms: 'kms',
  logs: 'cloudwatch-logs',
  elasticache: 'elasticache',
  ecr: 'ecr',
  acm: 'acm',
  cloudfront: 'cloudfront',
  efs: 'efs',
  kinesis: 'kinesis',
  apigateway: 'api-gateway',
  events: 'eventbridge',
  stepfunctions: 'sfn',
  ssmincidents: 'ssm-incidents',
  health: 'health',
};

export function serviceOf(name: string): AwsService | undefined {
  return SERVICE_ALIASES[name.toLowerCase()];
}

/** Why a service name is not one aws.call can use, in words, with what to do. */
export function unknownService(name: string): string {
  const other = OTHER_PACKAGES[name.toLowerCase()];
  const shipped = Object.keys(AWS_SERVICES).join(', ');
  if (other) {
    return `oncall does not ship the AWS SDK client for '${name}' (@aws-sdk/client-${other}); aws.call reaches the clients it ships: ${shipped}. Until clients installed beside oncall are loaded too, use a shell step with the AWS CLI for this one`;
  }
  return `unknown AWS service '${name}'${suggestion(name, Object.keys(SERVICE_ALIASES))}; aws.call reaches: ${shipped}`;
}

// ── the catalog (generated from the SDK: operations.ts) ─────────────────────────────────────────

/** A top-level input member's type in the catalog: s text, n number, b boolean, t time, L list of text or numbers, x anything else. */
export type MemberType = 's' | 'n' | 'b' | 't' | 'L' | 'x';

const catalogs = new Map<AwsService, Map<string, string[]>>();
const types = new Map<string, MemberType>();
const paginated = new Set<string>();

/** Whether the SDK has a paginator for the operation (from the catalog). */
export function hasPaginator(service: AwsService, operation: string): boolean {
  operationsOf(service);
  return paginated.has(`${service}:${operation}`);
}

/** The service's operations and the top-level members of their input. */
export function operationsOf(service: AwsService): Map<string, string[]> {
  let ops = catalogs.get(service);
  if (!ops) {
    ops = new Map();
    for (const entry of AWS_OPERATIONS[service].split(' ')) {
      const [marked = '', members = ''] = entry.split(':');
      const op = marked.replace(/\*$/, '');
      if (marked.endsWith('*')) paginated.add(`${service}:${op}`);
      const names: string[] = [];
      for (const m of members ? members.split(',') : []) {
        const [name = '', type = 'x'] = m.split('/');
        names.push(name);
        types.set(`${service}:${op}.${name}`, type as MemberType);
      }
      ops.set(op, names);
    }
    catalogs.set(service, ops);
  }
  return ops;
}

/** The type of a top-level input member, from the catalog. */
export function memberType(service: AwsService, operation: string, member: string): MemberType | undefined {
  operationsOf(service);
  return types.get(`${service}:${operation}.${member}`);
}

export function waitersOf(service: AwsService): string[] {
  return AWS_WAITERS[service] ? AWS_WAITERS[service].split(' ') : [];
}

/** Operations that only read, by AWS's own naming (the rule awsCall applies). */
const READ_OPERATION = /^(Describe|Get|List|Head|BatchGet|Lookup|Search)[A-Z]/;
export const isReadOperation = (operation: string) => READ_OPERATION.test(operation);

/** Changes that cannot be taken back: the operator types the resource. */
const DESTRUCTIVE_OPERATION = /^(Delete|Terminate|Stop|Reboot|Deregister|Detach|Disassociate|Revoke|Remove|Purge|Release|Cancel|Disable|Reset)[A-Z]/;

// ── parameters ──────────────────────────────────────────────────────────────────────────────────

const params = z
  .object({
    service: z.string().min(1).describe('The AWS service: ec2, elbv2, elb, cloudwatch, s3, secretsmanager, sts (the CLI\'s names work too)'),
    operation: z
      .string()
      .regex(/^[A-Z][A-Za-z0-9]+$/, { message: 'an operation is named as in the API reference, e.g. DescribeInstances' })
      .describe('The API operation, as in the API reference: DescribeInstances, SetDesiredCapacity'),
    input: z.record(z.string(), z.unknown()).default({}).describe('The operation\'s input, as in the API reference (checked against the SDK\'s model)'),
    ...regionParam,
    paginate: z.boolean().default(false).describe('Read every page (the SDK\'s paginator); list members of the pages are joined'),
    max_pages: z.number().int().min(1).max(1000).default(20).describe('Stop paginating after this many pages'),
    wait: z.string().regex(/^[a-z][A-Za-z0-9]+$/).optional().describe('After the call, the SDK waiter to run, e.g. instanceRunning (waitUntilInstanceRunning)'),
    max_wait: duration.default('10m').describe('How long the waiter may take'),
    interval: duration.default('15s').describe('The waiter\'s delay between checks'),
    effect: z.enum(['read', 'write']).optional().describe('Default: read for Describe/Get/List/Head/BatchGet/Lookup/Search, write otherwise. Making a write a read needs effect_reason'),
    effect_reason: z.string().min(10).optional().describe('Why an operation named like a change only reads (journaled with the step)'),
    destructive: z.boolean().optional().describe('The operator types the resource to confirm (default: for Delete/Terminate/Stop/Reboot/… operations)'),
    resources: z.array(z.string()).optional().describe('The resources the call acts on, shown in the confirmation (default: the ids and ARNs in the input)'),
  })
  .strict()
  .superRefine((p, ctx) => {
    const service = serviceOf(p.service);
    if (!service) {
      ctx.addIssue({ code: 'custom', path: ['service'], message: unknownService(p.service) });
      return;
    }
    const ops = operationsOf(service);
    const members = ops.get(p.operation);
    if (!members) {
      const label = AWS_SERVICES[service].label;
      ctx.addIssue({ code: 'custom', path: ['operation'], message: `${label} has no operation '${p.operation}'${suggestion(p.operation, ops.keys())}` });
      return;
    }
    for (const key of Object.keys(p.input)) {
      if (!members.includes(key)) {
        // A value holding ${{ }} is checked at run time (the loader skips issues under it), but the
        // member's name is wrong now: say so at the operation then.
        ctx.addIssue({
          code: 'custom',
          path: JSON.stringify(p.input[key] ?? null).includes('${{') ? ['operation'] : ['input', key],
          message: `${p.operation} takes no input member '${key}'${suggestion(key, members)}; it takes: ${listNames(members, 20) || '(nothing)'}`,
        });
      }
    }
    if (p.wait && !waitersOf(service).includes(p.wait)) {
      ctx.addIssue({ code: 'custom', path: ['wait'], message: `${AWS_SERVICES[service].label} has no waiter '${p.wait}'${suggestion(p.wait, waitersOf(service))}; it has: ${listNames(waitersOf(service), 20) || 'none'}` });
    }
    if (p.effect === 'read' && !isReadOperation(p.operation) && !p.effect_reason) {
      ctx.addIssue({
        code: 'custom',
        path: ['effect'],
        message: `${p.operation} is named like a change, so aws.call treats it as a write; to run it as a read, say why in effect_reason`,
      });
    }
    if (p.paginate && p.wait) ctx.addIssue({ code: 'custom', path: ['wait'], message: 'give paginate or wait, not both' });
  });

export type AwsCallParams = z.infer<typeof params>;

function effectOf(p: AwsCallParams): 'read' | 'write' {
  if (p.effect === 'write') return 'write';
  if (p.effect === 'read' && p.effect_reason) return 'read';
  return isReadOperation(p.operation) ? 'read' : 'write';
}

/** The ids and ARNs in an input (`InstanceIds`, `TargetGroupArn`, `SecretId`, `Resources`, S3's `Bucket`/`Key`…). */
export function resourcesIn(input: unknown, limit = 8): string[] {
  const out: string[] = [];
  const walk = (v: unknown, key: string, depth: number) => {
    if (out.length >= limit || depth > 6) return;
    if (typeof v === 'string') {
      // `Key` is S3's object key at the top of the input; deeper it is a tag's key, not a resource.
      if ((/(Ids?|Arns?|Names?|Bucket|Resources)$/.test(key) || (key === 'Key' && depth === 1)) && v && !out.includes(v)) out.push(v);
    } else if (Array.isArray(v)) {
      for (const x of v) walk(x, key, depth + 1);
    } else if (v !== null && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) walk(x, k, depth + 1);
    }
  };
  walk(input, '', 0);
  return out;
}

// ── the input against the operation's model ─────────────────────────────────────────────────────

/** The part of the SDK's NormalizedSchema the check uses. */
interface Shape {
  isStructSchema(): boolean;
  isListSchema(): boolean;
  isMapSchema(): boolean;
  isTimestampSchema(): boolean;
  isNumericSchema(): boolean;
  isBooleanSchema(): boolean;
  isStringSchema(): boolean;
  isBlobSchema(): boolean;
  structIterator(): Iterable<[string, Shape]>;
  getValueSchema(): Shape;
}

let schemaModule: Promise<{ NormalizedSchema: { of(schema: never): Shape } }> | undefined;
// The SDK's own schema machinery, loaded with the client package (it is one of its dependencies).
const loadSchemas = () => (schemaModule ??= import('@smithy/core/schema'));

/**
 * The input as the operation takes it, or the problems with it. Text where the model wants a
 * number, a boolean, a timestamp or bytes is converted (a template renders `${{ inputs.count }}` as
 * text inside a larger string); anything else that does not fit is a problem, named by its path.
 */
export function conform(shape: Shape, value: unknown, path: string, problems: string[]): unknown {
  if (problems.length >= 10) return value;
  if (shape.isStructSchema()) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      problems.push(`${path || 'input'} must be a mapping`);
      return value;
    }
    const members = new Map(shape.structIterator());
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const m = members.get(k);
      if (!m) {
        problems.push(`${path ? `${path}.` : ''}${k} is not a member of ${path || 'the input'}${suggestion(k, members.keys())} (it has: ${listNames(members.keys(), 15)})`);
        continue;
      }
      out[k] = conform(m, v, path ? `${path}.${k}` : k, problems);
    }
    return out;
  }
  if (shape.isListSchema()) {
    if (!Array.isArray(value)) {
      problems.push(`${path} must be a list`);
      return value;
    }
    return value.map((v, i) => conform(shape.getValueSchema(), v, `${path}[${i}]`, problems));
  }
  if (shape.isMapSchema()) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      problems.push(`${path} must be a mapping`);
      return value;
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, conform(shape.getValueSchema(), v, `${path}.${k}`, problems)]));
  }
  if (shape.isTimestampSchema()) {
    if (value instanceof Date) return value;
    const t = typeof value === 'number' ? value * 1000 : typeof value === 'string' ? Date.parse(value) : NaN;
    if (Number.isNaN(t)) problems.push(`${path} must be a time (ISO 8601, e.g. 2026-03-02T03:12:00Z)`);
    return Number.isNaN(t) ? value : new Date(t);
  }
  if (shape.isNumericSchema()) {
    if (typeof value === 'number') return value;
    if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
    problems.push(`${path} must be a number`);
    return value;
  }
  if (shape.isBooleanSchema()) {
    if (typeof value === 'boolean') return value;
    if (value === 'true' || value === 'false') return value === 'true';
    problems.push(`${path} must be true or false`);
    return value;
  }
  if (shape.isBlobSchema()) return typeof value === 'string' ? new TextEncoder().encode(value) : value;
  if (shape.isStringSchema()) {
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    problems.push(`${path} must be text`);
    return value;
  }
  return value;
}

async function conformed(service: AwsService, operation: string, input: Record<string, unknown>): Promise<Record<string, unknown>> {
  const [mod, schemas] = await Promise.all([loadAwsModule(service), loadSchemas()]);
  const exports = mod as Record<string, unknown>;
  if (typeof exports[`${operation}Command`] !== 'function') {
    throw new StepFailure(`${AWS_SERVICES[service].label} has no operation '${operation}' in the installed SDK${suggestion(operation, operationsOf(service).keys())}`);
  }
  const op = exports[`${operation}$`];
  // Without the SDK's model the input goes as given (the validate-time catalog has checked names).
  if (!Array.isArray(op)) return input;
  const problems: string[] = [];
  const out = conform(schemas.NormalizedSchema.of(op[4] as never), input, '', problems);
  if (problems.length) throw new StepFailure(`the input of ${iamAction(service, operation)} does not fit the API: ${problems.join('; ')}; nothing was sent`);
  return out as Record<string, unknown>;
}

/** A command of the package by its operation's name. */
function commandOf(mod: object, operation: string, input: object): AwsCommand {
  const ctor = (mod as Record<string, unknown>)[`${operation}Command`];
  if (typeof ctor !== 'function') throw new StepFailure(`the installed AWS SDK has no ${operation}Command`);
  // Every `<Operation>Command` of a client package is an SDK command built from its input.
  const Command = ctor as new (input: object) => AwsCommand;
  return new Command(input);
}

// ── what comes back ─────────────────────────────────────────────────────────────────────────────

/** An SDK output as expressions and the journal see it: plain JSON, dates as ISO text. */
export function plain(v: unknown, depth = 0): unknown {
  if (depth > 40) return '«too deep»';
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.toISOString();
  if (v instanceof Uint8Array) return `«${v.byteLength} bytes»`;
  if (Array.isArray(v)) return v.map((x) => plain(x, depth + 1));
  if (v !== null && typeof v === 'object') {
    // A streaming body (S3 GetObject) is not read here: its size is unknown and it may be secret.
    if (typeof (v as { pipe?: unknown }).pipe === 'function' || typeof (v as { getReader?: unknown }).getReader === 'function') return '«stream»';
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (k !== '$metadata' && x !== undefined) out[k] = plain(x, depth + 1);
    return out;
  }
  if (typeof v === 'bigint') return Number(v);
  return v;
}

const PAGE_TOKENS = new Set(['NextToken', 'Marker', 'NextMarker', 'ContinuationToken', 'NextContinuationToken', 'NextPageToken', 'IsTruncated']);

/** The pages of a listing as one answer: lists joined, the last page's other members, no page tokens. */
export function mergePages(pages: Record<string, unknown>[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const page of pages) {
    for (const [k, v] of Object.entries(page)) {
      if (PAGE_TOKENS.has(k)) continue;
      const prev = out[k];
      out[k] = Array.isArray(v) && Array.isArray(prev) ? [...prev, ...v] : v;
    }
  }
  return out;
}

function countItems(output: Record<string, unknown>): string {
  const lists = Object.entries(output).filter(([, v]) => Array.isArray(v));
  return lists.map(([k, v]) => `${(v as unknown[]).length} ${k}`).join(', ');
}

// ── the kind ────────────────────────────────────────────────────────────────────────────────────

export const awsCallKind = defineKind({
  name: 'aws.call',
  effect: effectOf,
  params,
  destructive: (p) => p.destructive ?? (effectOf(p) === 'write' && DESTRUCTIVE_OPERATION.test(p.operation)),
  describe: (p) => {
    const service = serviceOf(p.service);
    const apiName = service ? iamAction(service, p.operation) : `${p.service}:${p.operation}`;
    const resources = p.resources ?? resourcesIn(p.input);
    const extra = [p.paginate ? 'every page' : '', p.wait ? `then wait until ${p.wait}` : '', p.region ? `in ${p.region}` : ''].filter(Boolean).join(', ');
    return {
      summary: `${apiName}${resources.length ? ` ${resources.join(' ')}` : ''}${extra ? ` (${extra})` : ''}`,
      api: apiName,
      ...(resources.length ? { resources } : {}),
    };
  },
  async run(p, ctx) {
    const service = serviceOf(p.service);
    if (!service) throw new StepFailure(unknownService(p.service));
    const provider = awsOf(ctx);
    const input = await conformed(service, p.operation, p.input);
    const apiName = iamAction(service, p.operation);
    const ids = p.resources ?? resourcesIn(p.input);
    const opts = { signal: ctx.signal, ...(p.region ? { region: p.region } : {}), ...(ids.length ? { ids } : {}) };
    const calls: { api: string; request_id?: string; attempts?: number; http_status?: number }[] = [];
    const note = (meta: AwsCallMeta) => {
      calls.push({
        api: apiName,
        ...(meta.requestId ? { request_id: meta.requestId } : {}),
        ...(meta.attempts !== undefined ? { attempts: meta.attempts } : {}),
        ...(meta.httpStatusCode !== undefined ? { http_status: meta.httpStatusCode } : {}),
      });
      ctx.log(`${apiName}${meta.requestId ? ` request id ${meta.requestId}` : ''}${meta.httpStatusCode ? ` (HTTP ${meta.httpStatusCode})` : ''}`, 'log');
    };

    let output: Record<string, unknown>;
    if (p.paginate) {
      const pages: Record<string, unknown>[] = [];
      for await (const page of awsPaginate(provider, service, (m) => commandOf(m, p.operation, input), { ...opts, maxPages: p.max_pages })) {
        note(page.meta);
        pages.push(plain(page.output) as Record<string, unknown>);
      }
      output = mergePages(pages);
      if (pages.length >= p.max_pages) ctx.log(`stopped after ${p.max_pages} pages (max_pages); there may be more`, 'log');
    } else {
      const res = await awsCall(provider, service, (m) => commandOf(m, p.operation, input), opts);
      note(res.meta);
      output = plain(res.output) as Record<string, unknown>;
    }
    const region = p.region ?? provider.region;
    const requestId = calls.at(-1)?.request_id;
    let waited: Record<string, unknown> | undefined;
    if (p.wait) waited = await runWaiter(ctx, service, p, input);
    const counted = countItems(output);
    const summary = `${apiName} ${effectOf(p) === 'write' ? 'done' : 'answered'}${counted ? `: ${counted}` : ''}${p.paginate ? ` (${calls.length} page${calls.length === 1 ? '' : 's'})` : ''}${waited ? `; ${p.wait}: ${String(waited.state)}` : ''}${requestId ? ` [request ${requestId}]` : ''}`;
    return {
      result: { ...output, ...(waited ? { waiter: waited } : {}) },
      summary,
      raw: boundJson({ service, operation: p.operation, region: region ?? null, calls, ...(p.effect_reason ? { effect_reason: p.effect_reason } : {}), response: output }, 12_000),
    };
  },
});

/** The SDK's own waiter (`waitUntil<Name>`) with the step's limits; a failed or timed-out wait fails the step. */
async function runWaiter(ctx: StepContext, service: AwsService, p: AwsCallParams, input: Record<string, unknown>): Promise<Record<string, unknown>> {
  const name = `waitUntil${p.wait![0]!.toUpperCase()}${p.wait!.slice(1)}`;
  if (ctx.mode === 'drill') {
    // The SDK's waiters sleep in real time; a drill's time is simulated and moves only on the step's clock.
    throw new StepFailure(`the SDK waiter ${name} cannot run in a drill (it sleeps in real time): use a wait step with an aws.call probe and an until condition`);
  }
  const [mod, client] = await Promise.all([loadAwsModule(service), awsOf(ctx).client(service, p.region)]);
  const waiter = (mod as Record<string, unknown>)[name];
  if (typeof waiter !== 'function') throw new StepFailure(`${AWS_SERVICES[service].label} has no waiter ${p.wait}${suggestion(p.wait!, waitersOf(service))}`);
  const interval = Math.max(1, Math.round(parseDuration(p.interval) / 1000));
  const config = { client, maxWaitTime: Math.max(interval, Math.round(parseDuration(p.max_wait) / 1000)), minDelay: interval, maxDelay: interval, abortSignal: ctx.signal };
  ctx.log(`waiting until ${p.wait} (every ${p.interval}, at most ${p.max_wait})`, 'log');
  // A package's waitUntil<Name>(config, input): resolves with the waiter's state, throws when it fails or times out.
  const run = waiter as (config: object, input: object) => Promise<{ state: string; reason?: unknown }>;
  try {
    const r = await run(config, input);
    return { state: r.state };
  } catch (err) {
    const state = err !== null && typeof err === 'object' && 'state' in err ? String((err as { state: unknown }).state) : 'FAILURE';
    // The call itself went through: for a change, the step's outcome is for its verify read or a person.
    throw new StepFailure(`${p.wait} was not reached (${state}) within ${p.max_wait}: ${err instanceof Error ? err.message.slice(0, 300) : String(err)}`, { waiter: { state } }, { applied: effectOf(p) === 'write' ? 'unknown' : 'no' });
  }
}

