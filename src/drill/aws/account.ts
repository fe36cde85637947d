// The simulated AWS account of a drill, put together: the world's machinery (world.ts) and the
// service models, each given the peers it reads (EC2 instances behind load balancers, the metric
// store their faults and fixes show in), with their commands registered with the world. It moves
// with the drill's simulated clock: a stop takes its simulated seconds, a raised idle timeout
// clears the 504s from that moment on.
import type { Clock } from '../../core/step.js';
import { CloudWatchModel, cloudwatchCommands } from './cloudwatch.js';
import { ec2Commands } from './ec2-api.js';
import { Ec2Model } from './ec2.js';
import { ClassicElbModel, elbCommands } from './elb.js';
import { ElbV2Model, elbv2Commands } from './elbv2.js';
import { S3Model, s3Commands } from './s3.js';
import { SecretsModel, secretsCommands } from './secrets.js';
import type { AwsSpec, AwsSpecInput } from './spec.js';
import { stsCommands } from './sts.js';
import { AwsWorld } from './world.js';
import { answerByRule } from './rules.js';
import { WorldError } from './wire.js';
import type { AwsService } from '../../providers/aws/sdk.js';

/** A plain JSON view of the account (AwsAccount.snapshot). */
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

export class AwsAccount extends AwsWorld {
  readonly cloudwatch: CloudWatchModel;
  readonly ec2: Ec2Model;
  readonly elbv2: ElbV2Model;
  readonly elb: ClassicElbModel;
  readonly s3: S3Model;
  readonly secrets: SecretsModel;

  constructor(spec: AwsSpecInput | AwsSpec, clock: Clock) {
    super(spec, clock);
    this.cloudwatch = new CloudWatchModel(this, this.spec.cloudwatch);
    const metrics = this.cloudwatch.store;
    // Asked when EC2 lists subnets; the load balancers exist by then.
    const loadBalancerSubnets = () => [
      ...this.elbv2.loadBalancers.flatMap((lb) => lb.spec.zones),
      ...this.elb.loadBalancers.flatMap((lb) => lb.spec.subnets.map((subnet) => ({ subnet }))),
    ];
    this.ec2 = new Ec2Model(this, this.spec.ec2, { metrics, loadBalancerSubnets });
    this.elbv2 = new ElbV2Model(this, this.spec.elbv2, { metrics, instances: this.ec2.instances });
    this.elb = new ClassicElbModel(this, this.spec.elb, { metrics, instances: this.ec2.instances });
    this.s3 = new S3Model(this, this.spec.s3);
    this.secrets = new SecretsModel(this, this.spec.secretsmanager);
    // Series may name load balancers; they exist only now.
    this.cloudwatch.loadSeries(this.spec.cloudwatch.metrics, { elb: this.elb, elbv2: this.elbv2 });
    this.elbv2.applySlowRequests(this.start);
    this.elb.applySlowRequests(this.start);
    this.answer('sts', stsCommands(this));
    this.answer('ec2', ec2Commands(this.ec2));
    this.answer('elbv2', elbv2Commands(this.elbv2));
    this.answer('elb', elbCommands(this.elb));
    this.answer('cloudwatch', cloudwatchCommands(this.cloudwatch));
    this.answer('s3', s3Commands(this.s3));
    this.answer('secretsmanager', secretsCommands(this.secrets));
    // Whatever the scenario set in motion before the start (a deletion window that ended) is done.
    this.settle(this.start);
  }

  protected override byRule(service: AwsService, command: string, input: object): object | undefined {
    const answer = answerByRule(this.spec.rules, service, command, input, () => this.snapshot());
    if (!answer) return undefined;
    if ('error' in answer) throw new WorldError(answer.error.code, answer.error.message ?? `${answer.error.code} (answered by the drill scenario)`, answer.error.status ?? 400);
    return answer.output;
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
}
