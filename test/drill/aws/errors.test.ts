// The world raises each service's own errors, through the SDK's own parsers: `err.name`,
// `instanceof`, `$fault` and `$metadata` are what runbooks see from the real service.
import { EC2Client, EC2ServiceException, DescribeInstancesCommand, DescribeInstanceStatusCommand, StopInstancesCommand } from '@aws-sdk/client-ec2';
import { DescribeLoadBalancersCommand as DescribeClassicCommand, AccessPointNotFoundException } from '@aws-sdk/client-elastic-load-balancing';
import {
  DescribeLoadBalancersCommand,
  DescribeTargetHealthCommand,
  LoadBalancerNotFoundException,
  TargetGroupNotFoundException,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { GetObjectCommand, NoSuchKey, S3ServiceException } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, ResourceNotFoundException } from '@aws-sdk/client-secrets-manager';
import { describe, expect, it } from 'vitest';
import { awsCall } from '../../../src/providers/aws/call.js';
import { AwsStepError } from '../../../src/providers/aws/errors.js';
import { drill, forbidNetwork } from './helpers.js';

forbidNetwork();

const spec = {
  identity: { denied_actions: ['ec2:StopInstances'] },
  ec2: { instances: [{ id: 'i-0aaaaaaaaaaaaaaa1' }] },
  elbv2: { load_balancers: [{ name: 'web', target_groups: [{ name: 'web-tg' }] }] },
  elb: { load_balancers: [{ name: 'legacy' }] },
  s3: { buckets: ['logs'] },
};

async function failure(p: Promise<unknown>): Promise<any> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected the call to fail');
}

describe('service errors from the drill world', () => {
  it('an unknown instance is InvalidInstanceID.NotFound, an EC2ServiceException from the client', async () => {
    const { aws, world } = drill(spec);
    const ec2: EC2Client = await aws.client('ec2');
    const err = await failure(ec2.send(new DescribeInstanceStatusCommand({ InstanceIds: ['i-0bbbbbbbbbbbbbbb2'] })));
    expect(err.name).toBe('InvalidInstanceID.NotFound');
    expect(err).toBeInstanceOf(EC2ServiceException);
    expect(err.$fault).toBe('client');
    expect(err.$metadata.httpStatusCode).toBe(400);
    expect(err.$metadata.requestId).toBe(world.calls.at(-1)!.request_id);
    expect(err.message).toBe("The instance ID 'i-0bbbbbbbbbbbbbbb2' does not exist");
    expect(world.calls.at(-1)).toMatchObject({ service: 'ec2', command: 'DescribeInstanceStatus', ok: false, error: 'InvalidInstanceID.NotFound' });
  });

  it('a malformed id is InvalidInstanceID.Malformed, and both read plainly through awsCall', async () => {
    const { aws } = drill(spec);
    const err = await failure(awsCall(aws, 'ec2', (m) => new m.DescribeInstancesCommand({ InstanceIds: ['i-xyz'] })));
    expect(err).toBeInstanceOf(AwsStepError);
    expect(err.code).toBe('InvalidInstanceID.Malformed');
    expect(err.message).toContain("'i-xyz' is not a valid id");
    const missing = await failure(awsCall(aws, 'ec2', (m) => new m.DescribeInstancesCommand({ InstanceIds: ['i-0bbbbbbbbbbbbbbb2', 'i-0ccccccccccccccc3'] })));
    expect(missing.message).toMatch(/EC2 has no instances i-0bbbbbbbbbbbbbbb2, i-0ccccccccccccccc3 in this account in us-east-1/);
    expect(missing.message).toMatch(/request id [0-9a-f-]{36}/);
    expect(missing.cause).toBeInstanceOf(EC2ServiceException);
  });

  it('load balancers and target groups: the modeled exception classes', async () => {
    const { aws } = drill(spec);
    const elbv2 = await aws.client('elbv2');
    const lb = await failure(elbv2.send(new DescribeLoadBalancersCommand({ Names: ['nope'] })));
    expect(lb).toBeInstanceOf(LoadBalancerNotFoundException);
    expect(lb.name).toBe('LoadBalancerNotFoundException');
    const tg = await failure(elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/x/0' })));
    expect(tg).toBeInstanceOf(TargetGroupNotFoundException);
    const elb = await aws.client('elb');
    const classic = await failure(elb.send(new DescribeClassicCommand({ LoadBalancerNames: ['nope'] })));
    expect(classic).toBeInstanceOf(AccessPointNotFoundException);
    const plain = await failure(awsCall(aws, 'elb', (m) => new m.DescribeLoadBalancersCommand({ LoadBalancerNames: ['nope'] }), { ids: ['nope'] }));
    expect(plain.message).toContain('Classic Load Balancing has no load balancer nope');
  });

  it('Secrets Manager and S3 raise their own not-found errors', async () => {
    const { aws } = drill(spec);
    const sm = await aws.client('secretsmanager');
    const secret = await failure(sm.send(new GetSecretValueCommand({ SecretId: 'prod/app' })));
    expect(secret).toBeInstanceOf(ResourceNotFoundException);
    const s3 = await aws.client('s3');
    const key = await failure(s3.send(new GetObjectCommand({ Bucket: 'logs', Key: 'missing.log.gz' })));
    expect(key).toBeInstanceOf(NoSuchKey);
    expect(key).toBeInstanceOf(S3ServiceException);
    expect(key.$metadata.httpStatusCode).toBe(404);
    const bucket = await failure(s3.send(new GetObjectCommand({ Bucket: 'other', Key: 'x' })));
    expect(bucket.name).toBe('NoSuchBucket');
  });

  it('a denied action is UnauthorizedOperation, explained with the IAM action; DryRun says allowed or not', async () => {
    const { aws, world } = drill(spec);
    const err = await failure(awsCall(aws, 'ec2', (m) => new m.StopInstancesCommand({ InstanceIds: ['i-0aaaaaaaaaaaaaaa1'] })));
    expect(err.code).toBe('UnauthorizedOperation');
    expect(err.message).toContain('may not call ec2:StopInstances');
    expect(world.ec2.get('i-0aaaaaaaaaaaaaaa1').state).toBe('running');
    const ec2: EC2Client = await aws.client('ec2');
    const dry = await failure(ec2.send(new DescribeInstancesCommand({ DryRun: true })));
    expect(dry.name).toBe('DryRunOperation');
    expect(dry.$metadata.httpStatusCode).toBe(412);
    const denied = await failure(ec2.send(new StopInstancesCommand({ InstanceIds: ['i-0aaaaaaaaaaaaaaa1'], DryRun: true })));
    expect(denied.name).toBe('UnauthorizedOperation');
  });

  it('a command the world does not simulate says so by name, and is not retried', async () => {
    const { aws, world } = drill(spec);
    const err = await failure(awsCall(aws, 'ec2', (m) => new m.DescribeImagesCommand({})));
    expect(err.message).toContain('the drill world does not simulate ec2:DescribeImages');
    expect(world.callsOf('ec2', 'DescribeImages')).toHaveLength(1);
  });

  it('a call for another region is refused rather than answered from the wrong world', async () => {
    const { aws } = drill(spec);
    const err = await failure(awsCall(aws, 'ec2', (m) => new m.DescribeInstancesCommand({}), { region: 'eu-west-1' }));
    expect(err.message).toContain('simulates us-east-1 only');
  });
});
