// Ctrl+C in a headless run: the first aborts the running step, the second quits. Either way
// the incident stays open and resumable.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, ROOT, oncall, tempDir } from '../helpers/cli.js';

const NODE = process.execPath;

function runbookFile(script: string): string {
  const file = join(tempDir(), 'slow.yaml');
  writeFileSync(
    file,
    `id: slow
title: slow
version: 1.0.0
summary: s
steps:
  - id: long
    title: long
    kind: shell
    with: { argv: [${JSON.stringify(NODE)}, "-e", ${JSON.stringify(script)}], effect: read }
  - id: after
    title: after
    kind: shell
    with: { argv: [${JSON.stringify(NODE)}, "-e", ""], effect: read }
`,
  );
  return file;
}

/** Starts a run and sends SIGINT once per `interrupts` as soon as the long step prints. */
function interrupted(file: string, stateDir: string, interrupts: number): Promise<{ code: number | null; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(NODE, [BIN, 'run', file], { cwd: ROOT, env: { ...process.env, ONCALL_STATE_DIR: stateDir, ONCALL_OPERATOR: 'tester' } });
    let stderr = '';
    let sent = 0;
    // One at a time, each after the previous was handled: the kernel merges signals sent together.
    child.stderr.on('data', (d) => {
      stderr += d;
      if (sent === 0 && stderr.includes('│ running')) sent = send();
      else if (sent === 1 && sent < interrupts && stderr.includes('aborting the running step')) sent = send();
    });
    const send = () => {
      child.kill('SIGINT');
      return sent + 1;
    };
    child.once('exit', (code) => done({ code, stderr }));
  });
}

describe('Ctrl+C in oncall run', () => {
  it('aborts the running step on the first, exits 3, and the incident resumes', async () => {
    const stateDir = tempDir();
    const file = runbookFile("console.log('running'); setTimeout(() => {}, 60000)");
    const res = await interrupted(file, stateDir, 1);
    expect(res.code).toBe(3);
    expect(res.stderr).toMatch(/aborting the running step/);
    expect(res.stderr).toMatch(/✗ long aborted: aborted by the operator/);
    const id = /resume with: oncall resume (\S+)/.exec(res.stderr)![1]!;
    const list = await oncall(['incidents', '--json'], { stateDir });
    expect(JSON.parse(list.stdout)[0]).toMatchObject({ id, status: 'open' });
    expect((await oncall(['verify', id], { stateDir })).code).toBe(0);
  });

  it('quits on the second even when the step ignores its abort', async () => {
    const stateDir = tempDir();
    const file = runbookFile("process.on('SIGTERM', () => {}); console.log('running'); setTimeout(() => {}, 5000)");
    const res = await interrupted(file, stateDir, 2);
    expect(res.code).toBe(3);
    expect(res.stderr).toMatch(/stopping; resume with: oncall resume inc-/);
    // It quit before the step could be recorded as ended.
    expect(res.stderr).not.toMatch(/✗ long/);
  });
});
