// Shared by the runbook tests: captured command streams and throwaway runbook directories.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { CommandIO } from '../../src/core/io.js';

export interface Captured extends CommandIO {
  out(): string;
  err(): string;
}

export function capture(opts: { cwd?: string; env?: NodeJS.ProcessEnv; tty?: boolean } = {}): Captured {
  const sink = () => {
    const chunks: string[] = [];
    const w = new Writable({
      write(chunk, _enc, done) {
        chunks.push(String(chunk));
        done();
      },
    });
    if (opts.tty) Object.assign(w, { isTTY: true });
    return { w, text: () => chunks.join('') };
  };
  const o = sink();
  const e = sink();
  const home = opts.cwd ?? tempDir();
  return {
    stdout: o.w,
    stderr: e.w,
    // Never the developer's own ~/.config/oncall/runbooks.
    env: { XDG_CONFIG_HOME: join(home, '.config-test'), ...opts.env },
    cwd: opts.cwd ?? home,
    out: o.text,
    err: e.text,
  };
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'oncall-runbook-test-'));
}

/** Writes files (name → content) into a new temp dir (or `dir`) and returns it. */
export function writeRunbooks(files: Record<string, string>, dir = tempDir()): string {
  for (const [name, text] of Object.entries(files)) {
    const p = join(dir, name);
    mkdirSync(join(p, '..'), { recursive: true });
    writeFileSync(p, text);
  }
  return dir;
}

export function minimalRunbook(id: string, extra = ''): string {
  return `id: ${id}\ntitle: Runbook ${id}\nversion: 1.0.0\nsummary: For tests.\n${extra}steps:\n  - id: a\n    title: A\n    kind: shell\n    with:\n      argv: [echo, hi]\n`;
}
