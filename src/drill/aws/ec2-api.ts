// EC2's API in a drill: the request filters and pagination EC2 applies, and responses shaped as
// the SDK returns them, read from the instance model in ec2.ts.
import type { Instance, InstanceStatus, InstanceStatusSummary, IpPermission, NetworkAcl, SecurityGroup, VolumeStatusItem } from '@aws-sdk/client-ec2';
import { STATE_CODE, defaultSubnet, type Check, type Ec2Model, type SimInstance } from './ec2.js';
import { hexId } from './ids.js';
import { instanceTypeInfo } from './instance-types.js';
import { matchesFilters, page, tagList } from './paging.js';
import type { AwsSpec } from './spec.js';
import { WorldError } from './wire.js';
import type { CommandHandlers } from './world.js';

function summary(check: Check, since: number | undefined): InstanceStatusSummary {
  if (check === 'not-applicable') return { Status: 'not-applicable' };
  const detail = check === 'ok' ? 'passed' : check === 'impaired' ? 'failed' : 'initializing';
  return { Status: check, Details: [{ Name: 'reachability', Status: detail, ...(since !== undefined ? { ImpairedSince: new Date(since) } : {}) }] };
}

function instanceStatus(inst: SimInstance, now: number): InstanceStatus {
  const c = inst.checksAt(now);
  return {
    InstanceId: inst.id,
    AvailabilityZone: inst.az,
    InstanceState: { Code: STATE_CODE[inst.state], Name: inst.state },
    SystemStatus: summary(c.system, inst.impairedSince('system', now)),
    InstanceStatus: summary(c.instance, inst.impairedSince('instance', now)),
    AttachedEbsStatus: summary(c.ebs, inst.impairedSince('ebs', now)),
    ...(inst.events.length
      ? {
          Events: inst.events.map((e) => ({
            InstanceEventId: e.id,
            Code: e.code as 'system-reboot',
            Description: e.description,
            NotBefore: new Date(e.notBefore),
            ...(e.notAfter !== undefined ? { NotAfter: new Date(e.notAfter) } : {}),
            ...(e.notBeforeDeadline !== undefined ? { NotBeforeDeadline: new Date(e.notBeforeDeadline) } : {}),
          })),
        }
      : {}),
  };
}

function describeInstance(model: Ec2Model, inst: SimInstance): Instance {
  const s = inst.spec;
  const account = model.world.account;
  const privateIp = s.private_ip ?? `10.0.${parseInt(hexId(2, inst.id, 'a'), 16) % 64}.${parseInt(hexId(2, inst.id, 'b'), 16) || 10}`;
  const subnet = s.subnet_id ?? defaultSubnet(inst.az);
  const vpc = s.vpc_id ?? 'vpc-0a1b2c3d4e5f60718';
  const association = inst.publicIp
    ? {
        PublicIp: inst.publicIp,
        IpOwnerId: s.elastic_ip ? account : 'amazon',
        PublicDnsName: `ec2-${inst.publicIp.replace(/\./g, '-')}.compute-1.amazonaws.com`,
      }
    : undefined;
  return {
    InstanceId: inst.id,
    ImageId: `ami-${hexId(17, 'ami', s.type)}`,
    InstanceType: s.type as Instance['InstanceType'],
    State: { Code: STATE_CODE[inst.state], Name: inst.state },
    StateTransitionReason: inst.state === 'stopped' ? `User initiated (${new Date(inst.history[inst.history.length - 1]!.at).toISOString()})` : '',
    LaunchTime: new Date(model.world.when(s.launched)),
    Placement: { AvailabilityZone: inst.az, Tenancy: 'default' },
    PrivateIpAddress: privateIp,
    ...(inst.publicIp ? { PublicIpAddress: inst.publicIp, PublicDnsName: association!.PublicDnsName } : { PublicDnsName: '' }),
    SubnetId: subnet,
    VpcId: vpc,
    Architecture: 'x86_64',
    RootDeviceType: s.root_device_type,
    RootDeviceName: s.root_device_type === 'ebs' ? '/dev/xvda' : '/dev/sda1',
    BlockDeviceMappings: s.volumes.map((v) => ({
      DeviceName: v.device,
      Ebs: { VolumeId: v.id, Status: 'attached', AttachTime: new Date(model.world.when(s.launched)), DeleteOnTermination: true },
    })),
    SecurityGroups: s.security_groups.map((id) => ({ GroupId: id, GroupName: model.securityGroups.find((g) => g.id === id)?.name ?? id })),
    NetworkInterfaces: [
      {
        NetworkInterfaceId: `eni-${hexId(17, inst.id)}`,
        PrivateIpAddress: privateIp,
        SubnetId: subnet,
        VpcId: vpc,
        Status: 'in-use',
        ...(association
          ? { Association: { PublicIp: association.PublicIp, IpOwnerId: association.IpOwnerId, PublicDnsName: association.PublicDnsName } }
          : {}),
      },
    ],
    MaintenanceOptions: { AutoRecovery: s.auto_recovery },
    ...(s.lifecycle ? { InstanceLifecycle: s.lifecycle as Instance['InstanceLifecycle'] } : {}),
    Tags: tagList(s.tags),
  };
}

function instanceFilter(inst: SimInstance, name: string): string[] | undefined {
  if (name.startsWith('tag:')) {
    const v = inst.spec.tags[name.slice(4)];
    return v === undefined ? [] : [v];
  }
  switch (name) {
    case 'instance-id':
      return [inst.id];
    case 'instance-state-name':
      return [inst.state];
    case 'instance-state-code':
      return [String(STATE_CODE[inst.state])];
    case 'instance-type':
      return [inst.spec.type];
    case 'availability-zone':
      return [inst.az];
    case 'tag-key':
      return Object.keys(inst.spec.tags);
    case 'root-device-type':
      return [inst.spec.root_device_type];
    case 'ip-address':
      return inst.publicIp ? [inst.publicIp] : [];
    case 'instance-lifecycle':
      return inst.spec.lifecycle ? [inst.spec.lifecycle] : [];
    default:
      return undefined;
  }
}

function statusFilter(inst: SimInstance, now: number, name: string): string[] | undefined {
  const c = inst.checksAt(now);
  const reach = (check: Check) => (check === 'ok' ? 'passed' : check === 'impaired' ? 'failed' : check);
  switch (name) {
    case 'instance-state-name':
      return [inst.state];
    case 'instance-state-code':
      return [String(STATE_CODE[inst.state])];
    case 'availability-zone':
      return [inst.az];
    case 'instance-status.status':
      return [c.instance];
    case 'system-status.status':
      return [c.system];
    case 'attached-ebs-status.status':
      return [c.ebs];
    case 'instance-status.reachability':
      return [reach(c.instance)];
    case 'system-status.reachability':
      return [reach(c.system)];
    case 'event.code':
      return inst.events.map((e) => e.code);
    case 'event.description':
      return inst.events.map((e) => e.description);
    default:
      return undefined;
  }
}

function checkMaxResults(input: { MaxResults?: number; InstanceIds?: string[] }, min: number): void {
  if (input.MaxResults === undefined) return;
  if (input.InstanceIds?.length) throw new WorldError('InvalidParameterCombination', 'The parameter instancesSet cannot be used with the parameter maxResults');
  if (input.MaxResults < min || input.MaxResults > 1000) {
    throw new WorldError('InvalidParameterValue', `Value ( ${input.MaxResults} ) for parameter maxResults is invalid. Expecting a value between ${min} and 1000.`);
  }
}

function rule(r: AwsSpec['ec2']['security_groups'][number]['ingress'][number], account: string): IpPermission {
  const protocol = r.protocol === 'all' ? '-1' : r.protocol;
  const from = r.port ?? r.from;
  const to = r.port ?? r.to ?? from;
  return {
    IpProtocol: protocol,
    ...(protocol !== '-1' ? { FromPort: from ?? -1, ToPort: to ?? -1 } : {}),
    IpRanges: r.cidrs.map((c) => ({ CidrIp: c, ...(r.description ? { Description: r.description } : {}) })),
    Ipv6Ranges: [],
    PrefixListIds: [],
    UserIdGroupPairs: r.groups.map((g) => ({ GroupId: g, UserId: account })),
  };
}

const PROTOCOL_NUMBER: Record<string, string> = { tcp: '6', udp: '17', icmp: '1', all: '-1' };

export function ec2Commands(model: Ec2Model): CommandHandlers<'ec2'> {
  const world = model.world;
  return {
    DescribeInstances: (input) => {
      checkMaxResults(input, 5);
      const chosen = input.InstanceIds?.length ? model.resolve(input.InstanceIds) : [...model.instances.values()];
      const matching = chosen.filter((i) => matchesFilters(input.Filters, (n) => instanceFilter(i, n))).sort((a, b) => a.id.localeCompare(b.id));
      const p = page(matching, input.MaxResults, input.NextToken);
      return {
        Reservations: p.items.map((i) => ({
          ReservationId: `r-${hexId(17, 'reservation', i.id)}`,
          OwnerId: world.account,
          Groups: [],
          Instances: [describeInstance(model, i)],
        })),
        ...(p.next ? { NextToken: p.next } : {}),
      };
    },

    DescribeInstanceStatus: (input, { now }) => {
      checkMaxResults(input, 5);
      const chosen = input.InstanceIds?.length ? model.resolve(input.InstanceIds) : [...model.instances.values()];
      // Without IncludeAllInstances only running instances are described.
      const listed = chosen
        .filter((i) => input.IncludeAllInstances || i.state === 'running')
        .filter((i) => matchesFilters(input.Filters, (n) => statusFilter(i, now, n)))
        .sort((a, b) => a.id.localeCompare(b.id));
      const p = page(listed, input.MaxResults, input.NextToken);
      return { InstanceStatuses: p.items.map((i) => instanceStatus(i, now)), ...(p.next ? { NextToken: p.next } : {}) };
    },

    DescribeVolumeStatus: (input, { now }) => {
      const ids = input.VolumeIds?.length ? input.VolumeIds : [...model.volumes.keys()].sort();
      const missing = ids.filter((id) => !model.volumes.has(id));
      if (missing.length) throw new WorldError('InvalidVolume.NotFound', `The volume${missing.length > 1 ? 's' : ''} '${missing.join(', ')}' ${missing.length > 1 ? 'do' : 'does'} not exist.`);
      const p = page(ids, input.MaxResults, input.NextToken);
      return {
        VolumeStatuses: p.items.map((id): VolumeStatusItem => {
          const v = model.volumes.get(id)!;
          const eventId = `evol-${hexId(17, id)}`;
          const since = new Date(Math.min(now, world.when(model.instances.get(v.instanceId)!.spec.impaired_since)));
          return {
            VolumeId: id,
            AvailabilityZone: v.az,
            VolumeStatus: {
              Status: v.status,
              Details: [
                { Name: 'io-enabled', Status: v.ioEnabled ? 'passed' : 'failed' },
                { Name: 'io-performance', Status: 'not-applicable' },
              ],
            },
            Events: v.ioEnabled
              ? []
              : [
                  {
                    EventId: eventId,
                    EventType: 'potential-data-inconsistency',
                    Description: 'THIS IS AN AUTOMATED EVENT. Awaiting Action: Enable IO',
                    NotBefore: since,
                    InstanceId: v.instanceId,
                  },
                ],
            Actions: v.ioEnabled
              ? []
              : [{ Code: 'enable-volume-io', Description: 'Enable volume I/O', EventId: eventId, EventType: 'potential-data-inconsistency' }],
            AttachmentStatuses: [{ InstanceId: v.instanceId }],
          };
        }),
        ...(p.next ? { NextToken: p.next } : {}),
      };
    },

    GetConsoleOutput: (input, { now }) => {
      const inst = model.get(input.InstanceId ?? '');
      return {
        InstanceId: inst.id,
        Timestamp: new Date(now),
        ...(inst.console ? { Output: Buffer.from(inst.console, 'utf8').toString('base64') } : {}),
      };
    },

    EnableVolumeIO: (input, { now }) => {
      model.enableVolumeIO(input.VolumeId ?? '', now);
      return {};
    },

    DescribeInstanceTypes: (input) => {
      const wanted = input.InstanceTypes?.length ? input.InstanceTypes : [...new Set([...model.instances.values()].map((i) => i.spec.type))].sort();
      const infos = wanted.map((t) => {
        const info = instanceTypeInfo(t);
        if (!info) throw new WorldError('InvalidInstanceType', `The following supplied instance types do not exist: [${t}]`);
        return info;
      });
      const p = page(infos, input.MaxResults, input.NextToken);
      return { InstanceTypes: p.items, ...(p.next ? { NextToken: p.next } : {}) };
    },

    DescribeSubnets: (input) => {
      const ids = input.SubnetIds?.length ? input.SubnetIds : model.subnetIds();
      const subnets = ids.map((id) => {
        const sn = model.subnet(id);
        if (!sn) throw new WorldError('InvalidSubnetID.NotFound', `The subnet ID '${id}' does not exist`);
        return sn;
      });
      return {
        Subnets: subnets
          .filter((sn) => matchesFilters(input.Filters, (n) => (n === 'subnet-id' ? [sn.id] : n === 'vpc-id' ? [sn.vpc_id] : n === 'availability-zone' ? [sn.az] : undefined)))
          .map((sn) => ({ SubnetId: sn.id, CidrBlock: sn.cidr, VpcId: sn.vpc_id, AvailabilityZone: sn.az, State: 'available', OwnerId: world.account })),
      };
    },

    StopInstances: (input, { now }) => ({
      StoppingInstances: model.stop(input.InstanceIds ?? [], input.Force === true, now),
    }),

    StartInstances: (input, { now }) => ({ StartingInstances: model.start(input.InstanceIds ?? [], now) }),

    RebootInstances: (input, { now }) => {
      model.reboot(input.InstanceIds ?? [], now);
      return {};
    },

    DescribeSecurityGroups: (input) => {
      for (const id of input.GroupIds ?? []) {
        if (!model.securityGroups.some((g) => g.id === id)) throw new WorldError('InvalidGroup.NotFound', `The security group '${id}' does not exist`);
      }
      const groups = model.securityGroups.filter(
        (g) =>
          (!input.GroupIds?.length || input.GroupIds.includes(g.id)) &&
          (!input.GroupNames?.length || input.GroupNames.includes(g.name)) &&
          matchesFilters(input.Filters, (n) =>
            n === 'group-id' ? [g.id] : n === 'group-name' ? [g.name] : n === 'vpc-id' ? (g.vpc_id ? [g.vpc_id] : []) : undefined,
          ),
      );
      return {
        SecurityGroups: groups.map(
          (g): SecurityGroup => ({
            GroupId: g.id,
            GroupName: g.name,
            Description: g.description,
            ...(g.vpc_id ? { VpcId: g.vpc_id } : {}),
            OwnerId: world.account,
            IpPermissions: g.ingress.map((r) => rule(r, world.account)),
            IpPermissionsEgress: g.egress.map((r) => rule(r, world.account)),
            Tags: tagList(g.tags),
          }),
        ),
      };
    },

    DescribeNetworkAcls: (input) => {
      for (const id of input.NetworkAclIds ?? []) {
        if (!model.networkAcls.some((a) => a.id === id)) throw new WorldError('InvalidNetworkAclID.NotFound', `The network ACL ID '${id}' does not exist`);
      }
      const acls = model.networkAcls.filter(
        (a) =>
          (!input.NetworkAclIds?.length || input.NetworkAclIds.includes(a.id)) &&
          matchesFilters(input.Filters, (n) => {
            if (n === 'association.subnet-id') return a.subnets;
            if (n === 'vpc-id') return a.vpc_id ? [a.vpc_id] : [];
            if (n === 'network-acl-id') return [a.id];
            if (n === 'default') return [String(a.default)];
            return undefined;
          }),
      );
      return {
        NetworkAcls: acls.map(
          (a): NetworkAcl => ({
            NetworkAclId: a.id,
            ...(a.vpc_id ? { VpcId: a.vpc_id } : {}),
            IsDefault: a.default,
            OwnerId: world.account,
            Associations: a.subnets.map((s) => ({ NetworkAclAssociationId: `aclassoc-${hexId(8, a.id, s)}`, NetworkAclId: a.id, SubnetId: s })),
            Entries: [
              ...a.entries.map((e) => {
                const protocol = PROTOCOL_NUMBER[e.protocol] ?? e.protocol;
                return {
                  RuleNumber: e.rule,
                  Egress: e.egress,
                  Protocol: protocol,
                  RuleAction: e.action,
                  CidrBlock: e.cidr,
                  ...(protocol !== '-1' && e.from !== undefined ? { PortRange: { From: e.from, To: e.to ?? e.from } } : {}),
                };
              }),
              // Every NACL ends with the catch-all deny, in both directions.
              { RuleNumber: 32767, Egress: false, Protocol: '-1', RuleAction: 'deny', CidrBlock: '0.0.0.0/0' },
              { RuleNumber: 32767, Egress: true, Protocol: '-1', RuleAction: 'deny', CidrBlock: '0.0.0.0/0' },
            ],
            Tags: tagList(a.tags),
          }),
        ),
      };
    },
  };
}
