// Key paths of the runner one by one: skip with a reason, retry and stop after a failure,
// destructive confirmations, declining, free-text answers, the output pane, Ctrl+C, read-only,
// the duration nudge, narrow terminals and resizing, the help overlay, quitting and resuming.
import { fill, journal, KEY, openExample, renderTui, ROOT, runbookDir, runStep, tempDir, toDecision, toInputs, type Tui, useDemo } from './helpers.js';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BINDINGS, helpSections } from '../../src/tui/keys.js';

const demo = useDemo();
const stateFile = demo.stateFile;

const FLAKY = `
id: flaky
title: A flaky check
version: 1.0.0
summary: Fails once, then works; then a step that always fails
inputs:
  marker: { type: string, pattern: '^[\\w./-]+$' }
steps:
  - id: try
    title: Try the thing
    kind: shell
    with:
      argv: [node, -e, "const fs=require('fs');const f=process.argv[1];if(!fs.existsSync(f)){fs.writeFileSync(f,'1');console.error('first try fails');process.exit(3)}console.log('second try works')", "\${{ inputs.marker }}"]
      effect: read
  - id: broken
    title: Always broken
    kind: shell
    with:
      argv: [node, -e, "console.error('nope'); process.exit(1)"]
      effect: read
`;

const DESTRUCTIVE = `
id: drop-cache
title: Drop a cache
version: 1.0.0
summary: Deletes a cache; every client reconnects
inputs:
  cache: { type: string, default: cache-prod-1 }
steps:
  - id: drop
    title: Drop the cache
    kind: shell
    with:
      argv: [node, -e, "console.log('dropped', process.argv[1])", "\${{ inputs.cache }}"]
      effect: write
    confirm:
      destructive: true
      resource: \${{ inputs.cache }}
      message: Every client reconnects.
  - id: drop-again
    title: Drop it again
    kind: shell
    with:
      argv: [node, -e, "console.log('dropped again')"]
      effect: write
    confirm:
      destructive: true
      resource: \${{ inputs.cache }}
`;

const NOISY = `
id: noisy
title: A noisy step
version: 1.0.0
summary: Prints many lines
steps:
  - id: print
    title: Print 300 lines
    kind: shell
    with:
      argv: [node, -e, "for (let i = 1; i <= 300; i++) console.log('line ' + i)"]
      effect: read
`;

const SLOW = `
id: slow
title: A slow step
version: 1.0.0
summary: Runs for a minute unless aborted
steps:
  - id: hang
    title: Hang around
    kind: shell
    expected_duration: 1s
    with:
      argv: [node, -e, "console.log('started'); setTimeout(() => {}, 60000)"]
      effect: read
`;

async function openRunbook(t: Tui, filter: string, inputs: string[] = []): Promise<void> {
  await toInputs(t, filter);
  if (t.state().screen.kind === 'inputs') {
    for (const v of inputs) fill(t, v);
    if (!inputs.length) t.press(...t.state().form!.fields.map(() => KEY.enter));
  }
  await t.until((s) => s.screen.kind === 'runner', { what: 'the runner' });
}

describe('skip, retry, stop', () => {
  it('skips a step with a reason (required), retries a failed one, and stops the run', async () => {
    const dir = runbookDir({ 'flaky.yaml': FLAKY }, false);
    const stateDir = tempDir();
    const t = renderTui({ runbookDirs: [dir], stateDir });
    await openRunbook(t, 'flaky', [join(tempDir(), 'marker')]);
    const id = t.state().incidentId!;

    // Retry after a failure.
    await runStep(t, 'Try the thing');
    let f = await t.waitFor('✗ try failed (attempt 1): node exited with code 3');
    expect(f).toContain('first try fails');
    expect(f).toMatch(/r retry\s+s skip \(asks a reason\)\s+x stop the run/);
    t.press('r');
    f = await t.waitFor('Next: Always broken');
    expect(f).toMatch(/✓ Try the thing/);

    // Skip asks a reason; an empty one is refused.
    t.press('s');
    await t.waitFor('Skip broken: why?');
    t.press(KEY.enter);
    await t.waitFor('a reason is required');
    t.press('n'); // typed into the reason, not a note
    expect(t.state().overlayText).toBe('n');
    t.press(KEY.esc);
    await t.until((s) => s.overlay.kind === 'none');
    expect(t.state().prompts[0]?.kind).toBe('gate');

    // Run it, let it fail, and stop.
    t.press(KEY.enter);
    await t.waitFor('✗ broken failed (attempt 1)');
    t.press('x');
    f = await t.waitFor('Runbook failed');
    expect(f).toMatch(/✗ Always broken/);
    await t.close();

    const records = await journal(stateDir, id);
    expect(records.filter((r) => r.type === 'step.started' && r.payload.step === 'try').map((r) => r.payload.attempt)).toEqual([1, 2]);
    expect(records.at(-1)?.payload).toMatchObject({ outcome: 'failed', failed_step: 'broken' });
  });

  it('journals a skip with its reason', async () => {
    const dir = runbookDir({ 'flaky.yaml': FLAKY }, false);
    const stateDir = tempDir();
    const t = renderTui({ runbookDirs: [dir], stateDir });
    await openRunbook(t, 'flaky', [join(tempDir(), 'marker')]);
    await t.waitFor('Next: Try the thing');
    t.press('s');
    await t.waitFor('Skip try: why?');
    t.type('already checked by hand');
    t.press(KEY.enter);
    const f = await t.waitFor('Next: Always broken');
    expect(f).toMatch(/↳ ↷ try: skipped: already checked by hand/);
    const id = t.state().incidentId!;
    await t.close();
    const skipped = (await journal(stateDir, id)).find((r) => r.type === 'step.skipped');
    expect(skipped?.payload).toMatchObject({ step: 'try', reason: 'already checked by hand', by: 'tester' });
  });

  it('asks a reason to skip a step that failed too, and journals it as skipped after failing', async () => {
    const dir = runbookDir({ 'flaky.yaml': FLAKY }, false);
    const stateDir = tempDir();
    const t = renderTui({ runbookDirs: [dir], stateDir });
    await openRunbook(t, 'flaky', [join(tempDir(), 'marker')]);
    await runStep(t, 'Try the thing');
    await t.waitFor('✗ try failed (attempt 1)');
    t.press('s');
    await t.waitFor('Skip try: why?');
    // Esc goes back to the failure's choices; nothing was skipped.
    t.press(KEY.esc);
    await t.until((s) => s.overlay.kind === 'none');
    expect(t.state().prompts[0]?.kind).toBe('failure');
    t.press('s');
    await t.waitFor('Skip try: why?');
    t.type('flaky probe, checked by hand');
    t.press(KEY.enter);
    const f = await t.waitFor('Next: Always broken');
    expect(f).toMatch(/↷ try: skipped after failing: flaky probe, checked by hand/);
    const id = t.state().incidentId!;
    await t.close();
    const skipped = (await journal(stateDir, id)).find((r) => r.type === 'step.skipped');
    expect(skipped?.payload).toMatchObject({ step: 'try', reason: 'flaky probe, checked by hand', by: 'tester', after_failure: true, next: 'broken' });
  });
});

describe('confirmations', () => {
  it('makes a destructive step type its resource id; Esc cancels, and both decisions are journaled', async () => {
    const dir = runbookDir({ 'drop.yaml': DESTRUCTIVE }, false);
    const stateDir = tempDir();
    const t = renderTui({ runbookDirs: [dir], stateDir });
    await openRunbook(t, 'drop');
    await runStep(t, 'Drop the cache');
    let f = await t.waitFor('DESTRUCTIVE CHANGE');
    expect(f).toContain('Type cache-prod-1 to approve');
    expect(f).toContain('Every client reconnects.');
    expect(f).toMatch(/argv:\s+node -e/);
    // q, n, y are text here: nothing quits or approves by accident.
    t.type('cache-prod');
    t.press(KEY.enter);
    await t.waitFor('type the resource id exactly');
    expect(t.state().prompts[0]?.kind).toBe('confirm');
    t.type('-1');
    t.press(KEY.enter);
    f = await t.waitFor('Next: Drop it again');
    expect(f).toContain('↳ ✓ drop: exit 0');
    // Looking back at the step shows the decision and its output.
    t.press(KEY.up);
    f = await t.waitFor('✔ approved by tester (resource typed)');
    expect(f).toContain('dropped cache-prod-1');
    t.press(KEY.end);
    await runStep(t, 'Drop it again');
    await t.waitFor('DESTRUCTIVE CHANGE');
    t.press(KEY.esc);
    // Declined: nothing changed, and the step waits until it is skipped on purpose.
    await t.waitFor('nothing was changed');
    t.press('s');
    await t.waitFor('why?');
    t.type('one drop is enough');
    t.press(KEY.enter);
    f = await t.waitFor('Runbook completed');
    expect(f).toMatch(/↷ Drop it again/);
    const id = t.state().incidentId!;
    await t.close();
    const records = await journal(stateDir, id);
    const confirms = records.filter((r) => r.type === 'confirm.given').map((r) => r.payload);
    expect(confirms).toEqual([
      expect.objectContaining({ step: 'drop', approved: true, typed: true, by: 'tester' }),
      expect.objectContaining({ step: 'drop-again', approved: false, by: 'tester' }),
    ]);
    expect(records.find((r) => r.type === 'step.skipped')?.payload.reason).toMatch(/declined by tester/);
  });

  it('Enter on the default (Cancel) declines the change but stays on the step: confirm again, or skip it with a reason', async () => {
    const stateDir = tempDir();
    const t = renderTui({ stateDir });
    const id = await openExample(t, demo, stateFile);
    await toDecision(t);
    t.press(KEY.enter);
    await runStep(t, "Raise the proxy timeout above the backend's response time");
    await t.waitFor('Confirm change');
    t.press(KEY.enter);
    let f = await t.waitFor('was not run; nothing was');
    expect(f).toContain('enter confirm again');
    // Nothing was skipped, nothing journaled: the fix is not dropped on a key press.
    expect(t.state().incident?.steps['raise-timeout']?.phase ?? 'pending').toBe('pending');
    t.press(KEY.enter);
    await t.waitFor('Confirm change');
    t.press(KEY.esc);
    await t.waitFor('was not run; nothing was');
    t.press('s');
    await t.waitFor('why?');
    t.type('the backend team is rolling back instead');
    t.press(KEY.enter);
    f = await t.waitFor(/Next: (Wait until the service|Post an update)/);
    expect(f).toMatch(/↷ Raise the proxy/);
    await t.close();
    const records = await journal(stateDir, id);
    expect(records.filter((r) => r.type === 'confirm.given').map((r) => r.payload)).toEqual([
      expect.objectContaining({ approved: false, reason: 'the backend team is rolling back instead', by: 'tester' }),
    ]);
    expect(records.find((r) => r.type === 'step.skipped')?.payload).toMatchObject({ step: 'raise-timeout', effect: 'write', reason: 'declined by tester: the backend team is rolling back instead' });
  });
});

describe('questions', () => {
  it('takes a free-text answer checked against its pattern (the escalation path)', async () => {
    const stateDir = tempDir();
    const t = renderTui({ stateDir });
    const id = await openExample(t, demo, stateFile);
    await toDecision(t);
    t.press('2');
    await runStep(t, "Escalate to the backend's owners");
    const f = await t.waitFor('◆ Ticket or page id');
    expect(f).toContain('Page the team that owns the backend');
    t.type('ops 42');
    t.press(KEY.enter);
    await t.waitFor('does not match ^[A-Z][A-Z0-9]*-\\d+$');
    t.press(KEY.ctrlU);
    t.type('OPS-42');
    t.press(KEY.enter);
    await t.waitFor('Next: Post an update');
    await t.close();
    const records = await journal(stateDir, id);
    expect(records.filter((r) => r.type === 'decision.made').map((r) => [r.payload.step, r.payload.value])).toEqual([
      ['diagnose', 'backend'],
      ['escalate', 'OPS-42'],
    ]);
  });
});

describe('output pane', () => {
  it('follows the tail, scrolls with PgUp/PgDn, and End follows again', async () => {
    const dir = runbookDir({ 'noisy.yaml': NOISY }, false);
    const t = renderTui({ runbookDirs: [dir], rows: 24 });
    await openRunbook(t, 'noisy');
    await runStep(t, 'Print 300 lines');
    let f = await t.waitFor('Runbook completed');
    expect(f).toMatch(/line 300\n/);
    expect(f).toContain('300 lines');
    expect(f).toContain('following');
    t.press(KEY.pageUp);
    f = await t.waitFor(/below \(End follows\)/);
    expect(f).not.toMatch(/line 300\n/);
    for (let i = 0; i < 40; i++) t.press(KEY.pageUp);
    f = await t.waitFor(/line 1\n/);
    expect(f).not.toContain('· following');
    t.press(KEY.pageDown);
    await t.waitFor((fr) => !/line 1\n/.test(fr));
    t.press(KEY.end);
    f = await t.waitFor(/line 300\n/);
    expect(f).toContain('following');
  });
});

describe('Ctrl+C, the nudge, quitting', () => {
  /** The slow runbook, its one step running (it would hang for a minute). */
  async function startSlow(): Promise<{ t: Tui; stateDir: string }> {
    const stateDir = tempDir();
    const t = renderTui({ runbookDirs: [runbookDir({ 'slow.yaml': SLOW }, false)], stateDir });
    await openRunbook(t, 'slow');
    await runStep(t, 'Hang around');
    await t.waitFor('started');
    return { t, stateDir };
  }

  it('nudges past the expected duration; Ctrl+C aborts the step, Enter continues, a second Ctrl+C quits', async () => {
    const { t, stateDir } = await startSlow();
    t.state().tick(Date.now() + 5000);
    // At 100 columns the nudge is short; wider, it says what the usual duration is.
    let f = await t.waitFor(/⏳ hang overdue \(\d+\.\d s\) \| Ctrl\+C aborts/);
    expect(f.split('\n')[0]).toMatch(/^ LIVE\s+inc-\S+\s+SEV3\s+⏱ /);
    t.state().setSize({ columns: 160, rows: 30 });
    f = await t.waitFor('⏳ hang is past its usual 1.0 s');
    expect(f).toContain('Ctrl+C aborts');
    t.state().setSize({ columns: 100, rows: 30 });
    t.press(KEY.ctrlC);
    f = await t.waitFor('Stopped. enter continues');
    expect(f).toMatch(/■ Hang around/);
    expect(f).not.toContain('⏳');
    // Enter runs it again (through its gate).
    t.press(KEY.enter);
    await t.waitFor('Next: Hang around');
    t.press(KEY.enter);
    await t.until((s) => s.incident?.steps.hang?.attempts === 2 && s.incident.steps.hang.phase === 'running');
    t.press(KEY.ctrlC);
    await t.waitFor('Stopped.');
    t.press(KEY.ctrlC);
    await t.until((s) => s.exit !== undefined);
    const id = t.state().incidentId!;
    expect(t.state().exit?.message).toContain(`incident ${id} stays open`);
    const records = await journal(stateDir, id);
    expect(records.filter((r) => r.type === 'step.finished').map((r) => r.payload.status)).toEqual(['aborted', 'aborted']);
    expect(records.some((r) => r.type === 'run.finished')).toBe(false);
  });

  it('q while a step runs asks for a second q; any other key carries on and takes the warning away', async () => {
    const { t, stateDir } = await startSlow();
    t.press('q');
    await t.waitFor('hang is running: q again aborts it and quits (the incident stays resumable)');
    t.press('z');
    await t.waitFor((f) => !f.includes('q again aborts it'));
    expect(t.state().armed).toBeUndefined();
    expect(t.state().exit).toBeUndefined();
    expect(t.state().incident?.steps.hang?.phase).toBe('running');
    // Ctrl+C aborts at once; once stopped, its own warning goes the same way.
    t.press(KEY.ctrlC);
    await t.waitFor('Stopped. enter continues');
    t.press('z');
    await t.until((st) => st.armed === undefined);
    t.press(KEY.ctrlC);
    await t.waitFor('press Ctrl+C again to quit (the incident stays resumable), or q');
    t.press('z');
    await t.waitFor((f) => !f.includes('Ctrl+C again'));
    expect(t.state().exit).toBeUndefined();
    // Run it again; q twice quits, the step aborted and journaled, the incident open.
    t.press(KEY.enter);
    await t.waitFor('Next: Hang around');
    t.press(KEY.enter);
    await t.until((st) => st.incident?.steps.hang?.attempts === 2 && st.incident.steps.hang.phase === 'running');
    t.press('q', 'q');
    await t.until((st) => st.exit !== undefined);
    const id = t.state().incidentId!;
    expect(t.state().exit?.message).toContain(`incident ${id} stays open`);
    const records = await journal(stateDir, id);
    expect(records.filter((r) => r.type === 'step.finished').map((r) => r.payload.status)).toEqual(['aborted', 'aborted']);
  });

  it('q quits mid-run; the incident resumes where it was, with its history on screen', async () => {
    const stateDir = tempDir();
    const t = renderTui({ stateDir });
    const id = await openExample(t, demo, stateFile);
    await runStep(t, 'Reproduce the error');
    await t.waitFor('Next: Read the proxy timeout');
    t.press('q');
    await t.until((s) => s.exit !== undefined);
    expect(t.state().exit?.message).toBe(`incident ${id} stays open; resume it with 'oncall' (or 'oncall resume ${id}').`);
    await t.close();

    const again = renderTui({ stateDir });
    await again.waitFor(id);
    again.press(KEY.down, KEY.enter);
    const f = await again.waitFor('Next: Read the proxy timeout');
    expect(f).toMatch(/✓ Reproduce the error/);
    again.press(KEY.up);
    await again.waitFor('captures: status=504');
    await again.close();
  });
});

describe('modes, header and layout', () => {
  it('shows READ-ONLY and the engine refuses the write step', async () => {
    const stateDir = tempDir();
    const t = renderTui({ stateDir, readOnly: true });
    const id = await openExample(t, demo, stateFile);
    expect(t.frame()).toMatch(/LIVE\s+READ-ONLY/);
    await toDecision(t);
    t.press('1');
    const f = await t.waitFor('read-only mode will refuse it');
    expect(f).toContain('Next: Raise the proxy timeout');
    t.press(KEY.enter);
    await t.waitFor('Next: Post an update');
    await t.close();
    const skipped = (await journal(stateDir, id)).find((r) => r.type === 'step.skipped' && r.payload.step === 'raise-timeout');
    expect(skipped?.payload.reason).toMatch(/read-only/);
  });

  it('resolves the AWS identity lazily and drops header segments on narrow terminals; resizes', async () => {
    let resolveIdentity!: (v: { account: string; principal: string }) => void;
    const identity = () => new Promise<{ account: string; principal: string }>((r) => (resolveIdentity = r));
    const t = renderTui({ identity, aws: { profile: 'prod', region: 'eu-west-1' }, kubeContext: async () => 'kind-oncall' });
    await t.waitFor('aws prod/eu-west-1 identity pending');
    await t.waitFor('kube kind-oncall');
    resolveIdentity({ account: '123456789012', principal: 'arn:aws:sts::123456789012:assumed-role/oncall/alice' });
    await t.waitFor('aws prod/eu-west-1 123456789012 oncall/alice');
    await openExample(t, demo, stateFile);
    let f = t.frame();
    // Where commands land wins over the title when room is short; the title gets what is left.
    // At 100 columns the identity keeps account and region, so the kube context fits beside it.
    expect(f.split('\n')[0]).toMatch(/^ LIVE\s+inc-\S+\s+SEV3\s+⏱ 00:00:\d\d\s+aws 123456789012 eu-west-1\s+kube kind-oncall$/);
    t.state().setSize({ columns: 160, rows: 30 });
    f = await t.waitFor((fr) => fr.split('\n')[0]!.includes('oncall/alice'));
    expect(f.split('\n')[0]).toMatch(/^ LIVE\s+inc-\S+\s+SEV3\s+⏱ 00:00:\d\d\s+\S.*\s+aws prod\/eu-west-1 123456789012 oncall\/alice\s+kube kind-oncall$/);
    expect(f).toContain('Steps 0/7');
    // Narrower, the identity shortens before it goes: the account outlasts the clock and the title.
    t.state().setSize({ columns: 80, rows: 24 });
    f = await t.waitFor((fr) => fr.split('\n')[0]!.length <= 80 && fr.includes('Step 1/7'));
    expect(f.split('\n')[0]).toMatch(/^ LIVE\s+inc-\S+\s+SEV3\s+⏱ 00:00:\d\d\s+aws 123456789012 eu-west-1$/);
    t.state().setSize({ columns: 60, rows: 24 });
    f = await t.waitFor((fr) => fr.split('\n')[0]!.length <= 60 && fr.includes('Step 1/7'));
    const header = f.split('\n')[0]!;
    expect(header).toMatch(/^ LIVE\s+inc-\S+\s+SEV3\s+aws 123456789012$/);
    expect(header).not.toContain('kube');
    expect(Math.max(...f.split('\n').map((l) => l.length))).toBeLessThanOrEqual(60);
    t.state().setSize({ columns: 100, rows: 30 });
    await t.waitFor('Steps 0/7');
    // The confirmation shows the account and region it will act in.
    await toDecision(t);
    t.press(KEY.enter);
    await runStep(t, "Raise the proxy timeout above the backend's response time");
    f = await t.waitFor('Confirm change');
    expect(f).toMatch(/account:\s+123456789012\s+region: eu-west-1\s+profile: prod/);
    t.press(KEY.esc);
    await t.waitFor('nothing was changed');
    t.press('s');
    await t.waitFor('why?');
    t.type('not now');
    t.press(KEY.enter);
    await t.waitFor('Next: Post an update');
  });

  it('shows DRILL, marks every milestone, and scrolls the timeline', async () => {
    const stateDir = tempDir();
    // A drill, on its simulated world: the same runner, notes, milestones and timeline.
    const t = renderTui({ stateDir, mode: 'drill', rows: 12, scenario: join(ROOT, 'examples', 'drills', 'local-504-short-timeout.yaml') });
    await t.waitFor(/^ DRILL {3}inc-/);
    const id = t.state().incidentId!;
    await runStep(t, 'Reproduce the error');
    t.press('n');
    await t.waitFor('Note for the journal');
    t.type('practice run');
    t.press(KEY.enter);
    await t.waitFor('note added');
    for (const [key, name] of [['d', 'detected'], ['m', 'mitigated'], ['r', 'resolved']] as const) {
      t.press('m');
      await t.waitFor('Mark a milestone');
      t.press(key);
      await t.waitFor(`milestone: ${name}`);
    }
    t.press('t');
    let f = await t.waitFor(/Timeline .* \d+ earlier/);
    expect(f).toMatch(/★ resolved \(tester\)/);
    t.press(KEY.pageUp);
    f = await t.waitFor(/later \(End\)/);
    expect(f).toMatch(/incident inc-\S+ opened/);
    t.press(KEY.end);
    await t.waitFor((fr) => !fr.includes('later (End)'));
    t.press('t');
    await t.until((s) => s.overlay.kind === 'none');
    await t.close();
    // Drill journals live apart from live incidents.
    const records = await journal(join(stateDir, 'drills'), id);
    expect(records.filter((r) => r.type === 'milestone.marked').map((r) => r.payload.milestone)).toEqual(['detected', 'mitigated', 'resolved']);
    expect(records[0]?.payload).toMatchObject({ mode: 'drill' });
    expect(records.at(-1)).toMatchObject({ type: 'drill.scored', payload: { passed: false } });
  });

  it('help lists every key from the same table the footer and the dispatcher use', async () => {
    const t = renderTui({ rows: 80 });
    await t.waitFor('+ New incident');
    t.press('?');
    const f = await t.waitFor('Keys');
    for (const b of BINDINGS) expect(f).toContain(b.help.slice(0, 40));
    expect(helpSections().flatMap((s) => s.rows)).toHaveLength(BINDINGS.length);
    t.press(KEY.esc);
    await t.waitFor('+ New incident');
  });
});
