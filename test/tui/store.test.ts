// The store folds engine records with the engine's own applyEvent, batches them, keeps capped
// output per step, and keeps scrolled views where they are.
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import type { AnyEvent } from '../../src/journal/events.js';
import { foldEvents } from '../../src/engine/state.js';
import { activeContexts, createTuiStore, currentStep, phaseOf } from '../../src/tui/store.js';

let seq = 0;
function ev<T extends AnyEvent['type']>(type: T, payload: Extract<AnyEvent, { type: T }>['payload'], ts = new Date(Date.UTC(2026, 0, 1, 0, 0, seq)).toISOString()): AnyEvent {
  return { seq: seq++, ts, incident: 'inc-20260101-000000-abcd', type, payload } as AnyEvent;
}

function opened(): AnyEvent[] {
  seq = 0;
  return [
    ev('incident.opened', { title: 'T', severity: 'SEV2', mode: 'live', read_only: false, operator: 'o', host: 'h', oncall_version: '0' }),
    ev('runbook.attached', { id: 'rb', version: '1.0.0', hash: 'x', file: 'f', source: 's', inputs: {}, secret_inputs: [] }),
  ];
}

const started = (step: string, attempt = 1) => ev('step.started', { step, attempt, kind: 'shell', effect: 'read', intent: { summary: 'run x', params: {} }, write_ahead: false });
const output = (step: string, text: string) => ev('step.output', { step, attempt: 1, stream: 'stdout', text });

describe('store', () => {
  it('folds records exactly as the engine does, and publishes new objects only for what changed', () => {
    const store = createTuiStore({ batchMs: 10 });
    const s = store.getState();
    s.beginIncident('inc-20260101-000000-abcd', { id: 'rb', title: 'R', version: '1.0.0', steps: [{ id: 'a', title: 'A', kind: 'shell' }, { id: 'b', title: 'B', kind: 'shell' }] });
    const records = [
      ...opened(),
      started('a'),
      output('a', 'hello'),
      ev('step.finished', { step: 'a', attempt: 1, status: 'ok', duration_ms: 5, captures: { x: 1 }, assertions: [{ that: '${{ true }}', ok: true }], next: 'b' }),
      ev('note.added', { text: 'n1', by: 'o' }),
    ];
    store.getState().ingestAll(records);
    const st = store.getState();
    const reference = foldEvents('inc-20260101-000000-abcd', records);
    expect(st.incident).toEqual(reference);
    expect(st.assertions.a).toEqual([{ that: '${{ true }}', ok: true }]);
    expect(st.timeline.map((e) => e.type)).toEqual(['incident.opened', 'runbook.attached', 'step.started', 'step.finished', 'note.added']);
    const before = st.incident!;
    store.getState().ingestAll([started('b')]);
    const after = store.getState().incident!;
    expect(after.steps.a).toBe(before.steps.a);
    expect(after.steps.b).not.toBe(before.steps.b);
    expect(after.notes).toBe(before.notes);
    expect(currentStep(after)).toBe('b');
  });

  it('batches output: thousands of lines cost a few updates, and each step keeps a capped tail', async () => {
    vi.useFakeTimers();
    onTestFinished(() => void vi.useRealTimers());
    const store = createTuiStore({ batchMs: 30, outputCap: 100 });
    store.getState().beginIncident('inc-20260101-000000-abcd', { id: 'rb', title: 'R', version: '1', steps: [{ id: 'a', title: 'A', kind: 'shell' }] });
    store.getState().ingestAll([...opened(), started('a')]);
    let updates = 0;
    const unsubscribe = store.subscribe(() => updates++);
    for (let i = 1; i <= 5000; i++) store.getState().ingest(output('a', `line ${i}`));
    expect(updates).toBe(0);
    await vi.advanceTimersByTimeAsync(60);
    unsubscribe();
    expect(updates).toBe(1);
    const buf = store.getState().output.a!;
    expect(buf.total).toBe(5000);
    expect(buf.lines).toHaveLength(100);
    expect(buf.lines.at(-1)?.text).toBe('line 5000');
    expect(store.getState().incident?.steps.a?.outputLines).toBe(5000);
  });

  it('keeps a scrolled output pane on the same lines while output arrives', () => {
    const store = createTuiStore();
    store.getState().beginIncident('inc-20260101-000000-abcd', { id: 'rb', title: 'R', version: '1', steps: [{ id: 'a', title: 'A', kind: 'shell' }] });
    store.getState().ingestAll([...opened(), started('a'), ...Array.from({ length: 50 }, (_, i) => output('a', `l${i}`))]);
    store.getState().setPaneRows(10);
    store.getState().scrollOutput(5);
    store.getState().ingestAll([output('a', 'more'), output('a', 'more')]);
    expect(store.getState().view.scroll).toBe(7);
    store.getState().scrollOutput(1000);
    expect(store.getState().view.scroll).toBe(42); // 52 lines, 10 on screen
    store.getState().scrollOutput('end');
    expect(store.getState().view.scroll).toBe(0);
  });

  it('flushes pending records before a prompt is drawn, and derives the key contexts from state', () => {
    const store = createTuiStore({ batchMs: 10_000 });
    store.getState().beginIncident('inc-20260101-000000-abcd', { id: 'rb', title: 'R', version: '1', steps: [{ id: 'a', title: 'A', kind: 'shell' }] });
    store.getState().ingestAll(opened());
    store.getState().setScreen({ kind: 'runner' });
    store.getState().ingest(started('a'));
    store.getState().ingest(output('a', 'x'));
    store.getState().pushPrompt({ kind: 'ask', req: { stepId: 'a', type: 'choice', question: 'q?', options: [{ value: 'v', label: 'V' }] }, resolve: () => {}, reject: () => {} });
    expect(store.getState().output.a?.total).toBe(1);
    expect(activeContexts(store.getState())).toEqual(['choice', 'runner']);
    store.getState().openOverlay('note');
    expect(activeContexts(store.getState())).toEqual(['note']);
  });

  it('draws a step the journal left "running" as pending until the engine runs it', () => {
    const running = { id: 'a', phase: 'running' as const, attempts: 1, inDoubt: false, settling: false, retryPending: false, outputLines: 0 };
    expect(phaseOf(running, { prompts: [], running: false })).toBe('pending');
    expect(phaseOf(running, { prompts: [], running: true })).toBe('running');
    const gate = { id: 1, kind: 'gate' as const, req: { stepId: 'a', title: 'A', effect: 'read' as const, intent: { summary: '', params: {} } }, resolve: () => {}, reject: () => {}, openedAt: 0 };
    expect(phaseOf(running, { prompts: [gate], running: true })).toBe('pending');
    // An interrupted write being settled (its question asked, its verify read made) is not running.
    expect(phaseOf({ ...running, inDoubt: true, settling: true }, { prompts: [], running: true })).toBe('pending');
  });

  it('disarms a second press with its warning, by another key or a new prompt, and keeps later messages', () => {
    const store = createTuiStore();
    const st = () => store.getState();
    st().arm('quit', 'q again quits');
    expect(st()).toMatchObject({ armed: 'quit', message: { text: 'q again quits', level: 'warn' } });
    st().arm(undefined);
    expect(st().armed).toBeUndefined();
    expect(st().message).toBeUndefined();
    st().arm('interrupt', 'Ctrl+C again quits');
    st().pushPrompt({ kind: 'gate', req: { stepId: 'a', title: 'A', effect: 'read', intent: { summary: '', params: {} } }, resolve: () => {}, reject: () => {} });
    expect(st().armed).toBeUndefined();
    expect(st().message).toBeUndefined();
    st().arm('interrupt', 'Ctrl+C again quits');
    st().setMessage('note added');
    st().arm(undefined);
    expect(st().message?.text).toBe('note added');
  });

  it('shows the AWS identity the engine journaled', () => {
    const store = createTuiStore({ identity: { profile: 'prod', pending: true } });
    store.getState().beginIncident('inc-20260101-000000-abcd', { id: 'rb', title: 'R', version: '1', steps: [] });
    store.getState().ingestAll([...opened(), ev('identity.resolved', { aws: { account: '123456789012', principal: 'OnCall', region: 'eu-west-1', profile: 'prod' } })]);
    expect(store.getState().identity).toMatchObject({ account: '123456789012', principal: 'OnCall', region: 'eu-west-1', profile: 'prod', pending: false });
  });

  it('shows the kube context the engine journaled, the newest one after a resume', () => {
    const store = createTuiStore({});
    store.getState().setKube({ context: 'from-kubeconfig', pending: false });
    store.getState().beginIncident('inc-20260101-000000-abcd', { id: 'rb', title: 'R', version: '1', steps: [] });
    store.getState().ingestAll([
      ...opened(),
      ev('identity.resolved', { kube: { context: 'prod-eu', cluster: 'prod-eu', server: 'https://10.0.0.1:6443' } }),
      ev('incident.resumed', { operator: 'ana', pid: 1 }),
      ev('identity.resolved', { kube: { context: 'prod-eu-admin', cluster: 'prod-eu', server: 'https://10.0.0.1:6443' } }),
    ]);
    expect(store.getState().kube).toEqual({ context: 'prod-eu-admin', pending: false });
    // A record without a kube context (an AWS-only runbook) leaves the header as it was.
    store.getState().ingestAll([ev('identity.resolved', { aws: { account: '123456789012' } })]);
    expect(store.getState().kube.context).toBe('prod-eu-admin');
  });

  it('where a change lands belongs to the incident: the next one starts from the flags, never from the last one', () => {
    // A drill session: no AWS outside any incident, one drill with a simulated account, then a local one.
    const store = createTuiStore({ mode: 'drill', identity: { pending: false } });
    store.getState().setKube({ pending: false });
    store.getState().beginIncident('inc-20260101-000000-abcd', { id: 'elb', title: 'E', version: '1', steps: [] });
    store.getState().ingestAll([...opened(), ev('identity.resolved', { aws: { account: '123456789012', region: 'us-east-1' }, kube: { context: 'drill-cluster' } })]);
    expect(store.getState().identity.account).toBe('123456789012');
    expect(store.getState().kube.context).toBe('drill-cluster');
    store.getState().endIncident();
    expect(store.getState().identity.account).toBeUndefined();
    store.getState().beginIncident('inc-20260101-000001-abcd', { id: 'etcd', title: 'E', version: '1', steps: [] });
    expect(store.getState().identity).toEqual({ pending: false });
    expect(store.getState().kube.context).toBeUndefined();
  });
});
