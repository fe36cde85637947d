// One wording per event (src/export/text.ts): the progress line headless runs print and the TUI's
// timeline shows, and the title and body the export lists, come from the same place.
import { describe, expect, it } from 'vitest';
import { progressLine } from '../../src/export/lines.js';
import { eventText } from '../../src/export/text.js';
import type { AnyEvent, EventPayloads, EventType } from '../../src/journal/events.js';

let seq = 0;
function ev<K extends EventType>(type: K, payload: EventPayloads[K]): AnyEvent {
  return { seq: seq++, ts: '2026-03-02T03:12:00.000Z', incident: 'inc-20260302-031200-abcd', type, payload } as AnyEvent;
}

const intent = { summary: 'GET http://127.0.0.1:1/health', params: {} };
const score: EventPayloads['drill.scored'] = {
  scenario: 's',
  outcome: 'completed',
  expected_outcome: 'completed',
  expects_mitigation: true,
  time_to_mitigate_s: 300,
  target_minutes: 20,
  simulated_minutes: 10,
  steps_skipped: [],
  wrong_turns: [{ step: 'x', why: 'y' }],
  confirmations_declined: [],
  passed: true,
};

// [event, progress line, exported title, exported body]
const CASES: [AnyEvent, string | undefined, string, string][] = [
  [
    ev('incident.opened', { title: 'Checkout 504s', severity: 'SEV1', mode: 'drill', read_only: true, operator: 'alice', host: 'h', oncall_version: '0', drill: { scenario: 's', title: 't', page: { from: 'PagerDuty', severity: 'SEV1', text: '504s' } } }),
    'incident inc-20260302-031200-abcd opened: Checkout 504s [SEV1] DRILL READ-ONLY',
    'incident inc-20260302-031200-abcd opened: Checkout 504s [SEV1] DRILL READ-ONLY',
    'Page from PagerDuty (SEV1): 504s',
  ],
  [ev('incident.resumed', { operator: 'bob', pid: 1, repaired_bytes: 12 }), 'incident inc-20260302-031200-abcd resumed by bob', 'incident inc-20260302-031200-abcd resumed by bob', 'the journal dropped 12 bytes of a record torn by a crash'],
  [ev('runbook.attached', { id: 'rb', version: '1.0.0', hash: 'h', file: 'f', source: '', inputs: { lb: 'x', n: 2 }, secret_inputs: [] }), 'runbook rb 1.0.0', 'runbook rb 1.0.0', 'inputs: lb=x, n=2'],
  [ev('identity.resolved', { aws: { account: '123456789012' }, kube: { context: 'prod' } }), undefined, 'identity resolved', 'AWS account=123456789012; kube context=prod'],
  [ev('step.started', { step: 'probe', attempt: 2, kind: 'http', effect: 'read', intent, write_ahead: false }), '▶ probe (attempt 2): GET http://127.0.0.1:1/health', '▶ probe (attempt 2)', 'GET http://127.0.0.1:1/health'],
  [ev('step.finished', { step: 'probe', attempt: 1, status: 'ok', duration_ms: 1500, summary: 'HTTP 200' }), '✓ probe HTTP 200 (1.5 s)', '✓ probe ok (1.5 s)', 'HTTP 200'],
  [ev('step.finished', { step: 'probe', attempt: 1, status: 'ok', duration_ms: 75_000 }), '✓ probe ok (1m 15s)', '✓ probe ok (1m 15s)', ''],
  [
    ev('step.finished', { step: 'probe', attempt: 1, status: 'failed', duration_ms: 200, error: 'HTTP 504', retry_in_ms: 2000 }),
    '✗ probe failed: HTTP 504 (200 ms); retrying in 2 s',
    '✗ probe failed (200 ms); retrying in 2 s',
    'HTTP 504',
  ],
  [
    ev('step.finished', { step: 'stop', attempt: 1, status: 'timeout', duration_ms: 30_000, error: 'no answer', in_doubt: true }),
    '✗ stop timeout: no answer (30 s) — IN DOUBT',
    '✗ stop timeout (30 s) — IN DOUBT',
    'no answer\nin doubt: the change may or may not have happened',
  ],
  [
    ev('step.finished', { step: 'stop', attempt: 1, status: 'ok', duration_ms: 0, summary: 'marked done', reconciled: 'verified' }),
    '✓ stop marked done (0 ms)',
    '✓ stop ok (0 ms)',
    'marked done\nsettled after an interruption: a read verified the change had happened',
  ],
  [ev('step.skipped', { step: 'try', reason: 'flaky', by: 'alice', next: null, after_failure: true }), '↷ try skipped after failing: flaky', '↷ try skipped after failing', 'flaky'],
  [
    ev('step.in_doubt', { step: 'stop', attempt: 1, resolution: 'verify' }),
    '? stop was interrupted mid-change; checking with its verify read',
    '? stop was interrupted mid-change',
    'the change may or may not have happened; checking with its verify read',
  ],
  [ev('confirm.given', { step: 'stop', approved: true, by: 'alice', typed: true, purpose: 'action' }), '✔ stop approved by alice (resource typed)', '✔ stop approved by alice (resource typed)', ''],
  [ev('confirm.given', { step: 'stop:rollback', approved: false, by: 'bob', reason: 'not now', purpose: 'rollback' }), '✘ stop:rollback declined by bob', '✘ stop:rollback declined by bob', 'not now'],
  [ev('decision.made', { step: 'diagnose', attempt: 1, question: 'Why?', value: 'a', text: 'because', by: 'carol', type: 'choice' }), '◆ diagnose: carol answered a', '◆ diagnose: carol answered a', 'Why?\n→ a: because'],
  [ev('note.added', { text: 'raised the timeout', by: 'bob' }), '✎ bob: raised the timeout', '✎ bob', 'raised the timeout'],
  [ev('milestone.marked', { milestone: 'mitigated', by: 'bob' }), '★ mitigated (bob)', '★ mitigated (bob)', 'marked by bob'],
  [ev('rollback.started', { failed_step: 'verify', steps: ['grow', 'raise'] }), '↺ rolling back: grow, raise', '↺ rolling back', 'grow, raise (after verify failed)'],
  [ev('run.finished', { outcome: 'completed', summary: 'completed: 3 steps' }), '■ completed: 3 steps', '■ runbook completed', 'completed: 3 steps'],
  [ev('run.finished', { outcome: 'failed', failed_step: 'v', error: 'e', summary: "step 'v' failed: e" }), "✗ step 'v' failed: e", '✗ runbook failed', "step 'v' failed: e"],
  [ev('journal.repaired', { dropped_bytes: 7 }), 'journal: dropped 7 bytes of a record torn by a crash', 'journal repaired', 'dropped 7 bytes of a record torn by a crash'],
  [
    ev('drill.scored', score),
    '◎ drill PASSED: completed, mitigated after 5m 00s, 1 wrong turns, 0 skipped, 0 declined',
    '◎ drill PASSED',
    'outcome completed (expected completed); mitigated after 5m 00s (target 20 min); 1 wrong turns, 0 skipped, 0 declined',
  ],
  [
    ev('drill.scored', { ...score, passed: false, expects_mitigation: false, time_to_mitigate_s: undefined, wrong_turns: [] }),
    '◎ drill NOT PASSED: completed, nothing to mitigate, 0 wrong turns, 0 skipped, 0 declined',
    '◎ drill NOT PASSED',
    'outcome completed (expected completed); nothing to mitigate; 0 wrong turns, 0 skipped, 0 declined',
  ],
];

describe('event text', () => {
  it.each(CASES)('%# %o reads the same in progress and in the export', (event, line, title, body) => {
    expect(progressLine(event)).toBe(line);
    expect(eventText(event)).toEqual({ title, body, line });
  });

  it('gives each progress line the headline its exported title has, mark included', () => {
    for (const [event, line, title] of CASES) {
      if (line === undefined) continue;
      const mark = title.split(' ')[0]!;
      expect(line.startsWith(mark), `${event.type}: '${line}' and '${title}'`).toBe(true);
    }
  });

  it('prints output lines only when asked, and no line for the close that anchors the chain', () => {
    const out = ev('step.output', { step: 'probe', attempt: 1, stream: 'stdout', text: 'hello' });
    expect(progressLine(out)).toBe('  │ hello');
    expect(progressLine(out, { output: false })).toBeUndefined();
    const closed = ev('journal.closed', { head: 'ab'.repeat(32), records: 9 });
    expect(progressLine(closed)).toBeUndefined();
    expect(eventText(closed).title).toBe('journal closed');
  });
});

describe('what a person must read is never cut', () => {
  it('a manual step prints its whole instruction under its one-line summary', () => {
    const instruction = 'Stop the kubelet on every control-plane node.\nThen move /var/lib/etcd aside:\n  mv /var/lib/etcd /var/lib/etcd.before-restore\nAnd only then go on.';
    const ev = {
      seq: 3,
      ts: '2026-03-02T03:12:00.000Z',
      incident: 'i',
      type: 'step.started' as const,
      payload: { step: 'prepare', attempt: 1, kind: 'manual', effect: 'human' as const, intent: { summary: 'manual: Stop the kubelet on every control-plane node.', detail: instruction, params: {} }, write_ahead: false },
    };
    const line = progressLine(ev)!;
    for (const l of instruction.split('\n')) expect(line).toContain(l.trimEnd());
    expect(eventText(ev).body).toBe(instruction);
  });
});
