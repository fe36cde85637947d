// Mounts the Ink app in
// the alternate screen. The terminal is given back on every exit path: quit, Ctrl+C twice,
// SIGTERM/SIGHUP, a render error, an uncaught exception. This is the one place that ends the TUI.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { render, type Instance } from 'ink';
import { createElement } from 'react';
import type { CommandIO } from '../core/io.js';
import type { Mode } from '../journal/events.js';
import { stateRoot } from '../paths.js';
import { App } from './app.js';
import { TuiController, type TuiOptions } from './controller.js';

/** NO_COLOR (no-color.org): present and not empty turns colour off. */
export function colorWanted(env: NodeJS.ProcessEnv): boolean {
  return !(env.NO_COLOR !== undefined && env.NO_COLOR !== '');
}

/**
 * Plugins load lazily (with the engine); what they say about themselves goes to the message line,
 * never onto the screen Ink owns.
 */
export function lazyPlugins(io: CommandIO, flags: string[] | undefined) {
  const notes: string[] = [];
  // A real stream whose writes become notes (as they are written: a string stays a string).
  const stderr = new Writable({
    decodeStrings: false,
    write(chunk: unknown, _encoding, done) {
      notes.push(String(chunk).trim());
      done();
    },
  });
  const quietIO: CommandIO = { ...io, stderr };
  let plugins: Promise<import('../plugins/session.js').PluginContext> | undefined;
  const context = () => (plugins ??= import('../plugins/session.js').then((m) => m.pluginContext(quietIO, flags)));
  return {
    notes,
    context,
    /** The TUI's options for plugins: step kinds, listing (cache-aware) and what they reported. */
    options: {
      registry: async () => (await context()).registry,
      listingPlugins: async () => (await import('../plugins/session.js')).listingPlugins(quietIO, flags),
      pluginNotes: () => notes.splice(0),
    } satisfies Partial<TuiOptions>,
  };
}

/**
 * `oncall drill [<scenario>]` at a terminal (and `npm start`): the TUI in drill mode, on the
 * scenario picker or straight into the named scenario. No live provider is made, so nothing can
 * reach a real account; AWS and the kube context in the header are the simulation's.
 */
export async function drillTui(
  o: {
    /** A scenario file to play at once; otherwise the picker. */
    scenario?: string;
    /** The scenario search path, given the directories plugins add. */
    scenarioDirs: (pluginDirs: string[]) => string[];
    runbookDirs?: string[];
    plugins?: string[];
    stateDir?: string;
    /** Who plays: decided where the flags are read (core/operator.ts). */
    operator: string;
    /** Simulated time per wall time while the operator is awaited (--pace). */
    pace?: number;
  },
  io: CommandIO,
): Promise<number> {
  const { context, options } = lazyPlugins(io, o.plugins);
  return launchTui(
    {
      mode: 'drill',
      registry: options.registry,
      pluginNotes: options.pluginNotes,
      scenarioDirs: async () => o.scenarioDirs((await context()).scenarioDirs),
      pluginRunbookDirs: async () => (await context()).runbookDirs,
      stateDir: o.stateDir ?? stateRoot(io.env),
      runbookDirs: o.runbookDirs,
      env: io.env,
      cwd: io.cwd,
      operator: o.operator,
      ...(o.scenario ? { scenario: o.scenario } : {}),
      ...(o.pace !== undefined ? { drillPace: o.pace } : {}),
      color: colorWanted(io.env),
    },
    { stdout: io.stdout, stderr: io.stderr, handleSignals: io.handleSignals ?? false },
  );
}

/** AWS credentials or a profile are set up for this user (env, flag, or ~/.aws). */
export function awsConfigured(env: NodeJS.ProcessEnv, profile?: string): boolean {
  if (profile || env.AWS_PROFILE || env.AWS_ACCESS_KEY_ID || env.AWS_WEB_IDENTITY_TOKEN_FILE || env.AWS_CONTAINER_CREDENTIALS_FULL_URI || env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI) return true;
  const home = env.HOME || homedir();
  return [env.AWS_CONFIG_FILE || join(home, '.aws', 'config'), env.AWS_SHARED_CREDENTIALS_FILE || join(home, '.aws', 'credentials')].some((f) => existsSync(f));
}

export interface LaunchIO {
  stdin?: NodeJS.ReadStream;
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
  /** Install SIGINT/SIGTERM/SIGHUP and crash handlers (the real CLI does). */
  handleSignals?: boolean;
  /** Where signals and crashes are heard, and how the process ends after a crash (tests pass their own). */
  proc?: Pick<NodeJS.Process, 'on' | 'off' | 'exit'>;
  /** Route console.* through Ink so stray logging cannot tear the screen (default true). */
  patchConsole?: boolean;
}

export interface LaunchOptions extends Omit<TuiOptions, 'mode'> {
  mode?: Mode;
}

const LEAVE_ALT_SCREEN = '\u001b[?1049l\u001b[?25h';

/** Mounts the TUI and resolves with the exit code once it is gone and the terminal restored. */
export async function launchTui(o: LaunchOptions, io: LaunchIO = {}): Promise<number> {
  const stdin = io.stdin ?? process.stdin;
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  const proc = io.proc ?? process;
  const { columns, rows } = stdout as { columns?: number; rows?: number };
  const controller = new TuiController({
    color: colorWanted(o.env ?? process.env),
    ...(columns && rows ? { initialSize: { columns, rows } } : {}),
    ...o,
  });
  let instance: Instance | undefined;
  let restored = false;

  /** Gives the terminal back: Ink's unmount leaves the alternate screen and raw mode; belt and braces after. */
  const restore = () => {
    if (restored) return;
    restored = true;
    try {
      instance?.unmount();
    } catch {
      // already gone
    }
    try {
      (stdin as { setRawMode?: (on: boolean) => void }).setRawMode?.(false);
    } catch {
      // not a terminal any more
    }
    try {
      stdout.write(LEAVE_ALT_SCREEN);
    } catch {
      // closed
    }
  };

  const crash = (err: unknown) => {
    restore();
    const id = controller.store.getState().incidentId;
    const text = err instanceof Error ? (process.env.ONCALL_DEBUG ? (err.stack ?? err.message) : err.message) : String(err);
    stderr.write(`oncall: the terminal UI stopped on an unexpected error: ${text}\n${id ? `the journal is intact; resume with: oncall resume ${id} (or oncall)\n` : ''}`);
    // The state of the UI is unknown: leave now. The journal is fsync'ed record by record.
    proc.exit(1);
  };
  const onSignal = () => void controller.quit();
  if (io.handleSignals) {
    proc.on('uncaughtException', crash);
    proc.on('unhandledRejection', crash);
    for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) proc.on(sig, onSignal);
  }

  try {
    // Other code may have read stdin (and paused it); Ink needs it flowing.
    stdin.resume();
    instance = render(createElement(App, { controller }), {
      stdin,
      stdout: stdout as NodeJS.WriteStream,
      stderr: stderr as NodeJS.WriteStream,
      exitOnCtrlC: false,
      alternateScreen: true,
      // Ink throttles renders to this rate, so a key press that lands just after another frame (the
      // clock's, a batch of output) waits out the rest of it: up to 8 ms here, 17 ms at 60. Not a
      // higher steady rate: the store already batches engine output (every 50 ms).
      maxFps: 120,
      incrementalRendering: true,
      patchConsole: io.patchConsole ?? true,
    });
    const mounted = instance;
    const unsubscribe = controller.store.subscribe((s) => {
      if (s.exit) mounted.unmount();
    });
    controller.start();
    try {
      await mounted.waitUntilExit();
    } catch (err) {
      // A render error: Ink has unmounted; close the journal properly before reporting it.
      restore();
      await controller.quit();
      const id = controller.store.getState().incidentId;
      stderr.write(`oncall: the terminal UI failed: ${err instanceof Error ? err.message : String(err)}\n${id ? `resume with: oncall resume ${id}\n` : ''}`);
      return 1;
    } finally {
      unsubscribe();
    }
    restore();
    if (!controller.store.getState().exit) await controller.quit();
    const exit = controller.store.getState().exit;
    if (exit?.message) stderr.write(`${exit.message}\n`);
    return exit?.code ?? 0;
  } finally {
    // Every path out gives the terminal back, a render that threw before it mounted included.
    restore();
    controller.stop();
    if (io.handleSignals) {
      proc.off('uncaughtException', crash);
      proc.off('unhandledRejection', crash);
      for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) proc.off(sig, onSignal);
    }
    stdin.pause();
    (stdin as { unref?: () => void }).unref?.();
  }
}
