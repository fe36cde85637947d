// The Timeline: an incident folded from its journal, and nothing else. Incident metadata comes
// from the same fold resume and the TUI use (applyEvent); what that fold keeps per step id only
// (attempts, decisions, notes with their seq) is collected here. Output lines are folded into
// bounded excerpts, so a 100k-record journal costs memory per step, not per line.
import { readYamlValue } from '../runbook/yaml.js';
import type { AnyEvent, EventPayloads, Milestone } from '../journal/events.js';
import { applyEvent, initialState, type IncidentState } from '../engine/state.js';
import type { AnyRecord } from '../journal/record.js';
import { VERSION } from '../version.js';
import { eventText } from './text.js';
import type { Timeline, TimelineEvent, TimelineMilestone, TimelineStep } from './schema.js';
import { TIMELINE_VERSION } from './timeline-version.js';

export { TIMELINE_VERSION };

/** Output excerpt bounds: the first lines say what ran, the last ones how it ended. */
export const EXCERPT_HEAD = 5;
export const EXCERPT_TAIL = 20;
const RESULT_EXCERPT_CHARS = 2000;

export interface TimelineOptions {
  /** generated_at; tests pin it. */
  now?: Date;
  integrity?: Timeline['journal']['integrity'];
}

interface Run extends TimelineStep {
  /** Output tail as a ring, joined into output.excerpt at the end. */
  tail: string[];
  tailAt: number;
}

type Rec = AnyRecord;

const cut = (s: string, n: number): string => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

export class TimelineBuilder {
  readonly #state: IncidentState;
  readonly #steps: Run[] = [];
  /** The latest run of each step id: output and finish records land there. */
  readonly #current = new Map<string, Run>();
  readonly #events: TimelineEvent[] = [];
  readonly #decisions: Timeline['decisions'] = [];
  readonly #confirmations: Timeline['confirmations'] = [];
  readonly #notes: Timeline['notes'] = [];
  readonly #errors: Timeline['errors'] = [];
  readonly #marks = new Map<Milestone, TimelineMilestone>();
  readonly #operators = new Set<string>();
  #identity: Timeline['incident']['identity'] = { aws: null, kube: null };
  #host: string | null = null;
  #oncallVersion: string | null = null;
  #operator = '';
  #failedStep: string | null = null;
  #error: string | null = null;
  #summary: string | null = null;
  #runFinishedAt: { ts: string; seq: number } | null = null;
  /** A write step was skipped (declined, refused, skipped by a person): a change was not made. */
  #withheld = false;
  #openedMs: number | undefined;
  #records = 0;

  constructor(readonly id: string) {
    this.#state = initialState(id);
  }

  /** Folds one journal record. Records must come in journal order. */
  add(rec: Rec): void {
    this.#records++;
    const ev: AnyEvent = rec;
    applyEvent(this.#state, ev);
    if (ev.type === 'step.output') {
      this.#output(ev.payload);
      return;
    }
    this.#openedMs ??= Date.parse(rec.ts);
    const e = this.#event(ev);
    if (e) this.#events.push(e);
  }

  #run(step: string, ts: string): Run {
    const run: Run = {
      step,
      title: null,
      attempt: 1,
      kind: null,
      effect: null,
      status: 'unfinished',
      started_at: ts,
      finished_at: null,
      duration_ms: null,
      expected_ms: null,
      write_ahead: false,
      in_doubt: false,
      reconciled: null,
      retry_in_ms: null,
      intent: null,
      summary: null,
      error: null,
      skip_reason: null,
      assertions: [],
      captures: {},
      result_excerpt: null,
      commands: [],
      output: { lines: 0, excerpt: [], omitted: 0 },
      tail: [],
      tailAt: 0,
    };
    this.#steps.push(run);
    this.#current.set(step, run);
    return run;
  }

  #output(p: EventPayloads['step.output']): void {
    const run = this.#current.get(p.step);
    if (!run) return; // output of a nested probe before any start: nothing to attach it to
    // Lines are kept whole: a post-mortem never shows half a command (an etcd restore's
    // --data-dir is at the end of a long line). The excerpt bounds how many lines, not their length.
    const line = String(p.text);
    // Every command the step ran (its `$ …` log line), even those the excerpt leaves out.
    if (p.stream === 'log' && line.startsWith('$ ')) run.commands.push(line.slice(2));
    const o = run.output;
    o.lines++;
    if (o.excerpt.length < EXCERPT_HEAD) {
      o.excerpt.push(line);
      return;
    }
    if (run.tail.length < EXCERPT_TAIL) run.tail.push(line);
    else {
      run.tail[run.tailAt] = line;
      run.tailAt = (run.tailAt + 1) % EXCERPT_TAIL;
    }
  }

  #seen(who: string | undefined): void {
    if (who && who !== 'rule' && who !== 'oncall') this.#operators.add(who);
  }

  /** The timeline event for a record (its words are text.ts's), and the side tables it feeds. */
  #event(ev: AnyEvent): TimelineEvent | undefined {
    const at = ev.ts;
    const text = eventText(ev);
    const entry = (actor: string, source: TimelineEvent['source'], step: string | null = null, status: string | null = null, kind: string = ev.type): TimelineEvent => ({
      seq: ev.seq,
      occurred_at: at,
      elapsed_ms: Math.max(0, Date.parse(at) - (this.#openedMs ?? Date.parse(at))),
      kind,
      title: text.title,
      body: text.body,
      actor: actor || 'oncall',
      source,
      step,
      status,
      idempotency_key: `oncall:${this.id}:${ev.seq}`,
    });
    const op = () => this.#operator;
    switch (ev.type) {
      case 'incident.opened': {
        const p = ev.payload;
        this.#operator = p.operator;
        this.#seen(p.operator);
        this.#host = p.host ?? null;
        this.#oncallVersion = p.oncall_version ?? null;
        return entry(p.operator, 'oncall', null, p.mode);
      }
      case 'runbook.attached':
        return entry(op(), 'oncall');
      case 'identity.resolved': {
        const p = ev.payload;
        if (p.aws) this.#identity.aws = p.aws;
        if (p.kube) this.#identity.kube = p.kube;
        return entry(op(), 'oncall');
      }
      case 'incident.reopened':
        this.#seen(ev.payload.by);
        return entry(ev.payload.by, 'human', ev.payload.step, 'reopened');
      case 'incident.resumed': {
        const p = ev.payload;
        this.#operator = p.operator;
        this.#seen(p.operator);
        return entry(p.operator, 'oncall');
      }
      case 'step.started': {
        const p = ev.payload;
        const run = this.#run(p.step, at);
        run.attempt = p.attempt;
        run.kind = p.kind ?? null;
        run.effect = p.effect ?? null;
        run.write_ahead = Boolean(p.write_ahead);
        run.in_doubt = p.effect === 'write';
        run.expected_ms = p.expected_ms ?? null;
        run.intent = p.intent
          ? {
              summary: String(p.intent.summary ?? ''),
              detail: p.intent.detail ?? null,
              api: p.intent.api ?? null,
              argv: p.intent.argv ?? null,
              resources: p.intent.resources ?? [],
              params: p.intent.params ?? null,
            }
          : null;
        return entry(op(), 'engine', p.step, 'started');
      }
      case 'step.finished': {
        const p = ev.payload;
        let run = this.#current.get(p.step);
        // A step that failed before starting (bad parameters) has a finish and no start.
        if (!run || run.status !== 'unfinished') run = this.#run(p.step, at);
        run.attempt = Math.max(run.attempt, p.attempt);
        run.status = p.status;
        run.finished_at = at;
        run.duration_ms = typeof p.duration_ms === 'number' ? Math.round(p.duration_ms) : null;
        run.summary = p.summary ?? null;
        run.error = p.error ?? null;
        run.in_doubt = Boolean(p.in_doubt);
        run.reconciled = p.reconciled ?? null;
        run.retry_in_ms = p.retry_in_ms ?? null;
        run.assertions = (p.assertions ?? []).map((a) => ({ that: String(a.that), ok: Boolean(a.ok), message: a.message ?? null }));
        run.captures = p.captures ?? {};
        run.result_excerpt = p.result === undefined ? null : cut(JSON.stringify(p.result), RESULT_EXCERPT_CHARS);
        if (p.error && p.status !== 'ok') this.#errors.push({ seq: ev.seq, at, step: p.step, kind: 'step', message: p.error });
        return entry(op(), 'engine', p.step, p.status);
      }
      case 'step.skipped': {
        const p = ev.payload;
        if (p.effect === 'write') this.#withheld = true;
        const cur = this.#current.get(p.step);
        // Skipping an interrupted step settles that attempt; otherwise the step never started.
        const run = cur && cur.status === 'unfinished' ? cur : this.#run(p.step, at);
        run.status = 'skipped';
        run.finished_at = at;
        run.in_doubt = false;
        run.skip_reason = p.reason;
        run.effect ??= p.effect ?? null;
        if (p.intent && !run.intent) run.intent = { summary: String(p.intent.summary ?? ''), detail: p.intent.detail ?? null, api: p.intent.api ?? null, argv: p.intent.argv ?? null, resources: p.intent.resources ?? [], params: p.intent.params ?? null };
        this.#seen(p.by);
        return entry(p.by, p.by === 'rule' || p.by === 'oncall' ? 'engine' : 'human', p.step, 'skipped');
      }
      case 'step.in_doubt': {
        const p = ev.payload;
        this.#errors.push({ seq: ev.seq, at, step: p.step, kind: 'in_doubt', message: text.body });
        return entry(op(), 'engine', p.step, 'in_doubt');
      }
      case 'decision.made': {
        const p = ev.payload;
        this.#seen(p.by);
        // What was in front of the person: the decision step's journaled parameters (its intent,
        // written when it started) hold the options and the evidence shown beside the question.
        const params = this.#current.get(p.step)?.intent?.params;
        const shown = params && typeof params === 'object' ? (params as Record<string, unknown>) : {};
        this.#decisions.push({
          seq: ev.seq,
          at,
          step: p.step,
          attempt: p.attempt ?? 0,
          question: p.question,
          value: p.value,
          text: p.text ?? null,
          by: p.by,
          type: p.type,
          options: Array.isArray(shown.options) ? shown.options.filter(isOption).map((o) => ({ value: o.value, label: typeof o.label === 'string' ? o.label : o.value, description: typeof o.description === 'string' ? o.description : null })) : null,
          evidence: shown.evidence && typeof shown.evidence === 'object' && !Array.isArray(shown.evidence) ? (shown.evidence as Record<string, unknown>) : null,
          suggested: typeof shown.suggest === 'string' && shown.suggest ? shown.suggest : null,
        });
        return entry(p.by, 'human', p.step, p.value);
      }
      case 'confirm.given': {
        const p = ev.payload;
        this.#seen(p.by);
        this.#confirmations.push({ seq: ev.seq, at, step: p.step, approved: p.approved, by: p.by, typed: Boolean(p.typed), reason: p.reason ?? null, purpose: p.purpose ?? 'action' });
        return entry(p.by, 'human', p.step, p.approved ? 'approved' : 'declined');
      }
      case 'note.added': {
        const p = ev.payload;
        this.#seen(p.by);
        this.#notes.push({ seq: ev.seq, at, text: p.text, by: p.by });
        return entry(p.by, 'human');
      }
      case 'milestone.marked': {
        const p = ev.payload;
        this.#seen(p.by);
        // The last mark wins: a re-mark after a regression is the one that held.
        this.#marks.set(p.milestone, { milestone: p.milestone, at: p.at ?? at, by: p.by, source: 'marked', seq: ev.seq });
        return entry(p.by, 'human', null, p.milestone);
      }
      case 'rollback.started':
        return entry(op(), 'engine', ev.payload.failed_step, 'rollback');
      case 'run.finished': {
        const p = ev.payload;
        this.#summary = p.summary ?? null;
        this.#failedStep = p.failed_step ?? null;
        this.#error = p.error ?? null;
        this.#runFinishedAt = { ts: at, seq: ev.seq };
        if (p.error && p.outcome !== 'completed') this.#errors.push({ seq: ev.seq, at, step: p.failed_step ?? null, kind: 'run', message: p.error });
        return entry(op(), 'engine', p.failed_step ?? null, p.outcome);
      }
      case 'journal.repaired':
        this.#errors.push({ seq: ev.seq, at, step: null, kind: 'journal', message: text.body });
        return entry('oncall', 'oncall');
      case 'drill.scored':
        return entry('oncall', 'drill', null, ev.payload.passed ? 'passed' : 'failed');
      case 'step.spawned': // where a step's process ran: for resume, not the post-mortem
      case 'step.output': // folded into the step's output excerpt (add())
      case 'journal.closed':
        // Bookkeeping of the hash chain (its head), not something that happened in the incident.
        return undefined;
      default: {
        const never: never = ev;
        return never;
      }
    }
  }

  /** The Timeline so far. Call once, after the last record. */
  finish(opts: TimelineOptions = {}): Timeline {
    const st = this.#state;
    const titles = stepTitles(st.runbook?.source);
    const steps: TimelineStep[] = this.#steps.map(({ tail, tailAt, ...run }) => {
      const ordered = tail.length < EXCERPT_TAIL ? tail : [...tail.slice(tailAt), ...tail.slice(0, tailAt)];
      const excerpt = [...run.output.excerpt, ...ordered];
      const base = run.step.endsWith(':rollback') ? run.step.slice(0, -':rollback'.length) : run.step;
      const title = titles.get(run.step) ?? (titles.has(base) ? `Undo: ${titles.get(base)}` : null);
      return { ...run, title, output: { lines: run.output.lines, excerpt, omitted: run.output.lines - excerpt.length } };
    });
    // Journal order is time order (timestamps never go back); the stable sort only guards
    // against a hand-edited journal.
    const events = this.#events;
    for (let i = 1; i < events.length; i++) {
      if (events[i]!.occurred_at < events[i - 1]!.occurred_at) {
        events.sort((a, b) => (a.occurred_at < b.occurred_at ? -1 : a.occurred_at > b.occurred_at ? 1 : a.seq - b.seq));
        break;
      }
    }
    const milestones = this.#milestones();
    const at = (m: Milestone) => {
      const x = milestones.find((y) => y.milestone === m);
      return x ? Date.parse(x.at) : undefined;
    };
    const span = (a?: number, b?: number) => (a !== undefined && b !== undefined && b >= a ? b - a : null);
    const score = st.drillScore;
    return {
      schema: 'oncall.timeline',
      version: TIMELINE_VERSION,
      generated_at: (opts.now ?? new Date()).toISOString(),
      generator: { name: 'oncall', version: VERSION },
      mode: st.mode,
      incident: {
        id: this.id,
        title: st.title,
        severity: st.severity,
        service: st.service ?? null,
        mode: st.mode,
        read_only: st.readOnly,
        status: st.outcome ?? 'open',
        opened_at: st.openedAt ?? null,
        last_activity_at: st.lastTs ?? null,
        operator: st.operator,
        operators: [...this.#operators],
        host: this.#host,
        oncall_version: this.#oncallVersion,
        runbook: st.runbook
          ? {
              id: st.runbook.id,
              version: st.runbook.version,
              hash: st.runbook.hash,
              file: st.runbook.file,
              title: titles.get('') ?? null,
              inputs: st.runbook.inputs ?? {},
              secret_inputs: st.runbook.secretInputs ?? [],
            }
          : null,
        identity: this.#identity,
        outcome_summary: this.#summary,
        failed_step: this.#failedStep,
        error: this.#error,
        drill: st.drill
          ? {
              scenario: st.drill.scenario,
              title: st.drill.title,
              page: st.drill.page,
              score: score
                ? {
                    passed: score.passed,
                    outcome: score.outcome,
                    expected_outcome: score.expected_outcome,
                    time_to_mitigate_s: score.time_to_mitigate_s ?? null,
                    target_minutes: score.target_minutes,
                    simulated_minutes: score.simulated_minutes,
                    steps_skipped: score.steps_skipped ?? [],
                    wrong_turns: (score.wrong_turns ?? []).map((w) => ({ step: w.step, choice: w.choice ?? null, why: w.why })),
                    confirmations_declined: score.confirmations_declined ?? [],
                  }
                : null,
            }
          : null,
      },
      milestones,
      durations: {
        detected_to_mitigated_ms: span(at('detected'), at('mitigated')),
        detected_to_resolved_ms: span(at('detected'), at('resolved')),
        mitigated_to_resolved_ms: span(at('mitigated'), at('resolved')),
        total_ms: st.openedAt && st.lastTs ? span(Date.parse(st.openedAt), Date.parse(st.lastTs)) : null,
      },
      steps,
      decisions: this.#decisions,
      confirmations: this.#confirmations,
      notes: this.#notes,
      errors: this.#errors,
      events,
      journal: { records: this.#records, integrity: opts.integrity ?? null },
    };
  }

  /** Marked milestones win; otherwise what the journal implies, labelled as inferred. */
  #milestones(): TimelineMilestone[] {
    const st = this.#state;
    const out: TimelineMilestone[] = [];
    const detected = this.#marks.get('detected') ?? (st.openedAt ? { milestone: 'detected' as const, at: st.openedAt, by: st.operator || null, source: 'opened' as const, seq: 0 } : undefined);
    if (detected) out.push(detected);
    let mitigated = this.#marks.get('mitigated');
    const ttm = st.drillScore?.time_to_mitigate_s;
    if (!mitigated && ttm !== undefined && st.openedAt) {
      mitigated = { milestone: 'mitigated', at: new Date(Date.parse(st.openedAt) + ttm * 1000).toISOString(), by: null, source: 'drill-score', seq: null };
    }
    if (mitigated) out.push(mitigated);
    let resolved = this.#marks.get('resolved');
    // A runbook that completed without one of its changes (declined, refused or skipped) did not
    // necessarily fix anything: only a person may say it is resolved then.
    if (!resolved && st.outcome === 'completed' && this.#runFinishedAt && !this.#withheld) {
      resolved = { milestone: 'resolved', at: this.#runFinishedAt.ts, by: null, source: 'run-finished', seq: this.#runFinishedAt.seq };
    }
    if (resolved) out.push(resolved);
    return out;
  }
}

function isOption(o: unknown): o is { value: string; label?: unknown; description?: unknown } {
  return typeof o === 'object' && o !== null && typeof (o as { value?: unknown }).value === 'string';
}

/** Step titles (and the runbook's, under '') from the runbook source the journal carries. */
function stepTitles(source: string | undefined): Map<string, string> {
  const titles = new Map<string, string>();
  if (!source) return titles;
  // Read within the YAML bounds; a source that no longer parses still exports, without titles.
  const doc = readYamlValue(source) as { title?: unknown; steps?: { id?: unknown; title?: unknown }[] } | null | undefined;
  if (typeof doc?.title === 'string') titles.set('', doc.title);
  for (const s of Array.isArray(doc?.steps) ? doc.steps : []) {
    if (typeof s?.id === 'string' && typeof s.title === 'string') titles.set(s.id, s.title);
  }
  return titles;
}
