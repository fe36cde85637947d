// A failed run is not the end of the incident: once the cause is fixed, the operator reopens it
// at the step it stopped at, says what was fixed (journaled with their name), and the step runs
// again through its gate. The same from the start screen, where a failed incident is listed.
import { journal, KEY, renderTui, runbookDir, runStep, tempDir, toInputs, fill } from './helpers.js';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// Fails until the file it names exists: the "cause" a person fixes.
const NEEDS_FIX = `
id: needs-fix
title: Needs a fix
version: 1.0.0
summary: A check that fails until someone fixes the cause
inputs:
  fixed: { type: string, pattern: '^[\\w./-]+$' }
steps:
  - id: check
    title: Check the cause
    kind: shell
    with:
      argv: [node, -e, "if(!require('fs').existsSync(process.argv[1])){console.error('credentials expired');process.exit(2)}console.log('all good')", "\${{ inputs.fixed }}"]
      effect: read
  - id: after
    title: After the check
    kind: shell
    with:
      argv: [node, -e, "console.log('done')"]
      effect: read
`;

describe('reopening a failed incident', () => {
  /** Opens the runbook, runs its check (which fails: the cause is not fixed yet) and stops the run. */
  async function failed() {
    const dir = runbookDir({ 'needs-fix.yaml': NEEDS_FIX }, false);
    const stateDir = tempDir();
    const fixed = join(tempDir(), 'fixed');
    const t = renderTui({ runbookDirs: [dir], stateDir });
    await toInputs(t, 'needs-fix');
    fill(t, fixed);
    await t.until((s) => s.screen.kind === 'runner', { what: 'the runner' });
    const id = t.state().incidentId!;
    await runStep(t, 'Check the cause');
    await t.waitFor('✗ check failed (attempt 1)');
    t.press('x');
    const frame = await t.waitFor('Runbook failed');
    return { dir, stateDir, fixed, t, id, frame };
  }

  it('o asks what was fixed (required), journals it with the operator, and the failed step runs again', async () => {
    const { stateDir, fixed, t, id, frame: f } = await failed();
    expect(f).toContain('failed. The incident stays in the journal; o reopen');

    // Nothing reopens without a reason.
    t.press('o');
    await t.waitFor('Reopen at check: what was fixed?');
    t.press(KEY.enter);
    await t.waitFor('say what was fixed');
    expect(t.state().overlay.kind).toBe('reopen');

    writeFileSync(fixed, 'yes');
    expect(existsSync(fixed)).toBe(true);
    t.type('renewed the SSO session');
    t.press(KEY.enter);
    // The step is a new attempt, through its gate as always.
    await t.waitFor('Next: Check the cause');
    t.press(KEY.enter);
    await runStep(t, 'After the check');
    await t.waitFor('Runbook completed');
    await t.close();

    const records = await journal(stateDir, id);
    expect(records.find((r) => r.type === 'incident.reopened')?.payload).toMatchObject({ by: 'tester', reason: 'renewed the SSO session', step: 'check', outcome: 'failed' });
    expect(records.filter((r) => r.type === 'step.started' && r.payload.step === 'check').map((r) => r.payload.attempt)).toEqual([1, 2]);
    expect(records.find((r) => r.type === 'run.finished' && r.payload.outcome === 'completed')).toBeTruthy();
  });

  it('a failed incident is listed on the start screen and can be reopened from there', async () => {
    const { dir, stateDir, fixed, t, id } = await failed();
    t.press('q');
    await t.until((s) => s.exit !== undefined);
    await t.close();

    writeFileSync(fixed, 'yes');
    const again = renderTui({ runbookDirs: [dir], stateDir });
    const f = await again.waitFor('Incidents to go on with, newest first (1)');
    expect(f).toMatch(new RegExp(`${id}.*FAILED \\(reopen once fixed\\)`));
    again.press(KEY.down, KEY.enter);
    await again.waitFor('Runbook failed');
    again.press('o');
    await again.waitFor('Reopen at check: what was fixed?');
    again.type('created the file');
    again.press(KEY.enter);
    await again.waitFor('Next: Check the cause');
    again.press(KEY.enter);
    await runStep(again, 'After the check');
    await again.waitFor('Runbook completed');
    await again.close();
    const records = await journal(stateDir, id);
    expect(records.filter((r) => r.type === 'incident.reopened').map((r) => r.payload.reason)).toEqual(['created the file']);
  });
});
