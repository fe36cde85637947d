// The simulated AWS account behind a drill. It holds the state the scenario describes, answers
// SDK commands by name from it, and moves with the drill's simulated clock: a stop takes its
// simulated seconds, a raised idle timeout clears the 504s from that moment on. Every call is
// recorded (with secret values removed) for scoring.
import type { Clock } from '../../core/step.js';
import { iamAction } from '../../providers/aws/modules.js';
import type { AwsService } from '../../providers/aws/provider.js';
import { CloudWatchModel, cloudwatchCommands } from './cloudwatch.js';
import { ec2Commands } from './ec2-api.js';
import { Ec2Model } from './ec2.js';
import { ClassicElbModel, elbCommands } from './elb.js';
import { ElbV2Model, elbv2Commands } from './elbv2.js';
import { uuidFrom } from './ids.js';
import { S3Model, s3Commands } from './s3.js';
import { SecretsModel, secretsCommands } from './secrets.js';
import { awsSpecSchema, resolveWhen, type AwsSpec, type AwsSpecInput, type FaultSpec } from './spec.js';
import { stsCommands } from './sts.js';
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

/** A plain JSON view of the account (AwsWorld.snapshot). */
export interface AwsSnapshot {
  region: string;
  account: string;
  now: string;
  elapsed_s: number;
  ec2: {
    instances: Record<
      string,
      {
        state: string;
        type: string;
        az: string;
        public_ip: string | null;
        checks: { system: string; instance: string; attached_ebs: string };
        /** Running with all three checks ok. */
        ok: boolean;
        boots: number;
        events: { code: string; description: string; done: boolean }[];
        pending_events: number;
      }
    >;
    volumes: Record<string, { instance: string; status: string; io_enabled: boolean }>;
  };
  elbv2: {
    load_balancers: Record<
      string,
      {
        arn: string;
        attributes: Record<string, string>;
        idle_timeout_s: number;
        attribute_changes: number;
        target_groups: Record<string, { targets: Record<string, string>; healthy: number; total: number; all_healthy: boolean }>;
      }
    >;
  };
  elb: { load_balancers: Record<string, { idle_timeout_s: number; access_logs: boolean; attribute_changes: number }> };
  cloudwatch: { alarms: Record<string, { namespace: string; metric: string; dimensions: Record<string, string>; actions: string[]; evaluation_periods: number; state: string }> };
  /** Names only: values never leave the world. */
  secretsmanager: { secrets: Record<string, { deleted: boolean; versions: number }> };
  /** Successful calls per `service:Command`. */
  calls: Record<string, number>;
}

export interface CommandContext {
  world: AwsWorld;
  now: number;
  requestId: string;
}

export type CommandHandler = (input: any, ctx: CommandContext) => object;
export type WorldReply = ({ output: Record<string, unknown> } | { wire: WireResponse }) & { requestId: string };
export type Reaction = (input: any, world: AwsWorld) => void;

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
  readonly ec2: Ec2Model;
  readonly elbv2: ElbV2Model;
  readonly elb: ClassicElbModel;
  readonly cloudwatch: CloudWatchModel;
  readonly s3: S3Model;
  readonly secrets: SecretsModel;
  private readonly handlers: Record<AwsService, Record<string, CommandHandler>>;
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
    this.cloudwatch = new CloudWatchModel(this, this.spec.cloudwatch);
    this.ec2 = new Ec2Model(this, this.spec.ec2);
    this.elbv2 = new ElbV2Model(this, this.spec.elbv2);
    this.elb = new ClassicElbModel(this, this.spec.elb);
    this.s3 = new S3Model(this, this.spec.s3);
    this.secrets = new SecretsModel(this, this.spec.secretsmanager);
    // Series may name load balancers; they exist only now.
    this.cloudwatch.loadSeries(this.spec.cloudwatch.metrics);
    this.elbv2.applySlowRequests(this.start);
    this.elb.applySlowRequests(this.start);
    this.handlers = {
      sts: stsCommands(this),
      ec2: ec2Commands(this.ec2),
      elbv2: elbv2Commands(this.elbv2),
      elb: elbCommands(this.elb),
      cloudwatch: cloudwatchCommands(this.cloudwatch),
      s3: s3Commands(this.s3),
      secretsmanager: secretsCommands(this.secrets),
    };
    // Whatever the scenario set in motion before the start (a deletion window that ended) is done.
    this.settle(this.start);
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

  /** The CloudWatch dimension that names a load balancer: `LoadBalancerName` (classic) or `LoadBalancer` (`app/<name>/<id>`). */
  loadBalancerDimension(namespace: string, name: string): Record<string, string> {
    if (namespace === 'AWS/ELB') {
      if (!this.elb.find(name)) throw new Error(`the scenario's metrics name classic load balancer '${name}', which it does not define`);
      return { LoadBalancerName: name };
    }
    const lb = this.elbv2.find(name);
    if (!lb) throw new Error(`the scenario's metrics name load balancer '${name}', which it does not define`);
    return { LoadBalancer: lb.dimension };
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
    return Object.keys(this.handlers[service] ?? {}).sort();
  }

  /** Answers one SDK command. Throws WorldError (an AWS error) or DrillUnsupportedError. */
  invoke(service: AwsService, command: string, input: Record<string, unknown> = {}, opts: { attempt?: number } = {}): WorldReply {
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
      if (service === 'ec2' && input.DryRun === true) throw new WorldError('DryRunOperation', 'Request would have succeeded, but DryRun flag is set.', 412);
      const handler = this.handlers[service]?.[command];
      if (!handler) throw new DrillUnsupportedError(`the drill world does not simulate ${service}:${command}`);
      const result = handler(input, { world: this, now, requestId });
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

  /** Called after every command (answered or failed): drills re-check whether the world is mitigated. */
  onCall(listener: (call: AwsWorldCall) => void): () => void {
    this.callListeners.add(listener);
    return () => this.callListeners.delete(listener);
  }

  /**
   * The account as plain JSON, as of now: what a scenario's `expect.mitigated` reads through the
   * `aws` root, e.g. `aws.ec2.instances["i-0abc…"].ok` or
   * `aws.elbv2.load_balancers.web.attributes["idle_timeout.timeout_seconds"]`. Secret values are
   * never part of it.
   */
  snapshot(): AwsSnapshot {
    const now = this.now();
    this.settle(now);
    const instances: AwsSnapshot['ec2']['instances'] = {};
    for (const inst of this.ec2.instances.values()) {
      const c = inst.checksAt(now);
      instances[inst.id] = {
        state: inst.state,
        type: inst.spec.type,
        az: inst.az,
        public_ip: inst.publicIp ?? null,
        checks: { system: c.system, instance: c.instance, attached_ebs: c.ebs },
        ok: inst.state === 'running' && c.system === 'ok' && c.instance === 'ok' && c.ebs === 'ok',
        boots: inst.boots,
        events: inst.events.map((e) => ({ code: e.code, description: e.description, done: /^\[(Completed|Canceled)\]/.test(e.description) })),
        pending_events: inst.events.filter((e) => !/^\[(Completed|Canceled)\]/.test(e.description)).length,
      };
    }
    const volumes: AwsSnapshot['ec2']['volumes'] = {};
    for (const [id, v] of this.ec2.volumes) volumes[id] = { instance: v.instanceId, status: v.status, io_enabled: v.ioEnabled };
    const loadBalancers: AwsSnapshot['elbv2']['load_balancers'] = {};
    for (const lb of this.elbv2.loadBalancers) {
      const groups: AwsSnapshot['elbv2']['load_balancers'][string]['target_groups'] = {};
      for (const tg of lb.targetGroups) {
        const targets: Record<string, string> = {};
        for (const t of tg.targets) targets[t.id] = String(this.elbv2.health(tg, t, now).State);
        const states = Object.values(targets);
        groups[tg.spec.name] = { targets, healthy: states.filter((x) => x === 'healthy').length, total: states.length, all_healthy: states.length > 0 && states.every((x) => x === 'healthy') };
      }
      loadBalancers[lb.spec.name] = {
        arn: lb.arn,
        attributes: Object.fromEntries(lb.attributes),
        idle_timeout_s: lb.idleTimeoutS,
        attribute_changes: lb.attributeChanges.length,
        target_groups: groups,
      };
    }
    const classic: AwsSnapshot['elb']['load_balancers'] = {};
    for (const lb of this.elb.loadBalancers) {
      classic[lb.name] = { idle_timeout_s: lb.attributes.ConnectionSettings.IdleTimeout ?? 60, access_logs: lb.attributes.AccessLog.Enabled === true, attribute_changes: lb.attributeChanges.length };
    }
    const alarms: AwsSnapshot['cloudwatch']['alarms'] = {};
    for (const [name, a] of this.cloudwatch.alarms) {
      alarms[name] = {
        namespace: a.input.Namespace ?? '',
        metric: a.input.MetricName ?? '',
        dimensions: Object.fromEntries((a.input.Dimensions ?? []).map((d) => [d.Name ?? '', d.Value ?? ''])),
        actions: a.input.AlarmActions ?? [],
        evaluation_periods: a.input.EvaluationPeriods ?? 0,
        state: this.cloudwatch.alarmState(a, now).state,
      };
    }
    const calls: Record<string, number> = {};
    for (const c of this.calls) if (c.ok) calls[`${c.service}:${c.command}`] = (calls[`${c.service}:${c.command}`] ?? 0) + 1;
    return {
      region: this.region,
      account: this.account,
      now: new Date(now).toISOString(),
      elapsed_s: Math.floor((now - this.start) / 1000),
      ec2: { instances, volumes },
      elbv2: { load_balancers: loadBalancers },
      elb: { load_balancers: classic },
      cloudwatch: { alarms },
      secretsmanager: { secrets: Object.fromEntries(this.secrets.secrets.map((x) => [x.name, { deleted: x.deletedAt !== undefined, versions: x.versions.size }])) },
      calls,
    };
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
