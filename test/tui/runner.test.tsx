// The runner on the real engine with the example runbook and its demo service: gates, streamed
// output and results, the decision, the write confirmation, notes, milestones, the timeline, help,
// quitting and resuming. Everything the operator decides must land in the journal.
import { journal, KEY, openExample, renderTui, runStep, tempDir, useDemo } from './helpers.js';
import { readFileSync, rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
const demo = useDemo();
const stateFile = demo.stateFile;

describe('runner', () => {
  it('runs the example runbook: gate, output, result, decision, confirmation, note, milestone, timeline', async () => {
    const stateDir = tempDir();
    const t = renderTui({ stateDir });
    const id = await openExample(t, demo, stateFile);
    let f = t.frame();
    // Header: mode banner, incident id, severity, title; step list; guidance; the exact intent.
    expect(f).toContain('LIVE');
    expect(f).toContain(id);
    expect(f).toContain('SEV3');
    expect(f).toContain('Checkout 504s');
    expect(f).toContain('Steps 0/7');
    expect(f).toContain('See the error for yourself');
    expect(f).toContain(`GET ${demo.url}/health`);
    expect(f).toMatch(/enter run\s+a run the reads\s+s skip/);

    await runStep(t, 'Reproduce the error');
    f = await t.waitFor('Next: Read the proxy timeout');
    expect(f).toMatch(/✓ Reproduce the error/);
    // The previous step's result and captures stay in view.
    expect(f).toMatch(/↳ ✓ probe: HTTP 504.*status=504/);

    await runStep(t, "Read the proxy timeout and the backend's response time");
    await t.waitFor('Next: Decide what causes the 504s');
    // Look back at read-config: its output, captures and assertion.
    t.press(KEY.up);
    f = await t.waitFor('captures: proxy_timeout_ms=200');
    expect(f).toContain('"proxy_timeout_ms":200');
    expect(f).toMatch(/✓ assert result\.json\.proxy_timeout_ms > 0/);
    expect(f).toContain('(waiting on diagnose');
    t.press(KEY.end);
    await t.waitFor((fr) => !fr.includes('(waiting on diagnose'));

    // The decision: options from the runbook, evidence beside them.
    await runStep(t, 'Decide what causes the 504s');
    f = await t.waitFor('◆ What causes the 504s?');
    // Each fact on its own line, whole.
    expect(f).toContain('evidence:');
    for (const fact of ['status=504', 'proxy_timeout_ms=200', 'backend_latency_ms=350']) expect(f).toContain(fact);
    expect(f).toContain('1. The proxy timeout is shorter');
    t.press(KEY.down, KEY.up);
    t.press(KEY.enter);

    // The write: gate, then a confirmation showing exactly what will change; Cancel is the default.
    await runStep(t, "Raise the proxy timeout above the backend's response time");
    f = await t.waitFor('Confirm change');
    expect(f).toContain('argv:      node examples/demo/ctl.mjs set-timeout 1000 --state');
    expect(f).toContain('where:     this machine (a local process)');
    expect(f).toContain('The proxy will wait up to the new timeout');
    expect(t.state().prompts[0]).toMatchObject({ kind: 'confirm', choice: 'cancel' });
    t.press(KEY.right);
    await t.until((s) => s.prompts[0]?.kind === 'confirm' && s.prompts[0].choice === 'approve');
    t.press(KEY.enter);
    await t.waitFor('Next: Wait until the service answers 200');

    // A note and a milestone while the runbook waits.
    t.press('n');
    await t.waitFor('Note for the journal');
    t.type('raised the proxy timeout to 1000 ms');
    t.press(KEY.enter);
    await t.waitFor('note added');
    t.press('m');
    await t.waitFor('Mark a milestone');
    t.press('m');
    await t.waitFor('milestone: mitigated');

    await runStep(t, 'Wait until the service answers 200');
    await runStep(t, 'Post an update in the incident channel');
    await t.waitFor('◆ Done?');
    t.press(KEY.enter);
    f = await t.waitFor('Runbook completed');
    // Six steps on the path the decisions took: the run is complete, not 6/7.
    expect(f).toContain('Steps ✓ all (1 not taken)');

    t.press('t');
    f = await t.waitFor('Timeline');
    expect(f).toMatch(/\+00:00:\d\d ✎ tester: raised the proxy timeout to 1000 ms/);
    expect(f).toMatch(/\+00:00:\d\d ★ mitigated \(tester\)/);
    expect(f).toMatch(/\+00:00:00 incident inc-\S+ opened: Checkout 504s \[SEV3\]/);
    expect(f).toContain('◆ diagnose: tester answered raise-timeout');
    // The timeline's export action writes the post-mortem draft beside the operator.
    t.press('e');
    f = await t.waitFor('timeline written to');
    const exported = /timeline written to (\S+\.md)/.exec(f)![1]!;
    try {
      const md = readFileSync(exported, 'utf8');
      expect(md).toContain('raised the proxy timeout to 1000 ms');
      expect(md).toMatch(/^# /m);
    } finally {
      rmSync(exported, { force: true });
    }
    t.press(KEY.esc);
    await t.waitFor('Runbook completed');
    await t.close();

    const records = await journal(stateDir, id);
    const types = records.map((r) => r.type);
    expect(records.find((r) => r.type === 'decision.made' && r.payload.step === 'diagnose')?.payload).toMatchObject({ value: 'raise-timeout', by: 'tester' });
    expect(records.find((r) => r.type === 'confirm.given')?.payload).toMatchObject({ step: 'raise-timeout', approved: true, by: 'tester' });
    expect(records.find((r) => r.type === 'note.added')?.payload).toMatchObject({ text: 'raised the proxy timeout to 1000 ms', by: 'tester' });
    expect(records.find((r) => r.type === 'milestone.marked')?.payload).toMatchObject({ milestone: 'mitigated' });
    expect(records.at(-1)?.payload).toMatchObject({ outcome: 'completed' });
    expect(types.filter((x) => x === 'step.finished')).toHaveLength(6);
  });
});
