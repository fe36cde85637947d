// Renders the TUI with ink-testing-library on the real engine, writes keys, and polls the frame
// until it shows what a test waits for. No sleeps: the helper yields to the event loop
// (setImmediate, then setTimeout 0) between looks, and on timeout prints the last frame.
// Import this file first in every TUI test: it hides CI from Ink while Ink loads.
import './no-ci.js';
import { render } from 'ink-testing-library';
import './restore-ci.js';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import stripAnsi from 'strip-ansi';
import { afterAll, afterEach, beforeAll, beforeEach, expect, vi } from 'vitest';
import { App } from '../../src/tui/app.js';
import { TuiController, type TuiOptions } from '../../src/tui/controller.js';
import { localProviders } from '../helpers/providers.js';
import { incidentRecords } from '../helpers/journal.js';
import type { TuiStoreState } from '../../src/tui/store.js';
import { readJournal } from '../../src/journal/reader.js';
import { journalPath } from '../../src/journal/paths.js';
import { ROOT, startDemo, tempDir } from '../helpers/cli.js';

export { ROOT, startDemo, tempDir };

export const KEY = {
  enter: '\r',
  esc: '\u001b',
  up: '\u001b[A',
  down: '\u001b[B',
  right: '\u001b[C',
  left: '\u001b[D',
  tab: '\t',
  backspace: '\u007f',
  pageUp: '\u001b[5~',
  pageDown: '\u001b[6~',
  end: '\u001b[F',
  ctrlC: '\u0003',
  ctrlU: '\u0015',
} as const;

// React warnings (act(), keys, …) and any other console.error fail the test that caused them.
let errors: unknown[][] = [];
beforeEach(() => {
  errors = [];
  vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
    errors.push(args);
  });
});
afterEach(() => {
  vi.restoreAllMocks();
  expect(errors.map((a) => a.map(String).join(' ')), 'console.error during the test (React act() or other warnings)').toEqual([]);
});

export interface Tui {
  controller: TuiController;
  state(): TuiStoreState;
  /** The last frame, ANSI stripped. */
  frame(): string;
  /** Every frame Ink has written so far, ANSI stripped (for what must never be drawn). */
  frames(): string[];
  /** Every frame Ink has written so far as written, escape sequences and all (for what must never reach the terminal). */
  rawFrames(): string[];
  /** Writes keys (each argument is one write, as a person presses them). */
  press(...keys: string[]): void;
  /** Types text one character at a time. */
  type(text: string): void;
  /** Polls until the frame matches; returns it. */
  waitFor(what: string | RegExp | ((frame: string) => boolean), opts?: { timeout?: number }): Promise<string>;
  /** Polls until the store satisfies the predicate. */
  until(pred: (s: TuiStoreState) => boolean, opts?: { timeout?: number; what?: string }): Promise<void>;
  /** Quits (closing the journal), reads the last frame, unmounts. */
  close(): Promise<string>;
}

const live = new Set<Tui>();
afterEach(async () => {
  for (const t of [...live]) await t.close();
});

async function tick(): Promise<void> {
  await new Promise((r) => setImmediate(r));
  await new Promise((r) => setTimeout(r, 0));
}

async function poll(check: () => boolean, describe: () => string, timeout: number): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(describe());
    await tick();
  }
}

export interface RenderOptions extends Partial<TuiOptions> {
  columns?: number;
  rows?: number;
}

export function renderTui(o: RenderOptions = {}): Tui {
  const home = tempDir('oncall-tui-home-');
  const controller = new TuiController({
    stateDir: o.stateDir ?? tempDir('oncall-tui-state-'),
    runbookDirs: [join(ROOT, 'examples')],
    env: { HOME: home, PATH: process.env.PATH, XDG_CACHE_HOME: join(home, '.cache'), XDG_CONFIG_HOME: join(home, '.config') },
    cwd: ROOT,
    operator: 'tester',
    tickMs: 0,
    // Tests press keys as soon as a prompt is drawn; the guard has its own test (runner.test.tsx).
    promptGuardMs: 0,
    color: false,
    batchMs: 20,
    kubeContext: async () => undefined,
    providers: localProviders(),
    ...o,
    size: { columns: o.columns ?? 100, rows: o.rows ?? 32 },
  });
  const inst = render(<App controller={controller} />);
  controller.start();
  const frame = () => stripAnsi(inst.lastFrame() ?? '');
  let closed: string | undefined;
  const tui: Tui = {
    controller,
    state: () => controller.store.getState(),
    frame,
    frames: () => inst.frames.map((f) => stripAnsi(f)),
    rawFrames: () => [...inst.frames],
    press: (...keys) => {
      for (const k of keys) inst.stdin.write(k);
    },
    type: (text) => {
      for (const ch of text) inst.stdin.write(ch);
    },
    waitFor: async (what, opts = {}) => {
      const test = typeof what === 'string' ? (f: string) => f.includes(what) : what instanceof RegExp ? (f: string) => what.test(f) : what;
      await poll(
        () => test(frame()),
        () => `timed out waiting for ${String(what)}\n--- last frame ---\n${frame()}\n---`,
        opts.timeout ?? 15_000,
      );
      return frame();
    },
    until: async (pred, opts = {}) => {
      await poll(
        () => pred(controller.store.getState()),
        () => `timed out waiting for ${opts.what ?? 'the store'}\n--- last frame ---\n${frame()}\n---`,
        opts.timeout ?? 15_000,
      );
    },
    close: async () => {
      if (closed !== undefined) return closed;
      live.delete(tui);
      await controller.quit();
      await tick();
      closed = frame();
      inst.unmount();
      inst.cleanup();
      return closed;
    },
  };
  live.add(tui);
  return tui;
}

/** Journal records of an incident, as written. */
export async function journal(stateDir: string, id: string): Promise<{ type: string; payload: any; ts: string; seq: number }[]> {
  const { records } = await readJournal(journalPath(stateDir, id));
  return incidentRecords(records) as never;
}

/** A directory of runbooks: the example plus the given extra files. */
export function runbookDir(files: Record<string, string> = {}, withExample = true): string {
  const dir = tempDir('oncall-tui-runbooks-');
  mkdirSync(dir, { recursive: true });
  if (withExample) copyFileSync(join(ROOT, 'examples/local-504.yaml'), join(dir, 'local-504.yaml'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

/** From the start screen through the new-incident form and the picker to the inputs form of a runbook. */
export async function toInputs(t: Tui, filter: string, title = 'Checkout 504s'): Promise<void> {
  await t.waitFor('+ New incident');
  t.press(KEY.enter);
  await t.waitFor('New incident');
  t.type(title);
  t.press(KEY.enter, KEY.enter, KEY.enter);
  await t.waitFor('filter:');
  await t.until((s) => !s.runbooks.loading, { what: 'runbooks to load' });
  t.type(filter);
  await t.until((s) => s.filter === filter);
  t.press(KEY.enter);
  await t.until((s) => s.screen.kind === 'inputs' || s.screen.kind === 'runner', { what: 'the inputs form' });
}

/** Clears the focused field and types a value, then Enter. */
export function fill(t: Tui, value: string): void {
  t.press(KEY.ctrlU);
  t.type(value);
  t.press(KEY.enter);
}

/** Opens an incident of the example runbook against a demo service, up to the first step's gate. */
export async function openExample(t: Tui, demo: { url: string }, stateFile: string): Promise<string> {
  await toInputs(t, 'local');
  await t.waitFor('Inputs for local-504');
  fill(t, demo.url);
  fill(t, stateFile);
  t.press(KEY.enter);
  await t.waitFor('▶ Next: Reproduce the error');
  return t.state().incidentId!;
}

/** Waits for the gate of a step and runs it. */
/**
 * The example runbook's demo service, started once for the test file. Before every test its state
 * is the 504 again: the proxy (200 ms) times out before the backend (350 ms) answers.
 */
export function useDemo(): { readonly url: string; readonly stateFile: string } {
  let demo: Awaited<ReturnType<typeof startDemo>> | undefined;
  const stateFile = join(tempDir(), 'demo.json');
  const reset = () => writeFileSync(stateFile, JSON.stringify({ proxy_timeout_ms: 200, backend_latency_ms: 350 }));
  beforeAll(async () => {
    reset();
    demo = await startDemo(stateFile);
  });
  afterAll(() => demo?.stop());
  beforeEach(reset);
  return {
    get url() {
      if (!demo) throw new Error('the demo service starts in beforeAll');
      return demo.url;
    },
    stateFile,
  };
}

/** Runs the example runbook's first two steps and opens its decision: the question is on screen. */
export async function toDecision(t: Tui): Promise<void> {
  await runStep(t, 'Reproduce the error');
  await runStep(t, "Read the proxy timeout and the backend's response time");
  await runStep(t, 'Decide what causes the 504s');
  await t.waitFor('◆ What causes the 504s?');
}

export async function runStep(t: Tui, title: string): Promise<void> {
  await t.waitFor(`Next: ${title}`);
  t.press(KEY.enter);
  await t.until((s) => s.prompts[0]?.kind !== 'gate' || s.prompts[0].req.title !== title, { what: `the gate of '${title}' to be answered` });
}

/** An incident of the example runbook run headless until the first human step (it stays open). */
export async function seedIncident(stateDir: string, o: { url: string; stateFile: string; title?: string; severity?: string; openedAgoMs?: number }): Promise<string> {
  const [{ openSession }, { loadRunbook }, { builtinRegistry }, { headlessPorts }] = await Promise.all([
    import('../../src/engine/session.js'),
    import('../../src/runbook/load.js'),
    import('../../src/executors/index.js'),
    import('../../src/headless/ports.js'),
  ]);
  const registry = builtinRegistry();
  const incident = await openSession({
    root: stateDir,
    providers: localProviders(),
    loaded: await loadRunbook(join(ROOT, 'examples/local-504.yaml'), registry),
    registry,
    ports: headlessPorts({ yes: true, answers: {}, operator: 'seeder' }),
    inputs: { url: o.url, state: o.stateFile },
    title: o.title ?? 'Seeded incident',
    severity: o.severity ?? 'SEV2',
    operator: 'seeder',
    // Back-dated journal times, so tests order incidents without waiting for the clock.
    ...(o.openedAgoMs ? { now: () => Date.now() - o.openedAgoMs! } : {}),
  });
  try {
    await incident.engine.run();
  } catch {
    // NeedsHumanError at the decision: the incident stays open there.
  } finally {
    await incident.close();
  }
  return incident.id;
}
