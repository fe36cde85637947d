// Stopping at a failure rolls back the writes that completed, each after its own confirmation
// (purpose: rollback). Approving runs the undo; declining leaves the change in place. Either way
// the decision is journaled and the run ends failed, with hand-undo notes for what is still in place.
import { fill, journal, KEY, renderTui, runbookDir, runStep, tempDir, toInputs, type Tui } from './helpers.js';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// Two writes with rollbacks (the second changes a different file), then a check that fails.
const ROLLBACK_RUNBOOK = `
id: pool-limit
title: Raise the connection pool limit
version: 1.0.0
summary: Raises the pool limit and the queue size, then checks the error rate
inputs:
  dir: { type: string, pattern: '^[\\w./-]+$' }
steps:
  - id: raise-limit
    title: Raise the pool limit
    kind: shell
    with:
      argv: [node, -e, "require('fs').writeFileSync(process.argv[1], '200'); console.log('limit 200')", "\${{ inputs.dir }}/limit"]
    rollback:
      note: Set the pool limit back to 100
      kind: shell
      with:
        argv: [node, -e, "require('fs').writeFileSync(process.argv[1], '100'); console.log('limit back to 100')", "\${{ inputs.dir }}/limit"]
  - id: grow-queue
    title: Grow the queue
    kind: shell
    with:
      argv: [node, -e, "require('fs').writeFileSync(process.argv[1], '5000')", "\${{ inputs.dir }}/queue"]
    rollback:
      note: Shrink the queue back to 1000
      kind: shell
      with:
        argv: [node, -e, "require('fs').writeFileSync(process.argv[1], '1000')", "\${{ inputs.dir }}/queue"]
  - id: check
    title: Check the error rate
    kind: shell
    with:
      argv: [node, -e, "console.error('error rate still 12%'); process.exit(2)"]
      effect: read
`;

interface Setup {
  t: Tui;
  stateDir: string;
  dir: string;
  id: string;
  read: (name: string) => string;
}

/** Opens the runbook, approves both writes, runs the check, and stops the run at its failure. */
async function failAndStop(): Promise<Setup> {
  const rbDir = runbookDir({ 'pool.yaml': ROLLBACK_RUNBOOK }, false);
  const stateDir = tempDir();
  const dir = tempDir();
  writeFileSync(join(dir, 'limit'), '100');
  writeFileSync(join(dir, 'queue'), '1000');
  const t = renderTui({ runbookDirs: [rbDir], stateDir });
  await toInputs(t, 'pool-limit');
  await t.waitFor('Inputs for pool-limit');
  fill(t, dir);
  for (const title of ['Raise the pool limit', 'Grow the queue']) {
    await runStep(t, title);
    await t.waitFor('Confirm change');
    t.press('y');
    await t.until((s) => s.incident?.steps[title === 'Grow the queue' ? 'grow-queue' : 'raise-limit']?.phase === 'ok', { what: `${title} to finish` });
  }
  await runStep(t, 'Check the error rate');
  const f = await t.waitFor('✗ check failed (attempt 1): node exited with code 2');
  expect(f).toContain('x stop the run');
  t.press('x');
  return { t, stateDir, dir, id: t.state().incidentId!, read: (name) => readFileSync(join(dir, name), 'utf8') };
}

describe('rollback on stop', () => {
  it('asks to undo each completed write, newest first; approving runs the rollback and journals it', async () => {
    const { t, stateDir, id, read } = await failAndStop();
    // The newest change is offered first, as a rollback (not a change), with its note.
    let f = await t.waitFor('Confirm rollback');
    expect(f).toContain('Undo: Grow the queue');
    expect(f).toContain('Shrink the queue back to 1000');
    expect(f).toMatch(/argv:\s+node -e .*writeFileSync/);
    expect(f).toContain('where:     this machine (a local process)');
    expect(t.state().prompts[0]).toMatchObject({ kind: 'confirm', choice: 'cancel', req: { purpose: 'rollback', stepId: 'grow-queue:rollback' } });
    // Approve by moving to Approve and pressing Enter.
    t.press(KEY.right);
    await t.until((s) => s.prompts[0]?.kind === 'confirm' && s.prompts[0].choice === 'approve');
    t.press(KEY.enter);
    f = await t.waitFor('Undo: Raise the pool limit');
    expect(f).toContain('Set the pool limit back to 100');
    expect(read('queue')).toBe('1000');
    t.press('y');
    f = await t.waitFor('Runbook failed');
    await t.waitFor('runbook failed at check');
    expect(read('limit')).toBe('100');
    // The rollbacks are listed beside the steps but are not counted as steps of the runbook.
    expect(f).toContain('Steps 2/3 failed');
    expect(f).toMatch(/✓ grow-queue:rollback/);
    expect(f).toMatch(/✓ raise-limit:rollback/);
    expect(f).not.toContain('to undo by hand');
    // The timeline tells the story of the rollback.
    t.press('t');
    f = await t.waitFor('Timeline');
    expect(f).toContain('↺ rolling back: grow-queue, raise-limit');
    expect(f).toContain('✔ grow-queue:rollback approved by tester');
    expect(f).toContain('✔ raise-limit:rollback approved by tester');
    t.press(KEY.esc);
    await t.close();

    const records = await journal(stateDir, id);
    expect(records.find((r) => r.type === 'rollback.started')?.payload).toEqual({ failed_step: 'check', steps: ['grow-queue', 'raise-limit'] });
    const confirms = records.filter((r) => r.type === 'confirm.given').map((r) => r.payload);
    expect(confirms).toEqual([
      expect.objectContaining({ step: 'raise-limit', approved: true, purpose: 'action', by: 'tester' }),
      expect.objectContaining({ step: 'grow-queue', approved: true, purpose: 'action', by: 'tester' }),
      expect.objectContaining({ step: 'grow-queue:rollback', approved: true, purpose: 'rollback', by: 'tester' }),
      expect.objectContaining({ step: 'raise-limit:rollback', approved: true, purpose: 'rollback', by: 'tester' }),
    ]);
    // The undo is a write like any other: write-ahead, then its end.
    for (const step of ['grow-queue:rollback', 'raise-limit:rollback']) {
      expect(records.find((r) => r.type === 'step.started' && r.payload.step === step)?.payload).toMatchObject({ effect: 'write', write_ahead: true });
      expect(records.find((r) => r.type === 'step.finished' && r.payload.step === step)?.payload).toMatchObject({ status: 'ok' });
    }
    const end = records.at(-1)!;
    expect(end.type).toBe('run.finished');
    expect(end.payload).toMatchObject({ outcome: 'failed', failed_step: 'check' });
    // Both changes were undone: nothing is left to undo by hand.
    expect(end.payload.summary).not.toContain('to undo by hand');
  });

  it('declining a rollback (Enter on the default, or Esc) leaves the change in place, journaled, with a hand-undo note', async () => {
    const { t, stateDir, id, read } = await failAndStop();
    await t.waitFor('Undo: Grow the queue');
    t.press(KEY.enter); // Cancel is the default
    await t.waitFor('Undo: Raise the pool limit');
    t.press(KEY.esc);
    const f = await t.waitFor('Runbook failed');
    expect(read('queue')).toBe('5000');
    expect(read('limit')).toBe('200');
    // Declined rollbacks show as skipped, never as done.
    expect(f).toMatch(/↷ grow-queue:rollback/);
    expect(f).toMatch(/↷ raise-limit:rollback/);
    expect(f).toContain('Steps 2/3 failed');
    // What is still in place, and how to undo it by hand, is on screen (not only in the journal).
    expect(f).toContain('to undo by hand:');
    expect(f).toContain('raise-limit: Set the pool limit back to 100');
    expect(f).toContain('grow-queue: Shrink the queue back to 1000');
    await t.close();

    const records = await journal(stateDir, id);
    expect(records.filter((r) => r.type === 'confirm.given' && r.payload.purpose === 'rollback').map((r) => r.payload)).toEqual([
      expect.objectContaining({ step: 'grow-queue:rollback', approved: false, by: 'tester', reason: 'cancelled at the confirmation' }),
      expect.objectContaining({ step: 'raise-limit:rollback', approved: false, by: 'tester', reason: 'cancelled at the confirmation' }),
    ]);
    expect(records.filter((r) => r.type === 'step.skipped').map((r) => [r.payload.step, r.payload.reason])).toEqual([
      ['grow-queue:rollback', 'rollback declined by tester'],
      ['raise-limit:rollback', 'rollback declined by tester'],
    ]);
    expect(records.some((r) => r.type === 'step.started' && String(r.payload.step).endsWith(':rollback'))).toBe(false);
    const end = records.at(-1)!;
    expect(end.payload).toMatchObject({ outcome: 'failed', failed_step: 'check' });
    expect(end.payload.summary).toContain('to undo by hand:');
    expect(end.payload.summary).toContain('raise-limit: Set the pool limit back to 100');
    expect(end.payload.summary).toContain('grow-queue: Shrink the queue back to 1000');
  });

  it('approving one rollback and declining the other leaves only the declined one to undo by hand', async () => {
    const { t, stateDir, id, read } = await failAndStop();
    await t.waitFor('Undo: Grow the queue');
    t.press(KEY.esc);
    await t.waitFor('Undo: Raise the pool limit');
    t.press('y');
    const f = await t.waitFor('Runbook failed');
    expect(f).toContain('grow-queue: Shrink the queue back to 1000');
    expect(f).not.toContain('raise-limit: Set the pool limit');
    await t.close();
    expect(read('queue')).toBe('5000');
    expect(read('limit')).toBe('100');
    const summary = (await journal(stateDir, id)).at(-1)!.payload.summary as string;
    expect(summary).toContain('grow-queue: Shrink the queue back to 1000');
    expect(summary).not.toContain('raise-limit:');
  });
});
