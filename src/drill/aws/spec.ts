// The `aws:` section of a drill scenario: the AWS account as it is when the page arrives.
// Times are offsets from the drill's start (`-30m`, `+2h`, `0s`) or ISO timestamps, so one
// scenario reads the same whatever simulated date it starts on.
import { awsRuleSchema } from './rules.js';
import { z } from 'zod';
import { DURATION_RE, parseDuration } from '../../runbook/duration.js';

const OFFSET_RE = /^[+-]?(\d+(ms|s|m|h|d))+$/;

/** A moment: an offset from the drill's start, or an ISO timestamp. */
export const when = z.union([z.string().regex(OFFSET_RE), z.iso.datetime()], {
  error: "must be an offset from the drill's start like '-30m' or '+2h', or an ISO timestamp",
});
export const duration = z.string().regex(DURATION_RE, { message: "must be a duration like '45s' or '2m'" });

/** Milliseconds in `30s`, `-1h30m`, `+5m`. */
export function offsetMs(text: string): number {
  return (text.startsWith('-') ? -1 : 1) * parseDuration(text.replace(/^[+-]/, ''));
}

/** Epoch milliseconds of a `when`, given the drill's start. */
export function resolveWhen(value: string, start: number): number {
  return OFFSET_RE.test(value) ? start + offsetMs(value) : Date.parse(value);
}

const checkStatus = z.enum(['ok', 'impaired', 'initializing']);
const tags = z.record(z.string(), z.string()).default({});

const instanceEvent = z
  .object({
    id: z.string().optional(),
    code: z.enum(['instance-reboot', 'system-reboot', 'system-maintenance', 'instance-retirement', 'instance-stop']),
    description: z.string().default('The instance is running on degraded hardware'),
    not_before: when,
    not_after: when.optional(),
    not_before_deadline: when.optional(),
  })
  .strict();

const volume = z
  .object({
    id: z.string().regex(/^vol-[0-9a-f]{8,17}$/),
    device: z.string().default('/dev/xvda'),
    size_gb: z.number().int().positive().default(8),
    type: z.string().default('gp3'),
    status: z.enum(['ok', 'warning', 'impaired', 'insufficient-data']).default('ok'),
    io_enabled: z.boolean().default(true).describe("false: EBS disabled I/O ('Awaiting Action: Enable IO')"),
  })
  .strict();

const instance = z
  .object({
    id: z.string().regex(/^i-[0-9a-f]{8,17}$/, { message: 'an instance id is i- followed by 8 or 17 hex digits' }),
    type: z.string().default('m5.large'),
    state: z.enum(['pending', 'running', 'stopping', 'stopped', 'terminated']).default('running'),
    az: z.string().optional().describe("Availability zone; default the region's 'a' zone"),
    root_device_type: z.enum(['ebs', 'instance-store']).default('ebs'),
    public_ip: z.string().optional(),
    private_ip: z.string().optional(),
    elastic_ip: z.boolean().default(false).describe('The public IP is an Elastic IP and survives stop/start'),
    subnet_id: z.string().optional(),
    vpc_id: z.string().optional(),
    security_groups: z.array(z.string()).default([]),
    launched: when.default('-30d'),
    lifecycle: z.enum(['spot', 'scheduled', 'capacity-block']).optional(),
    auto_recovery: z.enum(['default', 'disabled']).default('default'),
    tags,
    status: z
      .object({ system: checkStatus.default('ok'), instance: checkStatus.default('ok'), attached_ebs: checkStatus.default('ok') })
      .strict()
      .default({ system: 'ok', instance: 'ok', attached_ebs: 'ok' }),
    impaired_since: when.default('-20m').describe("When the failing checks began; a later offset ('+5m') makes them fail during the drill"),
    instance_check_cause: z
      .enum(['host', 'guest_transient', 'guest_persistent'])
      .optional()
      .describe('Why the instance check fails: the host (fixed by moving hosts), a guest problem a reboot fixes, or one nothing but repair fixes. Default: host when the system check fails too'),
    events: z.array(instanceEvent).default([]),
    console_output: z.string().default(''),
    volumes: z.array(volume).default([]),
    stuck_stopping: z.boolean().default(false).describe('A normal stop hangs in stopping; only Force finishes it'),
    delays: z
      .object({
        stop: duration.default('45s'),
        force_stop: duration.default('60s'),
        start: duration.default('30s'),
        reboot: duration.default('40s'),
        status_checks: duration.default('60s').describe('How long checks report initializing after a start'),
      })
      .strict()
      .default({ stop: '45s', force_stop: '60s', start: '30s', reboot: '40s', status_checks: '60s' }),
  })
  .strict();

const sgRule = z
  .object({
    protocol: z.string().default('tcp').describe("tcp, udp, icmp or '-1' for all"),
    port: z.number().int().optional().describe('A single port (sets from and to)'),
    from: z.number().int().optional(),
    to: z.number().int().optional(),
    cidrs: z.array(z.string()).default([]),
    groups: z.array(z.string()).default([]),
    description: z.string().optional(),
  })
  .strict();

const securityGroup = z
  .object({
    id: z.string().regex(/^sg-[0-9a-f]{8,17}$/),
    name: z.string(),
    description: z.string().default(''),
    vpc_id: z.string().optional(),
    ingress: z.array(sgRule).default([]),
    egress: z.array(sgRule).default([{ protocol: '-1', cidrs: ['0.0.0.0/0'], groups: [] }]),
    tags,
  })
  .strict();

const naclEntry = z
  .object({
    rule: z.number().int(),
    egress: z.boolean().default(false),
    protocol: z.string().default('-1').describe("'-1' all, '6' tcp, '17' udp (or tcp/udp)"),
    action: z.enum(['allow', 'deny']).default('allow'),
    cidr: z.string().default('0.0.0.0/0'),
    from: z.number().int().optional(),
    to: z.number().int().optional(),
  })
  .strict();

const networkAcl = z
  .object({
    id: z.string().regex(/^acl-[0-9a-f]{8,17}$/),
    vpc_id: z.string().optional(),
    default: z.boolean().default(false),
    subnets: z.array(z.string()).default([]),
    entries: z.array(naclEntry).default([]),
    tags,
  })
  .strict();

const subnet = z
  .object({
    id: z.string().regex(/^subnet-[0-9a-f]{8,17}$/),
    cidr: z.string().regex(/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/, { message: 'an IPv4 CIDR like 10.0.1.0/24' }),
    az: z.string().optional(),
    vpc_id: z.string().default('vpc-0a1b2c3d4e5f60718'),
  })
  .strict();

const attributeValue = z.union([z.string(), z.number(), z.boolean()]).transform(String);

const slowRequests = z
  .object({
    duration_s: z.number().positive().describe('How long the slow requests take; an idle timeout above this ends the 504s'),
    metrics: z.array(z.string()).optional().describe('Metrics that drop to zero once fixed (default: the LB-generated 504 count)'),
  })
  .strict();

const target = z
  .object({
    id: z.string(),
    port: z.number().int().optional(),
    az: z.string().optional(),
    state: z.enum(['initial', 'healthy', 'unhealthy', 'unhealthy.draining', 'unused', 'draining', 'unavailable']).default('healthy'),
    reason: z.string().optional().describe('e.g. Target.Timeout, Target.ResponseCodeMismatch'),
    description: z.string().optional(),
  })
  .strict();

const targetGroup = z
  .object({
    name: z.string(),
    arn: z.string().optional(),
    protocol: z.string().default('HTTP'),
    port: z.number().int().default(80),
    target_type: z.enum(['instance', 'ip', 'lambda', 'alb']).default('instance'),
    health_check: z
      .object({
        protocol: z.string().default('HTTP'),
        port: z.string().default('traffic-port'),
        path: z.string().default('/'),
        interval_s: z.number().int().default(30),
        timeout_s: z.number().int().default(5),
        healthy_threshold: z.number().int().default(5),
        unhealthy_threshold: z.number().int().default(2),
        matcher: z.string().default('200'),
      })
      .strict()
      .default({ protocol: 'HTTP', port: 'traffic-port', path: '/', interval_s: 30, timeout_s: 5, healthy_threshold: 5, unhealthy_threshold: 2, matcher: '200' }),
    attributes: z.record(z.string(), attributeValue).default({}),
    tags,
    targets: z.array(target).default([]),
  })
  .strict();

const listener = z
  .object({
    arn: z.string().optional(),
    port: z.number().int(),
    protocol: z.string().default('HTTP'),
    target_group: z.string().optional().describe('Name of the target group the default action forwards to'),
    rules: z
      .array(
        z
          .object({
            priority: z.number().int().min(1).max(50000),
            path_patterns: z.array(z.string()).default([]),
            host_headers: z.array(z.string()).default([]),
            target_group: z.string().describe('Name of the target group this rule forwards to'),
          })
          .strict(),
      )
      .default([])
      .describe('Rules before the default action (DescribeRules)'),
  })
  .strict();

const loadBalancerV2 = z
  .object({
    name: z.string().regex(/^[a-zA-Z0-9-]{1,32}$/),
    arn: z.string().optional(),
    type: z.enum(['application', 'network']).default('application'),
    scheme: z.enum(['internet-facing', 'internal']).default('internet-facing'),
    state: z.enum(['active', 'provisioning', 'active_impaired', 'failed']).default('active'),
    vpc_id: z.string().default('vpc-0a1b2c3d4e5f60718'),
    dns_name: z.string().optional(),
    zones: z.array(z.object({ zone: z.string(), subnet: z.string() }).strict()).default([]),
    security_groups: z.array(z.string()).default([]),
    created: when.default('-400d'),
    attributes: z.record(z.string(), attributeValue).default({}).describe('e.g. idle_timeout.timeout_seconds: 60'),
    tags: tags.describe('Ownership shows here: elbv2.k8s.aws/cluster, aws:cloudformation:stack-name, …'),
    listeners: z.array(listener).default([]),
    target_groups: z.array(targetGroup).default([]),
    slow_requests: slowRequests.optional(),
  })
  .strict();

const classicInstance = z
  .object({
    id: z.string(),
    state: z.enum(['InService', 'OutOfService', 'Unknown']).default('InService'),
    reason_code: z.enum(['ELB', 'Instance', 'N/A']).default('N/A'),
    description: z.string().default('N/A'),
  })
  .strict();

const classicLoadBalancer = z
  .object({
    name: z.string().regex(/^[a-zA-Z0-9-]{1,32}$/),
    dns_name: z.string().optional(),
    scheme: z.enum(['internet-facing', 'internal']).default('internet-facing'),
    vpc_id: z.string().default('vpc-0a1b2c3d4e5f60718'),
    zones: z.array(z.string()).default([]),
    subnets: z.array(z.string()).default([]),
    security_groups: z.array(z.string()).default([]),
    created: when.default('-900d'),
    listeners: z
      .array(
        z
          .object({ protocol: z.string().default('HTTP'), port: z.number().int(), instance_protocol: z.string().optional(), instance_port: z.number().int().optional() })
          .strict(),
      )
      .default([]),
    health_check: z
      .object({
        target: z.string().default('HTTP:80/'),
        interval_s: z.number().int().default(30),
        timeout_s: z.number().int().default(5),
        unhealthy_threshold: z.number().int().default(2),
        healthy_threshold: z.number().int().default(10),
      })
      .strict()
      .default({ target: 'HTTP:80/', interval_s: 30, timeout_s: 5, unhealthy_threshold: 2, healthy_threshold: 10 }),
    idle_timeout: z.number().int().min(1).max(4000).default(60),
    connection_draining: z.object({ enabled: z.boolean().default(true), timeout: z.number().int().default(300) }).strict().default({ enabled: true, timeout: 300 }),
    access_log: z
      .object({ enabled: z.boolean().default(false), bucket: z.string().optional(), prefix: z.string().optional(), emit_interval: z.number().int().optional() })
      .strict()
      .default({ enabled: false }),
    cross_zone: z.boolean().default(true),
    instances: z.array(classicInstance).default([]),
    tags,
    slow_requests: slowRequests.optional(),
  })
  .strict();

const seriesPoint = z.object({ at: when, value: z.number() }).strict();
const seriesRun = z
  .object({
    from: when,
    to: when.optional().describe('Open-ended when absent: the series goes on as simulated time passes'),
    every: duration.default('1m'),
    value: z.number().optional(),
    pattern: z.array(z.number()).min(1).optional().describe('Values repeated in turn'),
  })
  .strict()
  .refine((r) => (r.value === undefined) !== (r.pattern === undefined), { message: 'give either value or pattern' });

const metric = z
  .object({
    namespace: z.string(),
    name: z.string(),
    dimensions: z.record(z.string(), z.string()).default({}),
    load_balancer: z.string().optional().describe('Adds the LoadBalancer (ALB/NLB) or LoadBalancerName (classic) dimension for this load balancer'),
    target_group: z.string().optional().describe('Adds the TargetGroup dimension for this target group'),
    unit: z.string().optional(),
    absent_when_zero: z.boolean().optional().describe('Zero samples are not reported (default: true for ELB error and count metrics, as in CloudWatch)'),
    while_unhealthy: z
      .string()
      .optional()
      .describe('Name of a target group: the series has samples only while a target of it is not healthy (the errors end once every target is healthy again)'),
    series: z.array(z.union([seriesPoint, seriesRun])).default([]),
  })
  .strict();

const alarm = z
  .object({
    name: z.string(),
    namespace: z.string(),
    metric: z.string(),
    dimensions: z.record(z.string(), z.string()).default({}),
    statistic: z.enum(['SampleCount', 'Average', 'Sum', 'Minimum', 'Maximum']).default('Maximum'),
    period: z.number().int().default(60),
    evaluation_periods: z.number().int().default(2),
    threshold: z.number(),
    comparison: z
      .enum(['GreaterThanOrEqualToThreshold', 'GreaterThanThreshold', 'LessThanThreshold', 'LessThanOrEqualToThreshold'])
      .default('GreaterThanOrEqualToThreshold'),
    actions: z.array(z.string()).default([]),
  })
  .strict();

const s3Object = z
  .object({
    bucket: z.string(),
    key: z.string(),
    content: z.string().optional(),
    gzip_lines: z.array(z.string()).optional().describe('Lines stored gzip-compressed, as ALB access logs are'),
    content_type: z.string().optional(),
    last_modified: when.default('0s'),
  })
  .strict()
  .refine((o) => (o.content === undefined) !== (o.gzip_lines === undefined), { message: 'give either content or gzip_lines' });

const secret = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9/_+=.@-]{1,512}$/),
    value: z.union([z.string().min(1), z.record(z.string(), z.unknown())]).describe('A string, or a mapping stored as JSON'),
    description: z.string().optional(),
    tags,
    kms_key_id: z.string().optional().describe('Absent: the aws/secretsmanager key'),
    created: when.default('-90d'),
    deleted: z.object({ at: when, recovery_days: z.number().int().min(7).max(30).default(30) }).strict().optional(),
  })
  .strict();

export const awsServiceName = z.enum(['ec2', 'elbv2', 'elb', 'cloudwatch', 's3', 'secretsmanager', 'sts']);

const fault = z
  .object({
    service: awsServiceName,
    command: z.string().describe("The operation, e.g. DescribeInstanceStatus, or '*'"),
    error: z.string().describe('The AWS error code, e.g. RequestLimitExceeded, ThrottlingException, InternalError'),
    message: z.string().optional(),
    status: z.number().int().min(400).max(599).optional(),
    times: z.number().int().positive().default(1),
    after: z.number().int().nonnegative().default(0).describe('Matching calls that succeed before the fault starts'),
  })
  .strict();

export const awsSpecSchema = z
  .object({
    region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/).default('us-east-1'),
    identity: z
      .object({
        account: z.string().regex(/^\d{12}$/).default('123456789012'),
        arn: z.string().default('arn:aws:sts::123456789012:assumed-role/OnCallResponder/drill'),
        user_id: z.string().default('AROADRILLEXAMPLE00001:drill'),
        denied_actions: z.array(z.string()).default([]).describe('IAM actions the drill identity lacks, e.g. ec2:StopInstances'),
      })
      .strict()
      .default({
        account: '123456789012',
        arn: 'arn:aws:sts::123456789012:assumed-role/OnCallResponder/drill',
        user_id: 'AROADRILLEXAMPLE00001:drill',
        denied_actions: [],
      }),
    latency_ms: z.number().int().nonnegative().default(50).describe('Simulated time each API call takes'),
    ec2: z
      .object({
        instances: z.array(instance).default([]),
        security_groups: z.array(securityGroup).default([]),
        network_acls: z.array(networkAcl).default([]),
        subnets: z.array(subnet).default([]).describe('Subnets with their CIDRs; others the scenario names get a made-up /24'),
      })
      .strict()
      .default({ instances: [], security_groups: [], network_acls: [], subnets: [] }),
    elbv2: z.object({ load_balancers: z.array(loadBalancerV2).default([]) }).strict().default({ load_balancers: [] }),
    elb: z.object({ load_balancers: z.array(classicLoadBalancer).default([]) }).strict().default({ load_balancers: [] }),
    cloudwatch: z.object({ metrics: z.array(metric).default([]), alarms: z.array(alarm).default([]) }).strict().default({ metrics: [], alarms: [] }),
    s3: z.object({ buckets: z.array(z.string()).default([]), objects: z.array(s3Object).default([]) }).strict().default({ buckets: [], objects: [] }),
    secretsmanager: z.object({ secrets: z.array(secret).default([]) }).strict().default({ secrets: [] }),
    faults: z.array(fault).default([]),
    rules: z.array(awsRuleSchema).default([]).describe('Answers for operations the account does not model (or answers differently), by CEL over the call and the account'),
  })
  .strict();

export type AwsSpec = z.infer<typeof awsSpecSchema>;
export type AwsSpecInput = z.input<typeof awsSpecSchema>;
export type InstanceSpec = z.infer<typeof instance>;
export type LoadBalancerV2Spec = z.infer<typeof loadBalancerV2>;
export type ClassicLoadBalancerSpec = z.infer<typeof classicLoadBalancer>;
export type MetricSpec = z.infer<typeof metric>;
export type SecretSpec = z.infer<typeof secret>;
export type FaultSpec = z.infer<typeof fault>;

/** Parses an `aws:` section (throws zod's error on a bad one; the scenario loader reports it with file:line). */
export function parseAwsSpec(input: unknown): AwsSpec {
  return awsSpecSchema.parse(input ?? {});
}
