// Resuming in the TUI on the real engine and a real journal: secret inputs are asked for again
// (masked, checked, never drawn or journaled), and a write the journal shows started but never
// finished is put to the operator, whose answer is journaled and decides how the run goes on.
import { fill, journal, KEY, renderTui, runbookDir, runStep, tempDir, toInputs, type Tui } from './helpers.js';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AnyEvent } from '../../src/journal/events.js';
import { openSession, resumeSession, type IncidentSession } from '../../src/engine/session.js';
import { localProviders } from '../helpers/providers.js';
import { builtinRegistry } from '../../src/executors/index.js';
import { headlessPorts } from '../../src/headless/ports.js';
import { journalPath } from '../../src/journal/paths.js';
import { loadRunbook } from '../../src/runbook/load.js';

// ── secret inputs ────────────────────────────────────────────────────────────────────────────

const SECRET = 'k8stoken2718';

const SECRET_RUNBOOK = `
id: rotate-token
title: Rotate the deploy token
version: 1.0.0
summary: Checks the cluster, then uses a token that must never be written down
inputs:
  token:
    type: string
    secret: true
    pattern: '^[a-z0-9]{8,}$'
    description: The deploy token
  out:
    type: string
    description: Where the step writes what it received (the test reads it)
steps:
  - id: look
    title: Look at the cluster
    kind: shell
    with:
      argv: [node, -e, "console.log('cluster looks fine')"]
      effect: read
  - id: use
    title: Use the token
    kind: shell
    with:
      argv: [node, -e, "require('fs').writeFileSync(process.argv[2], process.argv[1]); console.log('token is ' + process.argv[1])", "\${{ inputs.token }}", "\${{ inputs.out }}"]
      effect: read
`;

describe('secret inputs on resume', () => {
  it('asks for them again, masked and checked; the right value resumes; it is never drawn or journaled', async () => {
    const dir = runbookDir({ 'rotate.yaml': SECRET_RUNBOOK }, false);
    const stateDir = tempDir();
    const out = join(tempDir(), 'received');
    const first = renderTui({ runbookDirs: [dir], stateDir });
    await toInputs(first, 'rotate');
    await first.waitFor('Inputs for rotate-token');
    fill(first, SECRET);
    fill(first, out);
    await runStep(first, 'Look at the cluster');
    await first.waitFor('Next: Use the token');
    const id = first.state().incidentId!;
    first.press('q');
    await first.until((s) => s.exit !== undefined);
    expect(first.state().exit?.message).toContain(`incident ${id} stays open`);
    const firstFrames = first.frames();
    await first.close();

    // Launched with the incident to resume: the secrets form comes first, nothing is resumed yet.
    const again = renderTui({ runbookDirs: [dir], stateDir, incident: id });
    let f = await again.waitFor(`Secret inputs for ${id}`);
    expect(f).toContain('The journal never holds secrets: give them again to resume.');
    expect(f).toMatch(/> token\s+required/);
    expect(f).not.toMatch(/^\s*[> ] out\b/m); // a journaled input is not asked again
    expect(f).toContain('token: The deploy token | pattern ^[a-z0-9]{8,}$ | secret: never shown or journaled');
    // Blank: refused, and the field says why.
    again.press(KEY.enter);
    f = await again.waitFor('token: required');
    expect(f).toMatch(/✗ required/);
    expect(again.state().screen.kind).toBe('inputs');
    // A value that does not fit: refused, with the problem drawn and the value masked even there.
    again.type('NOT-IT');
    f = await again.waitFor('does not match the pattern');
    expect(f).toContain('••••••');
    expect(f).not.toContain('NOT-IT');
    again.press(KEY.enter);
    f = await again.waitFor(/token: .*does not match the pattern/);
    expect(f).not.toContain('NOT-IT');
    expect(again.state().screen.kind).toBe('inputs');
    // Esc leaves without resuming: back to the start screen, where the incident is still listed.
    again.press(KEY.esc);
    f = await again.waitFor('Incidents to go on with, newest first (1)');
    expect(f).toContain(id);
    expect((await journal(stateDir, id)).filter((r) => r.type === 'incident.resumed')).toHaveLength(0);

    // From the start screen this time; the right value resumes where it stopped.
    again.press(KEY.down, KEY.enter);
    await again.waitFor(`Secret inputs for ${id}`);
    again.type(SECRET);
    f = await again.waitFor('•'.repeat(SECRET.length));
    expect(f).toMatch(/token\s+•+\s+✓/);
    again.press(KEY.enter);
    f = await again.waitFor('Next: Use the token');
    expect(f).toMatch(/✓ Look at the cluster/);
    again.press(KEY.enter);
    f = await again.waitFor('Runbook completed');
    expect(f).toContain('token is [redacted:token]');
    // The step received the value typed on resume.
    expect(readFileSync(out, 'utf8')).toBe(SECRET);
    const frames = [...firstFrames, ...again.frames()];
    expect(frames.length).toBeGreaterThan(10);
    expect(frames.filter((fr) => fr.includes(SECRET))).toEqual([]);
    expect(JSON.stringify(again.state().output)).not.toContain(SECRET);
    await again.close();

    const bytes = readFileSync(journalPath(stateDir, id), 'utf8');
    expect(bytes).not.toContain(SECRET);
    expect(bytes).not.toContain('NOT-IT');
    const records = await journal(stateDir, id);
    expect(records.filter((r) => r.type === 'incident.resumed')).toHaveLength(1);
    expect(records.find((r) => r.type === 'step.output' && r.payload.step === 'use')?.payload.text).toBe('token is [redacted:token]');
    expect(records.at(-1)?.payload).toMatchObject({ outcome: 'completed' });
  });
});

const DEFAULT_SECRET_RUNBOOK = `
id: default-secret
title: Use a token with a default
version: 1.0.0
summary: A secret input with a default, used as it is
inputs:
  token: { type: string, secret: true, default: sandboxtoken1 }
steps:
  - id: look
    title: Look first
    kind: shell
    with: { argv: [node, -e, "console.log('looked')"], effect: read }
  - id: use
    title: Use the token
    kind: shell
    with: { argv: [node, -e, "console.log(process.argv[1].length + ' characters, got ' + process.argv[1])", "\${{ inputs.token }}"], effect: read }
`;

describe('secret inputs with a default, on resume', () => {
  it('lets the field stay empty, as it did when the incident was opened', async () => {
    // Opened with the default (the field left empty, as its placeholder invites); resumed the same
    // way, as `oncall resume` does without --input. The form says "optional" and must accept it.
    const dir = runbookDir({ 'default-secret.yaml': DEFAULT_SECRET_RUNBOOK }, false);
    const stateDir = tempDir();
    const first = renderTui({ runbookDirs: [dir], stateDir });
    await toInputs(first, 'default-secret');
    await first.waitFor('a default is set; leave empty to use it');
    first.press(KEY.enter);
    await runStep(first, 'Look first');
    await first.waitFor('Next: Use the token');
    const id = first.state().incidentId!;
    await first.close();

    const again = renderTui({ runbookDirs: [dir], stateDir, incident: id });
    const f = await again.waitFor(`Secret inputs for ${id}`);
    expect(f).toMatch(/> token\s+(optional|a default is set)/);
    again.press(KEY.enter);
    await again.waitFor('Next: Use the token');
    again.press(KEY.enter);
    // The default is a secret's value too: redacted in the intent's argv and in the output.
    await again.waitFor('13 characters, got [redacted:token]');
    await again.close();
    for (const frame of [...first.frames(), ...again.frames()]) expect(frame).not.toContain('sandboxtoken1');
    const records = await journal(stateDir, id);
    // Only the journaled copy of the runbook has it, as the file does (the checker warns of that).
    expect(records.filter((r) => JSON.stringify(r).includes('sandboxtoken1')).map((r) => r.type)).toEqual(['runbook.attached']);
  });
});

// ── a write left in doubt ────────────────────────────────────────────────────────────────────

// The write counts its runs in a file, and hangs while `<file>.hang` exists (so a crash can land
// mid-change). The argv is kept short so the question (which quotes it) fits in its three lines.
const DOUBT_RUNBOOK = `
id: restart-pool
title: Restart the worker pool
version: 1.0.0
summary: Restarts the workers, then checks them
inputs:
  count: { type: string, pattern: '^[\\w./-]+$' }
steps:
  - id: restart
    title: Restart workers
    kind: shell
    with:
      argv: [node, "\${{ inputs.count }}.js", "\${{ inputs.count }}"]
  - id: check
    title: Check the workers
    kind: shell
    with:
      argv: [node, -e, "console.log('workers up')"]
      effect: read
`;

const COUNTER = `const fs = require('fs');
const f = process.argv[2];
fs.appendFileSync(f, 'x');
console.log('restarted ' + fs.readFileSync(f, 'utf8').length + ' time(s)');
if (fs.existsSync(f + '.hang')) setInterval(() => {}, 1000);
`;

interface Doubt {
  stateDir: string;
  count: string;
  runs: () => number;
  id: string;
}

/**
 * Runs the runbook headless (as `oncall run --yes` would) and "crashes" while the write runs: the
 * journal is closed under the engine once the step has printed, then the step is stopped, so the
 * journal ends with its write-ahead step.started and no step.finished, as after a SIGKILL.
 */
async function crashDuringWrite(inc: IncidentSession): Promise<void> {
  inc.engine.on((ev: AnyEvent) => {
    if (ev.type === 'step.output' && ev.payload.step === 'restart') {
      void inc.journal.close();
      inc.engine.abortCurrent();
    }
  });
  await expect(inc.engine.run()).rejects.toThrow(/closed/);
  await inc.close().catch(() => undefined);
}

async function seedDoubt(): Promise<Doubt> {
  const stateDir = tempDir();
  const dir = tempDir();
  const file = join(dir, 'rb.yaml');
  writeFileSync(file, DOUBT_RUNBOOK);
  const count = join(dir, 'count');
  writeFileSync(`${count}.js`, COUNTER);
  writeFileSync(`${count}.hang`, '');
  const registry = builtinRegistry();
  const inc = await openSession({
    root: stateDir,
    providers: localProviders(),
    loaded: await loadRunbook(file, registry),
    registry,
    ports: headlessPorts({ yes: true, answers: {}, operator: 'seeder' }),
    inputs: { count },
    title: 'Workers stuck',
    operator: 'seeder',
  });
  await crashDuringWrite(inc);
  rmSync(`${count}.hang`);
  const runs = () => (existsSync(count) ? readFileSync(count, 'utf8').length : 0);
  return { stateDir, count, runs, id: inc.id };
}

/** Resumes the incident and waits for the in-doubt question. */
async function resumeToQuestion(d: Doubt): Promise<{ t: Tui; frame: string }> {
  const t = renderTui({ stateDir: d.stateDir, incident: d.id });
  const frame = await t.waitFor('Did the change happen?');
  return { t, frame };
}

describe('a write left in doubt', () => {
  it('the seeded journal ends with the write-ahead record of the write', async () => {
    const d = await seedDoubt();
    const records = await journal(d.stateDir, d.id);
    const last = records.filter((r) => r.type !== 'step.output' && r.type !== 'step.spawned').at(-1);
    expect(last).toMatchObject({ type: 'step.started', payload: { step: 'restart', effect: 'write', write_ahead: true } });
    expect(records.some((r) => r.type === 'step.finished')).toBe(false);
    expect(d.runs()).toBe(1);
  });

  it('asks whether the change happened; "it happened" marks it done without running it again', async () => {
    const d = await seedDoubt();
    const { t, frame } = await resumeToQuestion(d);
    // The question quotes the command; however it wraps, the question itself stays in view.
    expect(frame).toContain("◆ Step 'Restart workers' started a change but oncall");
    // Nothing is highlighted: whether the change happened is never answered by a stray Enter.
    expect(frame).toMatch(/^ +1\. It happened: mark the step done \(done\)/m);
    expect(frame).toContain('nothing is chosen for you');
    expect(frame).toContain('2. It did not happen: run the step again (rerun)');
    expect(frame).toContain('3. Skip the step (skip)');
    expect(frame).toMatch(/\? Restart workers/); // the step list marks it in doubt
    // Waiting on the question, the step is not running: no "running" phase, no duration counting
    // from the start the interrupted process journaled.
    expect(frame).toContain('restart | shell | write | in doubt (pending)');
    expect(frame).toMatch(/^>\? Restart workers +restart \| shell/m);
    expect(t.state().incident?.steps.restart).toMatchObject({ phase: 'running', inDoubt: true, settling: true });
    expect(t.state().prompts[0]).toMatchObject({ kind: 'ask', req: { stepId: 'restart', type: 'choice' }, selected: -1 });
    t.press(KEY.enter);
    await t.waitFor('no option is highlighted');
    expect(t.state().prompts[0]).toMatchObject({ kind: 'ask', req: { stepId: 'restart' } });
    t.press(KEY.down);
    await t.until((s) => s.prompts[0]?.kind === 'ask' && s.prompts[0].selected === 0);
    t.press(KEY.enter);
    let f = await t.waitFor('Next: Check the workers');
    expect(f).toMatch(/✓ Restart workers/);
    expect(f).toContain('marked done by tester after an interruption');
    t.press(KEY.enter);
    f = await t.waitFor('Runbook completed');
    expect(f).toContain('Steps ✓ all');
    await t.close();

    expect(d.runs()).toBe(1);
    const records = await journal(d.stateDir, d.id);
    const after = records.slice(records.findIndex((r) => r.type === 'incident.resumed')).filter((r) => r.type !== 'step.spawned');
    expect(after.map((r) => r.type).filter((x) => x !== 'step.output' && x !== 'step.spawned')).toEqual([
      'incident.resumed',
      'step.in_doubt',
      'decision.made',
      'step.finished',
      'step.started',
      'step.finished',
      'run.finished',
    ]);
    expect(after[1]?.payload).toMatchObject({ step: 'restart', attempt: 1, resolution: 'ask' });
    expect(after[2]?.payload).toMatchObject({ step: 'restart', value: 'done', by: 'tester', type: 'choice' });
    expect(after[3]?.payload).toMatchObject({ step: 'restart', status: 'ok', reconciled: 'human' });
    expect(records.at(-1)?.payload).toMatchObject({ outcome: 'completed' });
  });

  it('"it did not happen" runs the step again, through its gate and its confirmation', async () => {
    const d = await seedDoubt();
    const { t } = await resumeToQuestion(d);
    t.press('2');
    await runStep(t, 'Restart workers');
    let f = await t.waitFor('Confirm change');
    expect(f).toMatch(/argv:\s+node \S+count\.js/);
    t.press('y');
    f = await t.waitFor('Next: Check the workers');
    expect(f).toMatch(/✓ Restart workers/);
    // Its output shows the second run, with the attempt marker.
    t.press(KEY.up);
    f = await t.waitFor('restarted 2 time(s)');
    expect(f).toContain('── attempt 2 ──');
    t.press(KEY.end);
    await runStep(t, 'Check the workers');
    await t.waitFor('Runbook completed');
    await t.close();

    expect(d.runs()).toBe(2);
    const records = await journal(d.stateDir, d.id);
    expect(records.find((r) => r.type === 'decision.made')?.payload).toMatchObject({ step: 'restart', value: 'rerun', by: 'tester' });
    expect(records.filter((r) => r.type === 'step.started' && r.payload.step === 'restart').map((r) => r.payload.attempt)).toEqual([1, 2]);
    // The seeder approved the first run; the operator approved the second.
    expect(records.filter((r) => r.type === 'confirm.given').map((r) => r.payload)).toEqual([
      expect.objectContaining({ step: 'restart', approved: true, by: 'seeder', purpose: 'action' }),
      expect.objectContaining({ step: 'restart', approved: true, by: 'tester', purpose: 'action' }),
    ]);
    expect(records.at(-1)?.payload).toMatchObject({ outcome: 'completed' });
  });

  it('"skip" skips the write, journaled with who decided', async () => {
    const d = await seedDoubt();
    const { t } = await resumeToQuestion(d);
    t.press(KEY.down, KEY.down, KEY.down);
    await t.until((s) => s.prompts[0]?.kind === 'ask' && s.prompts[0].selected === 2);
    t.press(KEY.enter);
    const f = await t.waitFor('Next: Check the workers');
    expect(f).toMatch(/↷ Restart workers/);
    await t.close();
    expect(d.runs()).toBe(1);
    const records = await journal(d.stateDir, d.id);
    expect(records.find((r) => r.type === 'decision.made')?.payload).toMatchObject({ step: 'restart', value: 'skip' });
    expect(records.find((r) => r.type === 'step.skipped')?.payload).toMatchObject({ step: 'restart', reason: 'skipped by tester after an interruption', by: 'tester' });
  });

  it('quitting at the question leaves it unanswered: the next resume asks again', async () => {
    const d = await seedDoubt();
    const { t } = await resumeToQuestion(d);
    t.press('q');
    await t.until((s) => s.exit !== undefined);
    expect(t.state().exit?.message).toContain(`incident ${d.id} stays open`);
    await t.close();
    expect((await journal(d.stateDir, d.id)).some((r) => r.type === 'decision.made')).toBe(false);
    const { t: t2 } = await resumeToQuestion(d);
    t2.press('1');
    await t2.waitFor('Next: Check the workers');
    await t2.close();
    expect(d.runs()).toBe(1);
  });

  it('a write aborted with Ctrl+C is in doubt too: Enter continues with the question, in the same session', async () => {
    const rbDir = runbookDir({ 'restart.yaml': DOUBT_RUNBOOK }, false);
    const dir = tempDir();
    const count = join(dir, 'count');
    writeFileSync(`${count}.js`, COUNTER);
    writeFileSync(`${count}.hang`, '');
    const stateDir = tempDir();
    const t = renderTui({ runbookDirs: [rbDir], stateDir });
    await toInputs(t, 'restart-pool');
    await t.waitFor('Inputs for restart-pool');
    fill(t, count);
    await runStep(t, 'Restart workers');
    await t.waitFor('Confirm change');
    t.press('y');
    await t.waitFor('restarted 1 time(s)');
    t.press(KEY.ctrlC);
    const f = await t.waitFor('Stopped. enter continues');
    expect(f).toMatch(/\? Restart workers/);
    rmSync(`${count}.hang`);
    t.press(KEY.enter);
    await t.waitFor('Did the change happen?');
    t.press('2');
    await runStep(t, 'Restart workers');
    await t.waitFor('Confirm change');
    t.press('y');
    await runStep(t, 'Check the workers');
    await t.waitFor('Runbook completed');
    const id = t.state().incidentId!;
    await t.close();
    expect(readFileSync(count, 'utf8')).toBe('xx');
    const records = await journal(stateDir, id);
    expect(records.find((r) => r.type === 'step.finished' && r.payload.step === 'restart')?.payload).toMatchObject({ status: 'aborted', in_doubt: true });
    expect(records.find((r) => r.type === 'step.in_doubt')?.payload).toMatchObject({ step: 'restart', attempt: 1, resolution: 'ask' });
    expect(records.find((r) => r.type === 'decision.made')?.payload).toMatchObject({ step: 'restart', value: 'rerun', by: 'tester' });
  });

  it('asks again when the re-run of the write is itself interrupted', async () => {
    // First crash, then a headless resume answers "rerun" (--answer restart.outcome=rerun --yes), and the
    // second run of the write crashes too. Whether that second run changed anything is unknown
    // again: the operator must be asked, not answered with the first crash's "rerun".
    const d = await seedDoubt();
    writeFileSync(`${d.count}.hang`, '');
    const inc = await resumeSession({
      root: d.stateDir,
      providers: localProviders(),
      id: d.id,
      registry: builtinRegistry(),
      ports: headlessPorts({ yes: true, answers: { 'restart.outcome': 'rerun' }, operator: 'seeder' }),
      inputs: {},
      operator: 'seeder',
    });
    await crashDuringWrite(inc);
    rmSync(`${d.count}.hang`);
    expect(d.runs()).toBe(2);
    const seeded = await journal(d.stateDir, d.id);
    expect(seeded.filter((r) => r.type === 'step.started' && r.payload.step === 'restart').map((r) => r.payload.attempt)).toEqual([1, 2]);
    expect(seeded.some((r) => r.type === 'step.finished')).toBe(false);

    const t = renderTui({ stateDir: d.stateDir, incident: d.id });
    await t.until((s) => s.prompts.length > 0, { what: 'the first prompt after resuming' });
    // Not the gate of a plain re-run: the question, about the second attempt.
    expect(t.state().prompts[0]).toMatchObject({ kind: 'ask', req: { stepId: 'restart' } });
    await t.waitFor('Did the change happen?');
    t.press('1');
    await t.waitFor('Next: Check the workers');
    await t.close();
    expect(d.runs()).toBe(2);
    const records = await journal(d.stateDir, d.id);
    expect(records.filter((r) => r.type === 'decision.made').map((r) => [r.payload.attempt, r.payload.value, r.payload.by])).toEqual([
      [1, 'rerun', 'seeder'],
      [2, 'done', 'tester'],
    ]);
    expect(records.find((r) => r.type === 'step.finished' && r.payload.step === 'restart')?.payload).toMatchObject({ attempt: 2, reconciled: 'human' });
  });
});
