// Scenario rules answer aws.call operations the simulated account does not model: by CEL over the
// call's input and the account, first matching rule wins, an error rule answers as AWS would, and
// the model still answers what no rule takes. Then a drill of a user runbook built on aws.call.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AwsAccount } from '../../../src/drill/aws/account.js';
import { WorldError } from '../../../src/drill/aws/wire.js';
import { events, oncall, tempDir } from '../../helpers/cli.js';
import { TestClock } from '../../executors/aws/helpers.js';

const ID = 'i-0abc1234def567890';
const RULES = [
  { service: 'ec2', operation: 'DescribeImages', output: { Images: [{ ImageId: '${{ input.ImageIds[0] }}', State: "${{ aws.ec2.instances['" + ID + "'].state == 'running' ? 'available' : 'pending' }}" }] } },
  { service: 'ec2', operation: 'CreateTags', when: "${{ input.Resources[0].startsWith('i-') }}", output: {} },
  { service: 'ec2', operation: 'CreateTags', error: { code: 'InvalidID', message: 'The ID is not valid' } },
];

describe('world.aws.rules', () => {
  const world = () => new AwsAccount({ ec2: { instances: [{ id: ID, type: 'm5.large' }] }, rules: RULES as never }, new TestClock());

  it('answer by CEL over the input and the account; the first rule that holds wins; an error rule is an AWS error', () => {
    const w = world();
    expect(w.invoke('ec2', 'DescribeImages', { ImageIds: ['ami-0123'] })).toMatchObject({ output: { Images: [{ ImageId: 'ami-0123', State: 'available' }] } });
    expect(w.invoke('ec2', 'CreateTags', { Resources: [ID], Tags: [] })).toMatchObject({ output: {} });
    let err: unknown;
    try {
      w.invoke('ec2', 'CreateTags', { Resources: ['vol-1'], Tags: [] });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(WorldError);
    expect(err).toMatchObject({ code: 'InvalidID', message: 'The ID is not valid' });
    // The model answers what no rule takes; an operation neither knows says how to answer it.
    expect(w.invoke('ec2', 'DescribeInstances', { InstanceIds: [ID] })).toMatchObject({ output: { Reservations: [{ Instances: [{ InstanceId: ID }] }] } });
    expect(() => w.invoke('ec2', 'DescribeKeyPairs', {})).toThrow(/world\.aws\.rules/);
  });

  it('a drill plays a user runbook built on aws.call, its unmodelled operations answered by rules', async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'rb.yaml'),
      `id: tag-and-image
title: Tag the instance and check its image
version: 1.0.0
summary: aws.call on operations the drill account does not model.
inputs:
  instance_id: { type: string, pattern: '^i-[0-9a-f]{8,17}$' }
steps:
  - id: image
    title: Is its image available?
    kind: aws.call
    with: { service: ec2, operation: DescribeImages, input: { ImageIds: [ami-0123456789abcdef0] } }
    capture: { image_state: '\${{ result.Images[0].State }}' }
    assert: ["\${{ result.Images[0].State == 'available' }}"]
  - id: tag
    title: Tag it with the incident
    kind: aws.call
    with:
      service: ec2
      operation: CreateTags
      input: { Resources: ['\${{ inputs.instance_id }}'], Tags: [{ Key: incident, Value: '\${{ incident.id }}' }] }
`,
    );
    writeFileSync(
      join(dir, 'scenario.yaml'),
      JSON.stringify({
        id: 'tag-and-image',
        title: 'rules',
        runbook: './rb.yaml',
        page: { text: 'tag it' },
        inputs: { instance_id: ID },
        world: { aws: { ec2: { instances: [{ id: ID, type: 'm5.large' }] }, rules: RULES } },
        expect: { outcome: 'completed' },
      }),
    );
    const res = await oncall(['drill', join(dir, 'scenario.yaml'), '--auto', '--json'], { stateDir: tempDir() });
    expect(res.code, res.stderr + res.stdout.slice(-1500)).toBe(0);
    const evs = events(res.stdout);
    expect(evs.find((e) => e.type === 'step.finished' && e.payload.step === 'image')!.payload.captures).toEqual({ image_state: 'available' });
    expect(evs.find((e) => e.type === 'step.started' && e.payload.step === 'tag')!.payload.intent).toMatchObject({ api: 'ec2:CreateTags', resources: [ID] });
  });
});
