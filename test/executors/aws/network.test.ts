// The network path check: NACL rules in number order (first match wins, then the default deny),
// IPv4 ranges, and the kind against a mocked EC2 finding the missing ephemeral return rule.
import { DescribeInstancesCommand, DescribeNetworkAclsCommand, DescribeSecurityGroupsCommand, DescribeSubnetsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { checkLoadBalancerPath, cidrContains, cidrOverlaps, naclVerdict } from '../../../src/executors/aws/network.js';
import { run } from './helpers.js';

const ec2 = mockClient(EC2Client);
afterEach(() => ec2.reset());

const deny = (egress: boolean) => ({ RuleNumber: 32767, Egress: egress, Protocol: '-1', RuleAction: 'deny' as const, CidrBlock: '0.0.0.0/0' });

describe('IPv4 ranges and NACL verdicts', () => {
  it('contains and overlaps', () => {
    expect(cidrContains('10.0.0.0/16', '10.0.1.0/24')).toBe(true);
    expect(cidrContains('10.0.1.0/24', '10.0.0.0/16')).toBe(false);
    expect(cidrOverlaps('10.0.1.0/24', '10.0.0.0/16')).toBe(true);
    expect(cidrContains('0.0.0.0/0', '192.168.1.0/24')).toBe(true);
    expect(cidrContains('bogus', '10.0.0.0/8')).toBe(false);
  });

  it('first match wins: a deny before an allow blocks, an allow before a deny lets through', () => {
    const entries = [
      { RuleNumber: 90, Egress: true, Protocol: '6', RuleAction: 'deny', CidrBlock: '10.0.0.0/24', PortRange: { From: 32768, To: 40000 } },
      { RuleNumber: 100, Egress: true, Protocol: '-1', RuleAction: 'allow', CidrBlock: '0.0.0.0/0' },
      deny(true),
    ];
    expect(naclVerdict(entries, true, '10.0.0.0/24', [1024, 65535])).toEqual({ allowed: false, denied: [{ ports: '32768-40000', rule: '90 deny 10.0.0.0/24' }] });
    expect(naclVerdict(entries, true, '10.0.5.0/24', [1024, 65535])).toEqual({ allowed: true, denied: [] });
  });

  it('ports no rule allows fall to the default deny', () => {
    const entries = [{ RuleNumber: 100, Egress: true, Protocol: '6', RuleAction: 'allow', CidrBlock: '0.0.0.0/0', PortRange: { From: 443, To: 443 } }, deny(true)];
    expect(naclVerdict(entries, true, '10.0.0.0/24', [1024, 65535])).toEqual({ allowed: false, denied: [{ ports: '1024-65535', rule: '* (default deny)' }] });
    // An allow for only part of the peer's range does not count.
    const partial = [{ RuleNumber: 100, Egress: false, Protocol: '-1', RuleAction: 'allow', CidrBlock: '10.0.0.0/25' }, deny(false)];
    expect(naclVerdict(partial, false, '10.0.0.0/24', [8080, 8080]).allowed).toBe(false);
  });
});

describe('aws.ec2.checkLoadBalancerPath', () => {
  it('finds the target subnet NACL that drops the return traffic, and passes the security groups', async () => {
    ec2.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: [{ InstanceId: 'i-0d00000000000dd01', SubnetId: 'subnet-0d9d9d9d9d9d9d9d9', SecurityGroups: [{ GroupId: 'sg-0d000000000000a01' }] }] }] });
    ec2.on(DescribeSubnetsCommand).resolves({
      Subnets: [
        { SubnetId: 'subnet-0d1d1d1d1d1d1d1d1', CidrBlock: '10.0.0.0/24' },
        { SubnetId: 'subnet-0d9d9d9d9d9d9d9d9', CidrBlock: '10.0.10.0/24' },
      ],
    });
    ec2.on(DescribeSecurityGroupsCommand).resolves({
      SecurityGroups: [
        { GroupId: 'sg-0d000000000001b01', IpPermissions: [], IpPermissionsEgress: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] },
        { GroupId: 'sg-0d000000000000a01', IpPermissions: [{ IpProtocol: 'tcp', FromPort: 8080, ToPort: 8080, UserIdGroupPairs: [{ GroupId: 'sg-0d000000000001b01' }] }], IpPermissionsEgress: [] },
      ],
    });
    ec2.on(DescribeNetworkAclsCommand).resolves({
      NetworkAcls: [
        {
          NetworkAclId: 'acl-0d000000000001b01',
          Associations: [{ SubnetId: 'subnet-0d1d1d1d1d1d1d1d1' }],
          Entries: [{ RuleNumber: 100, Egress: false, Protocol: '-1', RuleAction: 'allow', CidrBlock: '0.0.0.0/0' }, { RuleNumber: 100, Egress: true, Protocol: '-1', RuleAction: 'allow', CidrBlock: '0.0.0.0/0' }, deny(false), deny(true)],
        },
        {
          NetworkAclId: 'acl-0d000000000000a01',
          Associations: [{ SubnetId: 'subnet-0d9d9d9d9d9d9d9d9' }],
          Entries: [
            { RuleNumber: 100, Egress: false, Protocol: '6', RuleAction: 'allow', CidrBlock: '10.0.0.0/16', PortRange: { From: 8080, To: 8080 } },
            { RuleNumber: 100, Egress: true, Protocol: '6', RuleAction: 'allow', CidrBlock: '0.0.0.0/0', PortRange: { From: 443, To: 443 } },
            deny(false),
            deny(true),
          ],
        },
      ],
    });
    const { result, summary } = await run(checkLoadBalancerPath, {
      lb_security_groups: ['sg-0d000000000001b01'],
      lb_subnets: ['subnet-0d1d1d1d1d1d1d1d1'],
      target_instance_ids: ['i-0d00000000000dd01'],
      ports: [8080],
    });
    expect(result).toMatchObject({
      ok: false,
      nacl_problem: true,
      security_group_problem: false,
      security_groups: { lb_egress: [{ port: 8080, allowed: true }], target_ingress: [{ port: 8080, allowed: true }] },
      problems: [
        'network ACL acl-0d000000000000a01 of target subnet subnet-0d9d9d9d9d9d9d9d9 blocks outbound (return) TCP 1024-65535 by rule * (default deny) to 10.0.0.0/24 (answers never reach the other side: connection errors and 504s)',
      ],
    });
    expect(summary).toMatch(/^1 problem: network ACL acl-0d000000000000a01/);
    expect(ec2.commandCalls(DescribeNetworkAclsCommand)[0]!.args[0].input).toEqual({ Filters: [{ Name: 'association.subnet-id', Values: ['subnet-0d1d1d1d1d1d1d1d1', 'subnet-0d9d9d9d9d9d9d9d9'] }] });
  });

  it('a target security group without the LB group is named', async () => {
    ec2.on(DescribeSubnetsCommand).resolves({ Subnets: [{ SubnetId: 'subnet-0d1d1d1d1d1d1d1d1', CidrBlock: '10.0.0.0/24' }] });
    ec2.on(DescribeSecurityGroupsCommand).resolves({
      SecurityGroups: [
        { GroupId: 'sg-0d000000000001b01', IpPermissionsEgress: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] },
        { GroupId: 'sg-0d000000000000a01', IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '10.0.0.0/8' }] }] },
      ],
    });
    ec2.on(DescribeNetworkAclsCommand).resolves({ NetworkAcls: [] });
    const { result } = await run(checkLoadBalancerPath, { lb_security_groups: ['sg-0d000000000001b01'], lb_subnets: ['subnet-0d1d1d1d1d1d1d1d1'], target_security_groups: ['sg-0d000000000000a01'], ports: [8080] });
    expect(result.problems).toEqual(["the targets' security groups (sg-0d000000000000a01) allow no inbound TCP 8080 from the load balancer's security group or subnets"]);
    expect(result.notes).toContain('no network ACL found for subnet-0d1d1d1d1d1d1d1d1');
  });
});
