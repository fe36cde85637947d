// Classic Load Balancers in a drill: idle timeout, draining, access logs and instance health.
// Registered instances follow their EC2 instances (a stopped one is OutOfService).
import type { LoadBalancerAttributes } from '@aws-sdk/client-elastic-load-balancing';
import type { SimInstance } from './ec2.js';
import { hexId } from './ids.js';
import type { MetricStore } from './metrics.js';
import { page, tagList } from './paging.js';
import type { AwsSpec, ClassicLoadBalancerSpec } from './spec.js';
import { WorldError } from './wire.js';
import type { AwsWorld, CommandHandlers } from './world.js';

export class SimClassicLoadBalancer {
  attributes: Required<Pick<LoadBalancerAttributes, 'CrossZoneLoadBalancing' | 'AccessLog' | 'ConnectionDraining' | 'ConnectionSettings'>>;
  readonly attributeChanges: { at: number; from: LoadBalancerAttributes; to: LoadBalancerAttributes }[] = [];
  readonly dnsName: string;

  constructor(
    readonly spec: ClassicLoadBalancerSpec,
    world: AwsWorld,
  ) {
    this.dnsName = spec.dns_name ?? `${spec.scheme === 'internal' ? 'internal-' : ''}${spec.name}-${parseInt(hexId(8, 'clb', spec.name), 16)}.${world.region}.elb.amazonaws.com`;
    const log = spec.access_log;
    this.attributes = {
      CrossZoneLoadBalancing: { Enabled: spec.cross_zone },
      AccessLog: {
        Enabled: log.enabled,
        ...(log.bucket ? { S3BucketName: log.bucket } : {}),
        ...(log.prefix ? { S3BucketPrefix: log.prefix } : {}),
        ...(log.emit_interval ? { EmitInterval: log.emit_interval } : {}),
      },
      ConnectionDraining: { Enabled: spec.connection_draining.enabled, Timeout: spec.connection_draining.timeout },
      ConnectionSettings: { IdleTimeout: spec.idle_timeout },
    };
  }

  get name(): string {
    return this.spec.name;
  }
}

/** What a load balancer model reads of the rest of the account. */
export interface LoadBalancerPeers {
  /** CloudWatch's metric store, where slow requests show as errors until the idle timeout is raised. */
  metrics: MetricStore;
  /** EC2's instances: registered instances follow them. */
  instances: ReadonlyMap<string, SimInstance>;
}

export class ClassicElbModel {
  readonly loadBalancers: SimClassicLoadBalancer[];

  constructor(
    readonly world: AwsWorld,
    spec: AwsSpec['elb'],
    readonly peers: LoadBalancerPeers,
  ) {
    this.loadBalancers = spec.load_balancers.map((lb) => new SimClassicLoadBalancer(lb, world));
  }

  find(name: string): SimClassicLoadBalancer | undefined {
    return this.loadBalancers.find((lb) => lb.name === name);
  }

  get(name: string | undefined): SimClassicLoadBalancer {
    const lb = this.loadBalancers.find((l) => l.name === name);
    if (!lb) throw new WorldError('LoadBalancerNotFound', `There is no ACTIVE Load Balancer named '${name ?? ''}'`);
    return lb;
  }

  /** Starts or ends the zero-error span of each load balancer with slow requests, as of `at`. */
  applySlowRequests(at: number): void {
    for (const lb of this.loadBalancers) {
      const slow = lb.spec.slow_requests;
      if (!slow) continue;
      for (const name of slow.metrics ?? ['HTTPCode_ELB_5XX']) {
        const id = { namespace: 'AWS/ELB', name, dimensions: { LoadBalancerName: lb.name } };
        if ((lb.attributes.ConnectionSettings.IdleTimeout ?? 60) > slow.duration_s) this.peers.metrics.suppress(id, at);
        else this.peers.metrics.unsuppress(id, at);
      }
    }
  }
}

export function elbCommands(model: ClassicElbModel): CommandHandlers<'elb'> {
  const world = model.world;
  return {
    DescribeLoadBalancers: (input) => {
      const list = input.LoadBalancerNames?.length ? input.LoadBalancerNames.map((n) => model.get(n)) : model.loadBalancers;
      const p = page(list, input.PageSize, input.Marker, 'ValidationError');
      return {
        LoadBalancerDescriptions: p.items.map((lb) => ({
          LoadBalancerName: lb.name,
          DNSName: lb.dnsName,
          CanonicalHostedZoneNameID: 'Z35SXDOTRQ7X7K',
          ListenerDescriptions: lb.spec.listeners.map((l) => ({
            Listener: { Protocol: l.protocol, LoadBalancerPort: l.port, InstanceProtocol: l.instance_protocol ?? l.protocol, InstancePort: l.instance_port ?? l.port },
            PolicyNames: [],
          })),
          AvailabilityZones: lb.spec.zones,
          Subnets: lb.spec.subnets,
          VPCId: lb.spec.vpc_id,
          Instances: lb.spec.instances.map((i) => ({ InstanceId: i.id })),
          HealthCheck: {
            Target: lb.spec.health_check.target,
            Interval: lb.spec.health_check.interval_s,
            Timeout: lb.spec.health_check.timeout_s,
            UnhealthyThreshold: lb.spec.health_check.unhealthy_threshold,
            HealthyThreshold: lb.spec.health_check.healthy_threshold,
          },
          SecurityGroups: lb.spec.security_groups,
          CreatedTime: new Date(world.when(lb.spec.created)),
          Scheme: lb.spec.scheme,
        })),
        ...(p.next ? { NextMarker: p.next } : {}),
      };
    },

    DescribeLoadBalancerAttributes: (input) => ({
      LoadBalancerAttributes: { ...structuredClone(model.get(input.LoadBalancerName).attributes), AdditionalAttributes: [{ Key: 'elb.http.desyncmitigationmode', Value: 'defensive' }] },
    }),

    ModifyLoadBalancerAttributes: (input, { now }) => {
      const lb = model.get(input.LoadBalancerName);
      const change = input.LoadBalancerAttributes ?? {};
      const idle = change.ConnectionSettings?.IdleTimeout;
      if (change.ConnectionSettings && (idle === undefined || !Number.isInteger(idle) || idle < 1 || idle > 4000)) {
        throw new WorldError('ValidationError', 'IdleTimeout must be an integer between 1 and 4000');
      }
      const timeout = change.ConnectionDraining?.Timeout;
      if (timeout !== undefined && (timeout < 1 || timeout > 3600)) throw new WorldError('ValidationError', 'ConnectionDraining Timeout must be between 1 and 3600');
      const before = structuredClone(lb.attributes);
      lb.attributes = {
        CrossZoneLoadBalancing: { ...lb.attributes.CrossZoneLoadBalancing, ...change.CrossZoneLoadBalancing },
        AccessLog: { ...lb.attributes.AccessLog, ...change.AccessLog },
        ConnectionDraining: { ...lb.attributes.ConnectionDraining, ...change.ConnectionDraining },
        ConnectionSettings: { ...lb.attributes.ConnectionSettings, ...change.ConnectionSettings },
      };
      lb.attributeChanges.push({ at: now, from: before, to: structuredClone(lb.attributes) });
      model.applySlowRequests(now);
      return { LoadBalancerName: lb.name, LoadBalancerAttributes: structuredClone(lb.attributes) };
    },

    DescribeTags: (input) => {
      const names = input.LoadBalancerNames ?? [];
      if (!names.length || names.length > 20) throw new WorldError('ValidationError', 'LoadBalancerNames must contain between 1 and 20 names');
      return { TagDescriptions: names.map((n) => ({ LoadBalancerName: n, Tags: tagList(model.get(n).spec.tags) })) };
    },

    DescribeInstanceHealth: (input, { now }) => {
      const lb = model.get(input.LoadBalancerName);
      const wanted = input.Instances?.length ? input.Instances.map((i) => i.InstanceId ?? '') : lb.spec.instances.map((i) => i.id);
      return {
        InstanceStates: wanted.map((id) => {
          const registered = lb.spec.instances.find((i) => i.id === id);
          if (!registered) throw new WorldError('InvalidInstance', `Could not find EC2 instance ${id}.`);
          const inst = model.peers.instances.get(id);
          if (inst && inst.state !== 'running') {
            return { InstanceId: id, State: 'OutOfService', ReasonCode: 'Instance', Description: `Instance is in ${inst.state} state.` };
          }
          if (inst) {
            const c = inst.checksAt(now);
            if (c.system === 'impaired' || c.instance === 'impaired') {
              return { InstanceId: id, State: 'OutOfService', ReasonCode: 'Instance', Description: 'Instance has failed at least the UnhealthyThreshold number of health checks consecutively.' };
            }
            if (inst.boots > 0 && c.system === 'ok') return { InstanceId: id, State: 'InService', ReasonCode: 'N/A', Description: 'N/A' };
          }
          return { InstanceId: id, State: registered.state, ReasonCode: registered.reason_code, Description: registered.description };
        }),
      };
    },
  };
}
