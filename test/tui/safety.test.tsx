// The TUI's safe defaults at 3 AM: Enter never answers a question by default, a key pressed just
// before a prompt appears never answers it, and a paste is text in the focused field, never keys.
import { journal, KEY, renderTui, runbookDir, runStep, tempDir, toInputs } from './helpers.js';
import { describe, expect, it } from 'vitest';

const DECIDE = `
id: decide
title: Decide
version: 1.0.0
summary: A question with and without evidence
inputs:
  hint: { type: string, default: none }
steps:
  - id: plain
    title: A plain question
    kind: decision
    with:
      question: Which way?
      options:
        - { value: left, label: Left }
        - { value: right, label: Right }
  - id: evidence
    title: A question with evidence
    kind: decision
    with:
      question: Which cause?
      suggest: "\${{ inputs.hint }}"
      options:
        - { value: dns, label: DNS }
        - { value: disk, label: The disk is full }
`;

async function open(o: { promptGuardMs?: number; hint?: string } = {}) {
  const dir = runbookDir({ 'decide.yaml': DECIDE }, false);
  const stateDir = tempDir();
  const t = renderTui({ runbookDirs: [dir], stateDir, ...(o.promptGuardMs !== undefined ? { promptGuardMs: o.promptGuardMs } : {}) });
  await toInputs(t, 'decide');
  if (o.hint) {
    t.press('\u0015'); // Ctrl+U clears the default
    t.type(o.hint);
  }
  t.press(KEY.enter);
  await t.until((s) => s.screen.kind === 'runner', { what: 'the runner' });
  return { t, stateDir, id: t.state().incidentId! };
}

describe('Enter never answers by default', () => {
  it('with nothing suggested, nothing is highlighted and Enter answers nothing until an option is picked', async () => {
    const { t, stateDir, id } = await open();
    await runStep(t, 'A plain question');
    const f = await t.waitFor('◆ Which way?');
    expect(f).not.toMatch(/> 1\. Left/);
    expect(f).toContain('nothing is chosen for you');
    t.press(KEY.enter, KEY.enter, KEY.enter);
    await t.waitFor('no option is highlighted');
    expect(t.state().prompts[0]).toMatchObject({ kind: 'ask', selected: -1 });
    t.press(KEY.up); // from nothing, up goes to the last option
    await t.until((s) => s.prompts[0]?.kind === 'ask' && s.prompts[0].selected === 1);
    t.press(KEY.enter);
    await t.waitFor('Next: A question with evidence');
    await t.close();
    expect((await journal(stateDir, id)).find((r) => r.type === 'decision.made')?.payload).toMatchObject({ step: 'plain', value: 'right' });
  });

  it('the option the evidence suggests is highlighted and marked; Enter takes it', async () => {
    const { t, stateDir, id } = await open({ hint: 'disk' });
    await runStep(t, 'A plain question');
    await t.waitFor('◆ Which way?');
    t.press('1');
    await runStep(t, 'A question with evidence');
    const f = await t.waitFor('◆ Which cause?');
    expect(f).toMatch(/> 2\. The disk is full \(disk\) ← the evidence suggests this/);
    t.press(KEY.enter);
    await t.waitFor('Runbook completed');
    await t.close();
    expect((await journal(stateDir, id)).filter((r) => r.type === 'decision.made').map((r) => r.payload.value)).toEqual(['left', 'disk']);
  });
});

describe('a key meant for the previous screen never answers the next one', () => {
  it('answers in the first 400 ms of a prompt are ignored; the same key a moment later answers', async () => {
    const { t, stateDir, id } = await open({ promptGuardMs: 400, hint: 'dns' });
    await t.waitFor('Next: A plain question');
    await new Promise((r) => setTimeout(r, 450));
    // The gate's Enter, and two more in flight: the question that opens must not take them.
    t.press(KEY.enter, KEY.enter, '2');
    await t.waitFor('◆ Which way?');
    await new Promise((r) => setTimeout(r, 100));
    expect(t.state().prompts[0]).toMatchObject({ kind: 'ask', req: { stepId: 'plain' } });
    await new Promise((r) => setTimeout(r, 400));
    t.press('2');
    await t.waitFor('Next: A question with evidence');
    await t.close();
    expect((await journal(stateDir, id)).find((r) => r.type === 'decision.made')?.payload).toMatchObject({ step: 'plain', value: 'right' });
  });
});

describe('a paste is text, never keys', () => {
  const PASTE = (text: string) => `\u001b[200~${text}\u001b[201~`;

  it('a two-paragraph paste into a note stays in the note; the blank line runs nothing', async () => {
    const { t, stateDir, id } = await open();
    await t.waitFor('Next: A plain question');
    t.press('n');
    await t.waitFor('Note for the journal');
    t.press(PASTE('first paragraph\r\rsecond paragraph\r'));
    await t.until((s) => s.overlayText.includes('second paragraph'), { what: 'the pasted note' });
    expect(t.state().overlayText).toBe('first paragraph  second paragraph ');
    // Still a note being written; the gate still waits.
    expect(t.state().overlay.kind).toBe('note');
    expect(t.state().prompts[0]).toMatchObject({ kind: 'gate', req: { stepId: 'plain' } });
    t.press(KEY.enter);
    await t.waitFor('note added');
    expect(t.state().prompts[0]).toMatchObject({ kind: 'gate', req: { stepId: 'plain' } });
    await t.close();
    const records = await journal(stateDir, id);
    expect(records.filter((r) => r.type === 'note.added').map((r) => r.payload.text)).toEqual(['first paragraph  second paragraph']);
    expect(records.filter((r) => r.type === 'step.started')).toEqual([]);
  });

  it('a paste with no field focused is dropped: a gate is not run by the newlines in it', async () => {
    const { t, stateDir, id } = await open();
    await t.waitFor('Next: A plain question');
    t.press(PASTE('\r\r\r'));
    await t.waitFor('paste ignored');
    expect(t.state().prompts[0]).toMatchObject({ kind: 'gate', req: { stepId: 'plain' } });
    await t.close();
    expect((await journal(stateDir, id)).filter((r) => r.type === 'step.started')).toEqual([]);
  });
});

describe('nothing the operator approves is cut', () => {
  const FLAGS = Array.from({ length: 24 }, (_, i) => `--flag-number-${i + 1}=/var/lib/some/long/path/${i + 1}`);
  const LONG = `
id: long-confirm
title: Long confirmation
version: 1.0.0
summary: A write whose argv is longer than the screen
steps:
  - id: restore
    title: Restore with every flag
    kind: shell
    with:
      argv: [node, -e, "", ${FLAGS.map((f) => JSON.stringify(f)).join(', ')}, --data-dir=/var/lib/etcd, --bump-revision=1000000000, --mark-compacted, --initial-advertise-peer-urls=https://10.0.0.1:2380]
      effect: write
    confirm:
      message: This replaces the cluster's data with the snapshot's. Every write since the snapshot is lost, and the members restart with a new cluster token.
`;

  for (const [columns, rows] of [
    [80, 24],
    [120, 40],
  ] as const) {
    it(`at ${columns}×${rows} every flag of the argv can be read, and the buttons stay in view`, async () => {
      const dir = runbookDir({ 'long.yaml': LONG }, false);
      const t = renderTui({ runbookDirs: [dir], columns, rows });
      await toInputs(t, 'long-confirm');
      await t.until((s) => s.screen.kind === 'runner', { what: 'the runner' });
      await runStep(t, 'Restore with every flag');
      let f = await t.waitFor('Confirm change');
      const seen = [f];
      expect(f).toContain('Approve');
      // Read down through the whole confirmation, one page at a time.
      for (let i = 0; i < 20 && t.state().promptOverflow > 0 && t.state().promptScroll < t.state().promptOverflow; i++) {
        const before = t.state().promptScroll;
        t.press(KEY.pageDown);
        await t.until((s) => s.promptScroll !== before, { what: 'the confirmation to scroll' });
        f = t.frame();
        seen.push(f);
        expect(f).toContain('Approve');
      }
      const all = seen.join('\n').replace(/\s+/g, '');
      for (const flag of [...FLAGS, '--data-dir=/var/lib/etcd', '--bump-revision=1000000000', '--mark-compacted', '--initial-advertise-peer-urls=https://10.0.0.1:2380']) {
        expect(all, flag).toContain(flag);
      }
      expect(all).toContain('restartwithanewclustertoken.');
      await t.close();
    });
  }
});

describe('the picker filter filters', () => {
  it('a word keeps only what it names: etcd and local each find one runbook, nonsense finds none and says where runbooks come from', async () => {
    const t = renderTui({});
    await t.waitFor('+ New incident');
    t.press(KEY.enter);
    await t.waitFor('New incident');
    t.press(KEY.enter, KEY.enter, KEY.enter);
    await t.waitFor('filter:');
    await t.until((s) => !s.runbooks.loading && s.runbooks.list.length > 1, { what: 'runbooks to load' });
    const ids = () => t.state().matches.map((m) => m.item.id);
    t.type('etcd');
    await t.until((s) => s.filter === 'etcd');
    expect(ids()).toEqual(['etcd-restore']);
    t.press('\u0015');
    t.type('local');
    await t.until((s) => s.filter === 'local');
    expect(ids()).toEqual(['local-504']);
    t.press('\u0015');
    t.type('zzqx');
    const f = await t.waitFor('Nothing matches. Runbooks elsewhere:');
    expect(f.replace(/\s+/g, ' ')).toContain('--runbooks <dir> or $ONCALL_RUNBOOK_PATH');
    expect(ids()).toEqual([]);
    await t.close();
  });
});

describe('the evidence a decision rests on is never cut', () => {
  it('at 80 columns every fact is on screen whole, the long ones wrapped', async () => {
    const findings = Array.from({ length: 6 }, (_, i) => `finding-${i + 1}: targets answer 504 after the idle timeout of 60 s`);
    const EVIDENCE = `
id: long-evidence
title: Evidence
version: 1.0.0
summary: A decision with long evidence
steps:
  - id: decide
    title: Decide on the evidence
    kind: decision
    with:
      question: Which cause?
      evidence:
        idle_timeout_s: 60
        findings: ${JSON.stringify(findings)}
      options:
        - { value: idle, label: Idle timeout }
        - { value: other, label: Something else }
`;
    const dir = runbookDir({ 'evidence.yaml': EVIDENCE }, false);
    const t = renderTui({ runbookDirs: [dir], columns: 80, rows: 40 });
    await toInputs(t, 'long-evidence');
    await t.until((s) => s.screen.kind === 'runner', { what: 'the runner' });
    await runStep(t, 'Decide on the evidence');
    const f = await t.waitFor('◆ Which cause?');
    expect(f).toContain('idle_timeout_s=60');
    const flat = f.replace(/\s+/g, '');
    for (const x of findings) expect(flat).toContain(x.replace(/\s+/g, ''));
    await t.close();
  });
});

describe('run the reads', () => {
  it('a at a read gate runs it and the reads after it, each journaled, and stops at the decision; the change after it still asks', async () => {
    const READS = `
id: reads
title: Reads
version: 1.0.0
summary: Three reads, a decision, a change
steps:
  - { id: r1, title: Read one, kind: shell, with: { argv: [node, -e, "console.log('one')"], effect: read } }
  - { id: r2, title: Read two, kind: shell, with: { argv: [node, -e, "console.log('two')"], effect: read } }
  - { id: r3, title: Read three, kind: shell, with: { argv: [node, -e, "console.log('three')"], effect: read } }
  - id: pick
    title: Pick
    kind: decision
    with: { question: Go on?, options: [{ value: go, label: Go }] }
  - { id: change, title: Change it, kind: shell, with: { argv: [node, -e, ""], effect: write } }
  - { id: r4, title: Read four, kind: shell, with: { argv: [node, -e, ""], effect: read } }
`;
    const dir = runbookDir({ 'reads.yaml': READS }, false);
    const stateDir = tempDir();
    const t = renderTui({ runbookDirs: [dir], stateDir });
    await toInputs(t, 'reads');
    await t.until((s) => s.screen.kind === 'runner', { what: 'the runner' });
    const id = t.state().incidentId!;
    const f = await t.waitFor('Next: Read one');
    expect(f).toContain('a run the reads');
    t.press('a');
    // The reads ran without a key each; the decision waits at its gate.
    await t.waitFor('Next: Pick');
    t.press(KEY.enter);
    await t.waitFor('◆ Go on?');
    t.press('1');
    await t.waitFor('Next: Change it');
    // A change never runs on its own, and the reads after it wait again.
    expect(t.state().autoReads).toBe(false);
    await t.close();
    const records = await journal(stateDir, id);
    expect(records.filter((r) => r.type === 'step.finished').map((r) => [r.payload.step, r.payload.status])).toEqual([
      ['r1', 'ok'],
      ['r2', 'ok'],
      ['r3', 'ok'],
      ['pick', 'ok'],
    ]);
  });
});

describe('a probe that found nothing is not a green tick', () => {
  it('connection refused shows as a problem (!, red), in the list, the detail and the headless line', async () => {
    // A port that was just free: nothing listens there.
    const { createServer } = await import('node:net');
    const srv = createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const port = (srv.address() as { port: number }).port;
    await new Promise<void>((r) => srv.close(() => r()));
    const PROBE = `
id: probe-refused
title: Probe refused
version: 1.0.0
summary: Probes a port nothing listens on
steps:
  - { id: probe, title: Probe the service, kind: http, with: { url: "http://127.0.0.1:${port}/health" } }
  - { id: after, title: After, kind: shell, with: { argv: [node, -e, ""], effect: read } }
`;
    const dir = runbookDir({ 'probe.yaml': PROBE }, false);
    const t = renderTui({ runbookDirs: [dir] });
    await toInputs(t, 'probe-refused');
    await t.until((s) => s.screen.kind === 'runner', { what: 'the runner' });
    await runStep(t, 'Probe the service');
    const f = await t.waitFor('Next: After');
    expect(f).toMatch(/! Probe the service/);
    expect(f).toMatch(/no HTTP response: connection refused/);
    expect(f).not.toMatch(/✓ Probe the service/);
    await t.close();
  });
});
