// docs/authoring.md stays true: its reviewed runbook validates, its scenario drills to a pass with
// --auto, the typos it quotes get the did-you-means it quotes, and the import it shows says what
// it says.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { oncall, ROOT, tempDir } from '../helpers/cli.js';

const DOC = readFileSync(join(ROOT, 'docs/authoring.md'), 'utf8');
const files = Object.fromEntries([...DOC.matchAll(/^```yaml file=(\S+)\n([\s\S]*?)^```$/gm)].map((m) => [m[1]!, m[2]!]));

describe('docs/authoring.md', () => {
  it('has the reviewed runbook and its scenario', () => {
    expect(Object.keys(files)).toEqual(['runbooks/ec2-unreachable.yaml', 'drills/ec2-unreachable-guest.yaml']);
  });

  it('the page imports as the guide says', async () => {
    const dir = tempDir();
    const out = join(dir, 'ec2-unreachable.yaml');
    const r = await oncall(['import', join(ROOT, 'test/fixtures/import/markdown/06-aws-cli-instance.md'), '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('4 steps, 1 inputs; 0 to review, 0 not mapped; valid');
  });

  it('the reviewed runbook validates, and drills to a pass', async () => {
    const dir = tempDir();
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    const v = await oncall(['validate', join(dir, 'runbooks/ec2-unreachable.yaml')]);
    expect(v.code, v.stdout + v.stderr).toBe(0);
    const d = await oncall(['drill', join(dir, 'drills/ec2-unreachable-guest.yaml'), '--auto'], { stateDir: tempDir() });
    expect(d.code, d.stdout + d.stderr).toBe(0);
    expect(d.stdout + d.stderr).toMatch(/drill passed/i);
  });

  it('the typos it quotes get the did-you-means it quotes', async () => {
    const dir = tempDir();
    const rb = files['runbooks/ec2-unreachable.yaml']!.replace('operation: RebootInstances', 'operation: RebootInstance').replace("input: { InstanceIds: ['${{ inputs.instance_id }}'] }\n    capture", "input: { InstanceId: ['${{ inputs.instance_id }}'] }\n    capture");
    writeFileSync(join(dir, 'rb.yaml'), rb);
    const v = await oncall(['validate', join(dir, 'rb.yaml')]);
    expect(v.code).toBe(2);
    expect(v.stdout).toContain("has no operation 'RebootInstance' — did you mean 'RebootInstances'?");
    expect(v.stdout).toContain("did you mean 'InstanceIds'?");
    expect(DOC).toContain("did you mean 'RebootInstances'?");
  });
});
