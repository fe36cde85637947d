// The live provider and the real SDK against a local endpoint that speaks the AWS wire protocols
// (EC2 query, STS/ELBv2 query, Secrets Manager JSON), reached the way the AWS CLI would be:
// through AWS_ENDPOINT_URL_<SERVICE>, with credentials from the environment or a profile.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { awsCall } from '../../../src/providers/aws/call.js';
import { AwsStepError } from '../../../src/providers/aws/errors.js';
import { createAwsProvider } from '../../../src/providers/aws/provider.js';

interface Seen {
  action: string;
  authorization: string;
  params: URLSearchParams;
  target?: string;
}

const ID = 'i-0abc1234def567890';
let server: Server;
let endpoint: string;
let seen: Seen[] = [];
let throttleNext = 0;

const xml = (s: string) => `<?xml version="1.0" encoding="UTF-8"?>\n${s}`;

function answer(req: IncomingMessage, body: string): { status: number; headers: Record<string, string>; body: string } {
  const target = req.headers['x-amz-target'] as string | undefined;
  const params = new URLSearchParams(body);
  const action = target ? target.split('.').pop()! : (params.get('Action') ?? '');
  seen.push({ action, authorization: String(req.headers.authorization ?? ''), params, ...(target ? { target } : {}) });
  const ec2Error = (status: number, code: string, message: string) => ({
    status,
    headers: { 'content-type': 'text/xml;charset=UTF-8', 'x-amzn-requestid': `req-${code}` },
    body: xml(`<Response><Errors><Error><Code>${code}</Code><Message>${message}</Message></Error></Errors><RequestID>req-${code}</RequestID></Response>`),
  });
  switch (action) {
    case 'DescribeInstanceStatus':
      if (throttleNext > 0) {
        throttleNext--;
        return ec2Error(503, 'RequestLimitExceeded', 'Request limit exceeded.');
      }
      return {
        status: 200,
        headers: { 'content-type': 'text/xml;charset=UTF-8', 'x-amzn-requestid': 'req-status-ok' },
        body: xml(`<DescribeInstanceStatusResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
  <requestId>req-status-ok</requestId>
  <instanceStatusSet><item>
    <instanceId>${params.get('InstanceId.1')}</instanceId>
    <availabilityZone>us-east-1a</availabilityZone>
    <instanceState><code>16</code><name>running</name></instanceState>
    <systemStatus><status>impaired</status><details><item><name>reachability</name><status>failed</status><impairedSince>2026-03-02T02:47:00.000Z</impairedSince></item></details></systemStatus>
    <instanceStatus><status>ok</status><details><item><name>reachability</name><status>passed</status></item></details></instanceStatus>
    <attachedEbsStatus><status>ok</status><details><item><name>reachability</name><status>passed</status></item></details></attachedEbsStatus>
  </item></instanceStatusSet>
</DescribeInstanceStatusResponse>`),
      };
    case 'StopInstances':
      return ec2Error(
        403,
        'UnauthorizedOperation',
        `You are not authorized to perform this operation. User: arn:aws:iam::123456789012:user/alice is not authorized to perform: ec2:StopInstances on resource: arn:aws:ec2:us-east-1:123456789012:instance/${params.get('InstanceId.1')} because no identity-based policy allows the ec2:StopInstances action. Encoded authorization failure message: AbCdEf0123456789`,
      );
    case 'DescribeInstances':
      return ec2Error(400, 'InvalidInstanceID.NotFound', `The instance ID '${params.get('InstanceId.1')}' does not exist`);
    case 'GetCallerIdentity':
      return {
        status: 200,
        headers: { 'content-type': 'text/xml', 'x-amzn-requestid': 'req-sts' },
        body: xml(`<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <GetCallerIdentityResult>
    <Arn>arn:aws:sts::123456789012:assumed-role/OnCallResponder/alice@example.com</Arn>
    <UserId>AROAEXAMPLE:alice@example.com</UserId>
    <Account>123456789012</Account>
  </GetCallerIdentityResult>
  <ResponseMetadata><RequestId>req-sts</RequestId></ResponseMetadata>
</GetCallerIdentityResponse>`),
      };
    case 'DescribeLoadBalancers':
      return {
        status: 200,
        headers: { 'content-type': 'text/xml', 'x-amzn-requestid': 'req-elbv2' },
        body: xml(`<DescribeLoadBalancersResponse xmlns="http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/">
  <DescribeLoadBalancersResult><LoadBalancers><member>
    <LoadBalancerName>web</LoadBalancerName>
    <LoadBalancerArn>arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188</LoadBalancerArn>
    <Type>application</Type>
  </member></LoadBalancers></DescribeLoadBalancersResult>
  <ResponseMetadata><RequestId>req-elbv2</RequestId></ResponseMetadata>
</DescribeLoadBalancersResponse>`),
      };
    case 'DescribeSecret':
      return {
        status: 200,
        headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': 'req-sm' },
        body: JSON.stringify({ ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/app-AbCdEf', Name: 'prod/app', CreatedDate: 1772420000 }),
      };
    default:
      return ec2Error(400, 'InvalidAction', `unexpected ${action}`);
  }
}

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const a = answer(req, body);
      res.writeHead(a.status, { ...a.headers, 'content-length': Buffer.byteLength(a.body) });
      res.end(a.body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const empty = mkdtempSync(join(tmpdir(), 'oncall-aws-wire-'));

beforeEach(() => {
  seen = [];
  throttleNext = 0;
  // Only what the test sets: no operator profile, config file or instance metadata.
  for (const name of ['AWS_PROFILE', 'AWS_DEFAULT_PROFILE', 'AWS_SESSION_TOKEN', 'AWS_DEFAULT_REGION', 'AWS_ENDPOINT_URL', 'AWS_ROLE_ARN', 'AWS_WEB_IDENTITY_TOKEN_FILE']) vi.stubEnv(name, undefined);
  vi.stubEnv('AWS_CONFIG_FILE', join(empty, 'config'));
  vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', join(empty, 'credentials'));
  vi.stubEnv('AWS_EC2_METADATA_DISABLED', 'true');
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDWIRETESTENV00000');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'wire-test-secret');
  vi.stubEnv('AWS_REGION', 'us-east-1');
  vi.stubEnv('AWS_ENDPOINT_URL_EC2', endpoint);
  vi.stubEnv('AWS_ENDPOINT_URL_STS', endpoint);
  vi.stubEnv('AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2', endpoint);
  vi.stubEnv('AWS_ENDPOINT_URL_SECRETS_MANAGER', endpoint);
});
afterEach(() => vi.unstubAllEnvs());

describe('live provider on the wire', () => {
  it('DescribeInstanceStatus reaches AWS_ENDPOINT_URL_EC2, signed with the env credentials', async () => {
    const aws = createAwsProvider({});
    const { output, meta } = await awsCall(aws, 'ec2', (m) => new m.DescribeInstanceStatusCommand({ InstanceIds: [ID], IncludeAllInstances: true }));
    expect(output.InstanceStatuses?.[0]).toMatchObject({
      InstanceId: ID,
      InstanceState: { Code: 16, Name: 'running' },
      SystemStatus: { Status: 'impaired', Details: [{ Name: 'reachability', Status: 'failed', ImpairedSince: new Date('2026-03-02T02:47:00.000Z') }] },
      AttachedEbsStatus: { Status: 'ok' },
    });
    expect(meta).toMatchObject({ requestId: 'req-status-ok', httpStatusCode: 200, attempts: 1 });
    const req = seen[0]!;
    expect(req.params.get('Version')).toBe('2016-11-15');
    expect(req.params.get('IncludeAllInstances')).toBe('true');
    expect(req.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDWIRETESTENV00000\/\d{8}\/us-east-1\/ec2\/aws4_request/);
  });

  it('a throttled call is retried by the SDK, then succeeds', async () => {
    throttleNext = 1;
    const aws = createAwsProvider({});
    const { meta } = await awsCall(aws, 'ec2', (m) => new m.DescribeInstanceStatusCommand({ InstanceIds: [ID] }));
    expect(meta.attempts).toBe(2);
    expect(seen.map((s) => s.action)).toEqual(['DescribeInstanceStatus', 'DescribeInstanceStatus']);
  });

  it('throttling beyond the retry budget reads plainly with the number of retries', async () => {
    throttleNext = 5;
    vi.stubEnv('AWS_MAX_ATTEMPTS', '2');
    const aws = createAwsProvider({});
    const err = await awsCall(aws, 'ec2', (m) => new m.DescribeInstanceStatusCommand({ InstanceIds: [ID] })).catch((e) => e);
    expect(err).toBeInstanceOf(AwsStepError);
    expect(err.message).toBe(
      'AWS throttled ec2:DescribeInstanceStatus (RequestLimitExceeded). The SDK retried it 1 time (2 attempts) and gave up. Wait a minute before trying again, and keep parallel calls low. (request id req-RequestLimitExceeded)',
    );
  });

  it('access denied names the missing IAM action, who lacks it, and the request id', async () => {
    const aws = createAwsProvider({});
    const err = await awsCall(aws, 'ec2', (m) => new m.StopInstancesCommand({ InstanceIds: [ID] })).catch((e) => e);
    expect(err).toBeInstanceOf(AwsStepError);
    expect(err.code).toBe('UnauthorizedOperation');
    expect(err.message).toContain('Access denied: arn:aws:iam::123456789012:user/alice may not call ec2:StopInstances');
    expect(err.message).toContain(`on arn:aws:ec2:us-east-1:123456789012:instance/${ID}`);
    expect(err.message).toContain('aws sts decode-authorization-message');
    expect(err.message).not.toContain('AbCdEf0123456789');
    expect(err.message).toMatch(/\(request id req-UnauthorizedOperation\)$/);
    expect(err.cause.$metadata.httpStatusCode).toBe(403);
  });

  it('an unknown instance names the id', async () => {
    const aws = createAwsProvider({});
    const err = await awsCall(aws, 'ec2', (m) => new m.DescribeInstancesCommand({ InstanceIds: [ID] })).catch((e) => e);
    expect(err.message).toBe(`EC2 has no instance ${ID} in this account in us-east-1 (InvalidInstanceID.NotFound). Check the id, the --region and the --profile. (request id req-InvalidInstanceID.NotFound)`);
  });

  it('identity comes from STS GetCallerIdentity at AWS_ENDPOINT_URL_STS, once', async () => {
    const aws = createAwsProvider({});
    const id = await aws.identity();
    expect(id).toEqual({
      account: '123456789012',
      arn: 'arn:aws:sts::123456789012:assumed-role/OnCallResponder/alice@example.com',
      userId: 'AROAEXAMPLE:alice@example.com',
      principal: 'OnCallResponder',
      region: 'us-east-1',
    });
    await aws.identity();
    expect(seen.filter((s) => s.action === 'GetCallerIdentity')).toHaveLength(1);
  });

  it('multi-word services use the CLI names: AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2, AWS_ENDPOINT_URL_SECRETS_MANAGER', async () => {
    const aws = createAwsProvider({});
    const lbs = await awsCall(aws, 'elbv2', (m) => new m.DescribeLoadBalancersCommand({ Names: ['web'] }));
    expect(lbs.output.LoadBalancers?.[0]?.LoadBalancerName).toBe('web');
    const secret = await awsCall(aws, 'secretsmanager', (m) => new m.DescribeSecretCommand({ SecretId: 'prod/app' }));
    expect(secret.output.Name).toBe('prod/app');
    expect(seen.find((s) => s.action === 'DescribeSecret')?.target).toBe('secretsmanager.DescribeSecret');
  });

  it('--profile wins over AWS_PROFILE and env keys; the profile region is used when none is given', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'oncall-aws-profile-'));
    writeFileSync(join(dir, 'credentials'), '[oncall-wire]\naws_access_key_id = AKIDWIRETESTPROFILE0\naws_secret_access_key = profile-secret\n');
    writeFileSync(join(dir, 'config'), '[profile oncall-wire]\nregion = eu-central-1\n[profile other]\nregion = ap-south-1\n');
    vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', join(dir, 'credentials'));
    vi.stubEnv('AWS_CONFIG_FILE', join(dir, 'config'));
    vi.stubEnv('AWS_PROFILE', 'other');
    vi.stubEnv('AWS_REGION', undefined);
    const warnings: string[] = [];
    const aws = createAwsProvider({ profile: 'oncall-wire', onWarning: (m) => warnings.push(m) });
    expect(aws.profile).toBe('oncall-wire');
    expect(aws.region).toBeUndefined();
    await awsCall(aws, 'ec2', (m) => new m.DescribeInstanceStatusCommand({ InstanceIds: [ID] }));
    expect(seen[0]!.authorization).toMatch(/Credential=AKIDWIRETESTPROFILE0\/\d{8}\/eu-central-1\/ec2\/aws4_request/);
    // The SDK notices both a profile and env keys; the warning comes to us, not to the terminal.
    expect(warnings.join('\n')).toMatch(/Multiple credential sources detected/);
  });

  it('a closed port reads as an unreachable endpoint, named', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    vi.stubEnv('AWS_ENDPOINT_URL_EC2', `http://127.0.0.1:${port}`);
    const aws = createAwsProvider({});
    const err = await awsCall(aws, 'ec2', (m) => new m.DescribeInstanceStatusCommand({ InstanceIds: [ID] })).catch((e) => e);
    expect(err).toBeInstanceOf(AwsStepError);
    expect(err.message).toMatch(new RegExp(`^Could not reach the EC2 endpoint http://127\\.0\\.0\\.1:${port} after 3 attempts \\(ECONNREFUSED: connection refused\\)`));
  });
});
