import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildTimeline, ExportNotFoundError } from '../../src/export/index.js';
import { timelineSchema } from '../../src/export/schema.js';
import { EXCERPT_HEAD, EXCERPT_TAIL } from '../../src/export/timeline.js';
import { journalPath } from '../../src/journal/paths.js';
import { tempDir } from '../helpers/cli.js';
import { richEntries, T0, writeJournal } from './fixtures.js';

const iso = (ms: number) => new Date(T0 + ms).toISOString();

describe('Timeline fold', () => {
  it('folds metadata, identity, milestones and durations from the journal', async () => {
    const { root, id } = await writeJournal(richEntries());
    const tl = await buildTimeline(root, id, { now: new Date(T0), verify: true });
    expect(timelineSchema.parse(tl)).toEqual(tl); // the model is exactly what the schema documents
    expect(tl).toMatchObject({ schema: 'oncall.timeline', version: 1, mode: 'live' });
    expect(tl.incident).toMatchObject({
      id,
      severity: 'SEV1',
      service: 'checkout',
      mode: 'live',
      status: 'failed',
      operator: 'alice',
      host: 'laptop',
      failed_step: 'verify',
      runbook: { id: 'checkout-504', version: '2.1.0', title: 'Checkout 504s', secret_inputs: ['token'] },
      identity: { aws: { account: '123456789012', region: 'eu-west-1' }, kube: { context: 'prod-eu' } },
    });
    expect(tl.incident.operators).toEqual(['alice', 'bob', 'carol']);
    expect(tl.milestones).toEqual([
      { milestone: 'detected', at: iso(20), by: 'alice', source: 'marked', seq: 3 },
      { milestone: 'mitigated', at: iso(9400), by: 'bob', source: 'marked', seq: expect.any(Number) },
      { milestone: 'resolved', at: iso(70_000), by: 'alice', source: 'marked', seq: expect.any(Number) },
    ]);
    expect(tl.durations).toEqual({ detected_to_mitigated_ms: 9380, detected_to_resolved_ms: 69_980, mitigated_to_resolved_ms: 60_600, total_ms: 70_000 });
    expect(tl.journal.integrity).toEqual({ ok: true, torn_tail: false, problem: null });
  });

  it('keeps one entry per attempt, with status, times, intent and bounded output', async () => {
    const { root, id } = await writeJournal(richEntries());
    const tl = await buildTimeline(root, id);
    expect(tl.steps.map((s) => [s.step, s.attempt, s.status])).toEqual([
      ['probe', 1, 'failed'],
      ['probe', 2, 'ok'],
      ['restart', 1, 'ok'],
      ['diagnose', 1, 'ok'],
      ['cleanup', 1, 'skipped'],
      ['verify', 1, 'failed'],
    ]);
    const [p1, p2, restart, , cleanup, verify] = tl.steps;
    expect(p1).toMatchObject({ title: 'Reproduce | the "error"', started_at: iso(1000), finished_at: iso(1200), duration_ms: 200, retry_in_ms: 2000, error: 'HTTP 504 | "gateway"\nsecond line' });
    expect(p1!.intent).toEqual({ summary: 'GET http://127.0.0.1:1/health', detail: null, api: 'HTTP GET', argv: null, resources: ['http://127.0.0.1:1/health'], params: {} });
    // 40 lines: the first EXCERPT_HEAD and the last EXCERPT_TAIL, in order.
    expect(p2!.output.lines).toBe(40);
    expect(p2!.output.excerpt).toHaveLength(EXCERPT_HEAD + EXCERPT_TAIL);
    expect(p2!.output.excerpt.slice(0, 2)).toEqual(['line 0', 'line 1']);
    expect(p2!.output.excerpt.at(-1)).toBe('line 39 ```` end');
    expect(p2!.output.excerpt[EXCERPT_HEAD]).toBe(`line ${40 - EXCERPT_TAIL}`);
    expect(p2!.output.omitted).toBe(40 - EXCERPT_HEAD - EXCERPT_TAIL);
    expect(p2).toMatchObject({ captures: { status: 504 }, assertions: [{ that: 'result.status == 504', ok: true, message: null }], result_excerpt: '{"status":504}' });
    // A write interrupted by a crash, settled on resume by a person: one attempt, not two.
    expect(restart).toMatchObject({ effect: 'write', write_ahead: true, in_doubt: false, reconciled: 'human', started_at: iso(4200), finished_at: iso(9300) });
    expect(cleanup).toMatchObject({ status: 'skipped', skip_reason: 'declined by carol: not during peak', started_at: iso(9810) });
    // Failed before it started (bad parameters): a finish with no start.
    expect(verify).toMatchObject({ status: 'failed', started_at: iso(9900), duration_ms: 0, error: 'invalid parameters for http: url: Invalid URL' });
  });

  it('lists every record but output as an event, in time order, with stable idempotency keys', async () => {
    const { root, id } = await writeJournal(richEntries());
    const a = await buildTimeline(root, id);
    const b = await buildTimeline(root, id);
    expect(a.events).toEqual(b.events);
    expect(a.events.some((e) => e.kind === 'step.output')).toBe(false);
    expect(a.journal.records).toBe(richEntries().length + 1); // and the close, which is no event
    expect(a.events).toHaveLength(richEntries().filter(([, t]) => t !== 'step.output').length);
    for (let i = 1; i < a.events.length; i++) expect(a.events[i]!.occurred_at >= a.events[i - 1]!.occurred_at).toBe(true);
    for (const e of a.events) expect(e.idempotency_key).toBe(`oncall:${id}:${e.seq}`);
    expect(new Set(a.events.map((e) => e.idempotency_key)).size).toBe(a.events.length);
    const kinds = Object.fromEntries(a.events.map((e) => [e.kind, e]));
    expect(kinds['decision.made']).toMatchObject({ actor: 'carol', source: 'human', step: 'diagnose', status: 'a' });
    expect(kinds['step.in_doubt']).toMatchObject({ actor: 'bob', source: 'engine', status: 'in_doubt' });
    expect(a.events.find((e) => e.kind === 'step.started')).toMatchObject({ actor: 'alice', source: 'engine', body: 'GET http://127.0.0.1:1/health', elapsed_ms: 1000 });
    expect(a.errors.map((e) => [e.kind, e.step])).toEqual([
      ['step', 'probe'],
      ['in_doubt', 'restart'],
      ['step', 'verify'],
      ['run', 'verify'],
    ]);
    expect(a.decisions.map((d) => [d.step, d.value, d.by])).toEqual([
      ['restart', 'done', 'bob'],
      ['diagnose', 'a', 'carol'],
    ]);
    expect(a.confirmations.map((c) => [c.step, c.approved, c.typed])).toEqual([
      ['restart', true, true],
      ['cleanup', false, false],
    ]);
    expect(a.notes).toEqual([{ seq: expect.any(Number), at: iso(4000), text: '=HYPERLINK("http://evil")\nsecond | line <b>bold</b>', by: 'bob' }]);
  });

  it('infers milestones nobody marked, and says they are inferred', async () => {
    const { root, id } = await writeJournal([
      [0, 'incident.opened', { title: 't', severity: 'SEV3', mode: 'drill', read_only: false, operator: 'd', host: 'h', oncall_version: '0', drill: { scenario: 's', title: 't', page: { from: 'pd', severity: 'SEV3', text: 'x' } } }],
      [600_000, 'run.finished', { outcome: 'completed', summary: 'done' }],
      [600_000, 'drill.scored', { scenario: 's', outcome: 'completed', expected_outcome: 'completed', expects_mitigation: true, time_to_mitigate_s: 300, target_minutes: 20, simulated_minutes: 10, steps_skipped: [], wrong_turns: [], confirmations_declined: [], passed: true }],
    ]);
    const tl = await buildTimeline(root, id);
    expect(tl.mode).toBe('drill');
    expect(tl.milestones.map((m) => [m.milestone, m.source, m.at])).toEqual([
      ['detected', 'opened', iso(0)],
      ['mitigated', 'drill-score', iso(300_000)],
      ['resolved', 'run-finished', iso(600_000)],
    ]);
    expect(tl.durations.detected_to_mitigated_ms).toBe(300_000);
    expect(tl.incident.drill?.score).toMatchObject({ passed: true, time_to_mitigate_s: 300 });
  });

  it('never infers "resolved" when a change of the runbook was declined or skipped', async () => {
    const { root, id } = await writeJournal([
      [0, 'incident.opened', { title: 't', severity: 'SEV2', mode: 'live', read_only: false, operator: 'a', host: 'h', oncall_version: '0' }],
      [10, 'step.skipped', { step: 'raise-timeout', reason: 'declined by a: not now', by: 'a', effect: 'write', intent: { summary: 'set-timeout 1000', params: {} }, next: 'record' }],
      [20, 'run.finished', { outcome: 'completed', summary: 'done' }],
    ]);
    const tl = await buildTimeline(root, id);
    expect(tl.milestones.map((m) => m.milestone)).toEqual(['detected']);
    // A read skipped does not withhold a fix.
    const read = await writeJournal([
      [0, 'incident.opened', { title: 't', severity: 'SEV2', mode: 'live', read_only: false, operator: 'a', host: 'h', oncall_version: '0' }],
      [10, 'step.skipped', { step: 'look', reason: 'seen already', by: 'a', effect: 'read', next: null }],
      [20, 'run.finished', { outcome: 'completed', summary: 'done' }],
    ]);
    expect((await buildTimeline(read.root, read.id)).milestones.map((m) => [m.milestone, m.source])).toEqual([
      ['detected', 'opened'],
      ['resolved', 'run-finished'],
    ]);
  });

  it('marks an open incident and a write with no recorded end', async () => {
    const { root, id } = await writeJournal([
      [0, 'incident.opened', { title: 't', severity: 'SEV2', mode: 'live', read_only: false, operator: 'a', host: 'h', oncall_version: '0' }],
      [10, 'step.started', { step: 'stop', attempt: 1, kind: 'aws.ec2.stopInstances', effect: 'write', intent: { summary: 'ec2:StopInstances i-0abc', params: {} }, write_ahead: true }],
    ]);
    const tl = await buildTimeline(root, id);
    expect(tl.incident.status).toBe('open');
    expect(tl.steps[0]).toMatchObject({ status: 'unfinished', in_doubt: true, finished_at: null, duration_ms: null });
    expect(tl.milestones.map((m) => m.milestone)).toEqual(['detected']);
    expect(tl.durations.detected_to_mitigated_ms).toBeNull();
  });

  it('reports a broken hash chain and ignores a torn last line', async () => {
    const { root, id } = await writeJournal(richEntries());
    const file = journalPath(root, id);
    appendFileSync(file, '{"v":1,"seq":'); // a crash mid-write
    let tl = await buildTimeline(root, id, { verify: true });
    expect(tl.journal.integrity).toEqual({ ok: true, torn_tail: true, problem: null });
    const lines = readFileSync(file, 'utf8').split('\n');
    lines[5] = lines[5]!.replace('"attempt":1', '"attempt":7'); // an edit after the fact
    writeFileSync(file, lines.join('\n'));
    tl = await buildTimeline(root, id, { verify: true });
    expect(tl.journal.integrity).toMatchObject({ ok: false, problem: expect.stringMatching(/line 7: .*record 5 was changed/) });
    expect((await buildTimeline(root, id)).journal.integrity).toBeNull(); // not checked unless asked
  });

  it('says where it looked for an unknown incident, and refuses ids that are not ids', async () => {
    const root = tempDir();
    await expect(buildTimeline(root, 'inc-20260101-000000-aaaa')).rejects.toBeInstanceOf(ExportNotFoundError);
    await expect(buildTimeline(root, '../../etc')).rejects.toThrow(/not an incident id/);
  });
});
