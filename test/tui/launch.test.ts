// The terminal is given back on every exit path: quit, a signal, a crash. Ink is mounted on a fake
// terminal (a TTY-looking stdout that records every byte, a stdin with raw mode) in the alternate
// screen, exactly as `oncall` does. Without a terminal, `oncall` says so and points to `oncall run`.
import { KEY, tempDir, ROOT } from './helpers.js';
import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { awsConfigured, colorWanted, launchTui } from '../../src/tui/launch.js';
import { tuiCommand } from '../../src/commands/tui.js';
import { isInteractive } from '../../src/core/io.js';
import { capture } from '../runbook/helpers.js';
import { oncall } from '../helpers/cli.js';

const ENTER_ALT = '\u001b[?1049h';
const LEAVE_ALT = '\u001b[?1049l';

class FakeStdout extends EventEmitter {
  isTTY = true;
  columns = 100;
  rows = 30;
  data = '';
  write = (chunk: string | Uint8Array, ...rest: unknown[]) => {
    this.data += String(chunk);
    const cb = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
    cb?.();
    return true;
  };
}

class FakeStdin extends EventEmitter {
  isTTY = true;
  rawCalls: boolean[] = [];
  private queue: string[] = [];
  setRawMode = (on: boolean) => {
    this.rawCalls.push(on);
    return this;
  };
  setEncoding() {}
  resume() {}
  pause() {}
  ref() {}
  unref() {}
  read = () => this.queue.shift() ?? null;
  press(data: string) {
    this.queue.push(data);
    this.emit('readable');
  }
}

function setup() {
  const stdout = new FakeStdout();
  const stderr = new FakeStdout();
  const stdin = new FakeStdin();
  const proc = Object.assign(new EventEmitter(), { exit: vi.fn() });
  const run = launchTui(
    {
      stateDir: tempDir(),
      runbookDirs: [join(ROOT, 'examples')],
      env: { HOME: tempDir(), PATH: process.env.PATH },
      cwd: ROOT,
      operator: 'tester',
      tickMs: 0,
      kubeContext: async () => undefined,
    },
    { stdin: stdin as never, stdout: stdout as never, stderr: stderr as never, handleSignals: true, proc: proc as never, patchConsole: false },
  );
  const until = async (pred: () => boolean, what: string) => {
    const deadline = Date.now() + 10_000;
    while (!pred()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; stdout so far:\n${stdout.data.slice(-2000)}`);
      await new Promise((r) => setImmediate(r));
      await new Promise((r) => setTimeout(r, 0));
    }
  };
  return { stdout, stderr, stdin, proc, run, until };
}

describe('launch', () => {
  it('uses the alternate screen and raw mode, and q gives the terminal back', async () => {
    const { stdout, stdin, run, until } = setup();
    await until(() => stdout.data.includes('New incident'), 'the first frame');
    expect(stdout.data.startsWith(ENTER_ALT) || stdout.data.includes(ENTER_ALT)).toBe(true);
    expect(stdin.rawCalls).toContain(true);
    stdin.press('q');
    expect(await run).toBe(0);
    expect(stdout.data.lastIndexOf(LEAVE_ALT)).toBeGreaterThan(stdout.data.lastIndexOf(ENTER_ALT));
    expect(stdin.rawCalls.at(-1)).toBe(false);
  });

  it('Ctrl+C twice quits from anywhere', async () => {
    const { stdout, stdin, run, until } = setup();
    await until(() => stdout.data.includes('New incident'), 'the first frame');
    stdin.press(KEY.ctrlC);
    await until(() => stdout.data.includes('press Ctrl+C again to quit'), 'the warning');
    stdin.press(KEY.ctrlC);
    expect(await run).toBe(0);
    expect(stdout.data).toContain(LEAVE_ALT);
  });

  it('gives the terminal back on SIGTERM', async () => {
    const { stdout, stdin, proc, run, until } = setup();
    await until(() => stdout.data.includes('New incident'), 'the first frame');
    proc.emit('SIGTERM', 'SIGTERM');
    expect(await run).toBe(0);
    expect(stdout.data.lastIndexOf(LEAVE_ALT)).toBeGreaterThan(stdout.data.lastIndexOf(ENTER_ALT));
    expect(stdin.rawCalls.at(-1)).toBe(false);
  });

  it('gives the terminal back when mounting fails, before Ink has taken it', async () => {
    // stdin fails as it is resumed, just before Ink mounts: the error surfaces, the terminal is restored.
    const broken = new FakeStdin();
    broken.resume = () => {
      throw new Error('stdin is gone');
    };
    const out = new FakeStdout();
    const launched = launchTui(
      { stateDir: tempDir(), operator: 'tester', runbookDirs: [join(ROOT, 'examples')], env: { HOME: tempDir(), PATH: process.env.PATH }, cwd: ROOT, tickMs: 0, kubeContext: async () => undefined },
      { stdin: broken as never, stdout: out as never, stderr: new FakeStdout() as never, patchConsole: false },
    );
    await expect(launched).rejects.toThrow('stdin is gone');
    expect(broken.rawCalls.at(-1)).toBe(false);
    expect(out.data).toContain(LEAVE_ALT);
  });

  it('gives the terminal back on a crash, says what happened, and exits 1', async () => {
    const { stdout, stderr, stdin, proc, run, until } = setup();
    await until(() => stdout.data.includes('New incident'), 'the first frame');
    proc.emit('uncaughtException', new Error('boom'));
    expect(stdout.data.lastIndexOf(LEAVE_ALT)).toBeGreaterThan(stdout.data.lastIndexOf(ENTER_ALT));
    expect(stdin.rawCalls.at(-1)).toBe(false);
    expect(stderr.data).toContain('the terminal UI stopped on an unexpected error: boom');
    expect(proc.exit).toHaveBeenCalledWith(1);
    await run;
  });

  it('decides interactivity and colour from the terminal and the environment', () => {
    expect(isInteractive({ isTTY: true }, { isTTY: true }, {})).toBe(true);
    expect(isInteractive({ isTTY: false }, { isTTY: true }, {})).toBe(false);
    expect(isInteractive({ isTTY: true }, { isTTY: undefined }, {})).toBe(false);
    expect(isInteractive({ isTTY: true }, { isTTY: true }, { CI: 'true' })).toBe(false);
    expect(colorWanted({})).toBe(true);
    expect(colorWanted({ NO_COLOR: '1' })).toBe(false);
    expect(colorWanted({ NO_COLOR: '' })).toBe(true);
    // The header asks STS only when AWS is set up (else the SDK would load and probe for nothing).
    const home = tempDir();
    expect(awsConfigured({ HOME: home })).toBe(false);
    expect(awsConfigured({ HOME: home, AWS_PROFILE: 'prod' })).toBe(true);
    expect(awsConfigured({ HOME: home }, 'prod')).toBe(true);
  });

  it('without a terminal, the built oncall explains that it needs one and points to oncall run', async () => {
    const res = await oncall([]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('the interactive UI needs a terminal');
    expect(res.stderr).toContain("oncall run <runbook>");
    expect(res.stdout).toBe('');
  });

  it('reports a flag mistake as every command does, before it looks for a terminal', async () => {
    const io = capture();
    expect(await tuiCommand(['--read-only', 'lsit'], io)).toBe(2);
    expect(io.err()).toMatch(/^oncall: unknown command 'lsit' \(see oncall --help\)\nusage: oncall \[--state-dir/);
    const bad = capture();
    expect(await tuiCommand(['--contxt', 'prod'], bad)).toBe(2);
    expect(bad.err()).toMatch(/^oncall: Unknown option '--contxt'\nusage: oncall /);
    expect(io.out() + bad.out()).toBe('');
  });
});
