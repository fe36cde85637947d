// The SSM Automation corpus (test/fixtures/import/ssm): documents of the published shapes of
// AWS-RestartEC2Instance, AWS-StopEC2Instance and AWSSupport-* troubleshooting runbooks, and a
// team's own. Each is imported by the built binary, validated, and played headless as a drill
// (`oncall drill --auto`) against a simulated AWS world; what could not be mapped is reported.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { events, oncall, ROOT, tempDir } from '../helpers/cli.js';

const DIR = join(ROOT, 'test/fixtures/import/ssm');
const ID = 'i-0abc1234def567890';
const TG = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-tg/0123456789abcdef';

const impairedInstance = { id: ID, type: 'm5.large', public_ip: '54.10.20.30', status: { system: 'impaired', instance: 'impaired' }, impaired_since: '-25m', delays: { status_checks: '0s' } };

/** Each document: the drill that plays it (world, inputs, answers) and what the report must say. */
const CASES: Record<string, { world: unknown; inputs: Record<string, string>; answers: Record<string, string>; mitigated?: string; reported: RegExp[]; kinds: string[]; chose?: Record<string, string> }> = {
  'AWS-RestartEC2Instance.yaml': {
    world: { aws: { ec2: { instances: [impairedInstance] } } },
    inputs: { instance_id: ID },
    answers: { 'stop-instances': ID },
    mitigated: `\${{ aws.ec2.instances['${ID}'].ok }}`,
    reported: [/not mapped: AutomationAssumeRole/, /review: parameter InstanceId is a StringList/],
    kinds: ['aws.call', 'wait', 'aws.call', 'wait'],
  },
  'AWS-StopEC2Instance.json': {
    world: { aws: { ec2: { instances: [{ id: ID, type: 'm5.large' }] } } },
    inputs: { instance_id: ID },
    answers: { 'stop-instances': ID },
    mitigated: `\${{ aws.ec2.instances['${ID}'].state == 'stopped' }}`,
    reported: [/not mapped: AutomationAssumeRole/],
    kinds: ['aws.call', 'wait'],
  },
  'AWSSupport-TroubleshootEC2StatusChecks.yaml': {
    world: { aws: { ec2: { instances: [impairedInstance] } } },
    inputs: { instance_id: ID },
    answers: { 'approve-stop-start': 'approve', 'stop-instance': ID },
    // aws:branch on the captured system status: the host is impaired, so stop/start after approval.
    chose: { 'which-check': 'approve-stop-start' },
    mitigated: `\${{ aws.ec2.instances['${ID}'].ok }}`,
    reported: [/not mapped: step 'guest-checks': guestChecks \(aws:executeScript\) became a manual step/, /review: step 'approve-stop-start'/],
    kinds: ['aws.call', 'aws.call', 'decision', 'decision', 'aws.call', 'wait', 'aws.call', 'wait', 'wait', 'manual', 'wait'],
  },
  'AWSSupport-CheckTargetHealth.yaml': {
    world: {
      aws: {
        ec2: { instances: [{ id: 'i-0c00000000000cc01', type: 'c6i.large' }, { id: 'i-0c00000000000cc02', type: 'c6i.large' }] },
        elbv2: {
          load_balancers: [
            {
              name: 'web',
              zones: [{ zone: 'us-east-1a', subnet: 'subnet-0c1c1c1c1c1c1c1c1' }],
              listeners: [{ port: 80, protocol: 'HTTP', target_group: 'web-tg' }],
              target_groups: [{ name: 'web-tg', arn: TG, port: 8080, targets: [{ id: 'i-0c00000000000cc01' }, { id: 'i-0c00000000000cc02' }] }],
            },
          ],
        },
      },
    },
    inputs: { target_group_arn: TG },
    answers: { 'os-checks': 'done' },
    reported: [/selector \$\.\.State is not a path/, /osChecks \(aws:runCommand\) became a manual step/, /onFailure: Continue/],
    kinds: ['aws.call', 'wait', 'manual'],
  },
  'Custom-RecoverAlarm.yaml': {
    world: { aws: { ec2: { instances: [{ id: ID, type: 'm5.large' }] } } },
    inputs: { instance_id: ID },
    answers: { 'tell-the-team': 'done' },
    chose: { 'enough-periods': 'tell-the-team' },
    mitigated: `\${{ 'recover-${ID}' in aws.cloudwatch.alarms }}`,
    reported: [/PutMetricAlarm takes no input 'NotAValidMember'/, /tellTheTeam \(aws:invokeLambdaFunction\) became a manual step/],
    kinds: ['aws.call', 'wait', 'aws.call', 'decision', 'manual'],
  },
};

describe('oncall import: the SSM Automation corpus', () => {
  it('has at least 5 documents, and a case for each', () => {
    const files = readdirSync(DIR).sort();
    expect(files.length).toBeGreaterThanOrEqual(5);
    expect(Object.keys(CASES).sort()).toEqual(files);
  });

  for (const [name, c] of Object.entries(CASES)) {
    it(`${name}: imports to a valid runbook, reports what it could not map, and plays as a drill`, async () => {
      const dir = tempDir('oncall-ssm-');
      const out = join(dir, 'runbook.yaml');
      const imp = await oncall(['import', join(DIR, name), '--out', out]);
      expect(imp.code, imp.stderr).toBe(0);
      expect(imp.stderr).toMatch(/; valid\n$/);
      for (const r of c.reported) expect(imp.stderr).toMatch(r);
      const doc = parse(readFileSync(out, 'utf8'));
      expect(doc.steps.map((s: { kind: string }) => s.kind)).toEqual(c.kinds);

      const scenario = join(dir, 'scenario.yaml');
      writeFileSync(
        scenario,
        JSON.stringify({
          id: 'imported',
          title: `imported ${name}`,
          runbook: './runbook.yaml',
          page: { text: `playing ${name}` },
          inputs: c.inputs,
          world: c.world,
          expect: { outcome: 'completed', answers: c.answers, ...(c.mitigated ? { mitigated: c.mitigated } : {}) },
        }),
      );
      const res = await oncall(['drill', scenario, '--auto', '--json'], { stateDir: tempDir() });
      expect(res.code, res.stderr + res.stdout.slice(-2000)).toBe(0);
      const evs = events(res.stdout);
      const end = evs.find((e) => e.type === 'run.finished');
      expect(end?.payload.outcome).toBe('completed');
      expect(evs.find((e) => e.type === 'drill.scored')?.payload).toMatchObject({ passed: true, ...(c.mitigated ? { expects_mitigation: true } : {}) });
      for (const [step, choice] of Object.entries(c.chose ?? {})) {
        expect(evs.find((e) => e.type === 'step.finished' && e.payload.step === step)?.payload.result).toMatchObject({ choice, decided_by: 'rule' });
      }
    });
  }
});
