// A writer paused with SIGSTOP keeps its incident: a second `oncall resume` is refused at once,
// naming it, however long the pause; when the writer continues, its write has run exactly once and
// the journal is intact. (Before, the paused holder lost its lock after 2 s, the second resume ran
// the write again, and the first then appended stale records behind the new ones.)
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { journalPath } from '../../src/journal/paths.js';
import { verifyJournal } from '../../src/journal/reader.js';
import { BIN, ROOT, oncall, tempDir } from '../helpers/cli.js';

const RUNBOOK = (counter: string) => `
id: paused-writer
title: A write that takes a while
version: 1.0.0
summary: s
steps:
  - id: change
    title: change
    kind: shell
    with:
      argv: [${JSON.stringify(process.execPath)}, "-e", "require('fs').appendFileSync(process.argv[1], 'x'); setTimeout(() => {}, 1500)", ${JSON.stringify(counter)}]
  - id: after
    title: after
    kind: shell
    with: { argv: [${JSON.stringify(process.execPath)}, "-e", ""], effect: read }
`;

describe('a paused writer', () => {
  it('keeps its lock through a long SIGSTOP: a second resume is refused, and the write runs once', async () => {
    const dir = tempDir('oncall-sigstop-');
    const counter = join(dir, 'count');
    const file = join(dir, 'rb.yaml');
    writeFileSync(file, RUNBOOK(counter));
    const stateDir = join(dir, 'state');
    const first = spawn(process.execPath, [BIN, 'run', file, '--yes', '--json'], { cwd: ROOT, env: { ...process.env, ONCALL_STATE_DIR: stateDir }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const exited = new Promise<number | null>((resolve) => first.on('exit', (code) => resolve(code)));
    const id = await new Promise<string>((resolve, reject) => {
      first.stdout.on('data', (d: Buffer) => {
        out += d;
        const started = out.split('\n').find((l) => l.includes('"step.started"'));
        if (started) resolve(JSON.parse(started).incident);
      });
      first.on('exit', (code) => reject(new Error(`oncall run exited early (${code})`)));
    });
    first.kill('SIGSTOP');
    try {
      await new Promise((r) => setTimeout(r, 3000)); // longer than any lock refresh period
      const started = Date.now();
      const second = await oncall(['resume', id, '--yes'], { stateDir });
      expect(second.code, second.stderr).toBe(2);
      expect(second.stderr).toContain(`is locked by pid ${first.pid}`);
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      first.kill('SIGCONT');
    }
    expect(await exited).toBe(0);
    expect(readFileSync(counter, 'utf8')).toBe('x');
    const verified = await verifyJournal(journalPath(stateDir, id));
    expect(verified).toMatchObject({ ok: true, closed: true });
  }, 30_000);
});
