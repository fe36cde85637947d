// A reader that goes away (`oncall verify <id> | true`): oncall exits quietly, with the
// command's own exit code, and no EPIPE stack trace.
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { BIN, oncall, noteRunbook, tempDir } from '../helpers/cli.js';

const STACK = /\n\s+at |node:internal|Unhandled 'error' event/;

describe('a reader that goes away (EPIPE)', () => {
  const sh = (script: string, env: Record<string, string> = {}) =>
    new Promise<{ stdout: string; stderr: string }>((done) => {
      execFile('bash', ['-c', script], { env: { ...process.env, ONCALL_OPERATOR: 'tester', ...env } }, (_err, stdout, stderr) => done({ stdout, stderr }));
    });

  test('`oncall verify <id> | true` exits quietly with verify’s own code, no stack trace', { timeout: 30_000 }, async () => {
    const state = tempDir();
    const r = await oncall(['run', noteRunbook(), '-i', 'note=x', '-q'], { stateDir: state });
    expect(r.code).toBe(0);
    const id = readdirSync(join(state, 'incidents'))[0]!;
    const out = await sh(`"${process.execPath}" "${BIN}" verify ${id} --state-dir "${state}" | true; echo "rc=\${PIPESTATUS[0]}"`);
    expect(out.stderr).not.toMatch(STACK);
    expect(out.stderr).not.toMatch(/EPIPE/);
    expect(out.stdout).toBe('rc=0\n');
  });

  test('a long output into `head -c 1` (validate, --help) does the same', { timeout: 30_000 }, async () => {
    const broken = join(import.meta.dirname, '..', 'runbook', 'broken');
    const out = await sh(`"${process.execPath}" "${BIN}" validate "${broken}" | head -c 1 >/dev/null; echo "rc=\${PIPESTATUS[0]}"; "${process.execPath}" "${BIN}" --help | true; echo "rc=\${PIPESTATUS[0]}"`);
    expect(out.stderr).toBe('');
    expect(out.stdout).toBe('rc=2\nrc=0\n');
  });
});
