// The headless flags #16 asked for, through the built binary: secret inputs kept off the command
// line, --answer keys checked against the runbook, destructive steps needing --yes and the typed
// resource, an unknown incident to resume, and resume hints that name --state-dir.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, ROOT, events, oncall, tempDir } from '../helpers/cli.js';
import { journalPath } from '../../src/journal/paths.js';

const SECRET = 'hunter2-canary-7781-xyz';

/** A runbook with a secret input written to a file by its one step (so the test sees it arrived). */
function secretRunbook(out: string): string {
  const file = join(tempDir(), 'secret.yaml');
  writeFileSync(
    file,
    `id: secret\ntitle: Secret\nversion: 1.0.0\nsummary: Uses a token.\ninputs:\n  token: {type: string, secret: true}\nsteps:\n  - id: use\n    title: Use it\n    kind: shell\n    with: {argv: [node, -e, "require('fs').writeFileSync(process.argv[1], process.argv[2])", ${JSON.stringify(out)}, "\${{ inputs.token }}"], effect: read}\n`,
  );
  return file;
}

function runWithStdin(args: string[], stdin: string, stateDir: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, ONCALL_STATE_DIR: stateDir, ONCALL_OPERATOR: 'tester' }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.once('exit', (code) => done({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

describe('secret inputs off the command line', () => {
  for (const source of ['env', 'file', 'stdin'] as const) {
    it(`--input-${source} gives the value; it is never on the command line, in the journal or on stdout/stderr`, async () => {
      const dir = tempDir();
      const out = join(dir, 'received');
      const rb = secretRunbook(out);
      const stateDir = tempDir();
      let res: { code: number | null; stdout: string; stderr: string };
      if (source === 'env') {
        res = await oncall(['run', rb, '--input-env', 'token=DEPLOY_TOKEN', '--json'], { stateDir, env: { DEPLOY_TOKEN: SECRET } });
      } else if (source === 'file') {
        const f = join(dir, 'token');
        writeFileSync(f, `${SECRET}\n`);
        res = await oncall(['run', rb, '--input-file', `token=${f}`, '--json'], { stateDir });
      } else {
        res = await runWithStdin(['run', rb, '--input-stdin', 'token', '--json'], `${SECRET}\n`, stateDir);
      }
      expect(res.code, res.stderr).toBe(0);
      expect(readFileSync(out, 'utf8')).toBe(SECRET);
      const id = events(res.stdout)[0]!.incident;
      expect(readFileSync(journalPath(stateDir, id), 'utf8')).not.toContain(SECRET);
      expect(res.stdout + res.stderr).not.toContain(SECRET);
    });
  }

  it('an --input-env naming a variable that is not set is a usage error that names it', async () => {
    const res = await oncall(['run', secretRunbook(join(tempDir(), 'x')), '--input-env', 'token=NOT_SET_ANYWHERE_42']);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('the environment has no variable NOT_SET_ANYWHERE_42');
  });
});

const DESTRUCTIVE = `id: wipe\ntitle: Wipe\nversion: 1.0.0\nsummary: Deletes a cache.\nsteps:\n  - id: gate\n    title: Wipe it\n    kind: shell\n    with: {argv: [node, -e, ""], effect: write}\n    confirm: {destructive: true, resource: cache-prod-1}\n`;

describe('--answer and destructive steps', () => {
  it('a mistyped --answer key is an error naming the steps that exist (did-you-mean), before anything runs', async () => {
    const rb = join(tempDir(), 'wipe.yaml');
    writeFileSync(rb, DESTRUCTIVE);
    const stateDir = tempDir();
    const res = await oncall(['run', rb, '--yes', '--answer', 'gaet=cache-prod-1'], { stateDir });
    expect(res.code).toBe(2);
    expect(res.stderr).toContain("this runbook has no step 'gaet' — did you mean 'gate'?");
  });

  it('a destructive step needs --yes and the typed resource: the typed answer alone is not enough', async () => {
    const rb = join(tempDir(), 'wipe.yaml');
    writeFileSync(rb, DESTRUCTIVE);
    const typedOnly = await oncall(['run', rb, '--answer', 'gate=cache-prod-1']);
    expect(typedOnly.code).toBe(4);
    expect(typedOnly.stderr).toContain('it needs --yes and its resource typed');
    const yesOnly = await oncall(['run', rb, '--yes']);
    expect(yesOnly.code).toBe(4);
    expect(yesOnly.stderr).toContain('--answer gate=cache-prod-1');
    const both = await oncall(['run', rb, '--yes', '--answer', 'gate=cache-prod-1']);
    expect(both.code, both.stderr).toBe(0);
  });
});

describe('resume', () => {
  it('an unknown incident exits 2, like export and verify', async () => {
    const res = await oncall(['resume', 'inc-20990101-000000-zzzz']);
    expect(res.code).toBe(2);
  });

  it('the hint to resume names --state-dir when one was given', async () => {
    const rb = join(tempDir(), 'wipe.yaml');
    writeFileSync(rb, DESTRUCTIVE);
    const dir = join(tempDir(), 'my state');
    const res = await oncall(['run', rb, '--state-dir', dir, '--yes']);
    expect(res.code).toBe(4);
    expect(res.stderr).toMatch(/oncall resume inc-\S+ --state-dir '[^']*my state'/);
  });
});
