// The pickers' previews: a runbook's steps as written (even when it does not validate yet), a
// scenario's page and world, and errors as file:line:col relative to where oncall was started.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readRunbookPreview, readScenarioPreview, worldSummary } from '../../src/tui/previews.js';
import { ROOT } from './helpers.js';
import { tempDir } from '../helpers/cli.js';

describe('picker previews', () => {
  it('lists a runbook’s steps as written, even with an unknown kind; an empty file has none; broken YAML rejects', async () => {
    const dir = tempDir('oncall-preview-');
    const draft = join(dir, 'draft.yaml');
    writeFileSync(draft, 'id: draft\nsteps:\n  - id: look\n    title: Look around\n    kind: shel\n  - title: no id yet\n');
    expect(await readRunbookPreview(draft)).toEqual({
      steps: [
        { id: 'look', title: 'Look around', kind: 'shel' },
        { id: '?', title: 'no id yet', kind: '' },
      ],
    });
    writeFileSync(join(dir, 'empty.yaml'), '');
    expect(await readRunbookPreview(join(dir, 'empty.yaml'))).toEqual({ steps: [] });
    writeFileSync(join(dir, 'bad.yaml'), 'steps: [\n');
    await expect(readRunbookPreview(join(dir, 'bad.yaml'))).rejects.toThrow();
  });

  it('previews a shipped scenario, and names file:line:col for one that does not validate', async () => {
    const ok = await readScenarioPreview(join(ROOT, 'examples/drills/elb-idle-timeout.yaml'), ROOT);
    expect(ok.error).toBeUndefined();
    expect(ok.runbook).toBeTruthy();
    expect(ok.page?.text).toBeTruthy();
    expect(ok.world?.[0]).toMatch(/^AWS account /);

    const dir = tempDir('oncall-preview-');
    writeFileSync(join(dir, 'broken.yaml'), 'id: broken-drill\ntitle: Broken\nrunbook: ../nowhere.yaml\npage:\n  text: hi\n  severity: SEV9\n');
    const bad = await readScenarioPreview(join(dir, 'broken.yaml'), dir);
    expect(bad.error).toMatch(/^broken\.yaml:6:\d+: /m);
  });

  it('says what a world simulates in a few words', () => {
    const world = {
      aws: { region: 'eu-west-1', ec2: { instances: [{}, {}] }, elbv2: { load_balancers: [{}] }, secretsmanager: { secrets: [] } },
      kube: { nodes: [{}], pods: [{}, {}, {}] },
      http: [],
      commands: [{}],
    } as unknown as Parameters<typeof worldSummary>[0];
    expect(worldSummary(world)).toEqual(['AWS account eu-west-1: 2 EC2 instances, 1 load balancer', 'Kubernetes API: 1 node, 3 pods', '1 scripted command']);
  });
});
