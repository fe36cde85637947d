// The incident as a fold of its journal. Resume, the TUI store and export all start here,
// so what happened is decided by the records alone.
import type { AnyEvent, DrillScore, EventPayloads, Milestone, Mode, Outcome } from '../journal/events.js';
import type { Effect, Intent } from '../journal/events.js';

export type StepPhase = 'pending' | 'running' | 'ok' | 'failed' | 'timeout' | 'aborted' | 'skipped';

export interface StepState {
  id: string;
  phase: StepPhase;
  attempts: number;
  kind?: string;
  effect?: Effect;
  intent?: Intent;
  startedAt?: string;
  finishedAt?: string;
  durationMs?: number;
  expectedMs?: number;
  result?: Record<string, unknown>;
  summary?: string;
  captures?: Record<string, unknown>;
  error?: string;
  skipReason?: string;
  /** Skipped once it had failed (the operator chose to go on without it). */
  skippedAfterFailure?: boolean;
  /** The process group the last attempt started (shell steps), while it may still run. */
  process?: { pid: number; pgid: number; host: string };
  /** A write whose outcome is unknown: started (or aborted) without a recorded end. */
  inDoubt: boolean;
  /** The last failure proved nothing about the world (step.finished's inconclusive). */
  inconclusive?: boolean;
  /** It ran, and what it found is bad (step.finished's problem). */
  problem?: string;
  /** In doubt and being settled now (its verify read, or the question to a human): not running. */
  settling: boolean;
  /** The last attempt failed and the engine had scheduled another. */
  retryPending: boolean;
  outputLines: number;
}

export interface Answer {
  value: string;
  text?: string;
  by: string;
  /** The attempt of the step the answer was given in. */
  attempt?: number;
}

export interface IncidentState {
  id: string;
  openedAt?: string;
  title: string;
  severity: string;
  service?: string;
  mode: Mode;
  readOnly: boolean;
  operator: string;
  runbook?: { id: string; version: string; hash: string; file: string; source: string; inputs: Record<string, unknown>; secretInputs: string[] };
  steps: Record<string, StepState>;
  /** Step ids in the order they were first touched. */
  touched: string[];
  vars: Record<string, unknown>;
  /** The step to run next: undefined before the first, null at the end. */
  next: string | null | undefined;
  /** Human answers by step id, so a resume never asks twice for the same thing. */
  answers: Record<string, Answer>;
  notes: { ts: string; text: string; by: string }[];
  milestones: { ts: string; milestone: Milestone; by: string }[];
  outcome?: Outcome;
  /** The step a failed or blocked run stopped at (run.finished's failed_step). */
  stoppedAt?: string;
  /** Set when a drill has been scored. */
  drillScore?: DrillScore;
  /** The scenario, on drills. */
  drill?: EventPayloads['incident.opened']['drill'];
  lastSeq: number;
  lastTs?: string;
  events: number;
}

export function initialState(id: string): IncidentState {
  return {
    id,
    title: '',
    severity: '',
    mode: 'live',
    readOnly: false,
    operator: '',
    steps: {},
    touched: [],
    vars: {},
    next: undefined,
    answers: {},
    notes: [],
    milestones: [],
    lastSeq: -1,
    events: 0,
  };
}

function step(state: IncidentState, id: string): StepState {
  let s = state.steps[id];
  if (!s) {
    s = { id, phase: 'pending', attempts: 0, inDoubt: false, settling: false, retryPending: false, outputLines: 0 };
    state.steps[id] = s;
    state.touched.push(id);
  }
  return s;
}

/** Applies one record. Mutates `state` for speed (100k-event journals); callers own their copy. */
export function applyEvent(state: IncidentState, ev: AnyEvent): IncidentState {
  state.lastSeq = ev.seq;
  state.lastTs = ev.ts;
  state.events += 1;
  switch (ev.type) {
    case 'incident.opened': {
      const p = ev.payload;
      state.openedAt = ev.ts;
      state.title = p.title;
      state.severity = p.severity;
      state.service = p.service;
      state.mode = p.mode;
      state.readOnly = p.read_only;
      state.operator = p.operator;
      state.drill = p.drill;
      break;
    }
    case 'runbook.attached': {
      const p = ev.payload;
      state.runbook = { id: p.id, version: p.version, hash: p.hash, file: p.file, source: p.source, inputs: p.inputs, secretInputs: p.secret_inputs };
      break;
    }
    case 'step.skipped': {
      const s = step(state, ev.payload.step);
      s.phase = 'skipped';
      s.skipReason = ev.payload.reason;
      s.skippedAfterFailure = ev.payload.after_failure === true;
      s.inDoubt = false;
      s.settling = false;
      s.finishedAt = ev.ts;
      state.next = ev.payload.next;
      break;
    }
    case 'step.spawned': {
      const p = ev.payload;
      step(state, p.step).process = { pid: p.pid, pgid: p.pgid, host: p.host };
      break;
    }
    case 'step.started': {
      const p = ev.payload;
      const s = step(state, p.step);
      s.phase = 'running';
      s.attempts = p.attempt;
      s.kind = p.kind;
      s.effect = p.effect;
      s.intent = p.intent;
      s.startedAt = ev.ts;
      s.finishedAt = undefined;
      s.expectedMs = p.expected_ms;
      s.error = undefined;
      s.process = undefined;
      // Until a step.finished arrives, a started write may or may not have happened.
      s.inDoubt = p.effect === 'write';
      s.settling = false;
      state.next = p.step;
      break;
    }
    case 'step.output':
      step(state, ev.payload.step).outputLines += 1;
      break;
    case 'step.finished': {
      const p = ev.payload;
      const s = step(state, p.step);
      s.phase = p.status;
      s.attempts = Math.max(s.attempts, p.attempt);
      s.finishedAt = ev.ts;
      s.durationMs = p.duration_ms;
      s.result = p.result;
      s.summary = p.summary;
      s.error = p.error;
      s.inDoubt = Boolean(p.in_doubt);
      s.inconclusive = p.inconclusive === true || undefined;
      s.problem = p.problem;
      s.settling = false;
      s.retryPending = p.retry_in_ms !== undefined;
      if (p.captures) {
        s.captures = p.captures;
        Object.assign(state.vars, p.captures);
      }
      if (p.next !== undefined) state.next = p.next;
      // A failed attempt's answer must not be reused by the next attempt.
      if (p.status !== 'ok') delete state.answers[p.step];
      break;
    }
    case 'decision.made':
      state.answers[ev.payload.step] = { value: ev.payload.value, text: ev.payload.text, by: ev.payload.by, attempt: ev.payload.attempt };
      break;
    case 'note.added':
      state.notes.push({ ts: ev.ts, text: ev.payload.text, by: ev.payload.by });
      break;
    case 'milestone.marked':
      state.milestones.push({ ts: ev.payload.at ?? ev.ts, milestone: ev.payload.milestone, by: ev.payload.by });
      break;
    case 'run.finished':
      state.outcome = ev.payload.outcome;
      state.stoppedAt = ev.payload.failed_step;
      state.next = null;
      break;
    case 'incident.reopened': {
      const at = ev.payload.step;
      state.outcome = undefined;
      state.stoppedAt = undefined;
      state.next = at ?? null;
      if (at) {
        const s = step(state, at);
        // The step runs again as a new attempt: a failure is retried, a refusal re-decided.
        if (s.phase === 'failed' || s.phase === 'timeout') s.retryPending = true;
        if (s.phase === 'skipped') s.phase = 'pending';
      }
      break;
    }
    case 'step.in_doubt':
      step(state, ev.payload.step).settling = true;
      break;
    case 'incident.resumed':
    case 'identity.resolved':
    case 'confirm.given':
    case 'rollback.started':
    case 'journal.repaired':
      break;
    case 'drill.scored':
      state.drillScore = ev.payload;
      break;
    default: {
      // Records from a newer oncall are kept in the journal but do not change this fold.
      break;
    }
  }
  return state;
}

export function foldEvents(id: string, events: Iterable<AnyEvent>): IncidentState {
  const state = initialState(id);
  for (const ev of events) applyEvent(state, ev);
  return state;
}

/** Steps whose write may or may not have happened. */
export function inDoubtSteps(state: IncidentState): StepState[] {
  return Object.values(state.steps).filter((s) => s.inDoubt);
}
