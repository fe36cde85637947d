// Contracts between the engine, step kinds and whoever drives a run (TUI, headless runner, tests).
// Nothing here knows about Ink.
import type { z } from 'zod';
import type { Effect, Intent } from '../journal/events.js';
import type { Providers } from '../providers/types.js';

export type { Effect, Intent } from '../journal/events.js';

export interface Clock {
  now(): number;
  /**
   * Waits `ms` as part of the work (a poll interval, a backoff). In drills this is what moves
   * simulated time forward. Rejects with the signal's reason when aborted.
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /**
   * A deadline beside the work (a step timeout): resolves once `ms` have passed, without
   * moving simulated time itself. Rejects with the signal's reason when cancelled.
   */
  deadline(ms: number, signal?: AbortSignal): Promise<void>;
}

export interface ConfirmRequest {
  stepId: string;
  title: string;
  intent: Intent;
  message?: string;
  destructive: boolean;
  /** What the operator must type when destructive. */
  resource?: string;
  account?: string;
  region?: string;
  /** 'action' for a write step, 'rollback' when undoing earlier steps. */
  purpose: 'action' | 'rollback';
  /** Set when the last answer did not do (a typed resource that was not the resource): why. */
  problem?: string;
}

export interface ConfirmResponse {
  approved: boolean;
  by: string;
  /** What the operator typed (destructive steps): the engine checks it is the resource. */
  typed?: string;
  reason?: string;
}

export interface AskOption {
  value: string;
  label: string;
  description?: string;
}

export interface AskRequest {
  stepId: string;
  /** choice: pick one option; text: a free answer; manual: confirm an instruction was carried out. */
  type: 'choice' | 'text' | 'manual';
  question: string;
  guidance?: string;
  options?: AskOption[];
  /** For text answers. */
  pattern?: string;
  required?: boolean;
  /** Evidence shown beside the question (captures, results). */
  evidence?: Record<string, unknown>;
  /** Set when the last answer did not answer it (engine/policy.ts answerProblem): why. */
  problem?: string;
  /** `in-doubt`: did a change whose outcome is unknown happen? (answered headless by `<step>.outcome`). */
  purpose?: 'in-doubt';
  /** The option the evidence points to (a decision's `suggest`): shown highlighted, never chosen by itself. */
  suggested?: string;
}

export interface AskResponse {
  value: string;
  by: string;
  text?: string;
}

/** What a driver (TUI, headless runner, test) provides to the engine. */
export interface Ports {
  confirm(req: ConfirmRequest): Promise<ConfirmResponse>;
  ask(req: AskRequest): Promise<AskResponse>;
  clock: Clock;
}

/** Thrown by a port when a human is needed and none is attached (headless without an answer). */
export class NeedsHumanError extends Error {
  constructor(
    message: string,
    readonly stepId: string,
    readonly flag: string,
  ) {
    super(message);
    this.name = 'NeedsHumanError';
  }
}

export interface StepContext {
  /** The incident this step belongs to (stable across resumes: good for idempotency keys). */
  incidentId: string;
  /**
   * Where this run keeps its own files (the state directory the flags name, --state-dir or
   * $ONCALL_STATE_DIR): a step that must keep something across runs (a key) keeps it under here.
   */
  stateRoot?: string;
  stepId: string;
  attempt: number;
  signal: AbortSignal;
  clock: Clock;
  ports: Ports;
  /** A process the step started, leading its own group: journaled, so a resume can wait for it. */
  spawned?(proc: { pid: number; pgid: number }): void;
  /** Streamed output: each call is one chunk (usually a line) written to the journal and the screen. */
  log(text: string, stream?: 'stdout' | 'stderr' | 'log'): void;
  /** Registers a value that must never be shown or written; returns it unchanged. */
  secret(value: string, label?: string): string;
  /** Runs another step kind as part of this one (wait uses it for its probe). */
  runKind(kind: string, params: unknown, ctx?: Partial<Pick<StepContext, 'signal'>>): Promise<StepResult>;
  /** Evaluates a `${{ }}` expression with the step's context plus `extra` (e.g. a probe's `result`). */
  evaluate(expr: string, extra?: Record<string, unknown>): unknown;
  /** The world: processes, HTTP, cloud APIs. Live or simulated; step kinds never reach past it. */
  providers: Providers;
  /** Live or drill: the world behind the providers. */
  mode: 'live' | 'drill';
}

export interface StepResult {
  /** What expressions see as `result`; kept small and operator-shaped. */
  result: Record<string, unknown>;
  /** One line for the screen and the timeline. */
  summary?: string;
  /** A bounded copy of the raw response, journaled for the post-mortem. */
  raw?: unknown;
  /**
   * The step did its job, and what it found is bad (a probe that got no answer): shown as a
   * problem, not a green tick. The run goes on; branches decide what it means.
   */
  problem?: string;
}

// The registry holds kinds of every parameter type side by side, so it erases P. `any`, not
// `unknown`: a kind's describe/run take its own P, and P only ever comes from that kind's own
// `params` schema (the engine parses before it calls), so the erasure is safe where `unknown`
// would not type-check.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export interface StepKind<P = any> {
  name: string;
  /** Fixed, or decided by the parameters (a shell step declares whether it writes). */
  effect: Effect | ((params: P) => Effect);
  params: z.ZodType<P>;
  /** A one-line description of what the step will do, for the journal and the screen. */
  describe(params: P): Intent;
  /** Write steps whose mistakes cannot be undone ask the operator to type the resource id. */
  destructive?: (params: P) => boolean;
  /** Top-level parameters the engine passes through untemplated (evaluated later by the step itself). */
  rawParams?: string[];
  run(params: P, ctx: StepContext): Promise<StepResult>;
}

export function effectOf(kind: StepKind, params: unknown): Effect {
  return typeof kind.effect === 'function' ? kind.effect(params) : kind.effect;
}

/** Before a step runs, a driver may hold it (the TUI waits for Enter) or skip it. */
export interface GateRequest {
  stepId: string;
  title: string;
  effect: Effect;
  intent: Intent;
  guidance?: string;
}
export type GateResponse = { action: 'run' } | { action: 'skip'; reason: string; by: string };

export interface FailureRequest {
  stepId: string;
  attempt: number;
  error: string;
}
/** After a failure: try again, stop the run, or go on without the step (the reason is journaled). */
export type FailureResponse = 'retry' | 'stop' | { action: 'skip'; reason: string; by: string };

/** Optional driver hooks; without them the engine runs straight through and stops on failure. */
export interface FlowPorts {
  beforeStep?(req: GateRequest): Promise<GateResponse>;
  onFailure?(req: FailureRequest): Promise<FailureResponse>;
  /**
   * Who and where the run acts on AWS, for runbooks that use it: checked before any write (no
   * write runs without a known account) and shown in confirmations. `error` says why STS did not
   * answer. Absent for runbooks that never touch AWS.
   */
  identity?(): Promise<{ account?: string; region?: string; error?: string }>;
}
