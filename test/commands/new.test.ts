// `oncall new <id>` writes a runbook that validates and runs against the demo service, with one
// step of each built-in kind; `oncall validate --watch` checks again on every save (including the
// write-and-rename saves editors make) and stops cleanly on SIGINT.
import { spawn } from 'node:child_process';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, oncall, startDemo, tempDir } from '../helpers/cli.js';

describe('oncall new', () => {
  it('writes a runbook with the schema header and every built-in kind, which validates and runs against the demo service', async () => {
    const dir = tempDir();
    const r = await oncall(['new', 'svc-check'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('svc-check.yaml\n');
    const text = readFileSync(join(dir, 'svc-check.yaml'), 'utf8');
    expect(text).toMatch(/^# yaml-language-server: \$schema=\S+runbooks\/runbook\.schema\.json\n/);
    for (const kind of ['http', 'shell', 'decision', 'wait', 'manual']) expect(text).toContain(`kind: ${kind}\n`);
    expect(text).toMatch(/type: number/);
    expect(text).toMatch(/pattern: /);

    const v = await oncall(['validate', 'svc-check.yaml'], { cwd: dir });
    expect(v.stdout).toBe('1 runbook checked, 0 errors, 0 warnings\n');
    expect(v.code).toBe(0);

    const demo = await startDemo(join(dir, 'demo-state.json'));
    try {
      const run = await oncall(['run', 'svc-check.yaml', '-i', `url=${demo.url}`, '--answer', 'cause=proxy-timeout', '--answer', 'record=done'], { cwd: dir });
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).toMatch(/svc-check completed: 5 steps ok, 0 skipped/);
    } finally {
      await demo.stop();
    }
  });

  it('refuses a bad id and an existing file (exit 2), and --force replaces it', async () => {
    const dir = tempDir();
    const bad = await oncall(['new', 'Bad Id'], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("'Bad Id' is not a runbook id");
    expect((await oncall(['new', 'x', '--out', 'mine.yaml'], { cwd: dir })).code).toBe(0);
    const again = await oncall(['new', 'x', '--out', 'mine.yaml'], { cwd: dir });
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('mine.yaml exists; pass --force');
    expect((await oncall(['new', 'x', '--out', 'mine.yaml', '--force'], { cwd: dir })).code).toBe(0);
  });
});

describe('oncall validate --watch', () => {
  it('checks again on every save, also when the editor renames a new file over the old one', async () => {
    const dir = tempDir();
    await oncall(['new', 'w', '--out', 'w.yaml'], { cwd: dir });
    const file = join(dir, 'w.yaml');
    const good = readFileSync(file, 'utf8');
    const child = spawn(process.execPath, [BIN, 'validate', 'w.yaml', '--watch'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    const until = async (pred: () => boolean, what: string) => {
      const end = Date.now() + 15_000;
      while (!pred()) {
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}; stdout:\n${out}\nstderr:\n${err}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    };
    try {
      await until(() => err.includes('watching w.yaml'), 'the watch to start');
      expect(out).toContain('1 runbook checked, 0 errors');
      // A plain write.
      writeFileSync(file, good.replace('kind: shell', 'kind: shel'));
      await until(() => out.includes("unknown step kind 'shel'"), 'the error');
      // An editor's save: a new file renamed over the old one.
      writeFileSync(join(dir, '.w.yaml.swp'), good);
      renameSync(join(dir, '.w.yaml.swp'), file);
      await until(() => out.split('──').length > 6 && out.trimEnd().endsWith('1 runbook checked, 0 errors, 0 warnings'), 'the fixed file to check clean');
    } finally {
      child.kill('SIGINT');
    }
    const code = await new Promise<number | null>((ok) => child.on('exit', ok));
    expect(code).toBe(0);
  });
});
