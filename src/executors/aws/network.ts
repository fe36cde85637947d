// The network path between a load balancer and its targets, checked the way the 504 Knowledge
// Center article asks: security groups both ways on the traffic and health-check ports, and the
// stateless NACLs of both subnet sets — including the ephemeral return ports 1024-65535 that a
// NACL silently drops, which shows as connection errors and 504s.
import type { NetworkAcl, SecurityGroup } from '@aws-sdk/client-ec2';
import { z } from 'zod';
import { defineKind } from '../../core/kind.js';
import { api, AwsSession, instanceId, regionParam, securityGroupId, subnetId } from './common.js';

// ── IPv4 ranges ─────────────────────────────────────────────────────────────────────────────────

type Range = [number, number];

export function cidrRange(cidr: string): Range | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr.trim());
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  const bits = Number(m[5]);
  if (octets.some((o) => o > 255) || bits > 32) return undefined;
  const ip = ((octets[0]! << 24) >>> 0) + (octets[1]! << 16) + (octets[2]! << 8) + octets[3]!;
  const size = 2 ** (32 - bits);
  const start = Math.floor(ip / size) * size;
  return [start, start + size - 1];
}

export function cidrContains(outer: string, inner: string): boolean {
  const a = cidrRange(outer);
  const b = cidrRange(inner);
  return Boolean(a && b && a[0] <= b[0] && b[1] <= a[1]);
}

export function cidrOverlaps(x: string, y: string): boolean {
  const a = cidrRange(x);
  const b = cidrRange(y);
  return Boolean(a && b && a[0] <= b[1] && b[0] <= a[1]);
}

function subtract(ranges: Range[], cut: Range): Range[] {
  const out: Range[] = [];
  for (const [f, t] of ranges) {
    if (cut[1] < f || cut[0] > t) out.push([f, t]);
    else {
      if (cut[0] > f) out.push([f, cut[0] - 1]);
      if (cut[1] < t) out.push([cut[1] + 1, t]);
    }
  }
  return out;
}

function intersect(ranges: Range[], cut: Range): Range[] {
  return ranges.map(([f, t]) => [Math.max(f, cut[0]), Math.min(t, cut[1])] as Range).filter(([f, t]) => f <= t);
}

const portText = ([f, t]: Range) => (f === t ? String(f) : `${f}-${t}`);

// ── NACL evaluation ─────────────────────────────────────────────────────────────────────────────

export interface NaclEntry {
  RuleNumber?: number;
  Egress?: boolean;
  Protocol?: string;
  RuleAction?: string;
  CidrBlock?: string;
  PortRange?: { From?: number; To?: number };
}

/**
 * Which TCP ports of `ports` a NACL lets through in one direction for a peer: entries in rule
 * number order, first match wins, the catch-all deny last. An allow counts only when its CIDR
 * covers the whole peer range; a deny counts as soon as it overlaps it.
 */
export function naclVerdict(entries: NaclEntry[], egress: boolean, peer: string, ports: Range): { allowed: boolean; denied: { ports: string; rule: string }[] } {
  let undecided: Range[] = [ports];
  const denied: { ports: string; rule: string }[] = [];
  const rules = entries.filter((e) => Boolean(e.Egress) === egress && e.CidrBlock).sort((a, b) => (a.RuleNumber ?? 0) - (b.RuleNumber ?? 0));
  for (const r of rules) {
    if (!undecided.length) break;
    const proto = String(r.Protocol ?? '-1');
    if (proto !== '-1' && proto !== '6' && proto !== 'tcp') continue;
    const span: Range = proto === '-1' || !r.PortRange ? [0, 65535] : [r.PortRange.From ?? 0, r.PortRange.To ?? r.PortRange.From ?? 65535];
    const allow = r.RuleAction === 'allow';
    const applies = allow ? cidrContains(r.CidrBlock!, peer) : cidrOverlaps(r.CidrBlock!, peer);
    if (!applies) continue;
    const hit = intersect(undecided, span);
    if (!hit.length) continue;
    if (!allow) for (const h of hit) denied.push({ ports: portText(h), rule: r.RuleNumber === 32767 ? '* (default deny)' : `${r.RuleNumber} deny ${r.CidrBlock}` });
    undecided = subtract(undecided, span);
  }
  for (const h of undecided) denied.push({ ports: portText(h), rule: '* (default deny)' });
  return { allowed: denied.length === 0, denied };
}

// ── security groups ─────────────────────────────────────────────────────────────────────────────

interface SgRule {
  IpProtocol?: string;
  FromPort?: number;
  ToPort?: number;
  IpRanges?: { CidrIp?: string }[];
  UserIdGroupPairs?: { GroupId?: string }[];
}

function ruleAllows(r: SgRule, port: number, peerGroups: string[], peerCidrs: string[]): boolean {
  const proto = String(r.IpProtocol ?? '-1');
  if (proto !== '-1' && proto !== 'tcp' && proto !== '6') return false;
  if (proto !== '-1' && !(port >= (r.FromPort ?? 0) && port <= (r.ToPort ?? 65535))) return false;
  if ((r.UserIdGroupPairs ?? []).some((g) => g.GroupId && peerGroups.includes(g.GroupId))) return true;
  const ranges = (r.IpRanges ?? []).map((x) => x.CidrIp ?? '').filter(Boolean);
  // Any address: allowed whatever the peers are, even when their CIDRs are unknown.
  if (ranges.some((rng) => cidrRange(rng)?.[0] === 0 && cidrRange(rng)?.[1] === 2 ** 32 - 1)) return true;
  return peerCidrs.length > 0 && peerCidrs.every((c) => ranges.some((rng) => cidrContains(rng, c)));
}

// ── the kind ────────────────────────────────────────────────────────────────────────────────────

const params = z
  .object({
    lb_security_groups: z.array(securityGroupId).max(10).default([]).describe("The load balancer's security groups (none: a classic or network LB without them)"),
    lb_subnets: z.array(subnetId).min(1).max(20).describe("The load balancer's subnets"),
    target_instance_ids: z.array(instanceId).max(50).default([]).describe('Instance targets; their subnets and security groups are looked up'),
    target_security_groups: z.array(securityGroupId).max(10).default([]),
    target_subnets: z.array(subnetId).max(20).default([]),
    ports: z.array(z.number().int().min(1).max(65535)).min(1).max(10).describe('The traffic port and the health-check port of the targets'),
    ...regionParam,
  })
  .strict();

const EPHEMERAL: Range = [1024, 65535];

export const checkLoadBalancerPath = defineKind({
  name: 'aws.ec2.checkLoadBalancerPath',
  effect: 'read',
  params,
  describe: (p) => ({
    summary: `ec2:DescribeSecurityGroups, DescribeNetworkAcls, DescribeSubnets: can the load balancer reach its targets on ${p.ports.join(', ')} and get answers back on 1024-65535?`,
    api: api('ec2', 'DescribeNetworkAcls'),
    resources: [...p.lb_subnets, ...p.target_instance_ids],
  }),
  async run(p, ctx) {
    const s = new AwsSession(ctx, p.region);
    const targetSgs = new Set(p.target_security_groups);
    const targetSubnets = new Set(p.target_subnets);
    if (p.target_instance_ids.length) {
      const out = await s.call('ec2', (m) => new m.DescribeInstancesCommand({ InstanceIds: p.target_instance_ids }), p.target_instance_ids);
      for (const i of (out.output.Reservations ?? []).flatMap((r) => r.Instances ?? [])) {
        if (i.SubnetId) targetSubnets.add(i.SubnetId);
        for (const g of i.SecurityGroups ?? []) if (g.GroupId) targetSgs.add(g.GroupId);
      }
    }
    const allSubnets = [...new Set([...p.lb_subnets, ...targetSubnets])];
    const cidrOf = new Map<string, string>();
    const subnets = await s.call('ec2', (m) => new m.DescribeSubnetsCommand({ SubnetIds: allSubnets }), allSubnets);
    for (const sn of subnets.output.Subnets ?? []) if (sn.SubnetId && sn.CidrBlock) cidrOf.set(sn.SubnetId, sn.CidrBlock);
    const cidrs = (ids: Iterable<string>) => [...new Set([...ids].map((id) => cidrOf.get(id)).filter((c): c is string => Boolean(c)))];
    const lbCidrs = cidrs(p.lb_subnets);
    const targetCidrs = cidrs(targetSubnets);
    const problems: string[] = [];
    const notes: string[] = [];

    // Security groups: stateful, so one direction each way is enough.
    const groupIds = [...new Set([...p.lb_security_groups, ...targetSgs])];
    const groups = new Map<string, SecurityGroup>();
    if (groupIds.length) {
      const out = await s.call('ec2', (m) => new m.DescribeSecurityGroupsCommand({ GroupIds: groupIds }), groupIds);
      for (const g of out.output.SecurityGroups ?? []) if (g.GroupId) groups.set(g.GroupId, g);
    }
    const sgCheck = (from: string[], to: string[], direction: 'egress' | 'ingress', peerGroups: string[], peerCidrs: string[]) =>
      p.ports.map((port) => ({
        port,
        allowed: from.some((id) => ((direction === 'egress' ? groups.get(id)?.IpPermissionsEgress : groups.get(id)?.IpPermissions) ?? []).some((r: SgRule) => ruleAllows(r, port, peerGroups, peerCidrs))),
        to,
      }));
    const lbEgress = p.lb_security_groups.length ? sgCheck(p.lb_security_groups, [...targetSgs], 'egress', [...targetSgs], targetCidrs) : [];
    const targetIngress = targetSgs.size ? sgCheck([...targetSgs], p.lb_security_groups, 'ingress', p.lb_security_groups, lbCidrs) : [];
    for (const c of lbEgress) if (!c.allowed) problems.push(`the load balancer's security groups (${p.lb_security_groups.join(', ')}) allow no outbound TCP ${c.port} to the targets`);
    for (const c of targetIngress) if (!c.allowed) problems.push(`the targets' security groups (${[...targetSgs].join(', ')}) allow no inbound TCP ${c.port} from the load balancer's security group or subnets`);
    if (!p.lb_security_groups.length) notes.push('the load balancer has no security groups: only the targets\' inbound rules were checked');
    if (!targetSgs.size) notes.push('no target security groups given or found: inbound rules on the targets were not checked');

    // NACLs: stateless, so the return traffic on ephemeral ports needs its own rules.
    const acls = await s.call('ec2', (m) => new m.DescribeNetworkAclsCommand({ Filters: [{ Name: 'association.subnet-id', Values: allSubnets }] }), allSubnets);
    const aclOf = new Map<string, NetworkAcl>();
    for (const a of acls.output.NetworkAcls ?? []) for (const as of a.Associations ?? []) if (as.SubnetId) aclOf.set(as.SubnetId, a);
    const nacls: { subnet: string; acl: string | null; role: 'target' | 'load-balancer'; checks: { direction: string; ports: string; peer: string; allowed: boolean; denied: { ports: string; rule: string }[] }[] }[] = [];
    const peersOr = (list: string[]) => (list.length ? list : ['0.0.0.0/0']);
    if (!lbCidrs.length || !targetCidrs.length) notes.push('some subnet CIDRs are unknown: NACL rules were tested against any address (0.0.0.0/0)');
    const trafficPorts = p.ports.map((x) => [x, x] as Range);
    const examine = (subnet: string, role: 'target' | 'load-balancer') => {
      const acl = aclOf.get(subnet);
      const entry = { subnet, acl: acl?.NetworkAclId ?? null, role, checks: [] as (typeof nacls)[number]['checks'] };
      if (!acl) {
        notes.push(`no network ACL found for ${subnet}`);
        nacls.push(entry);
        return;
      }
      const plan: [string, boolean, Range[], string[]][] =
        role === 'target'
          ? [
              ['inbound', false, trafficPorts, peersOr(lbCidrs)],
              ['outbound (return)', true, [EPHEMERAL], peersOr(lbCidrs)],
            ]
          : [
              ['outbound', true, trafficPorts, peersOr(targetCidrs)],
              ['inbound (return)', false, [EPHEMERAL], peersOr(targetCidrs)],
            ];
      for (const [direction, egress, ranges, peers] of plan) {
        for (const range of ranges) {
          for (const peer of peers) {
            const v = naclVerdict(acl.Entries ?? [], egress, peer, range);
            entry.checks.push({ direction, ports: portText(range), peer, ...v });
            if (!v.allowed) {
              const what = role === 'target' ? `target subnet ${subnet}` : `load balancer subnet ${subnet}`;
              const effect = direction.includes('return') ? ' (answers never reach the other side: connection errors and 504s)' : '';
              problems.push(`network ACL ${acl.NetworkAclId} of ${what} blocks ${direction} TCP ${v.denied.map((d) => `${d.ports} by rule ${d.rule}`).join(', ')} ${egress ? 'to' : 'from'} ${peer}${effect}`);
            }
          }
        }
      }
      nacls.push(entry);
    };
    for (const sn of targetSubnets) examine(sn, 'target');
    for (const sn of p.lb_subnets) examine(sn, 'load-balancer');

    for (const pr of problems) ctx.log(`problem: ${pr}`, 'log');
    for (const n of notes) ctx.log(`note: ${n}`, 'log');
    const result = {
      ok: problems.length === 0,
      problems,
      notes,
      security_groups: { lb_egress: lbEgress.map(({ port, allowed }) => ({ port, allowed })), target_ingress: targetIngress.map(({ port, allowed }) => ({ port, allowed })) },
      nacls,
      nacl_problem: problems.some((x) => x.startsWith('network ACL')),
      security_group_problem: problems.some((x) => x.includes('security groups')),
      checked: { lb_security_groups: p.lb_security_groups, target_security_groups: [...targetSgs], lb_subnets: p.lb_subnets, target_subnets: [...targetSubnets], lb_cidrs: lbCidrs, target_cidrs: targetCidrs, ports: p.ports },
    };
    return { result, summary: problems.length ? `${problems.length} problem${problems.length === 1 ? '' : 's'}: ${problems[0]}` : 'security groups and NACLs allow the traffic and its return', raw: s.raw() };
  },
});

export const NETWORK_KINDS = [checkLoadBalancerPath];
