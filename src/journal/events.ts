// The journal's vocabulary. Every driver (TUI, headless, resume, export) reads these and nothing else.

export type Effect = 'read' | 'write' | 'human';

/** Exactly what a step is about to do: journaled write-ahead and shown before confirmation. */
export interface Intent {
  /** One line, e.g. `ec2:StopInstances i-0abc…` or `argv: etcdctl endpoint health`. */
  summary: string;
  /** The API called (`ec2:StopInstances`), when the step calls one. */
  api?: string;
  /** The exact argument vector, when the step runs a process. */
  argv?: string[];
  /** Resource ids the step touches (shown in confirmations; typed for destructive ones). */
  resources?: string[];
  /** The validated parameters (redacted before they are written). */
  params: unknown;
}

export type Mode = 'live' | 'drill';
export type Milestone = 'detected' | 'mitigated' | 'resolved';
export type StepStatus = 'ok' | 'failed' | 'timeout' | 'aborted';
export type Outcome = 'completed' | 'failed' | 'aborted';

export interface EventPayloads {
  'incident.opened': {
    title: string;
    severity: string;
    service?: string;
    mode: Mode;
    read_only: boolean;
    operator: string;
    host: string;
    oncall_version: string;
    /** Set on practice drills: which scenario, and the page the engineer received. */
    drill?: { scenario: string; title: string; page: { from: string; severity: string; text: string } };
  };
  'incident.resumed': { operator: string; pid: number; repaired_bytes?: number };
  'runbook.attached': {
    id: string;
    version: string;
    hash: string;
    file: string;
    /** The exact source, so a resume runs the runbook the incident started with. */
    source: string;
    inputs: Record<string, unknown>;
    secret_inputs: string[];
  };
  'identity.resolved': { aws?: Record<string, unknown>; kube?: Record<string, unknown> };
  /** after_failure: skipped once it had failed (its step.finished says how), rather than before it ran. */
  'step.skipped': { step: string; reason: string; by: string; intent?: Intent; next: string | null; after_failure?: boolean };
  'step.started': {
    step: string;
    /** The step's title in the runbook, so readers of the journal need not parse it. */
    title?: string;
    attempt: number;
    kind: string;
    /** The plugin that provides the step kind, when it is not a built-in. */
    plugin?: string;
    effect: Effect;
    intent: Intent;
    expected_ms?: number;
    /** True when this record was made durable before a write was attempted. */
    write_ahead: boolean;
  };
  'step.output': { step: string; attempt: number; stream: 'stdout' | 'stderr' | 'log'; text: string };
  'step.finished': {
    step: string;
    attempt: number;
    status: StepStatus;
    duration_ms: number;
    result?: Record<string, unknown>;
    raw?: unknown;
    summary?: string;
    captures?: Record<string, unknown>;
    assertions?: { that: string; ok: boolean; message?: string }[];
    error?: string;
    /** Set on failure when the engine will try again. */
    retry_in_ms?: number;
    /** A write that was interrupted: it may or may not have happened. */
    in_doubt?: boolean;
    /** How the step was settled after being in doubt. */
    reconciled?: 'verified' | 'human';
    next?: string | null;
  };
  'step.in_doubt': { step: string; attempt: number; resolution: 'verify' | 'ask' };
  'confirm.given': { step: string; approved: boolean; by: string; typed?: boolean; reason?: string; purpose: 'action' | 'rollback' };
  'decision.made': { step: string; attempt: number; question: string; value: string; text?: string; by: string; type: 'choice' | 'text' | 'manual' };
  'note.added': { text: string; by: string };
  /** `at`: when it happened, if not when it was marked (e.g. the alert that fired before anyone looked). */
  'milestone.marked': { milestone: Milestone; by: string; at?: string };
  'rollback.started': { failed_step: string; steps: string[] };
  'run.finished': { outcome: Outcome; failed_step?: string; error?: string; summary: string };
  'journal.repaired': { dropped_bytes: number };
  'drill.scored': DrillScore;
}

export type EventType = keyof EventPayloads;

export interface JournalEvent<T extends EventType = EventType> {
  seq: number;
  ts: string;
  incident: string;
  type: T;
  payload: EventPayloads[T];
}

export type AnyEvent = { [K in EventType]: JournalEvent<K> }[EventType];

/** How a practice drill went, written to its journal when it ends. */
export interface DrillScore {
  scenario: string;
  outcome: Outcome | 'open';
  expected_outcome: 'completed' | 'failed';
  /** Whether the scenario defines a healthy world to reach (an escalation drill may not). */
  expects_mitigation: boolean;
  /** Simulated seconds from the page to a healthy world; absent when it never got healthy. */
  time_to_mitigate_s?: number;
  target_minutes: number;
  simulated_minutes: number;
  steps_skipped: { step: string; reason: string }[];
  wrong_turns: { step: string; choice?: string; why: string }[];
  confirmations_declined: string[];
  passed: boolean;
}
