// Load balancer kinds (ALB and CLB) with the real clients mocked: ownership from tags, attributes
// set to absolute values with the previous ones kept, target health reduced, errors in plain words.
import {
  DescribeInstanceHealthCommand,
  DescribeLoadBalancerAttributesCommand as ClassicDescribeAttributes,
  DescribeLoadBalancersCommand as ClassicDescribeLoadBalancers,
  DescribeTagsCommand as ClassicDescribeTags,
  ElasticLoadBalancingClient,
  ModifyLoadBalancerAttributesCommand as ClassicModify,
} from '@aws-sdk/client-elastic-load-balancing';
import {
  DescribeListenersCommand,
  DescribeLoadBalancerAttributesCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  DescribeTagsCommand,
  DescribeTargetGroupAttributesCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  ModifyLoadBalancerAttributesCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { describeClassicLoadBalancers, describeInstanceHealth, modifyClassicLoadBalancerAttributes } from '../../../src/executors/aws/elb.js';
import {
  describeListeners,
  describeLoadBalancerAttributes,
  describeLoadBalancers,
  describeTargetGroups,
  describeTargetHealth,
  modifyLoadBalancerAttributes,
  ownershipFromTags,
} from '../../../src/executors/aws/elbv2.js';
import { awsError, failure, run } from './helpers.js';

const elbv2 = mockClient(ElasticLoadBalancingV2Client);
const elb = mockClient(ElasticLoadBalancingClient);
afterEach(() => {
  elbv2.reset();
  elb.reset();
});

const ARN = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188';
const TG = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-tg/6d0ecf831eec9f09';
const attrs = (over: Record<string, string> = {}) =>
  Object.entries({ 'idle_timeout.timeout_seconds': '60', 'access_logs.s3.enabled': 'true', 'access_logs.s3.bucket': 'logs', 'access_logs.s3.prefix': 'web', ...over }).map(([Key, Value]) => ({ Key, Value }));

describe('aws.elbv2.describeLoadBalancers', () => {
  it('reads the load balancer, its CloudWatch dimension and who owns it', async () => {
    elbv2.on(DescribeLoadBalancersCommand).resolves({
      LoadBalancers: [
        {
          LoadBalancerArn: ARN,
          LoadBalancerName: 'web',
          Type: 'application',
          Scheme: 'internet-facing',
          State: { Code: 'active' },
          VpcId: 'vpc-1',
          AvailabilityZones: [
            { ZoneName: 'us-east-1a', SubnetId: 'subnet-0a1a1a1a1a1a1a1a1' },
            { ZoneName: 'us-east-1b', SubnetId: 'subnet-0b1b1b1b1b1b1b1b1' },
          ],
          SecurityGroups: ['sg-0aaa1111bbbb2222c'],
        },
      ],
    });
    elbv2.on(DescribeTagsCommand).resolves({ TagDescriptions: [{ ResourceArn: ARN, Tags: [{ Key: 'elbv2.k8s.aws/cluster', Value: 'prod' }, { Key: 'ingress.k8s.aws/stack', Value: 'web/web' }] }] });
    const { result, summary, h } = await run(describeLoadBalancers, { name: 'web' });
    expect(result).toMatchObject({
      arn: ARN,
      dimension: 'app/web/50dc6c495c0c9188',
      log_file_id: 'app.web.50dc6c495c0c9188',
      region: 'us-east-1',
      account: '123456789012',
      subnets: ['subnet-0a1a1a1a1a1a1a1a1', 'subnet-0b1b1b1b1b1b1b1b1'],
      owner: { managed: true, by: 'the AWS Load Balancer Controller (cluster prod)', tag: 'elbv2.k8s.aws/cluster' },
    });
    expect(summary).toContain('owned by the AWS Load Balancer Controller');
    expect(h.lines[0]).toMatch(/^warning: .*alb\.ingress\.kubernetes\.io\/load-balancer-attributes/);
    expect(elbv2.commandCalls(DescribeLoadBalancersCommand)[0]!.args[0].input).toEqual({ Names: ['web'] });
  });

  it('takes a name or an ARN, not both and not any string', () => {
    expect(describeLoadBalancers.params.safeParse({ name: 'web', arn: ARN }).success).toBe(false);
    expect(describeLoadBalancers.params.safeParse({}).success).toBe(false);
    expect(describeLoadBalancers.params.safeParse({ name: '-web' }).success).toBe(false);
    expect(describeLoadBalancers.params.safeParse({ arn: 'arn:aws:elasticloadbalancing:us-east-1:1:loadbalancer/app/web/x' }).success).toBe(false);
  });

  it('an unknown load balancer names it', async () => {
    elbv2.on(DescribeLoadBalancersCommand).rejects(awsError('LoadBalancerNotFound', 'One or more load balancers not found'));
    const err = await failure(run(describeLoadBalancers, { name: 'webb' }));
    expect(err.message).toBe('Elastic Load Balancing has no load balancer webb in this account in us-east-1 (LoadBalancerNotFound). Check the id, the --region and the --profile. (request id req-test)');
  });
});

describe('ownership from tags', () => {
  it.each([
    [{ 'aws:cloudformation:stack-name': 'checkout-prod' }, 'CloudFormation stack checkout-prod', /stack template/],
    [{ 'kubernetes.io/cluster/prod': 'owned', 'kubernetes.io/service-name': 'web/legacy' }, 'Kubernetes (in-tree cloud provider, cluster prod)', /connection-idle-timeout/],
    [{ ManagedBy: 'Terraform' }, 'Terraform (tag ManagedBy=Terraform)', /Terraform code/],
    [{ 'elasticbeanstalk:environment-name': 'web-prod' }, 'Elastic Beanstalk environment web-prod', /IdleTimeout/],
  ])('%j → %s', (tags, by, via) => {
    const o = ownershipFromTags(tags, 'classic');
    expect(o).toMatchObject({ managed: true, by });
    expect(o.change_via).toMatch(via);
  });

  it('ordinary tags mean no owner', () => {
    expect(ownershipFromTags({ team: 'shop', env: 'prod' })).toEqual({ managed: false, by: null, tag: null, change_via: null, warning: null });
  });
});

describe('aws.elbv2 attributes', () => {
  it('describe reduces the attributes an operator reads', async () => {
    elbv2.on(DescribeLoadBalancerAttributesCommand).resolves({ Attributes: attrs() });
    const { result, summary } = await run(describeLoadBalancerAttributes, { arn: ARN });
    expect(result).toMatchObject({ idle_timeout_s: 60, access_logs: { enabled: true, bucket: 'logs', prefix: 'web' } });
    expect(summary).toBe('idle timeout 60 s, client keep-alive 3600 s, access logs to s3://logs/web');
  });

  it('modify sets absolute values, only the ones that differ, and keeps the previous ones', async () => {
    elbv2.on(DescribeLoadBalancerAttributesCommand).resolves({ Attributes: attrs() });
    elbv2.on(ModifyLoadBalancerAttributesCommand).resolves({ Attributes: attrs({ 'idle_timeout.timeout_seconds': '120' }), $metadata: { requestId: 'req-mod' } });
    const { result, summary } = await run(modifyLoadBalancerAttributes, { arn: ARN, attributes: { 'idle_timeout.timeout_seconds': 120, 'access_logs.s3.enabled': true } });
    expect(result).toEqual({
      arn: ARN,
      called: true,
      changed: { 'idle_timeout.timeout_seconds': { from: '60', to: '120' } },
      previous: { 'idle_timeout.timeout_seconds': '60', 'access_logs.s3.enabled': 'true' },
      current: { 'idle_timeout.timeout_seconds': '120', 'access_logs.s3.enabled': 'true' },
      request_id: 'req-mod',
    });
    expect(summary).toBe('idle_timeout.timeout_seconds 60 → 120');
    expect(elbv2.commandCalls(ModifyLoadBalancerAttributesCommand)[0]!.args[0].input).toEqual({ LoadBalancerArn: ARN, Attributes: [{ Key: 'idle_timeout.timeout_seconds', Value: '120' }] });
  });

  it('a re-run is a no-op', async () => {
    elbv2.on(DescribeLoadBalancerAttributesCommand).resolves({ Attributes: attrs({ 'idle_timeout.timeout_seconds': '120' }) });
    const { result } = await run(modifyLoadBalancerAttributes, { arn: ARN, attributes: { 'idle_timeout.timeout_seconds': '120' } });
    expect(result).toMatchObject({ called: false, changed: {} });
    expect(elbv2.commandCalls(ModifyLoadBalancerAttributesCommand)).toHaveLength(0);
  });

  it('values outside the documented ranges are refused before calling AWS', () => {
    const bad = modifyLoadBalancerAttributes.params.safeParse({ arn: ARN, attributes: { 'idle_timeout.timeout_seconds': 5000 } });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues[0]!.message).toBe("idle_timeout.timeout_seconds must be a whole number of seconds from 1 to 4000, not '5000'");
    expect(modifyLoadBalancerAttributes.params.safeParse({ arn: ARN, attributes: { 'access_logs.s3.enabled': 'yes' } }).success).toBe(false);
    expect(modifyLoadBalancerAttributes.params.safeParse({ arn: ARN, attributes: {} }).success).toBe(false);
  });

  it('throttling beyond the retries reads plainly', async () => {
    elbv2.on(DescribeLoadBalancerAttributesCommand).rejects(awsError('Throttling', 'Rate exceeded', { attempts: 3 }));
    const err = await failure(run(describeLoadBalancerAttributes, { arn: ARN }));
    expect(err.message).toBe(
      'AWS throttled elbv2:DescribeLoadBalancerAttributes (Throttling). The SDK retried it 2 times (3 attempts) and gave up. Wait a minute before trying again, and keep parallel calls low. (request id req-test)',
    );
  });
});

describe('aws.elbv2 target groups, health and listeners', () => {
  it('target groups: every page, health checks, attributes, ports', async () => {
    elbv2
      .on(DescribeTargetGroupsCommand)
      .resolvesOnce({ TargetGroups: [{ TargetGroupArn: TG, TargetGroupName: 'web-tg', Protocol: 'HTTP', Port: 8080, TargetType: 'instance', HealthCheckPort: 'traffic-port', HealthCheckPath: '/healthz', HealthCheckIntervalSeconds: 30 }], NextMarker: 'm2' })
      .resolvesOnce({
        TargetGroups: [
          { TargetGroupArn: TG.replace('web-tg', 'fn-tg').replace('6d0e', '7d0e'), TargetGroupName: 'fn-tg', TargetType: 'lambda', HealthCheckPort: '9000' },
        ],
      });
    elbv2.on(DescribeTargetGroupAttributesCommand).resolves({ Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '300' }] });
    const { result } = await run(describeTargetGroups, { load_balancer_arn: ARN });
    expect(result).toMatchObject({ target_types: ['instance', 'lambda'], lambda: true, ports: [8080, 9000], dimensions: ['targetgroup/web-tg/6d0ecf831eec9f09', 'targetgroup/fn-tg/7d0ecf831eec9f09'] });
    expect((result.target_groups as any[])[0]).toMatchObject({ deregistration_delay_s: 300, health_check: { path: '/healthz', port: 'traffic-port' } });
    expect(elbv2.commandCalls(DescribeTargetGroupsCommand)[1]!.args[0].input).toMatchObject({ Marker: 'm2' });
  });

  it('target health: counts, reasons, stopped targets and fail-open', async () => {
    elbv2.on(DescribeTargetHealthCommand).resolves({
      TargetHealthDescriptions: [
        { Target: { Id: 'i-0aaaaaaaaaaaaaaa1', Port: 8080 }, TargetHealth: { State: 'unhealthy', Reason: 'Target.Timeout', Description: 'Request timed out' } },
        { Target: { Id: 'i-0aaaaaaaaaaaaaaa2', Port: 8080 }, TargetHealth: { State: 'unused', Reason: 'Target.InvalidState', Description: 'Target is in the stopped state' } },
      ],
    });
    const { result, summary } = await run(describeTargetHealth, { target_group_arns: [TG] });
    expect(result).toMatchObject({ total: 2, healthy: 0, unhealthy: 1, unused: 1, not_healthy: 2, reasons: { 'Target.Timeout': 1, 'Target.InvalidState': 1 }, invalid_state_ids: ['i-0aaaaaaaaaaaaaaa2'], timeout_ids: ['i-0aaaaaaaaaaaaaaa1'], fail_open: false });
    expect(summary).toBe('0/2 healthy; 1 unhealthy; 1 unused; Target.Timeout×1, Target.InvalidState×1');
  });

  it('listeners with their rules show which target group a path hits', async () => {
    const L = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/web/50dc6c495c0c9188/f2f7dc8efc522ab2';
    elbv2.on(DescribeListenersCommand).resolves({ Listeners: [{ ListenerArn: L, Port: 443, Protocol: 'HTTPS', DefaultActions: [{ Type: 'forward', TargetGroupArn: TG }] }] });
    elbv2.on(DescribeRulesCommand).resolves({
      Rules: [
        { Priority: '10', Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/reports/*'] } }], Actions: [{ Type: 'forward', ForwardConfig: { TargetGroups: [{ TargetGroupArn: TG }] } }] },
        { Priority: 'default', IsDefault: true, Actions: [{ Type: 'forward', TargetGroupArn: TG }] },
      ],
    });
    const { result, summary } = await run(describeListeners, { load_balancer_arn: ARN });
    expect((result.listeners as any[])[0].rules[0]).toEqual({ priority: '10', default: false, conditions: ['path-pattern /reports/*'], action: 'forward', target_groups: ['targetgroup/web-tg/6d0ecf831eec9f09'] });
    expect(summary).toBe('HTTPS:443 → targetgroup/web-tg/6d0ecf831eec9f09 (+1 rules)');
  });
});

describe('aws.elb (classic)', () => {
  it('describe reads listeners, instances and ownership', async () => {
    elb.on(ClassicDescribeLoadBalancers).resolves({
      LoadBalancerDescriptions: [
        {
          LoadBalancerName: 'legacy',
          Subnets: ['subnet-0f1f1f1f1f1f1f1f1'],
          SecurityGroups: ['sg-0fff1111aaaa2222b'],
          Instances: [{ InstanceId: 'i-0f00000000000ff01' }],
          ListenerDescriptions: [{ Listener: { Protocol: 'HTTP', LoadBalancerPort: 80, InstanceProtocol: 'HTTP', InstancePort: 3000 } }],
        },
      ],
    });
    elb.on(ClassicDescribeTags).resolves({ TagDescriptions: [{ LoadBalancerName: 'legacy', Tags: [{ Key: 'kubernetes.io/cluster/prod', Value: 'owned' }] }] });
    const { result } = await run(describeClassicLoadBalancers, { name: 'legacy' });
    expect(result).toMatchObject({ dimension: 'legacy', instance_ids: ['i-0f00000000000ff01'], instance_ports: [3000], owner: { managed: true } });
  });

  it('modify keeps the previous idle timeout and is idempotent', async () => {
    elb.on(ClassicDescribeAttributes).resolves({ LoadBalancerAttributes: { ConnectionSettings: { IdleTimeout: 60 } } });
    elb.on(ClassicModify).resolves({ LoadBalancerName: 'legacy', LoadBalancerAttributes: { ConnectionSettings: { IdleTimeout: 120 } } });
    const { result, summary } = await run(modifyClassicLoadBalancerAttributes, { name: 'legacy', idle_timeout_s: 120 });
    expect(result).toMatchObject({ called: true, previous: { idle_timeout_s: 60 }, current: { idle_timeout_s: 120 } });
    expect(summary).toBe('idle timeout 60 s → 120 s');
    expect(elb.commandCalls(ClassicModify)[0]!.args[0].input).toEqual({ LoadBalancerName: 'legacy', LoadBalancerAttributes: { ConnectionSettings: { IdleTimeout: 120 } } });
    elb.reset();
    elb.on(ClassicDescribeAttributes).resolves({ LoadBalancerAttributes: { ConnectionSettings: { IdleTimeout: 120 } } });
    expect((await run(modifyClassicLoadBalancerAttributes, { name: 'legacy', idle_timeout_s: 120 })).result).toMatchObject({ called: false });
  });

  it('instance health counts OutOfService', async () => {
    elb.on(DescribeInstanceHealthCommand).resolves({
      InstanceStates: [
        { InstanceId: 'i-0f00000000000ff01', State: 'InService', ReasonCode: 'N/A' },
        { InstanceId: 'i-0f00000000000ff02', State: 'OutOfService', ReasonCode: 'Instance', Description: 'Instance has failed at least the UnhealthyThreshold number of health checks consecutively.' },
      ],
    });
    const { result, summary } = await run(describeInstanceHealth, { name: 'legacy' });
    expect(result).toMatchObject({ total: 2, in_service: 1, out_of_service: 1, out_of_service_ids: ['i-0f00000000000ff02'] });
    expect(summary).toBe('1/2 InService, 1 OutOfService');
  });
});
