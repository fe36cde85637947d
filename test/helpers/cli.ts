// Runs the built `oncall` bundle as a child process, the way people and scripts do.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');
export const BIN = join(ROOT, 'dist/oncall.js');

/** A one-step read-only runbook that echoes its `note` input (and has a patterned default), in a temp dir. */
export function noteRunbook(): string {
  const file = join(tempDir(), 'note.yaml');
  writeFileSync(
    file,
    `id: note\ntitle: Note\nversion: 1.0.0\nsummary: Echoes a note.\ninputs:\n  note: {type: string}\n  iid: {type: string, pattern: '^i-[0-9a-f]{8,17}$', default: i-0123456789abcdef0}\nsteps:\n  - id: show\n    title: "note \${{ inputs.note }}"\n    kind: shell\n    with: {argv: [echo, "\${{ inputs.note }}"], effect: read}\n`,
  );
  return file;
}

export function tempDir(prefix = 'oncall-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function oncall(args: string[], opts: { stateDir?: string; env?: Record<string, string>; cwd?: string } = {}): Promise<CliResult> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      {
        cwd: opts.cwd ?? ROOT,
        env: { ...process.env, ONCALL_STATE_DIR: opts.stateDir ?? tempDir(), ONCALL_OPERATOR: 'tester', ...opts.env },
        maxBuffer: 64 * 1024 * 1024,
      },
      (err, stdout, stderr) => done({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** JSON events printed by `--json`. */
export function events(stdout: string): { type: string; seq: number; incident: string; payload: any; prev: string }[] {
  return stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l));
}

/** Starts the demo service on a free loopback port with its own state file. */
export async function startDemo(stateFile: string): Promise<{ url: string; stop: () => Promise<void>; child: ChildProcess }> {
  const child = spawn(process.execPath, [join(ROOT, 'examples/demo/server.mjs'), '--port', '0', '--state', stateFile], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((ok, fail) => {
    let buf = '';
    child.stdout!.on('data', (d) => {
      buf += d;
      const m = /http:\/\/127\.0\.0\.1:\d+/.exec(buf);
      if (m) ok(m[0]);
    });
    child.once('exit', (code) => fail(new Error(`demo server exited with ${code}`)));
  });
  return {
    url,
    child,
    stop: () =>
      new Promise((ok) => {
        if (child.exitCode !== null) return ok();
        child.once('exit', () => ok());
        child.kill('SIGTERM');
      }),
  };
}
