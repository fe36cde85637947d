// Application Load Balancer step kinds for 504 triage: the load balancer and who owns its
// configuration (tags), its attributes (the idle timeout, access logs), target groups with their
// health checks and attributes, listeners and rules, target health; and setting attributes to
// absolute values with the previous ones kept for the rollback note.
import type { Action, Listener, RuleCondition, TargetGroup } from '@aws-sdk/client-elastic-load-balancing-v2';
import { z } from 'zod';
import { defineKind } from '../../core/kind.js';
import { StepFailure } from '../../core/failure.js';
import { api, AwsSession, iso, lbArn, lbName, regionParam, shortArn, tagMap, tgArn } from './common.js';

// ── ownership ───────────────────────────────────────────────────────────────────────────────────

export interface Ownership {
  managed: boolean;
  /** Who owns the configuration, in words. */
  by: string | null;
  /** The tag that says so. */
  tag: string | null;
  /** Where a lasting change must be made instead of on the load balancer itself. */
  change_via: string | null;
  warning: string | null;
}

/** Tags that mean a controller or IaC owns the load balancer: a direct edit would drift or be reverted. */
export function ownershipFromTags(tags: Record<string, string>, kind: 'application' | 'classic' = 'application'): Ownership {
  const has = (k: string) => Object.hasOwn(tags, k);
  const hit = (by: string, tag: string, change_via: string): Ownership => ({
    managed: true,
    by,
    tag,
    change_via,
    warning: `${by} owns this load balancer (tag ${tag}): a direct change drifts from it and may be reverted on its next sync or deploy. Make the lasting change in ${change_via}.`,
  });
  for (const k of ['elbv2.k8s.aws/cluster', 'ingress.k8s.aws/stack', 'ingress.k8s.aws/resource', 'service.k8s.aws/stack', 'service.k8s.aws/resource']) {
    if (has(k)) {
      const cluster = tags['elbv2.k8s.aws/cluster'];
      return hit(
        `the AWS Load Balancer Controller${cluster ? ` (cluster ${cluster})` : ''}`,
        k,
        k.startsWith('service.')
          ? 'the Service annotations (service.beta.kubernetes.io/aws-load-balancer-attributes)'
          : 'the Ingress annotation alb.ingress.kubernetes.io/load-balancer-attributes: idle_timeout.timeout_seconds=<n> (or its IngressClassParams)',
      );
    }
  }
  const k8sCluster = Object.keys(tags).find((k) => k.startsWith('kubernetes.io/cluster/'));
  if (k8sCluster || has('kubernetes.io/service-name')) {
    return hit(
      `Kubernetes (in-tree cloud provider${k8sCluster ? `, cluster ${k8sCluster.slice('kubernetes.io/cluster/'.length)}` : ''})`,
      k8sCluster ?? 'kubernetes.io/service-name',
      kind === 'classic'
        ? 'the Service annotation service.beta.kubernetes.io/aws-load-balancer-connection-idle-timeout'
        : 'the Service annotations of the cluster that created it',
    );
  }
  if (has('aws:cloudformation:stack-name')) {
    return hit(`CloudFormation stack ${tags['aws:cloudformation:stack-name']}`, 'aws:cloudformation:stack-name', 'the stack template (LoadBalancerAttributes), then update the stack');
  }
  if (has('elasticbeanstalk:environment-name')) {
    return hit(`Elastic Beanstalk environment ${tags['elasticbeanstalk:environment-name']}`, 'elasticbeanstalk:environment-name', 'the environment\'s option settings (aws:elbv2:loadbalancer IdleTimeout)');
  }
  for (const [k, v] of Object.entries(tags)) {
    const text = `${k}=${v}`.toLowerCase();
    const tool = ['terraform', 'pulumi', 'crossplane', 'cdk'].find((t) => text.includes(t));
    if (tool || /^(managed[-_ ]?by|managedby|provisioner)$/i.test(k)) {
      const name = tool ? tool[0]!.toUpperCase() + tool.slice(1) : v;
      return hit(`${name} (tag ${k}=${v})`, k, `the ${name} code for this load balancer, then apply it`);
    }
  }
  return { managed: false, by: null, tag: null, change_via: null, warning: null };
}

// ── the load balancer ───────────────────────────────────────────────────────────────────────────

export const describeLoadBalancers = defineKind({
  name: 'aws.elbv2.describeLoadBalancers',
  effect: 'read',
  params: z
    .object({ name: lbName.optional(), arn: lbArn.optional(), ...regionParam })
    .strict()
    .refine((p) => Boolean(p.name) !== Boolean(p.arn), { message: 'give either name or arn' }),
  describe: (p) => ({
    summary: `elasticloadbalancing:DescribeLoadBalancers ${p.name ?? shortArn(p.arn!)} and its tags`,
    api: api('elbv2', 'DescribeLoadBalancers'),
    resources: [p.name ?? p.arn!],
  }),
  async run(p, ctx) {
    const s = new AwsSession(ctx, p.region);
    const out = await s.call('elbv2', (m) => new m.DescribeLoadBalancersCommand(p.name ? { Names: [p.name] } : { LoadBalancerArns: [p.arn!] }), [p.name ?? p.arn!]);
    const lb = out.output.LoadBalancers?.[0];
    if (!lb) throw new StepFailure(`no load balancer ${p.name ?? p.arn} in this account and region`);
    const arn = String(lb.LoadBalancerArn);
    const tagsOut = await s.call('elbv2', (m) => new m.DescribeTagsCommand({ ResourceArns: [arn] }), [arn]);
    const tags = tagMap(tagsOut.output.TagDescriptions?.find((d) => d.ResourceArn === arn)?.Tags);
    const owner = ownershipFromTags(tags);
    const [, , , arnRegion = '', account = ''] = arn.split(':');
    // app/<name>/<id>: the CloudWatch dimension; app.<name>.<id>: how access-log file names spell it.
    const dimension = arn.slice(arn.indexOf(':loadbalancer/') + ':loadbalancer/'.length);
    const zones = (lb.AvailabilityZones ?? []).map((z) => ({ zone: z.ZoneName ?? '', subnet: z.SubnetId ?? '' }));
    const result = {
      arn,
      name: lb.LoadBalancerName ?? '',
      type: lb.Type ?? 'application',
      scheme: lb.Scheme ?? null,
      state: lb.State?.Code ?? null,
      vpc_id: lb.VpcId ?? null,
      dns_name: lb.DNSName ?? null,
      created: iso(lb.CreatedTime) ?? null,
      zones,
      subnets: zones.map((z) => z.subnet).filter(Boolean),
      security_groups: lb.SecurityGroups ?? [],
      dimension,
      log_file_id: dimension.replace(/\//g, '.'),
      region: arnRegion,
      account,
      tags,
      owner,
    };
    if (owner.warning) ctx.log(`warning: ${owner.warning}`, 'log');
    return {
      result,
      summary: `${result.name}: ${result.type} ${result.scheme ?? ''} in ${zones.length} zones, ${result.state ?? 'state unknown'}${owner.managed ? `; owned by ${owner.by}` : '; no controller or IaC tags'}`,
      raw: s.raw(),
    };
  },
});

// ── attributes ──────────────────────────────────────────────────────────────────────────────────

export function reduceAttributes(list: { Key?: string; Value?: string }[] | undefined) {
  const attributes: Record<string, string> = {};
  for (const a of list ?? []) if (a.Key) attributes[a.Key] = a.Value ?? '';
  const num = (k: string, d: number) => (attributes[k] !== undefined && attributes[k] !== '' ? Number(attributes[k]) : d);
  return {
    attributes,
    idle_timeout_s: num('idle_timeout.timeout_seconds', 60),
    client_keep_alive_s: num('client_keep_alive.seconds', 3600),
    access_logs: {
      enabled: attributes['access_logs.s3.enabled'] === 'true',
      bucket: attributes['access_logs.s3.bucket'] ?? '',
      prefix: attributes['access_logs.s3.prefix'] ?? '',
    },
    http2: attributes['routing.http2.enabled'] !== 'false',
    desync_mitigation_mode: attributes['routing.http.desync_mitigation_mode'] ?? null,
    deletion_protection: attributes['deletion_protection.enabled'] === 'true',
  };
}

export const describeLoadBalancerAttributes = defineKind({
  name: 'aws.elbv2.describeLoadBalancerAttributes',
  effect: 'read',
  params: z.object({ arn: lbArn, ...regionParam }).strict(),
  describe: (p) => ({ summary: `elasticloadbalancing:DescribeLoadBalancerAttributes ${shortArn(p.arn)}`, api: api('elbv2', 'DescribeLoadBalancerAttributes'), resources: [p.arn] }),
  async run(p, ctx) {
    const s = new AwsSession(ctx, p.region);
    const out = await s.call('elbv2', (m) => new m.DescribeLoadBalancerAttributesCommand({ LoadBalancerArn: p.arn }), [p.arn]);
    const r = reduceAttributes(out.output.Attributes);
    const logs = r.access_logs.enabled ? `access logs to s3://${r.access_logs.bucket}${r.access_logs.prefix ? `/${r.access_logs.prefix}` : ''}` : 'access logs off';
    return { result: r, summary: `idle timeout ${r.idle_timeout_s} s, client keep-alive ${r.client_keep_alive_s} s, ${logs}`, raw: s.raw() };
  },
});

const INT_RANGES: Record<string, [number, number]> = {
  'idle_timeout.timeout_seconds': [1, 4000],
  'client_keep_alive.seconds': [60, 604800],
  'deregistration_delay.timeout_seconds': [0, 3600],
};

const attrValue = z.union([z.string(), z.number(), z.boolean()]).transform(String);

export const modifyLoadBalancerAttributes = defineKind({
  name: 'aws.elbv2.modifyLoadBalancerAttributes',
  effect: 'write',
  params: z
    .object({
      arn: lbArn,
      attributes: z
        .record(z.string().regex(/^[a-z0-9_.]+$/, { message: 'attribute keys look like idle_timeout.timeout_seconds' }), attrValue)
        .refine((a) => Object.keys(a).length >= 1 && Object.keys(a).length <= 20, { message: 'give 1 to 20 attributes' })
        .describe('Absolute values, e.g. idle_timeout.timeout_seconds: 120 (never deltas: a re-run sets the same value)'),
      ...regionParam,
    })
    .strict()
    .superRefine((p, c) => {
      for (const [k, v] of Object.entries(p.attributes)) {
        const range = INT_RANGES[k];
        if (range && !(/^\d+$/.test(v) && Number(v) >= range[0] && Number(v) <= range[1])) {
          c.addIssue({ code: 'custom', path: ['attributes', k], message: `${k} must be a whole number of seconds from ${range[0]} to ${range[1]}, not '${v}'` });
        }
        if (k.endsWith('.enabled') && v !== 'true' && v !== 'false') c.addIssue({ code: 'custom', path: ['attributes', k], message: `${k} must be true or false, not '${v}'` });
      }
    }),
  describe: (p) => ({
    summary: `elasticloadbalancing:ModifyLoadBalancerAttributes ${shortArn(p.arn)} ${Object.entries(p.attributes)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ')}`,
    api: api('elbv2', 'ModifyLoadBalancerAttributes'),
    resources: [p.arn],
  }),
  async run(p, ctx) {
    const s = new AwsSession(ctx, p.region);
    const read = await s.call('elbv2', (m) => new m.DescribeLoadBalancerAttributesCommand({ LoadBalancerArn: p.arn }), [p.arn]);
    const before = reduceAttributes(read.output.Attributes).attributes;
    const previous: Record<string, string | null> = {};
    for (const k of Object.keys(p.attributes)) previous[k] = before[k] ?? null;
    const wanted = Object.entries(p.attributes).filter(([k, v]) => before[k] !== v);
    if (!wanted.length) {
      ctx.log('every attribute already has the wanted value; nothing to change', 'log');
      return { result: { arn: p.arn, called: false, changed: {}, previous, current: { ...p.attributes }, request_id: null }, summary: 'already set; nothing changed', raw: s.raw() };
    }
    const out = await s.call('elbv2', (m) => new m.ModifyLoadBalancerAttributesCommand({ LoadBalancerArn: p.arn, Attributes: wanted.map(([Key, Value]) => ({ Key, Value })) }), [p.arn]);
    const after = reduceAttributes(out.output.Attributes).attributes;
    const changed: Record<string, { from: string | null; to: string }> = {};
    for (const [k, v] of wanted) changed[k] = { from: previous[k] ?? null, to: after[k] ?? v };
    const current: Record<string, string> = {};
    for (const k of Object.keys(p.attributes)) current[k] = after[k] ?? p.attributes[k]!;
    return {
      result: { arn: p.arn, called: true, changed, previous, current, request_id: s.requestId('ModifyLoadBalancerAttributes') ?? null },
      summary: Object.entries(changed)
        .map(([k, c]) => `${k} ${c.from ?? '(unset)'} → ${c.to}`)
        .join(', '),
      raw: s.raw(),
    };
  },
});

// ── target groups ───────────────────────────────────────────────────────────────────────────────

export const describeTargetGroups = defineKind({
  name: 'aws.elbv2.describeTargetGroups',
  effect: 'read',
  params: z
    .object({ load_balancer_arn: lbArn, attributes: z.boolean().default(true).describe('Also read each target group\'s attributes'), ...regionParam })
    .strict(),
  describe: (p) => ({ summary: `elasticloadbalancing:DescribeTargetGroups of ${shortArn(p.load_balancer_arn)}`, api: api('elbv2', 'DescribeTargetGroups'), resources: [p.load_balancer_arn] }),
  async run(p, ctx) {
    const s = new AwsSession(ctx, p.region);
    const groups: TargetGroup[] = [];
    for await (const page of s.pages('elbv2', (m) => new m.DescribeTargetGroupsCommand({ LoadBalancerArn: p.load_balancer_arn }), { ids: [p.load_balancer_arn], maxPages: 20 })) {
      groups.push(...(page.TargetGroups ?? []));
    }
    const target_groups = [];
    for (const g of groups) {
      const arn = String(g.TargetGroupArn);
      let attributes: Record<string, string> = {};
      if (p.attributes) {
        const a = await s.call('elbv2', (m) => new m.DescribeTargetGroupAttributesCommand({ TargetGroupArn: arn }), [arn]);
        attributes = reduceAttributes(a.output.Attributes).attributes;
      }
      target_groups.push({
        arn,
        name: g.TargetGroupName ?? '',
        dimension: arn.slice(arn.indexOf(':targetgroup/') + 1),
        protocol: g.Protocol ?? null,
        protocol_version: g.ProtocolVersion ?? null,
        port: g.Port ?? null,
        target_type: g.TargetType ?? 'instance',
        health_check: {
          enabled: g.HealthCheckEnabled !== false,
          protocol: g.HealthCheckProtocol ?? null,
          port: g.HealthCheckPort ?? null,
          path: g.HealthCheckPath ?? null,
          interval_s: g.HealthCheckIntervalSeconds ?? null,
          timeout_s: g.HealthCheckTimeoutSeconds ?? null,
          healthy_threshold: g.HealthyThresholdCount ?? null,
          unhealthy_threshold: g.UnhealthyThresholdCount ?? null,
          matcher: g.Matcher?.HttpCode ?? g.Matcher?.GrpcCode ?? null,
        },
        attributes,
        deregistration_delay_s: attributes['deregistration_delay.timeout_seconds'] !== undefined ? Number(attributes['deregistration_delay.timeout_seconds']) : null,
      });
    }
    const types = [...new Set(target_groups.map((t) => t.target_type))];
    const ports = [...new Set(target_groups.flatMap((t) => [t.port, t.health_check.port === 'traffic-port' ? t.port : Number(t.health_check.port)]).filter((x): x is number => typeof x === 'number' && Number.isFinite(x)))];
    return {
      result: {
        target_groups,
        arns: target_groups.map((t) => t.arn),
        dimensions: target_groups.map((t) => t.dimension),
        target_types: types,
        lambda: types.includes('lambda'),
        https_targets: target_groups.some((t) => t.protocol === 'HTTPS'),
        ports,
      },
      summary: target_groups.length
        ? target_groups.map((t) => `${t.name} (${t.target_type}, ${t.protocol}:${t.port}, health ${t.health_check.path ?? t.health_check.protocol} every ${t.health_check.interval_s}s)`).join('; ')
        : 'no target groups: nothing is registered behind this load balancer',
      raw: s.raw(),
    };
  },
});

const UNHEALTHY = new Set(['unhealthy', 'unhealthy.draining']);

export const describeTargetHealth = defineKind({
  name: 'aws.elbv2.describeTargetHealth',
  effect: 'read',
  params: z.object({ target_group_arns: z.array(tgArn).min(1).max(20), ...regionParam }).strict(),
  describe: (p) => ({ summary: `elasticloadbalancing:DescribeTargetHealth of ${p.target_group_arns.map(shortArn).join(', ')}`, api: api('elbv2', 'DescribeTargetHealth'), resources: p.target_group_arns }),
  async run(p, ctx) {
    const s = new AwsSession(ctx, p.region);
    const groups = [];
    const targets: { group: string; id: string; port: number | null; az: string | null; state: string; reason: string | null; description: string | null; anomaly: string | null }[] = [];
    for (const arn of p.target_group_arns) {
      const out = await s.call('elbv2', (m) => new m.DescribeTargetHealthCommand({ TargetGroupArn: arn }), [arn]);
      const list = (out.output.TargetHealthDescriptions ?? []).map((d) => ({
        group: shortArn(arn),
        id: String(d.Target?.Id ?? ''),
        port: d.Target?.Port ?? null,
        az: d.Target?.AvailabilityZone ?? null,
        state: String(d.TargetHealth?.State ?? 'unknown'),
        reason: d.TargetHealth?.Reason ?? null,
        description: d.TargetHealth?.Description ?? null,
        anomaly: d.AnomalyDetection?.Result ?? null,
      }));
      targets.push(...list);
      const healthy = list.filter((t) => t.state === 'healthy').length;
      const unhealthy = list.filter((t) => UNHEALTHY.has(t.state)).length;
      groups.push({ arn, total: list.length, healthy, unhealthy, fail_open: list.length > 0 && unhealthy === list.length });
    }
    const count = (st: string) => targets.filter((t) => t.state === st).length;
    const reasons: Record<string, number> = {};
    for (const t of targets) if (t.reason) reasons[t.reason] = (reasons[t.reason] ?? 0) + 1;
    const unhealthy = targets.filter((t) => UNHEALTHY.has(t.state));
    const result = {
      targets,
      groups,
      total: targets.length,
      healthy: count('healthy'),
      unhealthy: unhealthy.length,
      initial: count('initial'),
      unused: count('unused'),
      draining: count('draining'),
      unavailable: count('unavailable'),
      not_healthy: targets.length - count('healthy'),
      reasons,
      unhealthy_ids: unhealthy.map((t) => t.id),
      // Stopped or terminated instance targets: the capacity is simply not there.
      invalid_state_ids: targets.filter((t) => t.reason === 'Target.InvalidState').map((t) => t.id),
      timeout_ids: targets.filter((t) => t.reason === 'Target.Timeout' || t.reason === 'Target.FailedHealthChecks').map((t) => t.id),
      // Every target unhealthy: the ALB fails open and routes to all of them.
      fail_open: groups.some((g) => g.fail_open),
      no_targets: targets.length === 0,
    };
    for (const t of targets) if (t.state !== 'healthy') ctx.log(`${t.group} ${t.id}${t.port ? `:${t.port}` : ''} ${t.state}${t.reason ? ` (${t.reason}${t.description ? `: ${t.description}` : ''})` : ''}`, 'log');
    const parts = [`${result.healthy}/${result.total} healthy`];
    if (result.unhealthy) parts.push(`${result.unhealthy} unhealthy`);
    if (result.unused) parts.push(`${result.unused} unused`);
    if (Object.keys(reasons).length) parts.push(Object.entries(reasons).map(([r, n]) => `${r}×${n}`).join(', '));
    if (result.fail_open) parts.push('all unhealthy in a group: the load balancer fails open');
    return { result, summary: parts.join('; '), raw: s.raw() };
  },
});

// ── listeners and rules ─────────────────────────────────────────────────────────────────────────

function forwardTargets(actions: Action[] | undefined): string[] {
  const out: string[] = [];
  for (const a of actions ?? []) {
    if (a.TargetGroupArn) out.push(shortArn(String(a.TargetGroupArn)));
    for (const t of a.ForwardConfig?.TargetGroups ?? []) if (t.TargetGroupArn) out.push(shortArn(String(t.TargetGroupArn)));
  }
  return [...new Set(out)];
}

function conditionText(c: RuleCondition): string {
  const field = String(c.Field ?? '');
  const values: string[] = c.Values ?? c.PathPatternConfig?.Values ?? c.HostHeaderConfig?.Values ?? c.HttpRequestMethodConfig?.Values ?? c.SourceIpConfig?.Values ?? [];
  return `${field} ${values.join(',')}`.trim();
}

export const describeListeners = defineKind({
  name: 'aws.elbv2.describeListeners',
  effect: 'read',
  params: z.object({ load_balancer_arn: lbArn, rules: z.boolean().default(true).describe('Also read each listener\'s rules'), ...regionParam }).strict(),
  describe: (p) => ({ summary: `elasticloadbalancing:DescribeListeners${p.rules ? ' and DescribeRules' : ''} of ${shortArn(p.load_balancer_arn)}`, api: api('elbv2', 'DescribeListeners'), resources: [p.load_balancer_arn] }),
  async run(p, ctx) {
    const s = new AwsSession(ctx, p.region);
    const raw: Listener[] = [];
    for await (const page of s.pages('elbv2', (m) => new m.DescribeListenersCommand({ LoadBalancerArn: p.load_balancer_arn }), { ids: [p.load_balancer_arn], maxPages: 20 })) {
      raw.push(...(page.Listeners ?? []));
    }
    const listeners = [];
    for (const l of raw) {
      const rules = [];
      if (p.rules) {
        const out = await s.call('elbv2', (m) => new m.DescribeRulesCommand({ ListenerArn: l.ListenerArn }), [String(l.ListenerArn)]);
        for (const r of out.output.Rules ?? []) {
          rules.push({ priority: String(r.Priority ?? ''), default: r.IsDefault === true, conditions: (r.Conditions ?? []).map(conditionText), action: r.Actions?.[0]?.Type ?? null, target_groups: forwardTargets(r.Actions) });
        }
      }
      listeners.push({ arn: String(l.ListenerArn), port: l.Port ?? null, protocol: l.Protocol ?? null, default_action: l.DefaultActions?.[0]?.Type ?? null, default_target_groups: forwardTargets(l.DefaultActions), rules });
    }
    return {
      result: { listeners, ports: listeners.map((l) => l.port) },
      summary: listeners.length ? listeners.map((l) => `${l.protocol}:${l.port} → ${l.default_target_groups.join(', ') || l.default_action}${l.rules.length > 1 ? ` (+${l.rules.length - 1} rules)` : ''}`).join('; ') : 'no listeners',
      raw: s.raw(),
    };
  },
});

export const ELBV2_KINDS = [describeLoadBalancers, describeLoadBalancerAttributes, modifyLoadBalancerAttributes, describeTargetGroups, describeTargetHealth, describeListeners];
