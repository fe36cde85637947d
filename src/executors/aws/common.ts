// Shared by the AWS step kinds: parameter patterns, reaching the AWS provider, the journal's copy
// of what AWS answered (bounded, with request ids), and polling on the step's clock. Nothing here
// imports the SDK at run time: awsCall loads each client package on first use, and the packages'
// types arrive through type-only imports.
import { z } from 'zod';
import type { StepContext } from '../../core/step.js';
import { awsCall, awsPaginate, type AwsCallMeta, type AwsCallResult } from '../../providers/aws/call.js';
import { AwsStepError } from '../../providers/aws/errors.js';
import { iamAction } from '../../providers/aws/modules.js';
import { resolvedRegion, type AwsProvider } from '../../providers/aws/provider.js';
import type { AwsCommand, AwsCommandBuilder, AwsOutput, AwsService } from '../../providers/aws/sdk.js';
import { formatDuration, parseDuration } from '../../runbook/duration.js';
import { duration } from '../../runbook/schema.js';
import { boundJson } from '../../core/bounded.js';
import { failureFacts, StepFailure } from '../../core/failure.js';

// ── parameter patterns ──────────────────────────────────────────────────────────────────────────

export const instanceId = z.string().regex(/^i-[0-9a-f]{8,17}$/, { message: 'an instance id is i- followed by 8 or 17 hexadecimal digits, e.g. i-0abc1234def567890' });
export const volumeId = z.string().regex(/^vol-[0-9a-f]{8,17}$/, { message: 'a volume id is vol- followed by 8 or 17 hexadecimal digits' });
export const securityGroupId = z.string().regex(/^sg-[0-9a-f]{8,17}$/, { message: 'a security group id is sg- followed by 8 or 17 hexadecimal digits' });
export const subnetId = z.string().regex(/^subnet-[0-9a-f]{8,17}$/, { message: 'a subnet id is subnet- followed by 8 or 17 hexadecimal digits' });
export const region = z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, { message: 'a region looks like us-east-1' });
export const accountId = z.string().regex(/^\d{12}$/, { message: 'an AWS account id is 12 digits' });
export const lbName = z.string().regex(/^[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,30}[a-zA-Z0-9])?$/, {
  message: 'a load balancer name is 1 to 32 letters, digits and hyphens, not starting or ending with a hyphen',
});
export const LB_ARN_RE = /^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:loadbalancer\/(app|net|gwy)\/[A-Za-z0-9-]{1,32}\/[0-9a-f]{16}$/;
export const lbArn = z.string().regex(LB_ARN_RE, { message: 'a load balancer ARN looks like arn:aws:elasticloadbalancing:<region>:<account>:loadbalancer/app/<name>/<16 hex>' });
export const TG_ARN_RE = /^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:targetgroup\/[A-Za-z0-9-]{1,32}\/[0-9a-f]{16}$/;
export const tgArn = z.string().regex(TG_ARN_RE, { message: 'a target group ARN looks like arn:aws:elasticloadbalancing:<region>:<account>:targetgroup/<name>/<16 hex>' });
export const snsTopicArn = z.string().regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_.-]{1,256}$/, { message: 'an SNS topic ARN looks like arn:aws:sns:<region>:<account>:<topic>' });
export const bucketName = z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { message: 'an S3 bucket name is 3 to 63 lowercase letters, digits, dots and hyphens' });
/** A timestamp the operator gives: ISO 8601 with a zone. */
export const isoTime = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 time with a zone, e.g. 2026-03-02T03:12:00Z' });
export { duration };

/** Every AWS kind may name its region; otherwise the run's (--region, AWS_REGION, the profile). */
export const regionParam = { region: region.optional().describe('The AWS region; default the run\'s (--region, AWS_REGION or the profile)') };

// ── the provider ────────────────────────────────────────────────────────────────────────────────

export function awsOf(ctx: StepContext): AwsProvider {
  const aws = ctx.providers.aws;
  if (!aws) throw new StepFailure('this run has no AWS access: AWS step kinds need the AWS provider (live: the default credential chain; drills: a scenario with world.aws)');
  return aws;
}

/** The region calls go to: the step's, else the provider's, else what the SDK resolved from the profile. */
export async function regionOf(ctx: StepContext, wanted?: string): Promise<string | undefined> {
  if (wanted) return wanted;
  const aws = awsOf(ctx);
  if (aws.region) return aws.region;
  try {
    return await resolvedRegion(await aws.client('sts'));
  } catch {
    return undefined;
  }
}

/** The ARN partition of a region (`aws`, `aws-cn`, `aws-us-gov`). */
export function partitionOf(regionName: string | undefined): string {
  if (regionName?.startsWith('cn-')) return 'aws-cn';
  if (regionName?.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/**
 * Calls AWS for a step, keeping a record of each call (API, request id, attempts) for the journal.
 * Errors are AwsStepError already worded for people.
 */
export class AwsSession {
  readonly calls: { api: string; request_id?: string; attempts?: number; http_status?: number }[] = [];
  readonly outputs: Record<string, unknown> = {};

  constructor(
    readonly ctx: StepContext,
    readonly region?: string,
  ) {}

  get provider(): AwsProvider {
    return awsOf(this.ctx);
  }

  /**
   * One call, e.g. `s.call('ec2', (m) => new m.RebootInstancesCommand({ InstanceIds: [id] }), [id])`;
   * `ids` are named in errors, `keep` says what of the output the journal may hold (default: all of
   * it, bounded).
   */
  async call<S extends AwsService, C extends AwsCommand>(
    service: S,
    build: AwsCommandBuilder<S, C>,
    ids?: string[],
    keep?: (output: AwsOutput<C>) => unknown,
  ): Promise<AwsCallResult<AwsOutput<C>>> {
    const res = await awsCall(this.provider, service, build, { signal: this.ctx.signal, ...(this.region ? { region: this.region } : {}), ...(ids ? { ids } : {}) });
    this.note(service, res.operation, res.meta);
    this.keep(res.operation, keep ? keep(res.output) : res.output);
    return res;
  }

  /** Every page of a listing (the package's paginator for the command), at most `maxPages`. */
  async *pages<S extends AwsService, C extends AwsCommand>(
    service: S,
    build: AwsCommandBuilder<S, C>,
    opts: { ids?: string[]; maxPages?: number; pageSize?: number } = {},
  ): AsyncGenerator<AwsOutput<C>> {
    for await (const page of awsPaginate(this.provider, service, build, {
      signal: this.ctx.signal,
      ...(this.region ? { region: this.region } : {}),
      ...(opts.ids ? { ids: opts.ids } : {}),
      ...(opts.maxPages ? { maxPages: opts.maxPages } : {}),
      ...(opts.pageSize ? { pageSize: opts.pageSize } : {}),
    })) {
      this.note(service, page.operation, page.meta);
      this.keep(page.operation, page.output);
      yield page.output;
    }
  }

  /**
   * EC2's permission check for a change, built with `DryRun: true`:
   * `s.dryRun((m) => new m.StopInstancesCommand({ ...input, DryRun: true }), ids)`. EC2 answers
   * DryRunOperation when allowed, and the same AccessDenied a real call would when not (thrown, in
   * plain words).
   */
  async dryRun<C extends AwsCommand & { readonly input: { DryRun?: boolean } }>(build: AwsCommandBuilder<'ec2', C>, ids?: string[]): Promise<void> {
    try {
      await this.call(
        'ec2',
        (m) => {
          const command = build(m);
          if (command.input.DryRun !== true) throw new TypeError('dryRun needs a command built with DryRun: true');
          return command;
        },
        ids,
      );
    } catch (err) {
      if (err instanceof AwsStepError && err.code === 'DryRunOperation') {
        this.calls.push({ api: `${iamAction('ec2', err.operation)} (dry run: allowed)` });
        return;
      }
      throw err;
    }
  }

  /** The bounded copy of the responses the journal keeps beside the result. */
  raw(): unknown {
    return boundJson({ calls: this.calls, responses: this.outputs }, 12_000);
  }

  /** The request id of the last call of `command` (for the post-mortem of a change). */
  requestId(command: string): string | undefined {
    for (let i = this.calls.length - 1; i >= 0; i--) {
      const c = this.calls[i]!;
      if (c.api.endsWith(`:${command}`) && c.request_id) return c.request_id;
    }
    return undefined;
  }

  private note(service: AwsService, command: string, meta: AwsCallMeta): void {
    this.calls.push({
      api: iamAction(service, command),
      ...(meta.requestId ? { request_id: meta.requestId } : {}),
      ...(meta.attempts !== undefined ? { attempts: meta.attempts } : {}),
      ...(meta.httpStatusCode !== undefined ? { http_status: meta.httpStatusCode } : {}),
    });
  }

  private keep(command: string, output: unknown): void {
    const clean = withoutMetadata(output);
    const prev = this.outputs[command];
    this.outputs[command] = prev === undefined ? clean : Array.isArray(prev) ? [...prev, clean] : [prev, clean];
  }
}

function withoutMetadata(output: unknown): unknown {
  if (!output || typeof output !== 'object') return output;
  const { $metadata: _m, Body: body, ...rest } = output as Record<string, unknown>;
  return body === undefined ? rest : { ...rest, Body: '«stream»' };
}

// ── values ──────────────────────────────────────────────────────────────────────────────────────

/** ISO text of an SDK timestamp (Date, or a string some protocols leave as is). */
export function iso(v: unknown): string | undefined {
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? undefined : v.toISOString();
  if (typeof v === 'string' && v) {
    const t = Date.parse(v);
    return Number.isNaN(t) ? v : new Date(t).toISOString();
  }
  if (typeof v === 'number' && Number.isFinite(v)) return new Date(v).toISOString();
  return undefined;
}

export function tagMap(tags: { Key?: string; Value?: string }[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of tags ?? []) if (t.Key !== undefined) out[t.Key] = t.Value ?? '';
  return out;
}

/** The short name of an ARN for a one-line summary (`app/web/50dc…` for a load balancer). */
export function shortArn(arn: string): string {
  const i = arn.indexOf(':loadbalancer/');
  if (i >= 0) return arn.slice(i + ':loadbalancer/'.length);
  const j = arn.indexOf(':targetgroup/');
  if (j >= 0) return arn.slice(j + 1);
  return arn.split(':').slice(5).join(':') || arn;
}

export function api(service: AwsService, operation: string): string {
  return iamAction(service, operation);
}

/** Milliseconds → a short human duration ('4m30s'). */
export function human(ms: number): string {
  return formatDuration(Math.max(0, Math.round(ms / 1000) * 1000));
}

// ── waiting on the step's clock ─────────────────────────────────────────────────────────────────

export interface PollState {
  /** The wanted state is reached. */
  done: boolean;
  /** A state from which the wanted one cannot come (the waiter's failure acceptor). */
  failed?: string;
  /** One line: what the resource looks like now. */
  state: string;
  /** Extra fields for the result. */
  detail?: Record<string, unknown>;
}

export interface PollOutcome {
  reached: boolean;
  timed_out: boolean;
  polls: number;
  waited_ms: number;
  waited: string;
  state: string;
  detail: Record<string, unknown>;
}

export const waitParams = {
  max_wait: duration.optional().describe('Give up after this long (the waiter\'s maxWaitTime)'),
  interval: duration.default('15s').describe('Time between polls (EC2 waiters use 15s)'),
  on_timeout: z
    .enum(['fail', 'report'])
    .default('fail')
    .describe("fail: the step fails when time runs out; report: it succeeds with reached=false, so the runbook can branch (e.g. to a force stop)"),
};

/**
 * Polls until `poll` says done, with a countdown in the step's output. Sleeps on ctx.clock, so a
 * drill moves simulated time instead of waiting (the SDK's waitUntil* would sleep for real).
 */
export async function pollUntil(
  ctx: StepContext,
  o: { subject: string; goal: string; maxWait: string; interval: string; onTimeout: 'fail' | 'report'; poll: () => Promise<PollState> },
): Promise<PollOutcome> {
  const limit = parseDuration(o.maxWait);
  const every = Math.max(1, parseDuration(o.interval));
  const start = ctx.clock.now();
  let polls = 0;
  for (;;) {
    polls += 1;
    let s: PollState;
    try {
      s = await o.poll();
    } catch (err) {
      // A check that could not be made (throttled after the SDK's own retries, the network) says
      // nothing of the resource: the wait goes on, within max_wait, instead of failing on it.
      const waited = ctx.clock.now() - start;
      if (!failureFacts(err).transient || ctx.signal.aborted || waited >= limit) throw err;
      const next = Math.min(every, limit - waited);
      ctx.log(`${o.subject}: check ${polls} could not be made (${err instanceof Error ? err.message : String(err)}); trying again in ${human(next)}, ${human(limit - waited)} left of ${o.maxWait}`, 'log');
      await ctx.clock.sleep(next, ctx.signal);
      continue;
    }
    const waited = ctx.clock.now() - start;
    const base = { polls, waited_ms: waited, waited: human(waited), state: s.state, detail: s.detail ?? {} };
    if (s.done) {
      ctx.log(`${o.subject} ${o.goal} (${s.state}) after ${human(waited)}, ${checks(polls)}`, 'log');
      return { reached: true, timed_out: false, ...base };
    }
    if (s.failed) {
      throw new StepFailure(`${o.subject}: ${s.failed} (after ${human(waited)}, ${checks(polls)})`, { reached: false, timed_out: false, ...base });
    }
    const left = limit - waited;
    if (left <= 0) {
      const text = `${o.subject}: still ${s.state} after ${human(waited)}; it never ${o.goal} within max_wait ${o.maxWait} (${checks(polls)})`;
      ctx.log(text, 'log');
      if (o.onTimeout === 'report') return { reached: false, timed_out: true, ...base };
      throw new StepFailure(text, { reached: false, timed_out: true, ...base });
    }
    const next = Math.min(every, left);
    ctx.log(`${o.subject}: ${s.state} — waiting until it ${o.goal}, ${human(left)} left of ${o.maxWait} (check ${polls}, next in ${human(next)})`, 'log');
    await ctx.clock.sleep(next, ctx.signal);
  }
}

const checks = (n: number) => `${n} check${n === 1 ? '' : 's'}`;

// ── numbers ─────────────────────────────────────────────────────────────────────────────────────

/** Nearest-rank percentile of a list (0 for an empty one). */
export function percentile(values: number[], p: number): number {
  if (!values.length) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1]!;
}

/** Rounded for people (and for CEL: integral values stay integers). */
export function round(n: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
