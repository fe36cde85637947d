// Drill mode in the TUI: the scenario picker, a drill played by keys on the simulated world (the
// same engine, executors and SDK clients as live), the score on screen and in the journal, and
// leaving a drill early. The operator's keys are the only driver: each prompt is answered the way
// a responder would, from the scenario's expected path.
import { KEY, renderTui, ROOT, tempDir, type Tui } from './helpers.js';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { parse as parseEnv } from 'dotenv';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scenarioDirs } from '../../src/drill/catalog.js';
import { loadScenario } from '../../src/drill/scenario.js';
import { incidentRecords } from '../helpers/journal.js';
import { readJournal } from '../../src/journal/reader.js';
import { journalPath } from '../../src/journal/paths.js';
import type { AnyEvent } from '../../src/journal/events.js';

const DRILLS = join(ROOT, 'examples', 'drills');

function drillTui(o: Parameters<typeof renderTui>[0] = {}): Tui {
  return renderTui({ mode: 'drill', scenarioDirs: async () => scenarioDirs({ env: {}, cwd: ROOT }), columns: 120, rows: 36, ...o });
}

/**
 * Answers prompts with keys until the drill is scored: Enter at each step's gate, the expected
 * option's number at a decision, y at a confirmation (the resource id typed where it must be),
 * Enter for a manual step. `answers` overrides the scenario's expected path.
 */
async function playByKeys(t: Tui, answers: Record<string, string>): Promise<void> {
  const deadline = Date.now() + 20_000;
  let handled = 0;
  while (t.state().screen.kind !== 'score') {
    if (Date.now() > deadline) throw new Error(`the drill did not end\n${t.frame()}`);
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
      const want = answers[head.req.stepId];
      if (head.req.type === 'choice') {
        const i = (head.req.options ?? []).findIndex((o) => o.value === want);
        if (i < 0) throw new Error(`no expected answer among the options of ${head.req.stepId}: ${want}`);
        t.press(String(i + 1));
      } else if (head.req.type === 'text') {
        t.type(want ?? 'done');
        t.press(KEY.enter);
      } else t.press(KEY.enter);
    } else throw new Error(`a step failed during the drill: ${head.req.stepId}\n${t.frame()}`);
  }
}

async function drillJournal(stateDir: string): Promise<AnyEvent[]> {
  const ids = readdirSync(join(stateDir, 'drills', 'incidents'));
  expect(ids).toHaveLength(1);
  return incidentRecords((await readJournal(journalPath(join(stateDir, 'drills'), ids[0]!))).records);
}

describe('drill mode', () => {
  it('opens on the scenario picker: DRILL banner, fuzzy filter, and a preview with the page and the simulated world', async () => {
    const t = drillTui({ env: { AWS_PROFILE: 'prod-admin', AWS_REGION: 'eu-west-1', PATH: process.env.PATH } });
    let f = await t.waitFor(/of 2\d/);
    expect(f).toContain('DRILL');
    expect(f).toContain('Practice drill');
    // The operator's real AWS profile has no place in a drill's header.
    expect(f).not.toContain('prod-admin');
    expect(f.split('\n')[0]).toContain('aws simulated');
    t.type('short-timeout');
    f = await t.waitFor('[FIRING] checkout-edge');
    expect(f).toContain('> local-504-short-timeout');
    expect(f).toContain('The page from PagerDuty SEV2');
    expect(f).toContain('mitigates within 20 simulated minutes');
    expect(f).toMatch(/Runbook local-504\s/);
    expect(f).toMatch(/Simulated\s+1 HTTP endpoint\s+2 scripted commands/);
    t.press(KEY.ctrlU);
    t.type('ec2 retirement');
    f = await t.waitFor(/AWS account [a-z]+-[a-z]+-\d: 1 EC2 instance/);
    expect(f).toContain('ec2-scheduled-retirement');
  });

  it('plays a drill by keys to a passing score, journaled apart from live incidents and in simulated time', async () => {
    const stateDir = tempDir('oncall-tui-drill-');
    const t = drillTui({ stateDir });
    await t.waitFor('local-504-short-timeout');
    t.type('local-504-short-timeout');
    await t.waitFor('[FIRING] checkout-edge');
    t.press(KEY.enter);
    let f = await t.waitFor(/page from PagerDuty \[SEV2\]/);
    expect(f).toContain('DRILL');
    const { scenario } = await loadScenario(join(DRILLS, 'local-504-short-timeout.yaml'));
    await playByKeys(t, scenario.expect.answers);
    f = await t.waitFor('DRILL PASSED');
    expect(f).toMatch(/Outcome\s+completed \(expected completed\)/);
    expect(f).toMatch(/Time to mitigate\s+1[45] min \d+ s \(target 20 min\)/);
    expect(f).toMatch(/Wrong turns\s+0/);
    // The incident clock is the simulation's: a quarter of an hour passed in well under a minute.
    expect(f).toMatch(/⏱ 00:1[5-9]:\d\d/);
    const journal = await drillJournal(stateDir);
    expect(journal[0]!.payload).toMatchObject({ mode: 'drill', drill: { scenario: 'local-504-short-timeout' } });
    const scored = journal.find((e) => e.type === 'drill.scored');
    expect(scored?.payload).toMatchObject({ passed: true, outcome: 'completed', wrong_turns: [] });
    expect(readdirSync(stateDir)).toEqual(['drills']);
    // The timeline holds the drill, score included; Enter goes back for another drill.
    t.press('t');
    await t.waitFor('◎ drill PASSED: completed, mitigated after');
    t.press('t');
    await t.until((s) => s.overlay.kind === 'none', { what: 'the timeline to close' });
    t.press(KEY.enter);
    await t.waitFor('Practice drill');
    expect(t.state().incident).toBeUndefined();
  });

  it('scores a wrong turn and says why', async () => {
    const stateDir = tempDir('oncall-tui-drill-');
    const t = drillTui({ stateDir, scenario: join(DRILLS, 'local-504-short-timeout.yaml') });
    await t.waitFor(/page from PagerDuty/);
    await playByKeys(t, { diagnose: 'backend', escalate: 'OPS-1234', record: 'done' });
    const f = await t.waitFor('DRILL NOT PASSED');
    expect(f).toMatch(/Wrong turns\s+1/);
    expect(f).toContain("diagnose (backend): The backend answers in 350 ms; it is the proxy's 200 ms timeout");
    expect((await drillJournal(stateDir)).find((e) => e.type === 'drill.scored')?.payload).toMatchObject({ passed: false, wrong_turns: [{ step: 'diagnose', choice: 'backend' }] });
  });

  it.each(['elb-idle-timeout', 'ec2-system-check-host', 'etcd-restore-clean', 'secrets-clean-migration'])(
    'plays %s by keys on its simulated world to a passing score',
    async (id) => {
      const stateDir = tempDir('oncall-tui-drill-');
      const file = join(DRILLS, `${id}.yaml`);
      const t = drillTui({ stateDir, scenario: file });
      await t.waitFor(/page from/);
      const { scenario } = await loadScenario(file);
      await playByKeys(t, scenario.expect.answers);
      const f = await t.waitFor(/DRILL (NOT )?PASSED/);
      expect(f).toContain('DRILL PASSED');
      // AWS drills show the simulated account in the header, resolved through the simulated STS.
      const account = scenario.world.aws?.identity.account;
      if (account) expect(t.frames().some((x) => x.split('\n')[0]!.includes(account))).toBe(true);
      if (id === 'secrets-clean-migration') {
        // The .env's values are never drawn nor journaled, not one frame of them.
        const values = Object.values(parseEnv(readFileSync(join(ROOT, 'examples/env/payments-api.env'), 'utf8'))).filter((v) => v.length >= 12);
        expect(values.length).toBeGreaterThan(2);
        // The keys are shown (the plan names them), so the frames were looked at.
        expect(t.frames().some((x) => x.includes('STRIPE_SECRET_KEY'))).toBe(true);
        const journalText = JSON.stringify(await drillJournal(stateDir));
        for (const v of values) {
          expect(t.frames().some((x) => x.includes(v))).toBe(false);
          expect(journalText.includes(v)).toBe(false);
        }
      }
      expect((await drillJournal(stateDir)).find((e) => e.type === 'drill.scored')?.payload).toMatchObject({ scenario: id, passed: true });
    },
    60_000,
  );

  it('leaving a drill part-way scores it as it stands and closes its journal', async () => {
    const stateDir = tempDir('oncall-tui-drill-');
    const t = drillTui({ stateDir, scenario: join(DRILLS, 'local-504-short-timeout.yaml') });
    await t.until((s) => s.prompts[0]?.kind === 'gate', { what: 'the first gate' });
    // Warnings that offer quitting say what it does to a drill: it cannot be resumed.
    t.press(KEY.ctrlC);
    await t.waitFor('press Ctrl+C again to quit (the drill ends and is scored), or q');
    t.press('q');
    await t.until((s) => Boolean(s.exit), { what: 'exit' });
    const exit = t.state().exit!;
    expect(exit.message).toContain('drill NOT PASSED: local-504-short-timeout');
    expect(exit.message).toContain('--drill');
    const journal = await drillJournal(stateDir);
    expect(journal.at(-1)).toMatchObject({ type: 'drill.scored', payload: { outcome: 'open', passed: false } });
  });

  it('a scenario that does not validate says where and why in the preview, and does not start', async () => {
    const dir = tempDir('oncall-tui-scen-');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'broken.yaml'), 'id: broken-drill\ntitle: Broken\nrunbook: ../nowhere.yaml\npage:\n  text: hi\n  severity: SEV9\n');
    const t = drillTui({ scenarioDirs: async () => [dir] });
    const f = await t.waitFor('does not validate');
    expect(f).toMatch(/broken\.yaml:6:\d+/);
    t.press(KEY.enter);
    await t.waitFor(/could not start the drill/);
    expect(t.state().screen.kind).toBe('drills');
  });
});
