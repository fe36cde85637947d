// Real processes and signals: a shell step's process leads its own group, so a timeout stops the
// grandchildren too (even one holding stdout open), and a resume after oncall was SIGKILLed waits
// for the orphaned group instead of running the write again beside it.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, ROOT, events, oncall, tempDir } from '../helpers/cli.js';

const NODE = JSON.stringify(process.execPath);

/** Running, not a zombie left for a PID 1 that does not reap (as in some containers). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

describe('process groups', () => {
  it('a step timeout holds when a grandchild keeps stdout open: the whole group is stopped', async () => {
    const dir = tempDir('oncall-orphan-');
    const pidFile = join(dir, 'grandchild.pid');
    // The child starts a grandchild that inherits stdout and sleeps, then sleeps itself.
    const script = `const c = require('child_process').spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'inherit' }); require('fs').writeFileSync(process.argv[1], String(c.pid)); setTimeout(() => {}, 60000);`;
    writeFileSync(
      join(dir, 'rb.yaml'),
      `id: hang\ntitle: hang\nversion: 1.0.0\nsummary: s\nsteps:\n  - id: slow\n    title: slow\n    kind: shell\n    timeout: 1s\n    with: { argv: [${NODE}, "-e", ${JSON.stringify(script)}, ${JSON.stringify(pidFile)}], effect: read }\n`,
    );
    const started = Date.now();
    const res = await oncall(['run', join(dir, 'rb.yaml')]);
    const took = Date.now() - started;
    expect(res.code, res.stderr).toBe(1);
    expect(res.stderr).toMatch(/timed out after 1s/);
    // 1 s, then at most the 3 s grace before SIGKILL, plus start-up: never the grandchild's 60 s.
    expect(took).toBeLessThan(15_000);
    const grandchild = Number(readFileSync(pidFile, 'utf8'));
    await new Promise((r) => setTimeout(r, 200));
    expect(alive(grandchild)).toBe(false);
  }, 30_000);

  it('resume after a SIGKILL waits for the write the killed run left running, and never runs it twice', async () => {
    const dir = tempDir('oncall-orphan-');
    const counter = join(dir, 'count');
    const stateDir = join(dir, 'state');
    const script = `const fs = require('fs'); fs.appendFileSync(process.argv[1], 'x'); setTimeout(() => fs.appendFileSync(process.argv[1], 'y'), 2500);`;
    writeFileSync(
      join(dir, 'rb.yaml'),
      `id: orphan\ntitle: orphan\nversion: 1.0.0\nsummary: s\nsteps:\n  - id: change\n    title: change\n    kind: shell\n    with: { argv: [${NODE}, "-e", ${JSON.stringify(script)}, ${JSON.stringify(counter)}] }\n  - id: after\n    title: after\n    kind: shell\n    with: { argv: [${NODE}, "-e", ""], effect: read }\n`,
    );
    const first = spawn(process.execPath, [BIN, 'run', join(dir, 'rb.yaml'), '--yes', '--json'], { cwd: ROOT, env: { ...process.env, ONCALL_STATE_DIR: stateDir }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const exited = new Promise<void>((resolve) => first.on('exit', () => resolve()));
    const spawned = await new Promise<{ incident: string; payload: { pid: number } }>((resolve, reject) => {
      first.stdout.on('data', (d: Buffer) => {
        out += d;
        const ev = events(out.slice(0, out.lastIndexOf('\n') + 1)).find((e) => e.type === 'step.spawned');
        if (ev) resolve(ev);
      });
      first.on('exit', (code) => reject(new Error(`oncall run exited early (${code})`)));
    });
    first.kill('SIGKILL');
    await exited;
    expect(alive(spawned.payload.pid)).toBe(true); // the orphan, reparented, still writing
    const started = Date.now();
    const resumed = await oncall(['resume', spawned.incident, '--yes', '--answer', 'change.outcome=done'], { stateDir });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/waiting for process \d+ \(group \d+\), started by the interrupted run/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000); // it did wait for the orphan
    expect(readFileSync(counter, 'utf8')).toBe('xy'); // the write ran once, to its end
    expect(existsSync(counter)).toBe(true);
  }, 30_000);
});
