// The journal's vocabulary: every record type and the shape of its payload. Every driver (TUI,
// headless, resume, export) reads these and nothing else. The zod schemas are the single source:
// the writer is typed by them, and every record read back is checked against them, so a record of
// an unknown type or a payload of the wrong shape is an error naming its seq, not a crash later.
import { z } from 'zod';

const effect = z.enum(['read', 'write', 'human']);
export type Effect = z.infer<typeof effect>;

const intent = z.object({
  /** One line, e.g. `ec2:StopInstances i-0abc…` or `argv: etcdctl endpoint health`. */
  summary: z.string(),
  /** The whole text a person must read to carry the step out (a manual step's instruction): never cut. */
  detail: z.string().optional(),
  /** The API called (`ec2:StopInstances`), when the step calls one. */
  api: z.string().optional(),
  /** The exact argument vector, when the step runs a process. */
  argv: z.array(z.string()).optional(),
  /** Resource ids the step touches (shown in confirmations; typed for destructive ones). */
  resources: z.array(z.string()).optional(),
  /** The validated parameters (redacted before they are written). */
  params: z.unknown(),
});
/** Exactly what a step is about to do: journaled write-ahead and shown before confirmation. */
export type Intent = z.infer<typeof intent>;

const mode = z.enum(['live', 'drill']);
export type Mode = z.infer<typeof mode>;
const milestone = z.enum(['detected', 'mitigated', 'resolved']);
export type Milestone = z.infer<typeof milestone>;
const stepStatus = z.enum(['ok', 'failed', 'timeout', 'aborted']);
export type StepStatus = z.infer<typeof stepStatus>;
/** blocked: policy refused a change the runbook needed (an account not allowed, an identity unknown). */
const outcome = z.enum(['completed', 'failed', 'aborted', 'blocked']);
export type Outcome = z.infer<typeof outcome>;

const record = z.record(z.string(), z.unknown());
const drillScore = z.object({
  scenario: z.string(),
  outcome: z.union([outcome, z.literal('open')]),
  expected_outcome: z.enum(['completed', 'failed']),
  /** Whether the scenario defines a healthy world to reach (an escalation drill may not). */
  expects_mitigation: z.boolean(),
  /** Simulated seconds from the page to a healthy world; absent when it never got healthy. */
  time_to_mitigate_s: z.number().optional(),
  target_minutes: z.number(),
  simulated_minutes: z.number(),
  steps_skipped: z.array(z.object({ step: z.string(), reason: z.string() })),
  wrong_turns: z.array(z.object({ step: z.string(), choice: z.string().optional(), why: z.string() })),
  confirmations_declined: z.array(z.string()),
  passed: z.boolean(),
  /** Simulated seconds from the page to the first action, the correct diagnosis, and verified recovery (#20). */
  time_to_acknowledge_s: z.number().optional(),
  time_to_diagnose_s: z.number().optional(),
  time_to_recover_s: z.number().optional(),
  /** Hints the responder revealed, of those the scenario offers. */
  hints_used: z.number().optional(),
  hints_offered: z.number().optional(),
  /** The target of each phase in simulated minutes (mitigate is target_minutes). */
  targets: z.object({ acknowledge_minutes: z.number(), diagnose_minutes: z.number(), mitigate_minutes: z.number(), recover_minutes: z.number() }).optional(),
  /**
   * Wall time beside the simulated time: when the drill started, how long it took, how much of it
   * was spent waiting on the operator, and the wall second each phase was reached. `pace` is the
   * simulated time per wall time while the operator was awaited; 0 means machine time only (--auto).
   */
  wall: z
    .object({
      started_at: z.string(),
      seconds: z.number(),
      human_seconds: z.number(),
      pace: z.number(),
      phases_s: z.object({ acknowledge: z.number().optional(), diagnose: z.number().optional(), mitigate: z.number().optional(), recover: z.number().optional() }),
    })
    .optional(),
});
/** How a practice drill went, written to its journal when it ends. */
export type DrillScore = z.infer<typeof drillScore>;

/**
 * One schema per record type. Reading ignores fields it does not know (a newer oncall may add
 * some); what a reader relies on is required and typed.
 */
export const eventSchemas = {
  'incident.opened': z.object({
    title: z.string(),
    severity: z.string(),
    service: z.string().optional(),
    mode,
    read_only: z.boolean(),
    operator: z.string(),
    host: z.string(),
    oncall_version: z.string(),
    /** Set on practice drills: which scenario, and the page the engineer received. */
    drill: z.object({ scenario: z.string(), title: z.string(), page: z.object({ from: z.string(), severity: z.string(), text: z.string() }) }).optional(),
  }),
  /**
   * A failed or blocked incident is opened again by a person who fixed the cause: the step it
   * stopped at (`step`) runs again, through its gate and confirmation, as a new attempt.
   */
  'incident.reopened': z.object({ by: z.string(), reason: z.string(), step: z.string().nullable(), outcome: outcome }),
  'incident.resumed': z.object({ operator: z.string(), pid: z.number(), repaired_bytes: z.number().optional() }),
  'runbook.attached': z.object({
    id: z.string(),
    version: z.string(),
    hash: z.string(),
    file: z.string(),
    /** The exact source, so a resume runs the runbook the incident started with. */
    source: z.string(),
    inputs: record,
    secret_inputs: z.array(z.string()),
  }),
  'identity.resolved': z.object({ aws: record.optional(), kube: record.optional() }),
  /** after_failure: skipped once it had failed (its step.finished says how), rather than before it ran. */
  'step.skipped': z.object({
    step: z.string(),
    reason: z.string(),
    by: z.string(),
    intent: intent.optional(),
    /** What the step would have done: a skipped write is a change that was not made. */
    effect: effect.optional(),
    next: z.string().nullable(),
    after_failure: z.boolean().optional(),
  }),
  'step.started': z.object({
    step: z.string(),
    /** The step's title in the runbook, so readers of the journal need not parse it. */
    title: z.string().optional(),
    attempt: z.number(),
    kind: z.string(),
    /** The plugin that provides the step kind, when it is not a built-in. */
    plugin: z.string().optional(),
    effect,
    intent,
    expected_ms: z.number().optional(),
    /** True when this record was made durable before a write was attempted. */
    write_ahead: z.boolean(),
  }),
  'step.output': z.object({ step: z.string(), attempt: z.number(), stream: z.enum(['stdout', 'stderr', 'log']), text: z.string() }),
  'step.finished': z.object({
    step: z.string(),
    attempt: z.number(),
    status: stepStatus,
    duration_ms: z.number(),
    result: record.optional(),
    raw: z.unknown().optional(),
    summary: z.string().optional(),
    captures: record.optional(),
    assertions: z.array(z.object({ that: z.string(), ok: z.boolean(), message: z.string().optional() })).optional(),
    error: z.string().optional(),
    /** Set on failure when the engine will try again. */
    retry_in_ms: z.number().optional(),
    /** A write that was interrupted: it may or may not have happened. */
    in_doubt: z.boolean().optional(),
    /**
     * The failure proves nothing about the world (throttling, the network, a server error, an
     * unexpected error): it never triggers a rollback.
     */
    inconclusive: z.boolean().optional(),
    /** How the step was settled after being in doubt. */
    reconciled: z.enum(['verified', 'human']).optional(),
    /** The step ran, and what it found is bad (StepResult.problem). */
    problem: z.string().optional(),
    next: z.string().nullable().optional(),
  }),
  /**
   * A step's process started, leading its own process group (pgid). A resume on the same host
   * waits while that group still runs, instead of running the step again beside it.
   */
  'step.spawned': z.object({ step: z.string(), attempt: z.number(), pid: z.number(), pgid: z.number(), host: z.string() }),
  'step.in_doubt': z.object({ step: z.string(), attempt: z.number(), resolution: z.enum(['verify', 'ask']) }),
  'confirm.given': z.object({
    step: z.string(),
    approved: z.boolean(),
    by: z.string(),
    typed: z.boolean().optional(),
    reason: z.string().optional(),
    purpose: z.enum(['action', 'rollback']),
  }),
  'decision.made': z.object({
    step: z.string(),
    attempt: z.number(),
    question: z.string(),
    value: z.string(),
    text: z.string().optional(),
    by: z.string(),
    type: z.enum(['choice', 'text', 'manual']),
  }),
  'note.added': z.object({ text: z.string(), by: z.string() }),
  /** `at`: when it happened, if not when it was marked (e.g. the alert that fired before anyone looked). */
  'milestone.marked': z.object({ milestone, by: z.string(), at: z.string().optional() }),
  'rollback.started': z.object({ failed_step: z.string(), steps: z.array(z.string()) }),
  'run.finished': z.object({ outcome, failed_step: z.string().optional(), error: z.string().optional(), summary: z.string() }),
  'journal.repaired': z.object({ dropped_bytes: z.number() }),
  /**
   * Written by the writer as it closes: the hash of the record before it (its own `prev`) and how
   * many records the journal holds, so a journal that ends with it ends where its writer left it.
   */
  'journal.closed': z.object({ head: z.string(), records: z.number() }),
  'drill.scored': drillScore,
} satisfies Record<string, z.ZodType>;

export type EventPayloads = { [K in keyof typeof eventSchemas]: z.output<(typeof eventSchemas)[K]> };
export type EventType = keyof EventPayloads;

export interface JournalEvent<T extends EventType = EventType> {
  seq: number;
  ts: string;
  incident: string;
  type: T;
  payload: EventPayloads[T];
}

export type AnyEvent = { [K in EventType]: JournalEvent<K> }[EventType];

export function isEventType(type: string): type is EventType {
  return Object.hasOwn(eventSchemas, type);
}

/**
 * Checks one record's type and payload against the vocabulary. Returns the problem in plain words,
 * or undefined when the record is one this oncall understands.
 */
export function eventProblem(type: string, payload: unknown): string | undefined {
  if (!isEventType(type)) return `has a type this oncall does not know ('${type}'): it was written by a newer oncall, or edited`;
  const parsed = eventSchemas[type].safeParse(payload);
  if (parsed.success) return undefined;
  const issue = parsed.error.issues[0]!;
  return `has a ${type} payload of the wrong shape (${issue.path.length ? `${issue.path.join('.')}: ` : ''}${issue.message})`;
}

/**
 * A record of one type seen as any record. TypeScript cannot tell on its own that a
 * `JournalEvent<T>` for a generic T is a member of the `AnyEvent` union; this says it in one place.
 */
export function asAnyEvent<T extends EventType>(event: JournalEvent<T>): AnyEvent {
  return event as AnyEvent;
}
