// aws.call with the real SDK clients mocked by aws-sdk-client-mock: the effect from the operation's
// name, the input checked against the SDK's model before anything is sent, outputs as plain JSON,
// pages joined, and the checks `oncall validate` makes without loading the SDK.
import { CloudWatchClient, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeInstancesCommand, EC2Client, StopInstancesCommand } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { awsCallKind, mergePages, resourcesIn } from '../../../src/executors/aws/call.js';
import { effectOf } from '../../../src/core/step.js';
import { builtinRegistry } from '../../../src/executors/index.js';
import { parseRunbook } from '../../../src/runbook/load.js';
import { awsError, failure, run } from './helpers.js';

const ec2 = mockClient(EC2Client);
const cw = mockClient(CloudWatchClient);
afterEach(() => {
  ec2.reset();
  cw.reset();
});

const ID = 'i-0abc1234def567890';
const parse = (p: unknown) => awsCallKind.params.parse(p);

describe('aws.call: effect, destructiveness and intent', () => {
  const table: [string, string, 'read' | 'write', boolean][] = [
    ['ec2', 'DescribeInstances', 'read', false],
    ['ec2', 'StopInstances', 'write', true],
    ['ec2', 'RebootInstances', 'write', true],
    ['ec2', 'CreateTags', 'write', false],
    ['elbv2', 'ModifyLoadBalancerAttributes', 'write', false],
    ['elbv2', 'DeregisterTargets', 'write', true],
    ['cloudwatch', 'GetMetricData', 'read', false],
    ['cloudwatch', 'PutMetricAlarm', 'write', false],
    ['s3', 'HeadObject', 'read', false],
    ['secretsmanager', 'DeleteSecret', 'write', true],
  ];
  for (const [service, operation, effect, destructive] of table) {
    it(`${service}:${operation} is a ${effect}${destructive ? ', destructive' : ''}`, () => {
      const p = parse({ service, operation });
      expect(effectOf(awsCallKind, p)).toBe(effect);
      expect(awsCallKind.destructive!(p)).toBe(destructive);
    });
  }

  it('may be made more cautious freely, less cautious only with a reason', () => {
    expect(effectOf(awsCallKind, parse({ service: 'ec2', operation: 'DescribeInstances', effect: 'write' }))).toBe('write');
    const bad = awsCallKind.params.safeParse({ service: 'ec2', operation: 'CreateTags', effect: 'read' });
    expect(bad.success).toBe(false);
    expect(JSON.stringify(bad.error?.issues)).toContain('say why in effect_reason');
    expect(effectOf(awsCallKind, parse({ service: 'ec2', operation: 'CreateTags', effect: 'read', effect_reason: 'tags the drill instance only; nothing reads these tags' }))).toBe('read');
  });

  it('names the API, the resources from the input and the region', () => {
    const intent = awsCallKind.describe(parse({ service: 'ec2', operation: 'StopInstances', input: { InstanceIds: [ID], Force: true }, region: 'eu-west-1' }));
    expect(intent).toMatchObject({ api: 'ec2:StopInstances', resources: [ID], summary: `ec2:StopInstances ${ID} (in eu-west-1)` });
    expect(intent.params).toMatchObject({ input: { InstanceIds: [ID], Force: true } });
    expect(resourcesIn({ TargetGroupArn: 'arn:tg', Targets: [{ Id: 'i-1', Port: 80 }] })).toEqual(['arn:tg', 'i-1']);
  });
});

describe('aws.call: parameters against the SDK model (what validate says)', () => {
  const issues = (p: unknown) => {
    const r = awsCallKind.params.safeParse(p);
    return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };
  it('a service oncall does not ship names the package; a typo gets a did-you-mean', () => {
    expect(issues({ service: 'autoscaling', operation: 'SetDesiredCapacity' })[0]).toContain('@aws-sdk/client-auto-scaling');
    expect(issues({ service: 'ec3', operation: 'DescribeInstances' })[0]).toContain("did you mean 'ec2'");
    expect(issues({ service: 'elastic-load-balancing-v2', operation: 'DescribeTargetHealth' })).toEqual([]);
  });
  it('an unknown operation, input member or waiter gets a did-you-mean', () => {
    expect(issues({ service: 'ec2', operation: 'DescribeInstance' })).toEqual([expect.stringContaining("did you mean 'DescribeInstances'")]);
    expect(issues({ service: 'ec2', operation: 'StopInstances', input: { InstanceId: [ID] } })).toEqual([expect.stringMatching(/^input.InstanceId: .*did you mean 'InstanceIds'/)]);
    expect(issues({ service: 'ec2', operation: 'StartInstances', wait: 'instanceRuning' })).toEqual([expect.stringContaining("did you mean 'instanceRunning'")]);
  });
  it('oncall validate reports them at the line of the step', () => {
    const source = `id: t\ntitle: t\nversion: 1.0.0\nsummary: s\nsteps:\n  - id: a\n    title: a\n    kind: aws.call\n    with:\n      service: ec2\n      operation: DescribeInstanceStatuses\n`;
    const r = parseRunbook(source, 't.yaml', builtinRegistry());
    expect(r.ok).toBe(false);
    const issue = r.issues.find((i) => i.severity === 'error')!;
    expect(issue).toMatchObject({ line: 11 });
    expect(issue.message).toContain("did you mean 'DescribeInstanceStatus'");
  });
  it('templated values are left for run time', () => {
    const source = `id: t\ntitle: t\nversion: 1.0.0\nsummary: s\ninputs:\n  id: {type: string}\nsteps:\n  - id: a\n    title: a\n    kind: aws.call\n    with:\n      service: ec2\n      operation: StopInstances\n      input: { InstanceIds: ['\${{ inputs.id }}'] }\n`;
    const r = parseRunbook(source, 't.yaml', builtinRegistry());
    expect(r.issues.filter((i) => i.severity === 'error')).toEqual([]);
  });
});

describe('aws.call: running', () => {
  it('returns the response as plain JSON (dates as ISO text), with the request id in the journal copy', async () => {
    ec2.on(DescribeInstancesCommand, { InstanceIds: [ID] }).resolves({
      Reservations: [{ Instances: [{ InstanceId: ID, State: { Name: 'running', Code: 16 }, LaunchTime: new Date('2026-03-01T00:00:00Z') }] }],
      $metadata: { requestId: 'req-123', httpStatusCode: 200 },
    });
    const { result, summary, raw } = await run(awsCallKind, { service: 'ec2', operation: 'DescribeInstances', input: { InstanceIds: [ID] } });
    expect(result).toEqual({ Reservations: [{ Instances: [{ InstanceId: ID, State: { Name: 'running', Code: 16 }, LaunchTime: '2026-03-01T00:00:00.000Z' }] }] });
    expect(summary).toBe('ec2:DescribeInstances answered: 1 Reservations [request req-123]');
    expect(raw).toMatchObject({ service: 'ec2', operation: 'DescribeInstances', region: 'us-east-1', calls: [{ api: 'ec2:DescribeInstances', request_id: 'req-123' }] });
  });

  it('turns text from templates into the types the model wants (numbers, booleans, timestamps)', async () => {
    cw.on(PutMetricAlarmCommand).resolves({});
    await run(awsCallKind, {
      service: 'cloudwatch',
      operation: 'PutMetricAlarm',
      input: { AlarmName: 'a', Threshold: '1', EvaluationPeriods: '2', ActionsEnabled: 'true', Dimensions: [{ Name: 'InstanceId', Value: ID }] },
    });
    expect(cw.commandCalls(PutMetricAlarmCommand)[0]!.args[0].input).toEqual({ AlarmName: 'a', Threshold: 1, EvaluationPeriods: 2, ActionsEnabled: true, Dimensions: [{ Name: 'InstanceId', Value: ID }] });
  });

  it('refuses an input the SDK would silently drop, nested too, and sends nothing', async () => {
    ec2.on(StopInstancesCommand).resolves({});
    const err = await failure(run(awsCallKind, { service: 'ec2', operation: 'StopInstances', input: { InstanceIds: [ID], Force: 'yes' } }));
    expect(err.message).toContain('Force must be true or false');
    expect(err.message).toContain('nothing was sent');
    expect((err as { applied?: string }).applied).toBe('no');
    const nested = await failure(run(awsCallKind, { service: 'cloudwatch', operation: 'PutMetricAlarm', input: { AlarmName: 'a', Dimensions: [{ Nme: 'x', Value: 'y' }] } }));
    expect(nested.message).toContain("Dimensions[0].Nme is not a member of Dimensions[0] — did you mean 'Name'?");
    expect(ec2.commandCalls(StopInstancesCommand)).toHaveLength(0);
  });

  it('joins the pages of a listing (paginate uses the SDK paginator)', async () => {
    ec2
      .on(DescribeInstancesCommand)
      .resolvesOnce({ Reservations: [{ ReservationId: 'r-1' }], NextToken: 't1' })
      .resolvesOnce({ Reservations: [{ ReservationId: 'r-2' }], NextToken: 't2' })
      .resolvesOnce({ Reservations: [{ ReservationId: 'r-3' }] });
    const { result, summary } = await run(awsCallKind, { service: 'ec2', operation: 'DescribeInstances', paginate: true });
    expect(result).toEqual({ Reservations: [{ ReservationId: 'r-1' }, { ReservationId: 'r-2' }, { ReservationId: 'r-3' }] });
    expect(summary).toContain('(3 pages)');
    // (the paginator writes its token into one input object, so the recorded calls all show the last)
    expect(ec2.commandCalls(DescribeInstancesCommand)).toHaveLength(3);
    expect(mergePages([{ A: [1], IsTruncated: true, Marker: 'm' }, { A: [2], B: 'x' }])).toEqual({ A: [1, 2], B: 'x' });
  });

  it('an AWS error is worded for people, naming the IAM action', async () => {
    ec2.on(StopInstancesCommand).rejects(awsError('UnauthorizedOperation', 'You are not authorized to perform this operation.'));
    const err = await failure(run(awsCallKind, { service: 'ec2', operation: 'StopInstances', input: { InstanceIds: [ID] } }));
    expect(err.message).toContain('ec2:StopInstances');
    expect((err as { applied?: string }).applied).toBe('no');
  });
});
