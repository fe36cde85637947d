// The drill's clock counts the human (#20): a responder who thinks 90 s at the diagnosis is 90 s
// slower to diagnose, in the header, in the journal, on the score screen and in drill.scored.
// Only Date is faked: the wall clock jumps when the test says so, everything else runs as usual.
import { KEY, renderTui, ROOT, tempDir, type Tui } from './helpers.js';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { scenarioDirs } from '../../src/drill/catalog.js';
import { loadScenario } from '../../src/drill/scenario.js';
import { incidentRecords } from '../helpers/journal.js';
import { readJournal } from '../../src/journal/reader.js';
import { journalPath } from '../../src/journal/paths.js';
import type { AskRequest } from '../../src/core/step.js';

const DRILLS = join(ROOT, 'examples', 'drills');

afterEach(() => {
  vi.useRealTimers();
});

/** Answers each prompt as the scenario expects; `think` runs before a decision is answered. */
async function playByKeys(t: Tui, answers: Record<string, string>, think: (req: AskRequest) => Promise<void> | void): Promise<void> {
  let handled = 0;
  for (let i = 0; t.state().screen.kind !== 'score'; i++) {
    if (i > 200_000) throw new Error(`the drill did not end\n${t.frame()}`);
    const head = t.state().prompts[0];
    if (!head || head.id === handled) {
      await new Promise((r) => setTimeout(r, 1));
      continue;
    }
    handled = head.id;
    if (head.kind === 'gate') t.press(KEY.enter);
    else if (head.kind === 'confirm') {
      if (head.req.destructive) {
        t.type(head.expect ?? '');
        t.press(KEY.enter);
      } else t.press('y');
    } else if (head.kind === 'ask') {
      await think(head.req);
      const want = answers[head.req.stepId];
      if (head.req.type === 'choice') t.press(String((head.req.options ?? []).findIndex((o) => o.value === want) + 1));
      else if (head.req.type === 'text') {
        t.type(want ?? 'done');
        t.press(KEY.enter);
      } else t.press(KEY.enter);
    } else throw new Error(`a step failed during the drill: ${head.req.stepId}\n${t.frame()}`);
  }
}

describe('the drill clock counts the human (#20)', () => {
  it('90 s of thought at the decision: the header ticks, and time to diagnose is about 90 s on the score and in drill.scored', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: new Date('2026-12-01T09:00:00Z') });
    const stateDir = tempDir('oncall-tui-drill-clock-');
    const file = join(DRILLS, 'elb-idle-timeout.yaml');
    const t = renderTui({ mode: 'drill', scenarioDirs: async () => scenarioDirs({ env: {}, cwd: ROOT }), columns: 120, rows: 40, stateDir, scenario: file, tickMs: 10 });
    await t.waitFor(/page from/);
    const { scenario } = await loadScenario(file);
    let header = '';
    await playByKeys(t, scenario.expect.answers, async (req) => {
      if (req.stepId !== 'diagnose') return;
      vi.setSystemTime(Date.now() + 90_000);
      // The header's clock moves while the decision is open (the tick reads the drill's clock).
      header = (await t.waitFor(/⏱ 00:01:3\d/)).split('\n')[0]!;
    });
    expect(header).toMatch(/⏱ 00:01:3\d/);
    const f = await t.waitFor('DRILL PASSED');
    expect(f).toMatch(/Time to acknowledge\s+0 s \(target 5 min\)/);
    expect(f).toMatch(/Time to diagnose\s+1 min 3[0-4] s \(target 10 min\)/);
    expect(f).toMatch(/Time to mitigate\s+1 min 3\d s \(target 20 min\)/);
    expect(f).toMatch(/Time to recover\s+1[12] min \d+ s \(target 30 min\)/);
    expect(f).toContain('s of it waiting on the operator');

    const ids = readdirSync(join(stateDir, 'drills', 'incidents'));
    const journal = incidentRecords((await readJournal(journalPath(join(stateDir, 'drills'), ids[0]!))).records);
    const scored = journal.find((e) => e.type === 'drill.scored')!.payload as Record<string, any>;
    expect(scored.time_to_diagnose_s).toBeGreaterThanOrEqual(90);
    expect(scored.time_to_diagnose_s).toBeLessThan(95);
    expect(scored.time_to_acknowledge_s).toBe(0);
    expect(scored.wall).toMatchObject({ pace: 1, human_seconds: 90, phases_s: { diagnose: 90 } });
    // The decision's own record says how long it took: not 0 (#20).
    const decided = journal.find((e) => e.type === 'step.finished' && (e.payload as { step: string }).step === 'diagnose');
    expect((decided!.payload as { duration_ms: number }).duration_ms).toBe(90_000);
  }, 60_000);

  it('--pace 2 counts the same thought twice as long', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: new Date('2026-12-01T09:00:00Z') });
    const stateDir = tempDir('oncall-tui-drill-clock-');
    const file = join(DRILLS, 'elb-idle-timeout.yaml');
    const t = renderTui({ mode: 'drill', scenarioDirs: async () => scenarioDirs({ env: {}, cwd: ROOT }), columns: 120, rows: 40, stateDir, scenario: file, drillPace: 2 });
    await t.waitFor(/page from/);
    const { scenario } = await loadScenario(file);
    await playByKeys(t, scenario.expect.answers, (req) => {
      if (req.stepId === 'diagnose') vi.setSystemTime(Date.now() + 45_000);
    });
    const f = await t.waitFor('DRILL PASSED');
    expect(f).toMatch(/Time to diagnose\s+1 min 3[0-4] s/);
    expect(f).toContain('(counted at 2×)');
  }, 60_000);
});

describe('drill hints (#20)', () => {
  it('h reveals the next hint that fits the step, journaled as a note and counted in the score', async () => {
    const dir = tempDir('oncall-tui-hints-');
    const source = readFileSync(join(DRILLS, 'elb-idle-timeout.yaml'), 'utf8');
    const file = join(dir, 'elb-idle-timeout-hints.yaml');
    writeFileSync(
      file,
      source.replace(/^id: .*$/m, 'id: elb-idle-timeout-hints') +
        '\nhints:\n  - text: Which component counts the 504s?\n  - step: diagnose\n    text: Compare the export time with the idle timeout.\n',
    );
    const stateDir = tempDir('oncall-tui-drill-hints-');
    const t = renderTui({ mode: 'drill', scenarioDirs: async () => [dir], columns: 140, rows: 40, stateDir, scenario: file });
    const message = (text: string) => t.until((s) => s.message?.text.includes(text) === true, { what: text });
    await message('h reveals a hint: 2 in this drill');
    await t.until((s) => s.prompts[0]?.kind === 'gate', { what: 'the first gate' });
    t.press('h');
    await message('hint 1/2: Which component counts the 504s?');
    t.press('h');
    // The second hint belongs to the diagnosis, not to this step.
    await message('no hint left for this step');
    const { scenario } = await loadScenario(file);
    await playByKeys(t, scenario.expect.answers, async (req) => {
      if (req.stepId !== 'diagnose') return;
      t.press('h');
      await message('hint 2/2: Compare the export time with the idle timeout.');
      expect(t.frame()).toContain('hint 2/2: Compare the export time');
    });
    const f = await t.waitFor('DRILL PASSED');
    expect(f).toMatch(/Hints used\s+2 of 2/);
    const ids = readdirSync(join(stateDir, 'drills', 'incidents'));
    const journal = incidentRecords((await readJournal(journalPath(join(stateDir, 'drills'), ids[0]!))).records);
    const notes = journal.filter((e) => e.type === 'note.added').map((e) => e.payload as { text: string; by: string });
    expect(notes).toEqual([
      { text: 'hint 1/2 at resolve-alb: Which component counts the 504s?', by: 'drill' },
      { text: 'hint 2/2 at diagnose: Compare the export time with the idle timeout.', by: 'drill' },
    ]);
    expect(journal.find((e) => e.type === 'drill.scored')?.payload).toMatchObject({ hints_used: 2, hints_offered: 2, passed: true });
  }, 60_000);
});
