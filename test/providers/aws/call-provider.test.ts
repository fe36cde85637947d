// awsCall/awsPaginate and the provider, with the real client classes mocked by aws-sdk-client-mock.
import { readFileSync, readdirSync } from 'node:fs';
import { DescribeInstanceStatusCommand, EC2Client, GetConsoleOutputCommand } from '@aws-sdk/client-ec2';
import { GetCallerIdentityCommand, STSClient, STSServiceException } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { awsCall, awsPaginate } from '../../../src/providers/aws/call.js';
import { AwsStepError } from '../../../src/providers/aws/errors.js';
import { createAwsProvider, principalFromArn } from '../../../src/providers/aws/provider.js';

const creds = { credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'x' } };
const provider = () => createAwsProvider({ region: 'us-east-1', env: {}, clientConfig: creds });
const status = (id: string) => ({ InstanceId: id, InstanceState: { Code: 16, Name: 'running' as const } });

const ec2 = mockClient(EC2Client);
const sts = mockClient(STSClient);
afterEach(() => {
  ec2.reset();
  sts.reset();
});

describe('awsCall', () => {
  it('builds the command from the package, passes the abort signal, returns output, request metadata and the operation', async () => {
    ec2.on(DescribeInstanceStatusCommand).resolves({ InstanceStatuses: [status('i-0aaaaaaaaaaaaaaa1')], $metadata: { requestId: 'r-1', httpStatusCode: 200, attempts: 2, totalRetryDelay: 120 } });
    const signal = new AbortController().signal;
    const res = await awsCall(provider(), 'ec2', (m) => new m.DescribeInstanceStatusCommand({ InstanceIds: ['i-0aaaaaaaaaaaaaaa1'] }), { signal });
    expect(res.output.InstanceStatuses?.[0]?.InstanceId).toBe('i-0aaaaaaaaaaaaaaa1');
    expect(res.operation).toBe('DescribeInstanceStatus');
    expect(res.meta).toEqual({ requestId: 'r-1', httpStatusCode: 200, attempts: 2, totalRetryDelay: 120 });
    const call = ec2.send.getCall(0);
    expect(call.args[0]).toBeInstanceOf(DescribeInstanceStatusCommand);
    expect(call.args[0].input).toEqual({ InstanceIds: ['i-0aaaaaaaaaaaaaaa1'] });
    expect((call.args as unknown[])[1]).toEqual({ abortSignal: signal });
  });

  it("a command of another service's package is a clear TypeError, and nothing is sent", async () => {
    await expect(awsCall(provider(), 'ec2', () => new GetCallerIdentityCommand({}))).rejects.toThrow('GetCallerIdentityCommand is not a command of the AWS SDK for EC2');
    expect(sts.send.callCount).toBe(0);
    expect(ec2.send.callCount).toBe(0);
  });
});

describe('awsPaginate', () => {
  it("walks every page with the package's paginateX helper, leaving the caller's input alone", async () => {
    const replies = [
      { InstanceStatuses: [status('i-1'), status('i-2')], NextToken: 't1', $metadata: { requestId: 'p1' } },
      { InstanceStatuses: [status('i-3'), status('i-4')], NextToken: 't2', $metadata: { requestId: 'p2' } },
      { InstanceStatuses: [status('i-5')], $metadata: { requestId: 'p3' } },
    ];
    // The SDK's paginator reuses one input object, so copy what each request carried when it was sent.
    const sent: unknown[] = [];
    ec2.on(DescribeInstanceStatusCommand).callsFake((input) => {
      sent.push({ ...input });
      return replies[sent.length - 1];
    });
    const input = { IncludeAllInstances: true };
    const pages = [];
    for await (const page of awsPaginate(provider(), 'ec2', (m) => new m.DescribeInstanceStatusCommand(input), { pageSize: 2 })) pages.push(page);
    expect(pages.map((p) => (p.output.InstanceStatuses ?? []).map((s) => s.InstanceId))).toEqual([['i-1', 'i-2'], ['i-3', 'i-4'], ['i-5']]);
    expect(pages.map((p) => p.meta.requestId)).toEqual(['p1', 'p2', 'p3']);
    expect(sent).toEqual([
      { IncludeAllInstances: true, MaxResults: 2, NextToken: undefined },
      { IncludeAllInstances: true, MaxResults: 2, NextToken: 't1' },
      { IncludeAllInstances: true, MaxResults: 2, NextToken: 't2' },
    ]);
    expect(input).toEqual({ IncludeAllInstances: true });
  });

  it('stops after maxPages', async () => {
    ec2.on(DescribeInstanceStatusCommand).resolves({ InstanceStatuses: [status('i-1')], NextToken: 'again' });
    let n = 0;
    for await (const _ of awsPaginate(provider(), 'ec2', (m) => new m.DescribeInstanceStatusCommand({}), { maxPages: 3 })) n++;
    expect(n).toBe(3);
    expect(ec2.send.callCount).toBe(3);
  });

  it('an operation without a paginator is one page', async () => {
    ec2.on(GetConsoleOutputCommand).resolves({ InstanceId: 'i-1', Output: Buffer.from('boot').toString('base64') });
    const pages = [];
    for await (const p of awsPaginate(provider(), 'ec2', (m) => new m.GetConsoleOutputCommand({ InstanceId: 'i-1' }))) pages.push(p);
    expect(pages).toHaveLength(1);
  });

  it('a failure on a later page is an AwsStepError', async () => {
    ec2
      .on(DescribeInstanceStatusCommand)
      .resolvesOnce({ InstanceStatuses: [status('i-1')], NextToken: 't1' })
      .rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'RequestLimitExceeded', $metadata: { attempts: 3 } }));
    const seen: string[] = [];
    const err = await (async () => {
      for await (const p of awsPaginate(provider(), 'ec2', (m) => new m.DescribeInstanceStatusCommand({}))) seen.push(p.output.InstanceStatuses?.[0]?.InstanceId ?? '');
    })().catch((e) => e);
    expect(seen).toEqual(['i-1']);
    expect(err).toBeInstanceOf(AwsStepError);
    expect(err.message).toContain('The SDK retried it 2 times (3 attempts)');
  });
});

describe('createAwsProvider', () => {
  it('--profile/--region win over AWS_PROFILE/AWS_REGION/AWS_DEFAULT_REGION', () => {
    expect(createAwsProvider({ env: { AWS_PROFILE: 'p-env', AWS_REGION: 'eu-west-1', AWS_DEFAULT_REGION: 'eu-west-2' } })).toMatchObject({ profile: 'p-env', region: 'eu-west-1' });
    expect(createAwsProvider({ env: { AWS_DEFAULT_REGION: 'eu-west-2' } }).region).toBe('eu-west-2');
    expect(createAwsProvider({ profile: 'p-flag', region: 'ap-south-1', env: { AWS_PROFILE: 'p-env', AWS_REGION: 'eu-west-1' } })).toMatchObject({ profile: 'p-flag', region: 'ap-south-1' });
    expect(createAwsProvider({ env: { AWS_PROFILE: '', AWS_REGION: ' ' } })).toMatchObject({ profile: undefined, region: undefined });
  });

  it('creates each client once per service and region, decorating it once', async () => {
    const decorated: string[] = [];
    const aws = createAwsProvider({ region: 'us-east-1', env: {}, clientConfig: creds, decorate: (_c, s) => decorated.push(s) });
    const [a, b] = await Promise.all([aws.client('ec2'), aws.client('ec2')]);
    expect(a).toBe(b);
    expect(a).toBeInstanceOf(EC2Client);
    expect(await a.config.region()).toBe('us-east-1');
    const other = await aws.client('ec2', 'eu-west-1');
    expect(other).not.toBe(a);
    expect(await other.config.region()).toBe('eu-west-1');
    await aws.client('sts');
    expect(decorated).toEqual(['ec2', 'ec2', 'sts']);
  });

  it('identity is asked once and cached; a failure is explained and asked again next time', async () => {
    sts
      .on(GetCallerIdentityCommand)
      .rejectsOnce(new STSServiceException({ name: 'ExpiredToken', $fault: 'client', $metadata: { httpStatusCode: 403, requestId: 'r-exp' }, message: 'The security token included in the request is expired' }))
      .resolves({ Account: '123456789012', Arn: 'arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Admin_0123/alice', UserId: 'AROA:alice' });
    const aws = createAwsProvider({ region: 'us-east-1', profile: 'prod', env: {}, clientConfig: creds });
    const err = await aws.identity().catch((e) => e);
    expect(err).toBeInstanceOf(AwsStepError);
    expect(err.message).toContain('aws sso login --profile prod');
    const id = await aws.identity();
    expect(id).toEqual({ account: '123456789012', arn: 'arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Admin_0123/alice', userId: 'AROA:alice', principal: 'AWSReservedSSO_Admin_0123', region: 'us-east-1', profile: 'prod' });
    await aws.identity();
    expect(sts.send.callCount).toBe(2);
  });

  it('principalFromArn reads roles, users and root', () => {
    expect(principalFromArn('arn:aws:sts::123456789012:assumed-role/OnCall/alice')).toBe('OnCall');
    expect(principalFromArn('arn:aws:iam::123456789012:user/team/bob')).toBe('bob');
    expect(principalFromArn('arn:aws:iam::123456789012:root')).toBe('root');
    expect(principalFromArn('arn:aws:sts::123456789012:federated-user/carol')).toBe('carol');
  });

  it('keeps the SDK off the start-up path: no static @aws-sdk import in src/providers/aws', () => {
    const dir = new URL('../../../src/providers/aws/', import.meta.url);
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
      const text = readFileSync(new URL(file, dir), 'utf8');
      expect(text, file).not.toMatch(/^\s*import\s[^;]*from\s+['"]@aws-sdk\//m);
    }
  });
});
