// A drill never leaves the machine: a tour of every simulated service with sockets and DNS
// hooked. The first test proves the hooks catch a real attempt.
import dns from 'node:dns';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsCall, awsPaginate } from '../../../src/providers/aws/call.js';
import { drill } from './helpers.js';

const attempts: string[] = [];
const originalConnect = net.Socket.prototype.connect;
const originalLookup = dns.lookup;

beforeAll(() => {
  net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]) {
    attempts.push(`connect ${JSON.stringify(args[0])}`);
    throw new Error('socket opened during a drill');
  } as typeof net.Socket.prototype.connect;
  (dns as { lookup: unknown }).lookup = (host: string) => {
    attempts.push(`lookup ${host}`);
    throw new Error('DNS lookup during a drill');
  };
});
afterAll(() => {
  net.Socket.prototype.connect = originalConnect;
  (dns as { lookup: unknown }).lookup = originalLookup;
});

describe('no network in drills', () => {
  it('the hooks catch a real connection attempt', () => {
    expect(() => net.connect(9, '127.0.0.1')).toThrow('socket opened during a drill');
    expect(attempts).toHaveLength(1);
    attempts.length = 0;
  });

  it('every service answers from the world with no socket and no DNS lookup', async () => {
    const { aws, clock, world } = drill({
      ec2: { instances: [{ id: 'i-0abc1234def567890', status: { system: 'impaired' }, volumes: [{ id: 'vol-0abc1234def567890' }] }] },
      elbv2: { load_balancers: [{ name: 'web', target_groups: [{ name: 'tg', targets: [{ id: 'i-0abc1234def567890' }] }], listeners: [{ port: 80, target_group: 'tg' }] }] },
      elb: { load_balancers: [{ name: 'legacy', instances: [{ id: 'i-0abc1234def567890' }] }] },
      cloudwatch: { metrics: [{ namespace: 'AWS/ApplicationELB', name: 'RequestCount', load_balancer: 'web', series: [{ from: '-1h', value: 100 }] }] },
      s3: { objects: [{ bucket: 'logs', key: 'a.gz', gzip_lines: ['x'] }] },
      secretsmanager: { secrets: [{ name: 'prod/app', value: 'v' }] },
      faults: [{ service: 'sts', command: 'GetCallerIdentity', error: 'Throttling' }],
    });
    const id = await aws.identity();
    expect(id).toMatchObject({ account: '123456789012', principal: 'OnCallResponder', region: 'us-east-1' });
    await awsCall(aws, 'ec2', (m) => new m.DescribeInstancesCommand({ InstanceIds: ['i-0abc1234def567890'] }));
    for await (const _ of awsPaginate(aws, 'ec2', (m) => new m.DescribeInstanceStatusCommand({ IncludeAllInstances: true }))) void _;
    await awsCall(aws, 'ec2', (m) => new m.DescribeVolumeStatusCommand({}));
    await awsCall(aws, 'ec2', (m) => new m.GetConsoleOutputCommand({ InstanceId: 'i-0abc1234def567890' }));
    await awsCall(aws, 'ec2', (m) => new m.StopInstancesCommand({ InstanceIds: ['i-0abc1234def567890'] }));
    clock.advance(60_000);
    await awsCall(aws, 'ec2', (m) => new m.StartInstancesCommand({ InstanceIds: ['i-0abc1234def567890'] }));
    await awsCall(aws, 'ec2', (m) => new m.DescribeSecurityGroupsCommand({}));
    await awsCall(aws, 'ec2', (m) => new m.DescribeNetworkAclsCommand({}));
    const lbs = await awsCall(aws, 'elbv2', (m) => new m.DescribeLoadBalancersCommand({}));
    const arn = lbs.output.LoadBalancers![0]!.LoadBalancerArn!;
    await awsCall(aws, 'elbv2', (m) => new m.DescribeLoadBalancerAttributesCommand({ LoadBalancerArn: arn }));
    await awsCall(aws, 'elbv2', (m) => new m.ModifyLoadBalancerAttributesCommand({ LoadBalancerArn: arn, Attributes: [{ Key: 'idle_timeout.timeout_seconds', Value: '90' }] }));
    const tgs = await awsCall(aws, 'elbv2', (m) => new m.DescribeTargetGroupsCommand({ LoadBalancerArn: arn }));
    await awsCall(aws, 'elbv2', (m) => new m.DescribeTargetHealthCommand({ TargetGroupArn: tgs.output.TargetGroups![0]!.TargetGroupArn }));
    await awsCall(aws, 'elbv2', (m) => new m.DescribeListenersCommand({ LoadBalancerArn: arn }));
    await awsCall(aws, 'elbv2', (m) => new m.DescribeTagsCommand({ ResourceArns: [arn] }));
    await awsCall(aws, 'elb', (m) => new m.DescribeLoadBalancersCommand({}));
    await awsCall(aws, 'elb', (m) => new m.DescribeLoadBalancerAttributesCommand({ LoadBalancerName: 'legacy' }));
    await awsCall(aws, 'elb', (m) => new m.ModifyLoadBalancerAttributesCommand({ LoadBalancerName: 'legacy', LoadBalancerAttributes: { ConnectionSettings: { IdleTimeout: 90 } } }));
    await awsCall(aws, 'elb', (m) => new m.DescribeInstanceHealthCommand({ LoadBalancerName: 'legacy' }));
    await awsCall(aws, 'cloudwatch', (m) => new m.GetMetricDataCommand({
      StartTime: new Date(world.start - 3_600_000),
      EndTime: new Date(world.start),
      MetricDataQueries: [{ Id: 'r', MetricStat: { Metric: { Namespace: 'AWS/ApplicationELB', MetricName: 'RequestCount', Dimensions: [{ Name: 'LoadBalancer', Value: arn.split(':loadbalancer/')[1] }] }, Period: 60, Stat: 'Sum' } }],
    }));
    await awsCall(aws, 'cloudwatch', (m) => new m.PutMetricAlarmCommand({ AlarmName: 'a', Namespace: 'AWS/EC2', MetricName: 'CPUUtilization', Period: 60, EvaluationPeriods: 1, Threshold: 90, ComparisonOperator: 'GreaterThanThreshold', Statistic: 'Average' }));
    await awsCall(aws, 'cloudwatch', (m) => new m.DescribeAlarmsCommand({}));
    await awsCall(aws, 's3', (m) => new m.ListObjectsV2Command({ Bucket: 'logs' }));
    const obj = await awsCall(aws, 's3', (m) => new m.GetObjectCommand({ Bucket: 'logs', Key: 'a.gz' }));
    await obj.output.Body!.transformToByteArray();
    await awsCall(aws, 'secretsmanager', (m) => new m.CreateSecretCommand({ Name: 'prod/new', SecretString: 's', ClientRequestToken: '44444444-4444-4444-8444-444444444444' }));
    await awsCall(aws, 'secretsmanager', (m) => new m.PutSecretValueCommand({ SecretId: 'prod/new', SecretString: 't' }));
    await awsCall(aws, 'secretsmanager', (m) => new m.GetSecretValueCommand({ SecretId: 'prod/new' }));
    await awsCall(aws, 'secretsmanager', (m) => new m.DescribeSecretCommand({ SecretId: 'prod/new' }));
    await awsCall(aws, 'secretsmanager', (m) => new m.ListSecretsCommand({}));
    await awsCall(aws, 'secretsmanager', (m) => new m.TagResourceCommand({ SecretId: 'prod/new', Tags: [{ Key: 'a', Value: 'b' }] }));
    await awsCall(aws, 'secretsmanager', (m) => new m.DeleteSecretCommand({ SecretId: 'prod/new', RecoveryWindowInDays: 7 }));
    await awsCall(aws, 'secretsmanager', (m) => new m.RestoreSecretCommand({ SecretId: 'prod/new' }));

    expect(attempts).toEqual([]);
    const services = new Set(world.calls.map((c) => c.service));
    expect([...services].sort()).toEqual(['cloudwatch', 'ec2', 'elb', 'elbv2', 's3', 'secretsmanager', 'sts']);
    // The throttled GetCallerIdentity was retried by the SDK; everything else went through once.
    expect(world.calls.filter((c) => !c.ok).map((c) => `${c.service}:${c.command}:${c.error}`)).toEqual(['sts:GetCallerIdentity:Throttling']);
  });
});
