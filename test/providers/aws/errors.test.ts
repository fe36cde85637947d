// AWS failures in plain words, from the SDK's own exception classes.
import { EC2Client, EC2ServiceException, StopInstancesCommand } from '@aws-sdk/client-ec2';
import { LoadBalancerNotFoundException, TargetGroupNotFoundException } from '@aws-sdk/client-elastic-load-balancing-v2';
import { S3ServiceException } from '@aws-sdk/client-s3';
import { ResourceNotFoundException, SecretsManagerServiceException } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { awsCall } from '../../../src/providers/aws/call.js';
import { AwsStepError, explainAwsError, toAwsStepError } from '../../../src/providers/aws/errors.js';
import { createAwsProvider } from '../../../src/providers/aws/provider.js';

const meta = (extra: Record<string, unknown> = {}) => ({ httpStatusCode: 400, requestId: 'req-123', attempts: 1, totalRetryDelay: 0, ...extra });
const ec2Error = (name: string, message: string, extra: Record<string, unknown> = {}) =>
  new EC2ServiceException({ name, $fault: 'client', $metadata: meta(extra), message });

describe('explainAwsError', () => {
  it('access denied names the IAM action derived from the call when AWS does not', () => {
    const err = new SecretsManagerServiceException({ name: 'AccessDeniedException', $fault: 'client', $metadata: meta(), message: 'Access to this resource is denied' });
    expect(explainAwsError(err, { service: 'secretsmanager', operation: 'GetSecretValue', ids: ['prod/app'], region: 'eu-west-1' })).toBe(
      "Access denied: these credentials may not call secretsmanager:GetSecretValue on prod/app in eu-west-1. Ask for secretsmanager:GetSecretValue in the role's IAM policy, or use a profile that has it. (request id req-123)",
    );
    const s3 = new S3ServiceException({ name: 'AccessDenied', $fault: 'client', $metadata: meta({ httpStatusCode: 403 }), message: 'Access Denied' });
    expect(explainAwsError(s3, { service: 's3', operation: 'ListObjectsV2' })).toContain('may not call s3:ListBucket');
  });

  it('access denied by an SCP, or for a KMS key, says so', () => {
    const err = ec2Error(
      'UnauthorizedOperation',
      'You are not authorized to perform this operation. User: arn:aws:sts::1:assumed-role/R/s is not authorized to perform: ec2:RebootInstances with an explicit deny in a service control policy',
    );
    expect(explainAwsError(err, { service: 'ec2', operation: 'RebootInstances' })).toContain('An organization service control policy denies it explicitly.');
    const kms = new SecretsManagerServiceException({
      name: 'AccessDeniedException',
      $fault: 'client',
      $metadata: meta(),
      message: 'User: arn:aws:sts::1:assumed-role/R/s is not authorized to perform: kms:Decrypt on resource: arn:aws:kms:us-east-1:1:key/abc',
    });
    expect(explainAwsError(kms, { service: 'secretsmanager', operation: 'GetSecretValue' })).toContain('may not call kms:Decrypt on arn:aws:kms:us-east-1:1:key/abc');
  });

  it('not-found errors name which id', () => {
    expect(explainAwsError(ec2Error('InvalidInstanceID.NotFound', "The instance IDs 'i-0aaaaaaaaaaaaaaa1, i-0bbbbbbbbbbbbbbb2' do not exist"), { service: 'ec2', operation: 'DescribeInstances' })).toBe(
      'EC2 has no instances i-0aaaaaaaaaaaaaaa1, i-0bbbbbbbbbbbbbbb2 in this account (InvalidInstanceID.NotFound). Check the id, the --region and the --profile. (request id req-123)',
    );
    expect(explainAwsError(ec2Error('InvalidInstanceID.Malformed', 'Invalid id: "i-123"'), { service: 'ec2', operation: 'StopInstances' })).toBe(
      "'i-123' is not a valid id for ec2:StopInstances: an instance id is i- followed by 8 or 17 hexadecimal digits. (request id req-123)",
    );
    const lb = new LoadBalancerNotFoundException({ $metadata: meta(), message: 'One or more load balancers not found' });
    expect(explainAwsError(lb, { service: 'elbv2', operation: 'DescribeLoadBalancers', ids: ['web'], region: 'us-east-1' })).toContain(
      'Elastic Load Balancing has no load balancer web in this account in us-east-1 (LoadBalancerNotFoundException)',
    );
    const tg = new TargetGroupNotFoundException({ $metadata: meta(), message: 'One or more target groups not found' });
    expect(explainAwsError(tg, { service: 'elbv2', operation: 'DescribeTargetHealth', ids: ['arn:tg'] })).toContain('no target group arn:tg');
    const secret = new ResourceNotFoundException({ $metadata: meta(), message: "Secrets Manager can't find the specified secret." });
    expect(explainAwsError(secret, { service: 'secretsmanager', operation: 'DescribeSecret', ids: ['prod/app'] })).toContain('Secrets Manager has no secret prod/app');
  });

  it('throttling says how often the SDK retried', () => {
    expect(explainAwsError(ec2Error('RequestLimitExceeded', 'Request limit exceeded.', { attempts: 3, httpStatusCode: 503 }), { service: 'ec2', operation: 'DescribeInstanceStatus' })).toBe(
      'AWS throttled ec2:DescribeInstanceStatus (RequestLimitExceeded). The SDK retried it 2 times (3 attempts) and gave up. Wait a minute before trying again, and keep parallel calls low. (request id req-123)',
    );
  });

  it('expired or missing credentials say how to log in', () => {
    const expired = Object.assign(new Error('The security token included in the request is expired'), { name: 'ExpiredTokenException', $metadata: meta() });
    expect(explainAwsError(expired, { service: 'sts', operation: 'GetCallerIdentity', profile: 'prod-admin' })).toContain('Log in again: aws sso login --profile prod-admin');
    const sso = Object.assign(new Error('The SSO session associated with this profile has expired or is otherwise invalid. To refresh this SSO session run aws sso login with the corresponding profile.'), {
      name: 'CredentialsProviderError',
    });
    expect(explainAwsError(sso, { service: 'ec2', operation: 'DescribeInstances', profile: 'prod' })).toBe(
      "The AWS SSO session for profile prod has expired. Log in again: aws sso login --profile prod (or refresh that profile's keys).",
    );
    const none = Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' });
    expect(explainAwsError(none, { service: 'ec2', operation: 'DescribeInstances' })).toMatch(/^No AWS credentials were found to call ec2:DescribeInstances\. Log in: aws sso login --profile <name>/);
    expect(explainAwsError(new Error('Region is missing'), { service: 'ec2', operation: 'DescribeInstances' })).toContain('No AWS region is set for EC2: pass --region');
  });

  it('network errors name the endpoint', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:443'), { code: 'ECONNREFUSED', address: '10.0.0.1', port: 443, $metadata: { attempts: 3 } });
    expect(explainAwsError(refused, { service: 'ec2', operation: 'DescribeInstances', endpoint: 'https://ec2.us-east-1.amazonaws.com' })).toMatch(
      /^Could not reach the EC2 endpoint https:\/\/ec2\.us-east-1\.amazonaws\.com after 3 attempts \(ECONNREFUSED: connection refused\)/,
    );
    const dns = Object.assign(new Error('getaddrinfo ENOTFOUND secretsmanager.xx-1.amazonaws.com'), { code: 'ENOTFOUND', hostname: 'secretsmanager.xx-1.amazonaws.com' });
    expect(explainAwsError(dns, { service: 'secretsmanager', operation: 'ListSecrets' })).toContain('Secrets Manager endpoint secretsmanager.xx-1.amazonaws.com (ENOTFOUND: host name not found)');
  });

  it('never repeats an input value AWS echoes back', () => {
    const echo = new SecretsManagerServiceException({
      name: 'ValidationException',
      $fault: 'client',
      $metadata: meta(),
      message: "1 validation error detected: Value 'hunter2-secret' at 'secretString' failed to satisfy constraint: Member must have length less than or equal to 65536",
    });
    const text = explainAwsError(echo, { service: 'secretsmanager', operation: 'PutSecretValue' });
    expect(text).not.toContain('hunter2');
    expect(text).toContain("A value at 'secretString' failed to satisfy constraint");
  });

  it('server errors and aborts', () => {
    const server = new EC2ServiceException({ name: 'InternalError', $fault: 'server', $metadata: meta({ httpStatusCode: 500, attempts: 3 }), message: 'An internal error has occurred' });
    expect(explainAwsError(server, { service: 'ec2', operation: 'StartInstances' })).toContain('EC2 had a server-side error on ec2:StartInstances (InternalError) after 3 attempts');
    const abort = Object.assign(new Error('Request aborted'), { name: 'AbortError' });
    expect(explainAwsError(abort, { service: 'ec2', operation: 'StartInstances' })).toBe('ec2:StartInstances was cancelled before AWS answered.');
    expect(toAwsStepError(abort, { service: 'ec2', operation: 'StartInstances' })).toBe(abort);
  });
});

describe('awsCall errors (client mocked with aws-sdk-client-mock)', () => {
  const ec2 = mockClient(EC2Client);
  afterEach(() => ec2.reset());

  it('rethrows as AwsStepError: plain message, code, request id, the SDK error as cause', async () => {
    const original = ec2Error(
      'UnauthorizedOperation',
      'You are not authorized to perform this operation. User: arn:aws:iam::123456789012:user/bob is not authorized to perform: ec2:StopInstances on resource: arn:aws:ec2:us-east-1:123456789012:instance/i-0aaaaaaaaaaaaaaa1',
      { httpStatusCode: 403 },
    );
    ec2.on(StopInstancesCommand).rejects(original);
    const aws = createAwsProvider({ region: 'us-east-1', env: {}, clientConfig: { credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'x' } } });
    const err = await awsCall(aws, 'ec2', (m) => new m.StopInstancesCommand({ InstanceIds: ['i-0aaaaaaaaaaaaaaa1'] })).catch((e) => e);
    expect(err).toBeInstanceOf(AwsStepError);
    expect(err).toMatchObject({ code: 'UnauthorizedOperation', requestId: 'req-123', httpStatusCode: 403, service: 'ec2', operation: 'StopInstances' });
    expect(err.cause).toBe(original);
    expect(err.message).toBe(
      "Access denied: arn:aws:iam::123456789012:user/bob may not call ec2:StopInstances on arn:aws:ec2:us-east-1:123456789012:instance/i-0aaaaaaaaaaaaaaa1 in us-east-1. Ask for ec2:StopInstances in the role's IAM policy, or use a profile that has it. (request id req-123)",
    );
  });
});
