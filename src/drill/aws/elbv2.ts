// Application and Network Load Balancers in a drill. Attributes change as the operator sets them,
// and a load balancer with slow requests stops producing 504s once its idle timeout exceeds how
// long those requests take. Instance targets follow their EC2 instances (stopped → unused).
import type { Rule, TargetHealth, TargetHealthDescription } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { LoadBalancerPeers } from './elb.js';
import { hexId } from './ids.js';
import { page, tagList } from './paging.js';
import type { AwsSpec, LoadBalancerV2Spec } from './spec.js';
import { WorldError } from './wire.js';
import type { AwsWorld, CommandHandlers } from './world.js';

type TargetSpec = LoadBalancerV2Spec['target_groups'][number]['targets'][number];
type HealthState = TargetSpec['state'];

const APPLICATION_DEFAULTS: Record<string, string> = {
  'access_logs.s3.enabled': 'false',
  'access_logs.s3.bucket': '',
  'access_logs.s3.prefix': '',
  'client_keep_alive.seconds': '3600',
  'connection_logs.s3.enabled': 'false',
  'connection_logs.s3.bucket': '',
  'connection_logs.s3.prefix': '',
  'deletion_protection.enabled': 'false',
  'idle_timeout.timeout_seconds': '60',
  'load_balancing.cross_zone.enabled': 'true',
  'routing.http.desync_mitigation_mode': 'defensive',
  'routing.http.drop_invalid_header_fields.enabled': 'false',
  'routing.http.preserve_host_header.enabled': 'false',
  'routing.http.x_amzn_tls_version_and_cipher_suite.enabled': 'false',
  'routing.http.xff_client_port.enabled': 'false',
  'routing.http.xff_header_processing.mode': 'append',
  'routing.http2.enabled': 'true',
  'waf.fail_open.enabled': 'false',
  'zonal_shift.config.enabled': 'false',
};
const NETWORK_DEFAULTS: Record<string, string> = {
  'access_logs.s3.enabled': 'false',
  'access_logs.s3.bucket': '',
  'access_logs.s3.prefix': '',
  'deletion_protection.enabled': 'false',
  'dns_record.client_routing_policy': 'any_availability_zone',
  'load_balancing.cross_zone.enabled': 'false',
  'zonal_shift.config.enabled': 'false',
};
/** Integer attributes and their allowed ranges. */
const RANGES: Record<string, [number, number]> = {
  'idle_timeout.timeout_seconds': [1, 4000],
  'client_keep_alive.seconds': [60, 604800],
};

const TARGET_GROUP_DEFAULTS: Record<string, string> = {
  'deregistration_delay.timeout_seconds': '300',
  'deregistration_delay.connection_termination.enabled': 'false',
  'load_balancing.algorithm.type': 'round_robin',
  'load_balancing.cross_zone.enabled': 'use_load_balancer_configuration',
  'slow_start.duration_seconds': '0',
  'stickiness.enabled': 'false',
  'stickiness.type': 'lb_cookie',
  'stickiness.lb_cookie.duration_seconds': '86400',
  'target_group_health.dns_failover.minimum_healthy_targets.count': '1',
  'target_group_health.unhealthy_state_routing.minimum_healthy_targets.count': '1',
};
const LAMBDA_TARGET_GROUP_DEFAULTS: Record<string, string> = { 'lambda.multi_value_headers.enabled': 'false' };

export class SimTargetGroup {
  readonly arn: string;
  readonly dimension: string;
  readonly targets: TargetSpec[];
  readonly attributes: Map<string, string>;
  /** Health set by a scenario reaction; wins over everything else. */
  readonly overrides = new Map<string, { state: HealthState; reason?: string; description?: string }>();

  constructor(
    readonly spec: LoadBalancerV2Spec['target_groups'][number],
    readonly lb: SimLoadBalancer,
    world: AwsWorld,
  ) {
    const id = hexId(16, 'targetgroup', spec.name);
    this.arn = spec.arn ?? `arn:aws:elasticloadbalancing:${world.region}:${world.account}:targetgroup/${spec.name}/${id}`;
    this.dimension = this.arn.slice(this.arn.indexOf('targetgroup/'));
    this.targets = spec.targets.map((t) => ({ ...t }));
    this.attributes = new Map(Object.entries({ ...(spec.target_type === 'lambda' ? LAMBDA_TARGET_GROUP_DEFAULTS : TARGET_GROUP_DEFAULTS), ...spec.attributes }));
  }
}

export class SimLoadBalancer {
  readonly arn: string;
  /** The CloudWatch dimension value: `app/<name>/<id>`. */
  readonly dimension: string;
  readonly dnsName: string;
  readonly attributes: Map<string, string>;
  /** Every attribute change, for scoring and the post-mortem. */
  readonly attributeChanges: { at: number; key: string; from: string | undefined; to: string }[] = [];
  readonly targetGroups: SimTargetGroup[];
  readonly listeners: {
    arn: string;
    port: number;
    protocol: string;
    targetGroup?: SimTargetGroup;
    rules: { arn: string; priority: number; paths: string[]; hosts: string[]; targetGroup: SimTargetGroup }[];
  }[];

  constructor(
    readonly spec: LoadBalancerV2Spec,
    world: AwsWorld,
  ) {
    const kind = spec.type === 'application' ? 'app' : 'net';
    const id = hexId(16, 'loadbalancer', spec.name);
    this.arn = spec.arn ?? `arn:aws:elasticloadbalancing:${world.region}:${world.account}:loadbalancer/${kind}/${spec.name}/${id}`;
    this.dimension = this.arn.slice(this.arn.indexOf('loadbalancer/') + 'loadbalancer/'.length);
    this.dnsName = spec.dns_name ?? `${spec.scheme === 'internal' ? 'internal-' : ''}${spec.name}-${parseInt(hexId(8, 'dns', spec.name), 16)}.${world.region}.elb.amazonaws.com`;
    this.attributes = new Map(Object.entries({ ...(spec.type === 'application' ? APPLICATION_DEFAULTS : NETWORK_DEFAULTS), ...spec.attributes }));
    this.targetGroups = spec.target_groups.map((tg) => new SimTargetGroup(tg, this, world));
    const lbId = this.dimension.split('/').pop();
    this.listeners = spec.listeners.map((l) => {
      const tg = l.target_group ? this.targetGroups.find((t) => t.spec.name === l.target_group) : undefined;
      if (l.target_group && !tg) throw new Error(`load balancer ${spec.name}: listener ${l.port} forwards to target group '${l.target_group}', which it does not define`);
      const listenerArn = l.arn ?? `arn:aws:elasticloadbalancing:${world.region}:${world.account}:listener/${kind}/${spec.name}/${lbId}/${hexId(16, 'listener', spec.name, String(l.port))}`;
      const rules = l.rules.map((r) => {
        const rtg = this.targetGroups.find((t) => t.spec.name === r.target_group);
        if (!rtg) throw new Error(`load balancer ${spec.name}: a rule of listener ${l.port} forwards to target group '${r.target_group}', which it does not define`);
        return {
          arn: `${listenerArn.replace(':listener/', ':listener-rule/')}/${hexId(16, 'rule', spec.name, String(l.port), String(r.priority))}`,
          priority: r.priority,
          paths: r.path_patterns,
          hosts: r.host_headers,
          targetGroup: rtg,
        };
      });
      return {
        arn: listenerArn,
        port: l.port,
        protocol: l.protocol,
        ...(tg ? { targetGroup: tg } : {}),
        rules,
      };
    });
  }

  get idleTimeoutS(): number {
    return Number(this.attributes.get('idle_timeout.timeout_seconds') ?? 60);
  }
}

export class ElbV2Model {
  readonly loadBalancers: SimLoadBalancer[];

  constructor(
    readonly world: AwsWorld,
    spec: AwsSpec['elbv2'],
    readonly peers: LoadBalancerPeers,
  ) {
    this.loadBalancers = spec.load_balancers.map((lb) => new SimLoadBalancer(lb, world));
  }

  find(nameOrArn: string): SimLoadBalancer | undefined {
    return this.loadBalancers.find((lb) => lb.arn === nameOrArn || lb.spec.name === nameOrArn);
  }

  byArn(arn: string | undefined): SimLoadBalancer {
    const lb = this.loadBalancers.find((l) => l.arn === arn);
    if (!lb) throw new WorldError('LoadBalancerNotFound', `Load balancer '${arn ?? ''}' not found`);
    return lb;
  }

  get targetGroups(): SimTargetGroup[] {
    return this.loadBalancers.flatMap((lb) => lb.targetGroups);
  }

  targetGroupByName(name: string): SimTargetGroup {
    const tg = this.targetGroups.find((t) => t.spec.name === name);
    if (!tg) throw new Error(`the scenario names target group '${name}', which no load balancer defines`);
    return tg;
  }

  targetGroupByArn(arn: string | undefined): SimTargetGroup {
    const tg = this.targetGroups.find((t) => t.arn === arn);
    if (!tg) throw new WorldError('TargetGroupNotFound', `Target groups '${arn ?? ''}' not found`);
    return tg;
  }

  /** Sets a target's health from a scenario reaction. */
  setTargetHealth(targetGroup: string, targetId: string, state: HealthState, reason?: string, description?: string): void {
    const tg = this.targetGroups.find((t) => t.spec.name === targetGroup || t.arn === targetGroup);
    if (!tg) throw new Error(`no target group '${targetGroup}' in the drill world`);
    tg.overrides.set(targetId, { state, ...(reason ? { reason } : {}), ...(description ? { description } : {}) });
  }

  /** Starts or ends the zero-504 span of each load balancer with slow requests, as of `at`. */
  applySlowRequests(at: number): void {
    for (const lb of this.loadBalancers) {
      const slow = lb.spec.slow_requests;
      if (!slow) continue;
      const namespace = lb.spec.type === 'application' ? 'AWS/ApplicationELB' : 'AWS/NetworkELB';
      for (const name of slow.metrics ?? ['HTTPCode_ELB_504_Count']) {
        const id = { namespace, name, dimensions: { LoadBalancer: lb.dimension } };
        if (lb.idleTimeoutS > slow.duration_s) this.peers.metrics.suppress(id, at);
        else this.peers.metrics.unsuppress(id, at);
      }
    }
  }

  /** Every target of the group was healthy at `at` (instance targets follow their instance's history). */
  allHealthyAt(tg: SimTargetGroup, at: number): boolean {
    return tg.targets.every((t) => {
      const override = tg.overrides.get(t.id);
      if (override) return override.state === 'healthy';
      const inst = tg.spec.target_type === 'instance' ? this.peers.instances.get(t.id) : undefined;
      if (!inst) return t.state === 'healthy';
      const f = inst.factsAt(at);
      if (!f || f.state !== 'running') return false;
      const c = inst.checksAt(at);
      if (c.system !== 'ok' || c.instance !== 'ok') return false;
      // Booted during the drill onto healthy hardware: healthy again, whatever the scenario began with.
      return inst.history.some((h) => h.at <= at && h.at > this.world.start && h.facts.state === 'running') || t.state === 'healthy';
    });
  }

  health(tg: SimTargetGroup, t: TargetSpec, now: number): TargetHealth {
    const override = tg.overrides.get(t.id);
    if (override) return described(override.state, override.reason, override.description);
    const inst = tg.spec.target_type === 'instance' ? this.peers.instances.get(t.id) : undefined;
    if (inst) {
      if (inst.state !== 'running') return { State: 'unused', Reason: 'Target.InvalidState', Description: `Target is in the ${inst.state} state` };
      const c = inst.checksAt(now);
      if (c.system === 'initializing') return { State: 'initial', Reason: 'Elb.InitialHealthChecking', Description: 'Initial health checks in progress' };
      if (c.system === 'impaired' || c.instance === 'impaired') return { State: 'unhealthy', Reason: 'Target.Timeout', Description: 'Request timed out' };
      // Restarted during the drill onto a healthy host: it passes its health checks again.
      if (inst.boots > 0) return { State: 'healthy' };
    }
    return described(t.state, t.reason, t.description);
  }
}

function described(state: HealthState, reason: string | undefined, description: string | undefined): TargetHealth {
  return { State: state, ...(reason ? { Reason: reason as TargetHealth['Reason'] } : {}), ...(description ? { Description: description } : {}) };
}

function namesAndArns(input: { Names?: string[]; LoadBalancerArns?: string[] }): void {
  if (input.Names?.length && input.LoadBalancerArns?.length) {
    throw new WorldError('ValidationError', 'Load balancer names and load balancer ARNs cannot be specified at the same time');
  }
}

export function elbv2Commands(model: ElbV2Model): CommandHandlers<'elbv2'> {
  const world = model.world;
  return {
    DescribeLoadBalancers: (input) => {
      namesAndArns(input);
      let list = model.loadBalancers;
      if (input.Names?.length || input.LoadBalancerArns?.length) {
        const wanted = input.Names?.length ? input.Names : input.LoadBalancerArns!;
        const found = wanted.map((w) => model.loadBalancers.find((lb) => (input.Names?.length ? lb.spec.name === w : lb.arn === w)));
        if (found.some((f) => !f)) throw new WorldError('LoadBalancerNotFound', 'One or more load balancers not found');
        list = found as SimLoadBalancer[];
      }
      const p = page(list, input.PageSize, input.Marker, 'ValidationError');
      return {
        LoadBalancers: p.items.map((lb) => ({
          LoadBalancerArn: lb.arn,
          DNSName: lb.dnsName,
          CanonicalHostedZoneId: 'Z35SXDOTRQ7X7K',
          CreatedTime: new Date(world.when(lb.spec.created)),
          LoadBalancerName: lb.spec.name,
          Scheme: lb.spec.scheme,
          VpcId: lb.spec.vpc_id,
          State: { Code: lb.spec.state },
          Type: lb.spec.type,
          AvailabilityZones: lb.spec.zones.map((z) => ({ ZoneName: z.zone, SubnetId: z.subnet })),
          ...(lb.spec.type === 'application' || lb.spec.security_groups.length ? { SecurityGroups: lb.spec.security_groups } : {}),
          IpAddressType: 'ipv4',
        })),
        ...(p.next ? { NextMarker: p.next } : {}),
      };
    },

    DescribeLoadBalancerAttributes: (input) => ({
      Attributes: [...model.byArn(input.LoadBalancerArn).attributes].map(([Key, Value]) => ({ Key, Value })),
    }),

    ModifyLoadBalancerAttributes: (input, { now }) => {
      const lb = model.byArn(input.LoadBalancerArn);
      const changes = input.Attributes ?? [];
      if (!changes.length) throw new WorldError('ValidationError', 'Attributes must contain at least one attribute');
      // Validate all first: AWS applies all or nothing.
      for (const { Key = '', Value = '' } of changes) {
        if (!lb.attributes.has(Key)) throw new WorldError('InvalidConfigurationRequest', `Key ${Key} not valid`);
        const range = RANGES[Key];
        if (range && !(/^\d+$/.test(Value) && Number(Value) >= range[0] && Number(Value) <= range[1])) {
          throw new WorldError('InvalidConfigurationRequest', `The value of '${Key}' must be an integer between ${range[0]} and ${range[1]}`);
        }
        if (Key.endsWith('.enabled') && Value !== 'true' && Value !== 'false') {
          throw new WorldError('InvalidConfigurationRequest', `The value of '${Key}' must be 'true' or 'false'`);
        }
      }
      for (const { Key = '', Value = '' } of changes) {
        const from = lb.attributes.get(Key);
        if (from !== Value) lb.attributeChanges.push({ at: now, key: Key, from, to: Value });
        lb.attributes.set(Key, Value);
      }
      model.applySlowRequests(now);
      return { Attributes: [...lb.attributes].map(([Key, Value]) => ({ Key, Value })) };
    },

    DescribeTargetGroups: (input) => {
      let list = model.targetGroups;
      if (input.LoadBalancerArn) list = model.byArn(input.LoadBalancerArn).targetGroups;
      if (input.TargetGroupArns?.length) list = input.TargetGroupArns.map((a) => model.targetGroupByArn(a));
      if (input.Names?.length) {
        list = input.Names.map((n) => {
          const tg = model.targetGroups.find((t) => t.spec.name === n);
          if (!tg) throw new WorldError('TargetGroupNotFound', `One or more target groups not found`);
          return tg;
        });
      }
      const p = page(list, input.PageSize, input.Marker, 'ValidationError');
      return {
        TargetGroups: p.items.map((tg) => {
          const hc = tg.spec.health_check;
          return {
            TargetGroupArn: tg.arn,
            TargetGroupName: tg.spec.name,
            Protocol: tg.spec.protocol as 'HTTP',
            Port: tg.spec.port,
            VpcId: tg.lb.spec.vpc_id,
            HealthCheckProtocol: hc.protocol as 'HTTP',
            HealthCheckPort: hc.port,
            HealthCheckEnabled: true,
            HealthCheckIntervalSeconds: hc.interval_s,
            HealthCheckTimeoutSeconds: hc.timeout_s,
            HealthyThresholdCount: hc.healthy_threshold,
            UnhealthyThresholdCount: hc.unhealthy_threshold,
            HealthCheckPath: hc.path,
            Matcher: { HttpCode: hc.matcher },
            LoadBalancerArns: [tg.lb.arn],
            TargetType: tg.spec.target_type,
            ...(tg.spec.protocol.startsWith('HTTP') ? { ProtocolVersion: 'HTTP1' } : {}),
            IpAddressType: 'ipv4',
          };
        }),
        ...(p.next ? { NextMarker: p.next } : {}),
      };
    },

    DescribeTargetHealth: (input, { now }) => {
      const tg = model.targetGroupByArn(input.TargetGroupArn);
      const wanted = input.Targets?.length ? input.Targets : tg.targets.map((t) => ({ Id: t.id, Port: t.port }));
      return {
        TargetHealthDescriptions: wanted.map((w): TargetHealthDescription => {
          const t = tg.targets.find((x) => x.id === w.Id && (w.Port === undefined || (x.port ?? tg.spec.port) === w.Port));
          const port = w.Port ?? t?.port ?? tg.spec.port;
          const healthPort = tg.spec.health_check.port === 'traffic-port' ? String(port) : tg.spec.health_check.port;
          if (!t) {
            return {
              Target: { Id: w.Id, Port: port },
              HealthCheckPort: healthPort,
              TargetHealth: { State: 'unused', Reason: 'Target.NotRegistered', Description: 'Target is not registered to the target group' },
            };
          }
          const az = t.az ?? model.peers.instances.get(t.id)?.az;
          return { Target: { Id: t.id, Port: port, ...(az ? { AvailabilityZone: az } : {}) }, HealthCheckPort: healthPort, TargetHealth: model.health(tg, t, now) };
        }),
      };
    },

    DescribeListeners: (input) => {
      if (!input.LoadBalancerArn && !input.ListenerArns?.length) throw new WorldError('ValidationError', 'You must specify either listener ARNs or a load balancer ARN');
      const all = model.loadBalancers.flatMap((lb) => lb.listeners.map((l) => ({ lb, l })));
      let list = all;
      if (input.LoadBalancerArn) {
        const lb = model.byArn(input.LoadBalancerArn);
        list = all.filter((x) => x.lb === lb);
      }
      if (input.ListenerArns?.length) {
        list = input.ListenerArns.map((a) => {
          const found = all.find((x) => x.l.arn === a);
          if (!found) throw new WorldError('ListenerNotFound', 'One or more listeners not found');
          return found;
        });
      }
      const p = page(list, input.PageSize, input.Marker, 'ValidationError');
      return {
        Listeners: p.items.map(({ lb, l }) => ({
          ListenerArn: l.arn,
          LoadBalancerArn: lb.arn,
          Port: l.port,
          Protocol: l.protocol as 'HTTP',
          DefaultActions: l.targetGroup
            ? [{ Type: 'forward', Order: 1, TargetGroupArn: l.targetGroup.arn, ForwardConfig: { TargetGroups: [{ TargetGroupArn: l.targetGroup.arn, Weight: 1 }] } }]
            : [{ Type: 'fixed-response', Order: 1, FixedResponseConfig: { StatusCode: '404', ContentType: 'text/plain' } }],
        })),
        ...(p.next ? { NextMarker: p.next } : {}),
      };
    },

    DescribeTargetGroupAttributes: (input) => ({
      Attributes: [...model.targetGroupByArn(input.TargetGroupArn).attributes].map(([Key, Value]) => ({ Key, Value })),
    }),

    DescribeRules: (input) => {
      if (!input.ListenerArn && !input.RuleArns?.length) throw new WorldError('ValidationError', 'A listener ARN or a set of rule ARNs must be specified');
      const listeners = model.loadBalancers.flatMap((lb) => lb.listeners);
      const all = listeners.flatMap((l) => [
        ...l.rules.map((r): Rule => ({
          RuleArn: r.arn,
          Priority: String(r.priority),
          IsDefault: false,
          Conditions: [
            ...(r.paths.length ? [{ Field: 'path-pattern', Values: r.paths, PathPatternConfig: { Values: r.paths } }] : []),
            ...(r.hosts.length ? [{ Field: 'host-header', Values: r.hosts, HostHeaderConfig: { Values: r.hosts } }] : []),
          ],
          Actions: [{ Type: 'forward', Order: 1, TargetGroupArn: r.targetGroup.arn, ForwardConfig: { TargetGroups: [{ TargetGroupArn: r.targetGroup.arn, Weight: 1 }] } }],
        })),
        {
          RuleArn: `${l.arn.replace(':listener/', ':listener-rule/')}/${hexId(16, 'default-rule', l.arn)}`,
          Priority: 'default',
          IsDefault: true,
          Conditions: [],
          Actions: l.targetGroup
            ? [{ Type: 'forward', Order: 1, TargetGroupArn: l.targetGroup.arn, ForwardConfig: { TargetGroups: [{ TargetGroupArn: l.targetGroup.arn, Weight: 1 }] } }]
            : [{ Type: 'fixed-response', Order: 1, FixedResponseConfig: { StatusCode: '404', ContentType: 'text/plain' } }],
        } as Rule,
      ]);
      let list: Rule[];
      if (input.ListenerArn) {
        const l = listeners.find((x) => x.arn === input.ListenerArn);
        if (!l) throw new WorldError('ListenerNotFound', 'One or more listeners not found');
        const prefix = l.arn.replace(':listener/', ':listener-rule/');
        list = all.filter((r) => r.RuleArn!.startsWith(`${prefix}/`));
      } else {
        list = input.RuleArns!.map((a) => {
          const r = all.find((x) => x.RuleArn === a);
          if (!r) throw new WorldError('RuleNotFound', 'One or more rules not found');
          return r;
        });
      }
      const p = page(list, input.PageSize, input.Marker, 'ValidationError');
      return { Rules: p.items, ...(p.next ? { NextMarker: p.next } : {}) };
    },

    DescribeTags: (input) => {
      const arns = input.ResourceArns ?? [];
      if (!arns.length || arns.length > 20) throw new WorldError('ValidationError', 'ResourceArns must contain between 1 and 20 ARNs');
      return {
        TagDescriptions: arns.map((arn) => {
          if (arn.includes(':targetgroup/')) return { ResourceArn: arn, Tags: tagList(model.targetGroupByArn(arn).spec.tags) };
          return { ResourceArn: arn, Tags: tagList(model.byArn(arn).spec.tags) };
        }),
      };
    },
  };
}
