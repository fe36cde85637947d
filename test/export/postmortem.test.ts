// The post-mortem draft (#22): nothing a post-mortem records is cut, the timeline reads one row
// per step, the draft's sections are filled from the journal where it can be, and decisions show
// the evidence they were made on.
import { beforeAll, describe, expect, it } from 'vitest';
import { buildTimeline, renderTimeline, type Timeline } from '../../src/export/index.js';
import { richEntries, runRunbook, writeJournal } from './fixtures.js';

const members = ['etcd-a', 'etcd-b'];
const restore = (m: string) =>
  `etcdutl snapshot restore /var/backups/etcd/snapshot-2026-03-02T03-00-00Z.db --name=${m} --initial-cluster=etcd-a=https://10.0.0.1:2380,etcd-b=https://10.0.0.2:2380,etcd-c=https://10.0.0.3:2380 --initial-cluster-token=restore-20260302-031200 --initial-advertise-peer-urls=https://10.0.0.1:2380 --bump-revision=1000000000 --mark-compacted --data-dir=/var/lib/etcd-restored-${m}`;
const checklist = Array.from({ length: 30 }, (_, i) => `${i + 1}. check item ${i + 1}: confirm the member answers on its peer URL and its revision is at least the snapshot's`).join('\n') + '\nLAST LINE OF THE CHECKLIST';

let tl: Timeline;
let md: string;
let json: Timeline;

beforeAll(async () => {
  const entries: Parameters<typeof writeJournal>[0] = [
    [0, 'incident.opened', { title: 'etcd lost quorum', severity: 'SEV1', mode: 'live', read_only: false, operator: 'alice', host: 'h', oncall_version: '0.1.0' }],
    [1000, 'step.started', { step: 'restore', attempt: 1, kind: 'etcd.snapshot.restore', effect: 'write', intent: { summary: 'etcdutl snapshot restore …', argv: ['etcdutl'], params: {} }, write_ahead: true }],
  ];
  let t = 1001;
  for (const m of members) {
    entries.push([t++, 'step.output', { step: 'restore', attempt: 1, stream: 'log', text: `$ mkdir -p -m 0700 -- /var/lib` }]);
    entries.push([t++, 'step.output', { step: 'restore', attempt: 1, stream: 'log', text: `$ ${restore(m)}` }]);
    for (let i = 0; i < 30; i++) entries.push([t++, 'step.output', { step: 'restore', attempt: 1, stream: 'stderr', text: `restoring ${m} line ${i}` }]);
  }
  entries.push(
    [5000, 'step.finished', { step: 'restore', attempt: 1, status: 'ok', duration_ms: 4000, summary: 'restored 2 members' }],
    [6000, 'step.started', { step: 'check', attempt: 1, kind: 'manual', effect: 'human', intent: { summary: 'follow the checklist', detail: checklist, params: {} }, write_ahead: false }],
    [7000, 'step.finished', { step: 'check', attempt: 1, status: 'ok', duration_ms: 1000, summary: 'done' }],
  );
  const { root, id } = await writeJournal(entries);
  tl = await buildTimeline(root, id, { now: new Date(0) });
  md = renderTimeline(tl, 'md');
  json = JSON.parse(renderTimeline(tl, 'json')) as Timeline;
});

describe('nothing cut (#22)', () => {
  it('keeps every command a step ran, whole, in JSON', () => {
    const step = json.steps.find((s) => s.step === 'restore')!;
    expect(step.commands).toEqual(members.flatMap((m) => ['mkdir -p -m 0700 -- /var/lib', restore(m)]));
    // The output excerpt's lines are whole too.
    expect(step.output.excerpt[1]).toBe(`$ ${restore('etcd-a')}`);
  });

  it('shows every command whole in Markdown, the one the excerpt omits included', () => {
    for (const m of members) expect(md).toContain(`$ ${restore(m)}`);
    expect(md).toContain('--data-dir=/var/lib/etcd-restored-etcd-b');
  });

  it('shows a checklist instruction whole in Markdown and JSON', () => {
    expect(json.steps.find((s) => s.step === 'check')!.intent!.detail).toBe(checklist);
    expect(md).toContain('LAST LINE OF THE CHECKLIST');
    expect(md).toContain('30. check item 30');
  });
});

describe('a readable timeline (#22)', () => {
  const timelineRows = (text: string) => text.split('## Timeline')[1]!.split('\n## ')[0]!.split('\n').filter((l) => l.startsWith('| 20'));

  it('has one Markdown row per step run, at its start, with how long it took', () => {
    const rows = timelineRows(md);
    expect(rows.filter((r) => r.includes('restore'))).toHaveLength(1);
    const row = rows.find((r) => r.includes('restore'))!;
    expect(row).toMatch(/^\| 2026-03-02 03:12:01 \| \+00:00:01 \| ✓ restore ok \(4\.0 s\)|✓ restore ok/);
    expect(row).toContain('| 4 s |');
    expect(rows.some((r) => r.includes('▶'))).toBe(false);
  });

  it('keeps every record in JSON and CSV', () => {
    expect(json.events.filter((e) => e.step === 'restore').map((e) => e.kind)).toEqual(['step.started', 'step.finished']);
    const csv = renderTimeline(tl, 'csv');
    expect(csv).toContain('▶ restore');
    expect(csv).toContain('✓ restore ok');
  });

  it('keeps the start row of a run interrupted mid-change', async () => {
    const { root, id } = await writeJournal([
      [0, 'incident.opened', { title: 't', severity: 'SEV2', mode: 'live', read_only: false, operator: 'alice', host: 'h', oncall_version: '0.1.0' }],
      [1000, 'step.started', { step: 'stop', attempt: 1, kind: 'shell', effect: 'write', intent: { summary: 'run stop', params: {} }, write_ahead: true }],
      [9000, 'step.in_doubt', { step: 'stop', attempt: 1, resolution: 'verify' }],
      [9500, 'step.finished', { step: 'stop', attempt: 1, status: 'ok', duration_ms: 0, summary: 'verified', reconciled: 'verified' }],
    ]);
    const rows = timelineRows(renderTimeline(await buildTimeline(root, id), 'md'));
    expect(rows.map((r) => r.split(' | ')[2]).filter((t) => t!.includes('stop'))).toEqual(['▶ stop', '**? stop was interrupted mid-change**', '✓ stop ok (0 ms)']);
  });
});

describe('draft sections (#22)', () => {
  const section = (text: string, name: string) => text.split(`\n## ${name}\n`)[1]!.split('\n## ')[0]!;
  let full: string;

  beforeAll(async () => {
    const { root, id } = await writeJournal([
      [0, 'incident.opened', { title: 'checkout 504s', severity: 'SEV2', mode: 'drill', read_only: false, operator: 'alice', host: 'h', oncall_version: '0.1.0', drill: { scenario: 's', title: 't', page: { from: 'CloudWatch', severity: 'SEV2', text: 'ELB 5XX above 5%' } } }],
      [2000, 'note.added', { text: 'idle timeout 60s < keepalive 75s upstream #cause', by: 'bob' }],
      [2100, 'note.added', { text: '#impact 12% of checkouts failed', by: 'bob' }],
      [2200, 'note.added', { text: 'alert the team when the timeout drifts #action', by: 'carol' }],
      [2300, 'note.added', { text: 'it was 3 a.m., low traffic #lucky', by: 'carol' }],
      [2400, 'note.added', { text: 'plain note, #causes is not a tag', by: 'carol' }],
      [3000, 'step.started', { step: 'raise', attempt: 1, kind: 'aws.elbv2.setAttributes', effect: 'write', intent: { summary: 'elbv2:ModifyLoadBalancerAttributes idle_timeout=120', params: {} }, write_ahead: true }],
      [3500, 'step.finished', { step: 'raise', attempt: 1, status: 'ok', duration_ms: 500, summary: 'idle timeout now 120 s' }],
      [4000, 'step.started', { step: 'check', attempt: 1, kind: 'aws.cloudwatch.metric', effect: 'read', intent: { summary: 'HTTPCode_ELB_5XX', params: {} }, write_ahead: false }],
      [4500, 'step.finished', { step: 'check', attempt: 1, status: 'ok', duration_ms: 500, summary: '0 errors in the last 5 minutes' }],
      [4600, 'confirm.given', { step: 'purge', approved: false, by: 'alice', reason: 'not needed', purpose: 'action' }],
      [4700, 'step.skipped', { step: 'purge', reason: 'declined by alice: not needed', by: 'alice', effect: 'write', next: null }],
      [5000, 'run.finished', { outcome: 'completed', summary: 'done' }],
    ]);
    full = renderTimeline(await buildTimeline(root, id), 'md');
  });

  it('puts tagged notes in their sections', () => {
    expect(section(full, 'Root cause')).toContain('idle timeout 60s \\< keepalive 75s upstream \\#cause — bob');
    expect(section(full, 'Root cause')).not.toContain('#causes');
    expect(section(full, 'Impact')).toContain('12% of checkouts failed');
    expect(section(full, 'Where we got lucky')).toContain('3 a.m., low traffic');
    expect(section(full, 'Follow-ups')).toContain('- [ ] alert the team when the timeout drifts');
  });

  it('fills detection from the page and the first action', () => {
    const d = section(full, 'Detection');
    expect(d).toContain('**Page:** from CloudWatch (SEV2): ELB 5XX above 5%');
    expect(d).toContain('inferred: the incident was opened');
    expect(d).toMatch(/\*\*First action:\*\* ▶ raise by alice at 2026-03-02 03:12:03 UTC \(3 s after detection\)/);
  });

  it('fills resolution from the last change and the read that verified it, and names what was not made', () => {
    const r = section(full, 'Resolution');
    expect(r).toContain('**Last change made:** `raise` at 2026-03-02 03:12:03 UTC');
    expect(r).toContain('idle timeout now 120 s');
    expect(r).toContain('**Verified by:** `check`');
    expect(r).toContain('**Not made:** `purge` was skipped: declined by alice: not needed');
    // A declined write: the runbook completing does not say it was resolved (timeline.ts #withheld).
    expect(r).not.toContain('Resolved');
  });

  it('leaves clear prompts where the journal cannot say', () => {
    expect(section(md, 'Root cause')).toContain('_To be written._');
    expect(section(md, 'Trigger')).toContain('_To be written._');
    expect(section(md, 'Detection')).toContain('The journal does not record the page or alert');
    expect(section(md, 'Resolution')).toContain('no read after it is recorded');
    expect(section(md, 'Where we got lucky')).toContain('_To be written._');
  });
});

describe('decisions show their evidence (#22)', () => {
  it('keeps the question, the evidence shown, the options, who chose and when, from a real run', async () => {
    const { root, id } = await runRunbook(
      `id: d
title: D
version: 1.0.0
summary: s
steps:
  - id: diagnose
    title: Choose
    kind: decision
    with:
      question: Which fix?
      options:
        - { value: raise, label: Raise the idle timeout, description: "ELB idle timeout above the upstream keepalive" }
        - { value: restart, label: Restart the proxy }
      suggest: raise
      evidence:
        idle_timeout_s: 60
        upstream_keepalive_s: 75
        log_excerpt: "line one\\nline two"
`,
      { answers: { diagnose: 'restart' } },
    );
    const t = await buildTimeline(root, id);
    const d = t.decisions[0]!;
    expect(d).toMatchObject({
      question: 'Which fix?',
      value: 'restart',
      by: 'tester',
      suggested: 'raise',
      options: [
        { value: 'raise', label: 'Raise the idle timeout', description: 'ELB idle timeout above the upstream keepalive' },
        { value: 'restart', label: 'Restart the proxy', description: null },
      ],
      evidence: { idle_timeout_s: 60, upstream_keepalive_s: 75, log_excerpt: 'line one\nline two' },
    });
    const text = renderTimeline(t, 'md').split('\n## Decisions\n')[1]!.split('\n## ')[0]!;
    expect(text).toContain('### ◆ `diagnose`: Which fix?');
    expect(text).toMatch(/\*\*Chosen:\*\* `restart` \(Restart the proxy\) by tester at 2026-03-02 03:12:\d\d UTC/);
    expect(text).toContain('`raise` — Raise the idle timeout: ELB idle timeout above the upstream keepalive **(suggested by the evidence)**');
    expect(text).toContain('`restart` — Restart the proxy **(chosen)**');
    expect(text).toContain('`idle_timeout_s`: `60`');
    expect(text).toMatch(/`log_excerpt`: \n\n {4}```text\n {4}line one\n {4}line two\n {4}```/);
  });

  it('says when no options or evidence were recorded (an in-doubt write asked by hand)', async () => {
    const { root, id } = await writeJournal(richEntries());
    const t = await buildTimeline(root, id);
    expect(t.decisions[0]).toMatchObject({ question: 'Did the change happen?', options: null, evidence: null, suggested: null });
    const text = renderTimeline(t, 'md').split('\n## Decisions\n')[1]!.split('\n## ')[0]!;
    expect(text).toContain('### ◆ `restart`: Did the change happen?\n\n- **Chosen:** `done` by bob at 2026-03-02 03:12:09 UTC (+00:00:09)\n- **Evidence shown:** none recorded with the question');
  });
});
