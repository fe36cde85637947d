// The simulated AWS account's machinery: the scenario's spec, the simulated clock, the calls made,
// the changes scheduled for later, injected faults and denied actions, and the table of commands
// the world answers. Each service model (ec2.ts, elbv2.ts, …) is given this world and registers
// its commands with it (answer()); this file imports none of them, and account.ts puts the
// account together. Every call is recorded (with secret values removed) for scoring.
import type { Clock } from '../../core/step.js';
import { iamAction } from '../../providers/aws/modules.js';
import type { AwsCommand, AwsOutput, AwsSdk, AwsService } from '../../providers/aws/sdk.js';
import { uuidFrom } from './ids.js';
import { awsSpecSchema, resolveWhen, type AwsSpec, type AwsSpecInput, type FaultSpec } from './spec.js';
import { DrillUnsupportedError, RawReply, WorldError, defaultStatus, type WireResponse } from './wire.js';

export interface AwsWorldCall {
  seq: number;
  service: AwsService;
  command: string;
  /** The input as sent, with secret values replaced. */
  input: unknown;
  /** Simulated epoch milliseconds. */
  at: number;
  /** Milliseconds since the drill started. */
  offset_ms: number;
  /** The SDK's attempt number (retries are separate calls, as CloudTrail sees them). */
  attempt: number;
  ok: boolean;
  /** The AWS error code when the call failed. */
  error?: string;
  request_id: string;
}

export interface CommandContext {
  now: number;
  requestId: string;
}

/** The commands of a service's package, by operation: `DescribeInstances` → DescribeInstancesCommand. */
type Commands<S extends AwsService> = {
  [K in keyof AwsSdk[S] & string as K extends `${infer Op}Command` ? (AwsSdk[S][K] extends abstract new (input: never) => AwsCommand ? Op : never) : never]: AwsSdk[S][K];
};
/** The operations of a service, e.g. `'DescribeInstances' | 'StopInstances' | …` for EC2. */
export type Operation<S extends AwsService> = keyof Commands<S> & string;
type CommandOf<S extends AwsService, Op extends Operation<S>> = Commands<S>[Op] extends abstract new (input: never) => infer C ? C : never;
/** What the SDK sends for an operation (e.g. DescribeInstancesCommandInput). */
export type CommandInput<S extends AwsService, Op extends Operation<S>> = CommandOf<S, Op> extends { readonly input: infer I } ? I : never;
/** What a handler answers: the operation's output without `$metadata`, which the middleware adds. */
export type CommandResult<S extends AwsService, Op extends Operation<S>> = Omit<AwsOutput<CommandOf<S, Op>>, '$metadata'>;

/**
 * The commands a service model answers, typed by the SDK: each handler gets its command's input
 * and returns its output (or, for a streaming body, the HTTP response the SDK parses).
 */
export type CommandHandlers<S extends AwsService> = {
  [Op in Operation<S>]?: (input: CommandInput<S, Op>, ctx: CommandContext) => CommandResult<S, Op> | RawReply;
};

/**
 * A handler as the table stores it. The drill middleware finds it by the name of the command the
 * SDK is sending and hands it that command's input, so the input is the one it was typed for.
 */
type StoredHandler = (input: object, ctx: CommandContext) => object;

export type WorldReply = ({ output: Record<string, unknown> } | { wire: WireResponse }) & { requestId: string };
export type Reaction = (input: object, world: AwsWorld) => void;

interface Scheduled {
  at: number;
  seq: number;
  run: (at: number) => void;
}

interface FaultState {
  spec: FaultSpec;
  seen: number;
  fired: number;
}

const SECRET_KEYS = new Set(['SecretString', 'SecretBinary']);

export class AwsWorld {
  readonly spec: AwsSpec;
  readonly region: string;
  readonly account: string;
  /** Simulated epoch milliseconds when the drill started; scenario offsets count from here. */
  readonly start: number;
  readonly calls: AwsWorldCall[] = [];
  private readonly handlers = new Map<string, StoredHandler>();
  private readonly reactions = new Map<string, Reaction[]>();
  private readonly queue: Scheduled[] = [];
  private readonly faults: FaultState[];
  private readonly callListeners = new Set<(call: AwsWorldCall) => void>();
  private seq = 0;
  private scheduled = 0;

  constructor(
    spec: AwsSpecInput | AwsSpec,
    readonly clock: Clock,
  ) {
    this.spec = awsSpecSchema.parse(spec ?? {});
    this.region = this.spec.region;
    this.account = this.spec.identity.account;
    this.start = clock.now();
    this.faults = this.spec.faults.map((f) => ({ spec: f, seen: 0, fired: 0 }));
  }

  /** Registers the commands a service model answers (a later registration of a name replaces it). */
  answer<S extends AwsService>(service: S, handlers: CommandHandlers<S>): void {
    for (const [command, handler] of Object.entries<unknown>(handlers)) {
      // Stored untyped, looked up by the command's own name: see StoredHandler.
      if (typeof handler === 'function') this.handlers.set(`${service}:${command}`, handler as StoredHandler);
    }
  }

  now(): number {
    return this.clock.now();
  }

  /** A scenario time (`-30m`, ISO) as epoch milliseconds. */
  when(value: string): number {
    return resolveWhen(value, this.start);
  }

  /**
   * Runs `fn` after a command succeeded (`StopInstances`, or `ec2:StopInstances` for one service).
   * Scenarios use it for reactions the model does not know; returns an unsubscribe function.
   */
  on(command: string, fn: Reaction): () => void {
    const list = this.reactions.get(command) ?? [];
    list.push(fn);
    this.reactions.set(command, list);
    return () => {
      const i = list.indexOf(fn);
      if (i >= 0) list.splice(i, 1);
    };
  }

  /** Runs `fn` once simulated time reaches `at` (applied lazily, before the next command, in time order). */
  schedule(at: number, fn: (at: number) => void): void {
    this.queue.push({ at, seq: this.scheduled++, run: fn });
  }

  /** Applies every scheduled change that is due by `now`. */
  settle(now: number = this.now()): void {
    for (;;) {
      let next: Scheduled | undefined;
      for (const s of this.queue) if (s.at <= now && (!next || s.at < next.at || (s.at === next.at && s.seq < next.seq))) next = s;
      if (!next) return;
      this.queue.splice(this.queue.indexOf(next), 1);
      next.run(next.at);
    }
  }

  /** The commands the world answers for a service. */
  commands(service: AwsService): string[] {
    return [...this.handlers.keys()]
      .filter((k) => k.startsWith(`${service}:`))
      .map((k) => k.slice(service.length + 1))
      .sort();
  }

  /** Answers one SDK command. Throws WorldError (an AWS error) or DrillUnsupportedError. */
  invoke(service: AwsService, command: string, input: object = {}, opts: { attempt?: number } = {}): WorldReply {
    const now = this.now();
    this.settle(now);
    const seq = ++this.seq;
    const requestId = uuidFrom('request', String(seq));
    const call: AwsWorldCall = {
      seq,
      service,
      command,
      input: redactSecrets(input),
      at: now,
      offset_ms: now - this.start,
      attempt: opts.attempt ?? 1,
      ok: false,
      request_id: requestId,
    };
    this.calls.push(call);
    try {
      this.injectFault(service, command);
      this.checkPermission(service, command);
      if (service === 'ec2' && 'DryRun' in input && input.DryRun === true) throw new WorldError('DryRunOperation', 'Request would have succeeded, but DryRun flag is set.', 412);
      // A scenario's rule answers first (AwsAccount); the model otherwise.
      const ruled = this.byRule(service, command, input);
      const handler = this.handlers.get(`${service}:${command}`);
      if (!ruled && !handler) throw new DrillUnsupportedError(`the drill world does not simulate ${service}:${command}; a scenario can answer it with a rule (world.aws.rules)`);
      const result = ruled ?? handler!(input, { now, requestId });
      call.ok = true;
      for (const fn of [...(this.reactions.get(command) ?? []), ...(this.reactions.get(`${service}:${command}`) ?? [])]) fn(input, this);
      return result instanceof RawReply ? { wire: result.wire, requestId } : { output: result as Record<string, unknown>, requestId };
    } catch (err) {
      call.error = err instanceof WorldError ? err.code : err instanceof Error ? err.name : 'Error';
      if (err instanceof WorldError) err.requestId = requestId;
      throw err;
    } finally {
      for (const l of this.callListeners) l(call);
    }
  }

  /** A scenario rule's answer for the call, if one applies (AwsAccount reads world.aws.rules). Throws WorldError for a rule's error. */
  protected byRule(_service: AwsService, _command: string, _input: object): object | undefined {
    return undefined;
  }

  /** Called after every command (answered or failed): drills re-check whether the world is mitigated. */
  onCall(listener: (call: AwsWorldCall) => void): () => void {
    this.callListeners.add(listener);
    return () => this.callListeners.delete(listener);
  }

  /** Calls of one command, for scoring (`world.callsOf('ec2', 'RebootInstances')`). */
  callsOf(service: AwsService, command: string): AwsWorldCall[] {
    return this.calls.filter((c) => c.service === service && c.command === command);
  }

  private injectFault(service: AwsService, command: string): void {
    for (const f of this.faults) {
      if (f.spec.service !== service || (f.spec.command !== command && f.spec.command !== '*')) continue;
      f.seen++;
      if (f.seen > f.spec.after && f.fired < f.spec.times) {
        f.fired++;
        throw new WorldError(f.spec.error, f.spec.message ?? faultMessage(f.spec.error), f.spec.status ?? defaultStatus(f.spec.error));
      }
    }
  }

  private checkPermission(service: AwsService, command: string): void {
    const action = iamAction(service, command);
    if (!this.spec.identity.denied_actions.includes(action)) return;
    const arn = this.spec.identity.arn;
    const text = `User: ${arn} is not authorized to perform: ${action} because no identity-based policy allows the ${action} action`;
    if (service === 'ec2') {
      throw new WorldError('UnauthorizedOperation', `You are not authorized to perform this operation. ${text}. Encoded authorization failure message: drill-${action}`, 403);
    }
    if (service === 'secretsmanager' || service === 'cloudwatch') throw new WorldError('AccessDeniedException', text, 400);
    throw new WorldError('AccessDenied', text, 403);
  }
}

function faultMessage(code: string): string {
  switch (code) {
    case 'RequestLimitExceeded':
      return 'Request limit exceeded.';
    case 'Throttling':
    case 'ThrottlingException':
    case 'TooManyRequestsException':
      return 'Rate exceeded';
    case 'SlowDown':
      return 'Please reduce your request rate.';
    case 'InternalError':
    case 'InternalFailure':
    case 'InternalServiceError':
      return 'An internal error has occurred';
    case 'ServiceUnavailable':
      return 'The service is unavailable. Please try again shortly.';
    default:
      return `${code} (injected by the drill scenario)`;
  }
}

/** A copy of `value` with Secrets Manager values replaced, so recorded calls hold no secrets. */
export function redactSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (value instanceof Date) return new Date(value.getTime());
  if (value instanceof Uint8Array) return '«bytes»';
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEYS.has(k) && v !== undefined ? '«redacted»' : redactSecrets(v);
    return out;
  }
  return value;
}
