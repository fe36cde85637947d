// Incidents for the export tests: journals written with the real JournalWriter (hash chain and
// all), and incidents made by really running a runbook through the engine.
import type { AnyEvent, EventPayloads, EventType } from '../../src/journal/events.js';
import { openSession, type IncidentSession } from '../../src/engine/session.js';
import { localProviders } from '../helpers/providers.js';
import type { Clock } from '../../src/core/step.js';
import { builtinRegistry } from '../../src/executors/index.js';
import { headlessPorts } from '../../src/headless/ports.js';
import { Redactor } from '../../src/journal/redact.js';
import { JournalWriter } from '../../src/journal/writer.js';
import { parseRunbook } from '../../src/runbook/load.js';
import { tempDir } from '../helpers/cli.js';

export const NODE = process.execPath;
export const T0 = Date.parse('2026-03-02T03:12:00.000Z');

type Entry = { [K in EventType]: [at: number, type: K, payload: EventPayloads[K]] }[EventType];

/** Writes records at T0 + `at` ms. */
export async function writeJournal(entries: Entry[], opts: { root?: string; id?: string } = {}): Promise<{ root: string; id: string }> {
  const root = opts.root ?? tempDir('oncall-export-');
  const id = opts.id ?? 'inc-20260302-031200-abcd';
  let now = T0;
  const w = await JournalWriter.create(root, id, { redactor: new Redactor(), clock: () => now });
  for (const [at, type, payload] of entries) {
    now = T0 + at;
    void w.append(type, payload);
  }
  await w.close();
  return { root, id };
}

const RUNBOOK_SOURCE = `id: checkout-504
title: Checkout 504s
version: 2.1.0
summary: s
steps:
  - id: probe
    title: Reproduce | the "error"
    kind: http
    with: { url: http://127.0.0.1:1/health }
  - id: restart
    title: Restart the proxy
    kind: shell
    with: { argv: [systemctl, restart, proxy] }
  - id: diagnose
    title: Decide
    kind: decision
    with: { question: q, options: [{ value: a, label: a }] }
`;

/**
 * A live incident with most of what a post-mortem meets: a retried failure, output, a decision,
 * a confirmation and a declined one, notes with Markdown/HTML/CSV hazards, marked milestones,
 * a write left in doubt and settled on resume, a skip, a failure before start, and a record type
 * from a newer oncall.
 */
export function richEntries(): Entry[] {
  const intent = (summary: string, extra: Record<string, unknown> = {}) => ({ summary, params: {}, ...extra });
  const out: Entry[] = [
    [0, 'incident.opened', { title: 'Checkout | 504s <script>alert(1)</script>', severity: 'SEV1', service: 'checkout', mode: 'live', read_only: false, operator: 'alice', host: 'laptop', oncall_version: '0.1.0' }],
    [5, 'runbook.attached', { id: 'checkout-504', version: '2.1.0', hash: 'ab'.repeat(32), file: '/nowhere/checkout-504.yaml', source: RUNBOOK_SOURCE, inputs: { lb: 'app/checkout/123', token: '[redacted:token]' }, secret_inputs: ['token'] }],
    [10, 'identity.resolved', { aws: { account: '123456789012', arn: 'arn:aws:iam::123456789012:user/alice', region: 'eu-west-1' }, kube: { context: 'prod-eu' } }],
    [20, 'milestone.marked', { milestone: 'detected', by: 'alice' }],
    [1000, 'step.started', { step: 'probe', attempt: 1, kind: 'http', effect: 'read', intent: intent('GET http://127.0.0.1:1/health', { api: 'HTTP GET', resources: ['http://127.0.0.1:1/health'] }), write_ahead: false }],
    [1200, 'step.finished', { step: 'probe', attempt: 1, status: 'failed', duration_ms: 200, error: 'HTTP 504 | "gateway"\nsecond line', retry_in_ms: 2000 }],
    [3200, 'step.started', { step: 'probe', attempt: 2, kind: 'http', effect: 'read', intent: intent('GET http://127.0.0.1:1/health'), write_ahead: false }],
  ];
  for (let i = 0; i < 40; i++) out.push([3300 + i, 'step.output', { step: 'probe', attempt: 2, stream: 'stdout', text: `line ${i}${i === 39 ? ' ```` end' : ''}` }]);
  out.push(
    [3500, 'step.finished', { step: 'probe', attempt: 2, status: 'ok', duration_ms: 300, summary: 'HTTP 504 in 300 ms', captures: { status: 504 }, assertions: [{ that: 'result.status == 504', ok: true }], result: { status: 504 } }],
    [4000, 'note.added', { text: '=HYPERLINK("http://evil")\nsecond | line <b>bold</b>', by: 'bob' }],
    [4100, 'confirm.given', { step: 'restart', approved: true, by: 'alice', typed: true, purpose: 'action' }],
    [4200, 'step.started', { step: 'restart', attempt: 1, kind: 'shell', effect: 'write', intent: intent('run systemctl restart proxy', { argv: ['systemctl', 'restart', 'proxy'], resources: ['proxy'] }), write_ahead: true }],
    [9000, 'incident.resumed', { operator: 'bob', pid: 42 }],
    [9100, 'step.in_doubt', { step: 'restart', attempt: 1, resolution: 'ask' }],
    [9200, 'decision.made', { step: 'restart', attempt: 1, question: 'Did the change happen?', value: 'done', by: 'bob', type: 'choice' }],
    [9300, 'step.finished', { step: 'restart', attempt: 1, status: 'ok', duration_ms: 0, summary: 'marked done by bob after an interruption', reconciled: 'human' }],
    [9400, 'milestone.marked', { milestone: 'mitigated', by: 'bob' }],
    [9500, 'step.started', { step: 'diagnose', attempt: 1, kind: 'decision', effect: 'human', intent: intent('decide: q (a)'), write_ahead: false }],
    [9600, 'decision.made', { step: 'diagnose', attempt: 1, question: 'What now?', value: 'a', text: 'because, "quoted"', by: 'carol', type: 'choice' }],
    [9700, 'step.finished', { step: 'diagnose', attempt: 1, status: 'ok', duration_ms: 100, summary: 'carol chose a' }],
    [9800, 'confirm.given', { step: 'cleanup', approved: false, by: 'carol', reason: 'not during peak', purpose: 'action' }],
    [9810, 'step.skipped', { step: 'cleanup', reason: 'declined by carol: not during peak', by: 'carol', next: 'verify' }],
    [9900, 'step.finished', { step: 'verify', attempt: 1, status: 'failed', duration_ms: 0, error: 'invalid parameters for http: url: Invalid URL' }],
    [10_000, 'run.finished', { outcome: 'failed', failed_step: 'verify', error: 'invalid parameters for http: url: Invalid URL', summary: "step 'verify' failed" }],
    [70_000, 'milestone.marked', { milestone: 'resolved', by: 'alice' }],
  );
  return out;
}

/** A clock whose sleeps return at once and move time forward. */
export function virtualClock(start = T0): Clock {
  let now = start;
  return {
    now: () => now,
    sleep: async (ms, signal) => {
      if (signal?.aborted) throw signal.reason;
      now += ms;
      await new Promise((r) => setImmediate(r));
    },
    deadline: async (_ms, signal) => {
      await new Promise((r) => setImmediate(r));
      if (signal?.aborted) throw signal.reason;
    },
  };
}

/** Runs a runbook through the real engine (headless ports, virtual clock); the incident stays on disk. */
export async function runRunbook(
  yaml: string,
  opts: { inputs?: Record<string, string>; answers?: Record<string, string>; yes?: boolean; root?: string; drill?: boolean; during?: (inc: IncidentSession) => Promise<void> } = {},
) {
  const root = opts.root ?? tempDir('oncall-export-');
  const parsed = parseRunbook(yaml, 'inline.yaml', builtinRegistry());
  if (!parsed.ok) throw new Error(parsed.issues.map((i) => `${i.line}:${i.col} ${i.message}`).join('\n'));
  const clock = virtualClock();
  const ports = headlessPorts({ yes: opts.yes ?? true, answers: opts.answers ?? {}, operator: 'tester' }, clock);
  const drill = opts.drill ? { mode: 'drill' as const, drill: { scenario: 'inline', title: parsed.value.runbook.title, page: { from: 'test', severity: 'SEV3', text: 'practice page' } } } : {};
  const seen: AnyEvent[] = [];
  const incident = await openSession({ root, loaded: parsed.value, registry: builtinRegistry(), ports, providers: localProviders(), inputs: opts.inputs ?? {}, operator: 'tester', now: clock.now, ...drill, onRecord: (e) => seen.push(e) });
  const result = await incident.engine.run();
  await opts.during?.(incident);
  await incident.close();
  return { root, id: incident.id, result, seen };
}
