// Kill -9 at random moments while the example runbook runs, then resume. Every journal must
// verify, every incident must resume to the same end state as an uninterrupted run, no event
// the process reported as durable may be missing, and the write step must never run twice.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnyEvent } from '../../src/journal/events.js';
import { foldEvents, type IncidentState } from '../../src/engine/state.js';
import { journalPath } from '../../src/journal/paths.js';
import { readJournal, verifyJournal } from '../../src/journal/reader.js';
import { BIN, ROOT, events, oncall, startDemo, tempDir } from '../helpers/cli.js';

const TRIALS = Number(process.env.ONCALL_CRASH_TRIALS ?? 50);
const PARALLEL = 5;
const ANSWERS = ['--yes', '--answer', 'diagnose=raise-timeout', '--answer', 'record=done'];

interface Trial {
  stateDir: string;
  stateFile: string;
  url: string;
}

function args(t: Trial): string[] {
  return ['run', 'examples/local-504.yaml', '--input', `url=${t.url}`, '--input', `state=${t.stateFile}`, '--input', 'new_timeout_ms=1000', ...ANSWERS, '--json'];
}

/** What must be the same after any crash and resume: how each step ended and what it captured. */
function essence(s: IncidentState) {
  const steps = Object.fromEntries(Object.values(s.steps).map((st) => [st.id, st.phase]));
  const { latency_ms: _latency, ...vars } = s.vars;
  return { outcome: s.outcome, steps, vars };
}

function auditLines(stateFile: string): string[] {
  const file = `${stateFile}.audit`;
  return existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean) : [];
}

describe('crash safety (SIGKILL at random points)', () => {
  const demos: { stop: () => Promise<void> }[] = [];
  let reference: ReturnType<typeof essence>;
  let referenceMs = 0;
  let openMs = 0;

  async function newTrial(): Promise<Trial> {
    const dir = tempDir('oncall-crash-');
    const stateFile = join(dir, 'demo.json');
    const demo = await startDemo(stateFile);
    demos.push(demo);
    return { stateDir: join(dir, 'state'), stateFile, url: demo.url };
  }

  beforeAll(async () => {
    const t = await newTrial();
    const started = performance.now();
    const res = await oncall(args(t), { stateDir: t.stateDir });
    referenceMs = performance.now() - started;
    expect(res.code, res.stderr).toBe(0);
    const id = events(res.stdout)[0]!.incident;
    const { records } = await readJournal(journalPath(t.stateDir, id));
    // How long the process takes before its first record: the journal spans the rest of the run.
    openMs = Math.max(0, referenceMs - (Date.parse(records.at(-1)!.ts) - Date.parse(records[0]!.ts)));
    reference = essence(foldEvents(id, records as unknown as AnyEvent[]));
    expect(reference.outcome).toBe('completed');
    expect(auditLines(t.stateFile)).toHaveLength(1);
  }, 60_000);

  afterAll(async () => {
    await Promise.all(demos.map((d) => d.stop()));
  });

  async function trial(n: number): Promise<string> {
    const t = await newTrial();
    // One kill in five lands while the process starts and opens the incident (timed from the
    // spawn); the others while it runs, where the journal has something to lose: timed from its
    // first record, so a start-up slowed by the trials running beside it does not swallow them.
    const duringStartup = n % 5 === 0;
    const killAt = duringStartup ? Math.random() * openMs : Math.random() * (referenceMs - openMs) * 1.1;
    const child = spawn(process.execPath, [BIN, ...args(t)], {
      cwd: ROOT,
      env: { ...process.env, ONCALL_STATE_DIR: t.stateDir, ONCALL_OPERATOR: 'tester' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let timer: ReturnType<typeof setTimeout> | undefined = duringStartup ? setTimeout(() => child.kill('SIGKILL'), killAt) : undefined;
    child.stdout.on('data', (d) => {
      out += d;
      if (!timer && out.includes('\n')) timer = setTimeout(() => child.kill('SIGKILL'), killAt);
    });
    const exited = new Promise<number | null>((ok) => child.once('exit', (code) => ok(code)));
    await exited;
    clearTimeout(timer);

    // Only complete lines count: the process prints an event after it is durable.
    const reported = events(out.slice(0, out.lastIndexOf('\n') + 1));
    const dirs = existsSync(join(t.stateDir, 'incidents')) ? readdirSync(join(t.stateDir, 'incidents')) : [];
    // The directory may exist without its journal when the kill fell between the two.
    if (dirs.length === 0 || !existsSync(journalPath(t.stateDir, dirs[0]!))) {
      expect(reported, `trial ${n}: events reported without a journal`).toHaveLength(0);
      expect(auditLines(t.stateFile)).toHaveLength(0);
      return 'killed before the incident existed';
    }
    expect(dirs).toHaveLength(1);
    const id = dirs[0]!;
    const file = journalPath(t.stateDir, id);

    const before = await verifyJournal(file);
    expect(before.ok, `trial ${n}: ${JSON.stringify(before)}`).toBe(true);
    const { records } = await readJournal(file);
    // No event lost: everything reported before the kill is in the journal, byte for byte in its chain.
    for (const ev of reported) {
      const rec = records[ev.seq];
      expect(rec, `trial ${n}: reported seq ${ev.seq} missing from the journal`).toBeDefined();
      expect(rec!.prev).toBe(ev.prev);
      expect(rec!.type).toBe(ev.type);
    }
    const state = foldEvents(id, records as unknown as AnyEvent[]);
    if (!state.runbook) {
      expect(Object.keys(state.steps)).toHaveLength(0);
      expect(auditLines(t.stateFile)).toHaveLength(0);
      return 'killed before the runbook was attached';
    }

    if (!state.outcome) {
      const res = await oncall(['resume', id, ...ANSWERS, '--json'], { stateDir: t.stateDir });
      expect(res.code, `trial ${n} resume: ${res.stderr}`).toBe(0);
    }
    const after = await verifyJournal(file);
    expect(after.ok, `trial ${n}: ${JSON.stringify(after)}`).toBe(true);
    const final = foldEvents(id, (await readJournal(file)).records as unknown as AnyEvent[]);
    expect(essence(final), `trial ${n}`).toEqual(reference);
    // The write step changed the world exactly once, however the crash fell.
    expect(auditLines(t.stateFile), `trial ${n}: set-timeout ran more than once`).toHaveLength(1);
    return state.outcome ? 'finished before the kill' : `resumed from ${state.next ?? 'the start'}`;
  }

  it(`resumes every incident to the same state (${TRIALS} trials)`, async () => {
    const outcomes = new Map<string, number>();
    for (let i = 0; i < TRIALS; i += PARALLEL) {
      const batch = await Promise.all(Array.from({ length: Math.min(PARALLEL, TRIALS - i) }, (_, k) => trial(i + k)));
      for (const o of batch) outcomes.set(o, (outcomes.get(o) ?? 0) + 1);
    }
    // Most kills must land mid-run, or the test proves little.
    const resumed = [...outcomes].filter(([k]) => k.startsWith('resumed')).reduce((n, [, c]) => n + c, 0);
    console.log('crash trials:', Object.fromEntries(outcomes));
    expect(resumed).toBeGreaterThanOrEqual(TRIALS / 3);
  }, 600_000);
});
