// Classic Load Balancer step kinds: the load balancer, its attributes (idle timeout, draining,
// access logs), instance health as the CLB sees it, and setting the idle timeout to an absolute
// value with the previous one kept. At a CLB, a back-end that closes connections before the idle
// timeout shows as 504 (at an ALB the same mismatch is a 502).
import type { LoadBalancerAttributes } from '@aws-sdk/client-elastic-load-balancing';
import { z } from 'zod';
import { defineKind } from '../../core/kind.js';
import { StepFailure } from '../../core/failure.js';
import { api, AwsSession, iso, lbName, regionParam, tagMap } from './common.js';
import { ownershipFromTags } from './elbv2.js';

const nameParams = z.object({ name: lbName, ...regionParam }).strict();

export const describeClassicLoadBalancers = defineKind({
  name: 'aws.elb.describeLoadBalancers',
  effect: 'read',
  params: nameParams,
  describe: (p) => ({ summary: `elasticloadbalancing:DescribeLoadBalancers (classic) ${p.name} and its tags`, api: api('elb', 'DescribeLoadBalancers'), resources: [p.name] }),
  async run(p, ctx) {
    const s = new AwsSession(ctx, p.region);
    const out = await s.call('elb', (m) => new m.DescribeLoadBalancersCommand({ LoadBalancerNames: [p.name] }), [p.name]);
    const lb = out.output.LoadBalancerDescriptions?.[0];
    if (!lb) throw new StepFailure(`no classic load balancer ${p.name} in this account and region`);
    const tagsOut = await s.call('elb', (m) => new m.DescribeTagsCommand({ LoadBalancerNames: [p.name] }), [p.name]);
    const tags = tagMap(tagsOut.output.TagDescriptions?.find((d) => d.LoadBalancerName === p.name)?.Tags);
    const owner = ownershipFromTags(tags, 'classic');
    if (owner.warning) ctx.log(`warning: ${owner.warning}`, 'log');
    const listeners = (lb.ListenerDescriptions ?? []).map((d) => ({
      protocol: d.Listener?.Protocol ?? null,
      port: d.Listener?.LoadBalancerPort ?? null,
      instance_protocol: d.Listener?.InstanceProtocol ?? null,
      instance_port: d.Listener?.InstancePort ?? null,
    }));
    const result = {
      name: lb.LoadBalancerName ?? p.name,
      dimension: lb.LoadBalancerName ?? p.name,
      dns_name: lb.DNSName ?? null,
      scheme: lb.Scheme ?? null,
      vpc_id: lb.VPCId ?? null,
      created: iso(lb.CreatedTime) ?? null,
      zones: lb.AvailabilityZones ?? [],
      subnets: lb.Subnets ?? [],
      security_groups: lb.SecurityGroups ?? [],
      instance_ids: (lb.Instances ?? []).map((i) => i.InstanceId).filter(Boolean),
      listeners,
      instance_ports: [...new Set(listeners.map((l) => l.instance_port).filter((x): x is number => typeof x === 'number'))],
      health_check: {
        target: lb.HealthCheck?.Target ?? null,
        interval_s: lb.HealthCheck?.Interval ?? null,
        timeout_s: lb.HealthCheck?.Timeout ?? null,
        unhealthy_threshold: lb.HealthCheck?.UnhealthyThreshold ?? null,
        healthy_threshold: lb.HealthCheck?.HealthyThreshold ?? null,
      },
      tags,
      owner,
    };
    return {
      result,
      summary: `${result.name}: classic ${result.scheme ?? ''}, ${result.instance_ids.length} instances, listeners ${listeners.map((l) => `${l.protocol}:${l.port}→${l.instance_port}`).join(', ')}${owner.managed ? `; owned by ${owner.by}` : ''}`,
      raw: s.raw(),
    };
  },
});

export function reduceClassicAttributes(a: LoadBalancerAttributes | undefined) {
  return {
    idle_timeout_s: a?.ConnectionSettings?.IdleTimeout ?? 60,
    connection_draining: { enabled: a?.ConnectionDraining?.Enabled === true, timeout_s: a?.ConnectionDraining?.Timeout ?? null },
    access_logs: {
      enabled: a?.AccessLog?.Enabled === true,
      bucket: a?.AccessLog?.S3BucketName ?? '',
      prefix: a?.AccessLog?.S3BucketPrefix ?? '',
      emit_interval_min: a?.AccessLog?.EmitInterval ?? null,
    },
    cross_zone: a?.CrossZoneLoadBalancing?.Enabled === true,
  };
}

export const describeClassicLoadBalancerAttributes = defineKind({
  name: 'aws.elb.describeLoadBalancerAttributes',
  effect: 'read',
  params: nameParams,
  describe: (p) => ({ summary: `elasticloadbalancing:DescribeLoadBalancerAttributes (classic) ${p.name}`, api: api('elb', 'DescribeLoadBalancerAttributes'), resources: [p.name] }),
  async run(p, ctx) {
    const s = new AwsSession(ctx, p.region);
    const out = await s.call('elb', (m) => new m.DescribeLoadBalancerAttributesCommand({ LoadBalancerName: p.name }), [p.name]);
    const r = reduceClassicAttributes(out.output.LoadBalancerAttributes);
    const logs = r.access_logs.enabled ? `access logs to s3://${r.access_logs.bucket}${r.access_logs.prefix ? `/${r.access_logs.prefix}` : ''}` : 'access logs off';
    return { result: r, summary: `idle timeout ${r.idle_timeout_s} s, draining ${r.connection_draining.enabled ? `${r.connection_draining.timeout_s} s` : 'off'}, ${logs}`, raw: s.raw() };
  },
});

export const modifyClassicLoadBalancerAttributes = defineKind({
  name: 'aws.elb.modifyLoadBalancerAttributes',
  effect: 'write',
  params: z
    .object({
      name: lbName,
      idle_timeout_s: z.number().int().min(1).max(4000).describe('The absolute idle timeout in seconds (1–4000)'),
      ...regionParam,
    })
    .strict(),
  describe: (p) => ({
    summary: `elasticloadbalancing:ModifyLoadBalancerAttributes (classic) ${p.name} ConnectionSettings.IdleTimeout=${p.idle_timeout_s}`,
    api: api('elb', 'ModifyLoadBalancerAttributes'),
    resources: [p.name],
  }),
  async run(p, ctx) {
    const s = new AwsSession(ctx, p.region);
    const read = await s.call('elb', (m) => new m.DescribeLoadBalancerAttributesCommand({ LoadBalancerName: p.name }), [p.name]);
    const before = reduceClassicAttributes(read.output.LoadBalancerAttributes);
    const previous = { idle_timeout_s: before.idle_timeout_s };
    if (before.idle_timeout_s === p.idle_timeout_s) {
      ctx.log(`the idle timeout is already ${p.idle_timeout_s} s; nothing to change`, 'log');
      return { result: { name: p.name, called: false, previous, current: { idle_timeout_s: p.idle_timeout_s }, request_id: null }, summary: 'already set; nothing changed', raw: s.raw() };
    }
    const out = await s.call(
      'elb',
      (m) => new m.ModifyLoadBalancerAttributesCommand({ LoadBalancerName: p.name, LoadBalancerAttributes: { ConnectionSettings: { IdleTimeout: p.idle_timeout_s } } }),
      [p.name],
    );
    const after = reduceClassicAttributes(out.output.LoadBalancerAttributes);
    return {
      result: { name: p.name, called: true, previous, current: { idle_timeout_s: after.idle_timeout_s }, request_id: s.requestId('ModifyLoadBalancerAttributes') ?? null },
      summary: `idle timeout ${before.idle_timeout_s} s → ${after.idle_timeout_s} s`,
      raw: s.raw(),
    };
  },
});

export const describeInstanceHealth = defineKind({
  name: 'aws.elb.describeInstanceHealth',
  effect: 'read',
  params: nameParams,
  describe: (p) => ({ summary: `elasticloadbalancing:DescribeInstanceHealth (classic) ${p.name}`, api: api('elb', 'DescribeInstanceHealth'), resources: [p.name] }),
  async run(p, ctx) {
    const s = new AwsSession(ctx, p.region);
    const out = await s.call('elb', (m) => new m.DescribeInstanceHealthCommand({ LoadBalancerName: p.name }), [p.name]);
    const instances = (out.output.InstanceStates ?? []).map((i) => ({ id: String(i.InstanceId ?? ''), state: String(i.State ?? 'Unknown'), reason_code: i.ReasonCode ?? null, description: i.Description ?? null }));
    const count = (st: string) => instances.filter((i) => i.state === st).length;
    const out_ids = instances.filter((i) => i.state === 'OutOfService').map((i) => i.id);
    for (const i of instances) if (i.state !== 'InService') ctx.log(`${i.id} ${i.state} (${i.reason_code}: ${i.description})`, 'log');
    const result = { instances, total: instances.length, in_service: count('InService'), out_of_service: count('OutOfService'), unknown: count('Unknown'), out_of_service_ids: out_ids };
    return { result, summary: `${result.in_service}/${result.total} InService${result.out_of_service ? `, ${result.out_of_service} OutOfService` : ''}`, raw: s.raw() };
  },
});

export const ELB_KINDS = [describeClassicLoadBalancers, describeClassicLoadBalancerAttributes, modifyClassicLoadBalancerAttributes, describeInstanceHealth];
