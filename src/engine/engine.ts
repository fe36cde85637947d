// The step state machine. It templates and validates parameters, evaluates conditions,
// runs steps with timeouts, retries and aborts, asserts and captures, branches, rolls back,
// and waits for humans through ports. Every fact goes to the journal first; it knows nothing of Ink.
import { readdirSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type { Redactor } from '../journal/redact.js';
import type { JournalRecord } from '../journal/record.js';
import { evalExpr, template } from '../runbook/expr.js';
import { parseDuration } from '../runbook/duration.js';
import type { Runbook, StepSpec } from '../runbook/schema.js';
import { failureFacts, StepFailure } from '../core/failure.js';
import { boundJson, boundLine } from '../core/bounded.js';
import type { Providers } from '../providers/types.js';
import type { KindRegistry } from '../core/registry.js';
import { asAnyEvent, type AnyEvent, type DrillScore, type EventPayloads, type EventType, type Outcome } from '../journal/events.js';
import { answerProblem, decideStep, typedMatches, type StepDecision } from './policy.js';
import { applyEvent, type IncidentState, type StepState } from './state.js';
import {
  effectOf,
  NeedsHumanError,
  type AskRequest,
  type AskResponse,
  type ConfirmRequest,
  type ConfirmResponse,
  type Effect,
  type FlowPorts,
  type Intent,
  type Ports,
  type StepContext,
  type StepKind,
  type StepResult,
} from '../core/step.js';

export interface Journal {
  /** `urgent`: the engine waits on this record before going on; streamed output is not. */
  append<T extends EventType>(type: T, payload: EventPayloads[T], opts?: { urgent?: boolean }): Promise<JournalRecord<T>>;
}

export interface EngineOptions {
  runbook: Runbook;
  registry: KindRegistry;
  journal: Journal;
  redactor: Redactor;
  ports: Ports & FlowPorts;
  /** The incident so far, folded from its journal (the engine keeps it current). */
  state: IncidentState;
  /** Resolved inputs with their real values (secret ones are registered with the redactor). */
  inputs: Record<string, unknown>;
  operator: string;
  /** The world the steps act on: live, or a drill's simulation. */
  providers: Providers;
  /** The state directory the incident lives under, for steps that keep files of their own. */
  stateRoot?: string;
}

export interface RunResult {
  outcome: Outcome;
  failedStep?: string;
  error?: string;
}

/** The operator stopped a running step (Ctrl+C). The incident stays open and resumable. */
export class AbortedError extends Error {
  constructor(readonly stepId: string) {
    super(`step '${stepId}' was aborted by the operator`);
    this.name = 'AbortedError';
  }
}

class StepTimeout extends Error {
  constructor(readonly limit: string) {
    super(`timed out after ${limit}`);
    this.name = 'StepTimeout';
  }
}

type Listener = (event: AnyEvent) => void;
type StepEnd = { kind: 'next'; next: string | null } | { kind: 'failed'; error: string } | { kind: 'blocked'; error: string };

const END = 'end';
/** A step's result (and raw responses) as journaled: redacted, then cut to this many characters. */
const RESULT_LIMIT = 16_384;
/** One streamed output line as journaled: redacted, then its middle cut beyond this many characters. */
const OUTPUT_LINE_LIMIT = 16_384;

export class Engine {
  private readonly listeners = new Set<Listener>();
  private readonly steps: Map<string, StepSpec>;
  private readonly vars: Record<string, unknown>;
  private current: AbortController | undefined;
  private pendingOutput: Promise<unknown> = Promise.resolve();

  constructor(private readonly o: EngineOptions) {
    this.steps = new Map(o.runbook.steps.map((s) => [s.id, s]));
    // Real values of this run's captures; the journal (and so the fold) holds redacted ones.
    this.vars = { ...o.state.vars };
  }

  get state(): IncidentState {
    return this.o.state;
  }

  /** Every record, after it is durable, in journal order. */
  on(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Ctrl+C: stops the running step. Its AbortSignal reaches the process or the SDK call. */
  abortCurrent(): boolean {
    if (!this.current) return false;
    this.current.abort(new Error('aborted by the operator'));
    return true;
  }

  async note(text: string, by = this.o.operator): Promise<void> {
    await this.emit('note.added', { text, by });
  }

  async milestone(milestone: EventPayloads['milestone.marked']['milestone'], by = this.o.operator, at?: Date): Promise<void> {
    await this.emit('milestone.marked', { milestone, by, ...(at ? { at: at.toISOString() } : {}) });
  }

  /**
   * Opens a failed or blocked incident again, at the step it stopped at, once a person has fixed
   * the cause (restored credentials, waited out a throttle): journaled with who and why, and the
   * step then runs again as a new attempt. Refused when a rollback already undid changes (going on
   * from there would build on what is no longer there) or when nothing stopped the run.
   */
  async reopen(reason: string, by = this.o.operator): Promise<void> {
    const state = this.o.state;
    if (state.outcome !== 'failed' && state.outcome !== 'blocked') throw new Error(`incident ${state.id} is ${state.outcome ?? 'open'}: only a failed or blocked incident is reopened`);
    if (!reason.trim()) throw new Error('say why the incident is reopened (what was fixed): it goes in the journal');
    const undone = Object.values(state.steps).some((s) => s.id.endsWith(':rollback') && s.phase === 'ok');
    if (undone) throw new Error(`incident ${state.id} rolled changes back when it failed; going on from there would build on changes that are gone: open a new incident`);
    await this.emit('incident.reopened', { by, reason: reason.trim(), step: state.stoppedAt ?? null, outcome: state.outcome });
  }

  /** A drill's score, journaled like any record so every listener (the TUI) sees it. */
  async recordScore(score: DrillScore): Promise<void> {
    await this.emit('drill.scored', score);
  }

  /**
   * Runs from where the journal says the incident is. A fresh incident starts at the first step;
   * a resumed one first settles any write left in doubt, then carries on.
   */
  async run(): Promise<RunResult> {
    const state = this.o.state;
    if (state.outcome) return { outcome: state.outcome };
    let cursor: string | null = state.next === undefined ? this.o.runbook.steps[0]!.id : state.next;
    try {
      if (cursor) {
        const resumed = await this.settleCurrent(cursor);
        if (resumed) {
          if (resumed.kind === 'failed') return await this.fail(cursor, resumed.error);
          if (resumed.kind === 'blocked') return await this.block(cursor, resumed.error);
          cursor = resumed.next;
        }
      }
      while (cursor) {
        const spec = this.steps.get(cursor);
        if (!spec) return await this.fail(cursor, `the runbook has no step '${cursor}'`);
        const end = await this.runStep(spec);
        if (end.kind === 'failed') return await this.fail(spec.id, end.error);
        if (end.kind === 'blocked') return await this.block(spec.id, end.error);
        cursor = end.next;
      }
      await this.finish('completed', this.summary('completed'));
      return { outcome: 'completed' };
    } catch (err) {
      if (err instanceof AbortedError) return { outcome: 'aborted', failedStep: err.stepId, error: err.message };
      throw err;
    } finally {
      await this.pendingOutput.catch(() => undefined);
    }
  }

  // ── resume ────────────────────────────────────────────────────────────────────────────────

  /**
   * The step under the cursor may have been interrupted. A read is simply run again; a write
   * that started without a recorded end is in doubt and is never repeated blindly: its `verify`
   * read decides, or a human does. Returns undefined when the step should just run normally.
   */
  private async settleCurrent(id: string): Promise<StepEnd | undefined> {
    const st = this.o.state.steps[id];
    const spec = this.steps.get(id);
    if (!st || !spec) return undefined;
    await this.waitForOrphan(id);
    // A failure whose change may have happened is settled below, not repeated or given up on.
    if ((st.phase === 'failed' || st.phase === 'timeout') && !st.retryPending && !st.inDoubt) {
      return { kind: 'failed', error: st.error ?? `step '${id}' failed` };
    }
    if (!st.inDoubt) return undefined;
    const settled = await this.settle(spec, `oncall stopped before it finished (${st.intent?.summary ?? spec.kind})`, 'after an interruption');
    // Shown not to have happened, or a person said to run it again: running it now is not a repeat.
    return settled.kind === 'settled' ? settled.end : undefined;
  }

  /**
   * Settles a write whose outcome is unknown (oncall was killed mid-step, or the call broke after
   * it was sent): the step's `verify` read decides; without one, or when that read fails too, a
   * person does. Nothing is repeated on a guess.
   */
  private async settle(spec: StepSpec, why: string, after: string): Promise<{ kind: 'settled'; end: StepEnd } | { kind: 'not-done'; detail: string } | { kind: 'rerun' }> {
    const id = spec.id;
    const st = this.o.state.steps[id]!;
    let verifyError: string | undefined;
    if (spec.verify) {
      await this.emit('step.in_doubt', { step: id, attempt: st.attempts, resolution: 'verify' });
      try {
        const done = await this.verifyDone(spec);
        if (done.done) {
          const next = this.nextAfter(spec, done.result);
          await this.emit('step.finished', {
            step: id,
            attempt: st.attempts,
            status: 'ok',
            duration_ms: 0,
            result: done.result,
            summary: `already done (verified: ${spec.verify.done.trim()})`,
            reconciled: 'verified',
            next,
          });
          return { kind: 'settled', end: { kind: 'next', next } };
        }
        return { kind: 'not-done', detail: `its verify read shows the change did not happen (${spec.verify.done.trim()} is false)` };
      } catch (err) {
        if (err instanceof AbortedError || err instanceof NeedsHumanError) throw err;
        // A read that fails settles nothing: a person decides.
        verifyError = message(err);
      }
    }
    await this.emit('step.in_doubt', { step: id, attempt: st.attempts, resolution: 'ask' });
    // An answer from an earlier attempt (a re-run that was itself interrupted) says nothing about this one.
    if (this.o.state.answers[id]?.attempt !== st.attempts) delete this.o.state.answers[id];
    const answer = await this.ask({
      stepId: id,
      type: 'choice',
      purpose: 'in-doubt',
      question: `Step '${spec.title}' started a change but ${why}${verifyError ? `, and its verify read failed too (${verifyError})` : ''}. Did the change happen?`,
      options: [
        { value: 'done', label: 'It happened: mark the step done' },
        { value: 'rerun', label: 'It did not happen: run the step again' },
        { value: 'skip', label: 'Skip the step' },
      ],
    });
    if (answer.value === 'done') {
      await this.emit('step.finished', {
        step: id,
        attempt: st.attempts,
        status: 'ok',
        duration_ms: 0,
        summary: `marked done by ${answer.by} ${after}`,
        reconciled: 'human',
        next: this.nextAfter(spec, {}),
      });
      return { kind: 'settled', end: { kind: 'next', next: this.nextAfter(spec, {}) } };
    }
    if (answer.value === 'skip') {
      const next = this.following(spec);
      await this.emit('step.skipped', { step: id, reason: `skipped by ${answer.by} ${after}`, by: answer.by, effect: 'write', next });
      return { kind: 'settled', end: { kind: 'next', next } };
    }
    // "Run it again": the answer is spent; the step's own questions must not receive it.
    delete this.o.state.answers[id];
    return { kind: 'rerun' };
  }

  /**
   * A process the interrupted run started may still be running (oncall was killed, its child was
   * not): settling the step now would read a world it is still changing, and running it again
   * would do the change twice. Wait for the group to finish, saying so every few seconds; after
   * the step's own timeout (counted from now) stop it as that timeout would have. Ctrl+C stops
   * waiting (the step stays in doubt).
   */
  private async waitForOrphan(id: string): Promise<void> {
    const proc = this.o.state.steps[id]?.process;
    const st = this.o.state.steps[id];
    if (!proc || !st || (st.phase !== 'running' && st.phase !== 'aborted' && !st.inDoubt) || proc.host !== hostname() || !groupAlive(proc.pgid)) return;
    const spec = this.steps.get(id);
    const limit = spec?.timeout ? parseDuration(spec.timeout) : undefined;
    const controller = new AbortController();
    this.current = controller;
    const started = Date.now();
    let said = -Infinity;
    try {
      while (groupAlive(proc.pgid)) {
        const waited = Date.now() - started;
        if (limit !== undefined && waited >= limit) {
          await this.note(`step '${id}': the interrupted run's process group ${proc.pgid} outlived the step's timeout (${spec!.timeout}); stopping it`, 'oncall');
          killGroup(proc.pgid, 'SIGTERM');
          await sleepFor(3000, controller.signal).catch(() => undefined);
          killGroup(proc.pgid, 'SIGKILL');
          break;
        }
        if (waited - said >= 5000) {
          said = waited;
          const left = limit !== undefined ? `; it is stopped in ${Math.ceil((limit - waited) / 1000)} s (the step's timeout)` : '; Ctrl+C stops waiting';
          await this.emit('step.output', {
            step: id,
            attempt: st.attempts,
            stream: 'log',
            text: `waiting for process ${proc.pid} (group ${proc.pgid}), started by the interrupted run, to finish before settling the step: ${Math.round(waited / 1000)} s${left}`,
          });
        }
        await sleepFor(250, controller.signal);
      }
    } catch (err) {
      if (controller.signal.aborted) throw new AbortedError(id);
      throw err;
    } finally {
      this.current = undefined;
    }
  }

  private async verifyDone(spec: StepSpec): Promise<{ done: boolean; result: Record<string, unknown> }> {
    const v = spec.verify!;
    const controller = new AbortController();
    this.current = controller;
    try {
      const out = await this.runNested(v.kind, template(v.with ?? {}, this.exprContext()), spec.id, 0, controller.signal, 'read');
      const done = truthy(evalExpr(v.done, this.exprContext(out.result)), 'verify.done');
      return { done, result: out.result };
    } finally {
      this.current = undefined;
    }
  }

  // ── one step ──────────────────────────────────────────────────────────────────────────────

  private async runStep(spec: StepSpec): Promise<StepEnd> {
    let run = true;
    const when = spec.when;
    if (when) {
      try {
        run = truthy(evalExpr(when, this.exprContext()), 'when');
      } catch (err) {
        return this.failBeforeStart(spec, `when ${when.trim()}: ${message(err)}`);
      }
    }
    if (!run) {
      const next = this.following(spec);
      await this.emit('step.skipped', { step: spec.id, reason: `condition not met: ${when!.trim()}`, by: 'rule', next });
      return { kind: 'next', next };
    }

    const kind = this.o.registry.get(spec.kind);
    if (!kind) return this.failBeforeStart(spec, `unknown step kind '${spec.kind}'`);
    let params: unknown;
    try {
      params = this.params(kind, spec.with ?? {});
    } catch (err) {
      return this.failBeforeStart(spec, message(err));
    }
    const effect: Effect = effectOf(kind, params);
    const intent = kind.describe(params as never);

    if (this.o.ports.beforeStep) {
      const gate = await this.o.ports.beforeStep({ stepId: spec.id, title: spec.title, effect, intent, guidance: spec.guidance });
      if (gate.action === 'skip') {
        const next = this.following(spec);
        await this.emit('step.skipped', { step: spec.id, reason: gate.reason, by: gate.by, intent, effect, next });
        return { kind: 'next', next };
      }
    }

    // Who and where matter to what changes things (allowed accounts, the confirmation's header).
    const identity = effect === 'write' || spec.confirm ? await this.o.ports.identity?.() : undefined;
    const decision = decideStep({
        effect,
        confirm: Boolean(spec.confirm),
        destructive: spec.confirm?.destructive ?? kind.destructive?.(params as never) ?? false,
        resource: spec.confirm?.resource !== undefined ? String(template(spec.confirm.resource, this.exprContext())) : intent.resources?.[0],
        readOnly: this.o.state.readOnly,
        allowedAccounts: this.o.runbook.allowed_accounts,
        account: identity?.account,
        ...(identity ? { aws: { ...(identity.error ? { error: identity.error } : {}) } } : {}),
      });
    if (decision.kind === 'refuse') {
      const next = this.following(spec);
      await this.emit('step.skipped', { step: spec.id, reason: decision.message, by: 'oncall', intent, effect, next });
      // Read-only is what the operator asked for: the run goes on without the change. Any other
      // refusal means the fix cannot be made here: the run stops, blocked, and says why.
      if (decision.reason === 'read-only') return { kind: 'next', next };
      return { kind: 'blocked', error: decision.message };
    }
    if (decision.kind !== 'allow') {
      const answer = await this.confirm(
        { stepId: spec.id, title: spec.title, intent, message: this.text(spec.confirm?.message), account: identity?.account, region: identity?.region, purpose: 'action' },
        decision,
      );
      if (!answer.approved) {
        const next = this.following(spec);
        await this.emit('step.skipped', { step: spec.id, reason: `declined by ${answer.by}${answer.reason ? `: ${answer.reason}` : ''}`, by: answer.by, intent, effect, next });
        return { kind: 'next', next };
      }
    }

    const maxAttempts = spec.retry?.attempts ?? 1;
    let delay = parseDuration(spec.retry?.delay ?? '1s');
    const maxDelay = spec.retry?.max_delay ? parseDuration(spec.retry.max_delay) : Infinity;
    let attempt = this.o.state.steps[spec.id]?.attempts ?? 0;
    for (;;) {
      attempt += 1;
      const outcome = await this.attempt(spec, kind, params, effect, intent, attempt);
      if (outcome.ok) {
        return { kind: 'next', next: outcome.next };
      }
      let finished = outcome.finished;
      let error = outcome.error;
      if (finished.in_doubt) {
        // The change may have happened: never retried as if it had not. Settled now, as after a crash.
        await this.emit('step.finished', finished);
        const settled = await this.settle(spec, `its outcome is unknown: ${error}`, 'when its outcome was unknown');
        if (settled.kind === 'settled') return settled.end;
        if (settled.kind === 'rerun') continue;
        // Shown not to have happened: from here on an ordinary, definite failure.
        error = `${error}; ${settled.detail}`;
        finished = { ...finished, in_doubt: false, error, reconciled: 'verified' };
      }
      const last = attempt >= maxAttempts;
      const retryIn = last ? undefined : Math.min(delay, maxDelay);
      await this.emit('step.finished', { ...finished, ...(retryIn !== undefined ? { retry_in_ms: retryIn } : {}) });
      if (retryIn !== undefined) {
        await this.o.ports.clock.sleep(retryIn);
        delay *= spec.retry?.backoff ?? 2;
        continue;
      }
      const choice = (await this.o.ports.onFailure?.({ stepId: spec.id, attempt, error })) ?? 'stop';
      if (choice === 'retry') continue;
      if (typeof choice === 'object' && choice.action === 'skip') {
        const next = this.following(spec);
        await this.emit('step.skipped', { step: spec.id, reason: choice.reason, by: choice.by, effect, after_failure: true, next });
        return { kind: 'next', next };
      }
      return { kind: 'failed', error };
    }
  }

  private async attempt(
    spec: StepSpec,
    kind: StepKind,
    params: unknown,
    effect: Effect,
    intent: Intent,
    attempt: number,
  ): Promise<{ ok: true; next: string | null } | { ok: false; error: string; finished: EventPayloads['step.finished'] }> {
    // Write-ahead: the exact intent is durable before anything can change.
    const plugin = this.o.registry.source(spec.kind)?.plugin;
    await this.emit('step.started', {
      step: spec.id,
      title: spec.title,
      attempt,
      kind: spec.kind,
      ...(plugin ? { plugin } : {}),
      effect,
      intent,
      ...(spec.expected_duration ? { expected_ms: parseDuration(spec.expected_duration) } : {}),
      write_ahead: effect === 'write',
    });
    const controller = new AbortController();
    const stopTimer = new AbortController();
    this.current = controller;
    if (spec.timeout) {
      const limit = spec.timeout;
      this.o.ports.clock.deadline(parseDuration(limit), stopTimer.signal).then(
        () => controller.abort(new StepTimeout(limit)),
        () => undefined,
      );
    }
    const started = this.o.ports.clock.now();
    const elapsed = () => Math.max(0, Math.round(this.o.ports.clock.now() - started));
    try {
      const out = await kind.run(params as never, this.context(spec.id, attempt, controller.signal));
      const result = out.result;
      const captures: Record<string, unknown> = {};
      for (const [name, expr] of Object.entries(spec.capture ?? {})) {
        try {
          captures[name] = evalExpr(expr, this.exprContext(result));
        } catch (err) {
          throw new StepFailure(`capture '${name}' (${expr.trim()}): ${message(err)}`, result);
        }
      }
      const assertions = (spec.assert ?? []).map((a) => {
        const that = typeof a === 'string' ? a : a.that;
        const msg = typeof a === 'string' ? undefined : a.message;
        let ok: boolean;
        try {
          ok = truthy(evalExpr(that, this.exprContext(result)), 'assert');
        } catch (err) {
          return { that, ok: false, message: `${msg ? `${msg}: ` : ''}${message(err)}` };
        }
        return { that, ok, ...(msg ? { message: msg } : {}) };
      });
      const failedAssertion = assertions.find((a) => !a.ok);
      if (failedAssertion) {
        const error = `assertion failed: ${failedAssertion.message ?? failedAssertion.that.trim()}`;
        return {
          ok: false,
          error,
          finished: { step: spec.id, attempt, status: 'failed', duration_ms: elapsed(), result: this.bound(result), summary: out.summary, captures, assertions, error },
        };
      }
      Object.assign(this.vars, captures);
      const next = this.nextAfter(spec, result);
      await this.emit('step.finished', {
        step: spec.id,
        attempt,
        status: 'ok',
        duration_ms: elapsed(),
        result: this.bound(result),
        ...(out.raw !== undefined ? { raw: boundJson(out.raw, RESULT_LIMIT, this.o.redactor) } : {}),
        summary: out.summary,
        ...(out.problem ? { problem: out.problem } : {}),
        captures,
        assertions,
        next,
      });
      return { ok: true, next };
    } catch (err) {
      const reason = controller.signal.aborted ? controller.signal.reason : err;
      if (reason instanceof StepTimeout) {
        const error = `step '${spec.id}' ${reason.message}`;
        return {
          ok: false,
          error,
          finished: { step: spec.id, attempt, status: 'timeout', duration_ms: elapsed(), error, ...(effect === 'write' ? { in_doubt: true } : {}) },
        };
      }
      if (controller.signal.aborted) {
        await this.emit('step.finished', {
          step: spec.id,
          attempt,
          status: 'aborted',
          duration_ms: elapsed(),
          error: 'aborted by the operator',
          ...(effect === 'write' ? { in_doubt: true } : {}),
        });
        throw new AbortedError(spec.id);
      }
      if (err instanceof NeedsHumanError) throw err;
      const error = message(err);
      const result = err instanceof StepFailure ? err.result : undefined;
      // Failed only when it definitely did not happen; a failure that proves nothing about the
      // world (throttling, the network, a surprise) is inconclusive and never triggers a rollback.
      const facts = failureFacts(err);
      const inDoubt = effect === 'write' && facts.applied !== 'no';
      const inconclusive = inDoubt || facts.transient || facts.applied !== 'no';
      return {
        ok: false,
        error,
        finished: {
          step: spec.id,
          attempt,
          status: 'failed',
          duration_ms: elapsed(),
          ...(result ? { result: this.bound(result) } : {}),
          error,
          ...(inDoubt ? { in_doubt: true } : {}),
          ...(inconclusive ? { inconclusive: true } : {}),
        },
      };
    } finally {
      stopTimer.abort();
      this.current = undefined;
    }
  }

  private async failBeforeStart(spec: StepSpec, error: string): Promise<StepEnd> {
    const attempt = (this.o.state.steps[spec.id]?.attempts ?? 0) + 1;
    await this.emit('step.finished', { step: spec.id, attempt, status: 'failed', duration_ms: 0, error });
    return { kind: 'failed', error };
  }

  // ── failure and rollback ──────────────────────────────────────────────────────────────────

  private async fail(stepId: string, error: string): Promise<RunResult> {
    // Undoing is offered only when the failure is definite: a step that timed out, was aborted or
    // left a write in doubt may have done what it was meant to, and nothing acts on a guess. Each
    // rollback is a change of its own, with its own confirmation (policy, engine.confirm).
    const failed = this.o.state.steps[stepId];
    const definite = failed?.phase === 'failed' && !failed.inDoubt && !failed.inconclusive;
    const undo = definite
      ? this.o.runbook.steps.filter((s) => s.rollback?.kind && this.o.state.steps[s.id]?.phase === 'ok' && this.o.state.steps[s.id]?.effect === 'write').reverse()
      : [];
    if (undo.length) {
      await this.emit('rollback.started', { failed_step: stepId, steps: undo.map((s) => s.id) });
      for (const spec of undo) await this.rollback(spec);
    }
    // Hand-undo notes only for changes still in place: a step whose rollback ran is already undone.
    const undone = (id: string) => this.o.state.steps[`${id}:rollback`]?.phase === 'ok';
    const notes = this.o.runbook.steps
      .filter((s) => s.rollback?.note && this.o.state.steps[s.id]?.phase === 'ok' && !undone(s.id))
      .map((s) => `${s.id}: ${this.text(s.rollback!.note)!.trim()}`);
    const summary = [`step '${stepId}' failed: ${error}`, ...(notes.length ? ['to undo by hand:', ...notes] : [])].join('\n');
    await this.finish('failed', summary, stepId, error);
    return { outcome: 'failed', failedStep: stepId, error };
  }

  /** A change the runbook needs was refused by policy: nothing is undone (nothing failed), the run ends blocked. */
  private async block(stepId: string, error: string): Promise<RunResult> {
    await this.finish('blocked', `step '${stepId}' was not run: ${error}`, stepId, error);
    return { outcome: 'blocked', failedStep: stepId, error };
  }

  private async rollback(spec: StepSpec): Promise<void> {
    const rb = spec.rollback!;
    const id = `${spec.id}:rollback`;
    const kind = this.o.registry.get(rb.kind!);
    if (!kind) return;
    let params: unknown;
    try {
      params = this.params(kind, rb.with ?? {});
    } catch (err) {
      await this.emit('step.finished', { step: id, attempt: 1, status: 'failed', duration_ms: 0, error: message(err) });
      return;
    }
    const intent = kind.describe(params as never);
    const identity = await this.o.ports.identity?.();
    const decision = decideStep({
      effect: 'write',
      confirm: true,
      destructive: false,
      readOnly: this.o.state.readOnly,
      allowedAccounts: this.o.runbook.allowed_accounts,
      account: identity?.account,
      ...(identity ? { aws: { ...(identity.error ? { error: identity.error } : {}) } } : {}),
    });
    if (decision.kind === 'refuse' || decision.kind === 'allow') {
      if (decision.kind === 'refuse') await this.emit('step.skipped', { step: id, reason: decision.message, by: 'oncall', intent, next: null });
      return;
    }
    const answer = await this.confirm(
      { stepId: id, title: `Undo: ${spec.title}`, intent, message: this.text(rb.note), account: identity?.account, region: identity?.region, purpose: 'rollback' },
      decision,
    );
    if (!answer.approved) {
      await this.emit('step.skipped', { step: id, reason: `rollback declined by ${answer.by}`, by: answer.by, intent, next: null });
      return;
    }
    const out = await this.attempt({ ...spec, id, kind: rb.kind!, capture: undefined, assert: undefined, branches: undefined, next: END, timeout: spec.timeout }, kind, params, 'write', intent, 1);
    if (!out.ok) await this.emit('step.finished', out.finished);
  }

  private async finish(outcome: Outcome, summary: string, failedStep?: string, error?: string): Promise<void> {
    await this.emit('run.finished', { outcome, summary, ...(failedStep ? { failed_step: failedStep } : {}), ...(error ? { error } : {}) });
  }

  private summary(outcome: Outcome): string {
    const steps = Object.values(this.o.state.steps);
    const count = (p: StepState['phase']) => steps.filter((s) => s.phase === p).length;
    return `${this.o.runbook.id} ${outcome}: ${count('ok')} steps ok, ${count('skipped')} skipped`;
  }

  // ── plumbing ──────────────────────────────────────────────────────────────────────────────

  /**
   * A result as journaled: redacted first, then bounded, so no secret is cut in two on its way to
   * the journal (the writer redacts again; a placeholder is never rewritten).
   */
  private bound(result: Record<string, unknown>): Record<string, unknown> {
    return boundJson(result, RESULT_LIMIT, this.o.redactor) as Record<string, unknown>;
  }

  /** Text for people (confirmation messages, rollback notes), with its ${{ }} filled in. */
  private text(value: string | undefined): string | undefined {
    if (value === undefined) return undefined;
    try {
      const t = template(value, this.exprContext());
      return typeof t === 'string' ? t : JSON.stringify(t);
    } catch {
      return value; // a note is still worth showing as written
    }
  }

  private params(kind: StepKind, raw: Record<string, unknown>): unknown {
    const keep = new Set(kind.rawParams ?? []);
    const ctx = this.exprContext();
    const templated = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, keep.has(k) ? v : template(v, ctx)]));
    const parsed = kind.params.safeParse(templated);
    if (!parsed.success) {
      const detail = parsed.error.issues.map((i) => `${i.path.join('.') || '(parameters)'}: ${i.message}`).join('; ');
      throw new StepFailure(`invalid parameters for ${kind.name}: ${detail}`);
    }
    return parsed.data;
  }

  private context(stepId: string, attempt: number, signal: AbortSignal): StepContext {
    return {
      incidentId: this.o.state.id,
      ...(this.o.stateRoot ? { stateRoot: this.o.stateRoot } : {}),
      stepId,
      attempt,
      signal,
      clock: this.o.ports.clock,
      ports: { ...this.o.ports, ask: (req) => this.ask(req) },
      mode: this.o.state.mode,
      providers: this.o.providers,
      spawned: ({ pid, pgid }) => {
        this.pendingOutput = this.emit('step.spawned', { step: stepId, attempt, pid, pgid, host: hostname() }).catch(() => undefined);
      },
      log: (text, stream = 'stdout') => {
        // Redacted before it is cut (a secret cut in two would no longer be recognised).
        this.pendingOutput = this.emit('step.output', { step: stepId, attempt, stream, text: boundLine(text, OUTPUT_LINE_LIMIT, this.o.redactor) }).catch(() => undefined);
      },
      secret: (value, label) => {
        this.o.redactor.add(value, label);
        return value;
      },
      evaluate: (expr, extra) => evalExpr(expr, { ...this.exprContext(), ...extra }),
      runKind: (name, params, opts) => this.runNested(name, params, stepId, attempt, opts?.signal ?? signal, 'read').then((r) => r),
    };
  }

  /** A kind run inside another step (a wait's probe, a verify read): reads only, no journal step of its own. */
  private async runNested(name: string, raw: unknown, stepId: string, attempt: number, signal: AbortSignal, need: 'read'): Promise<StepResult> {
    const kind = this.o.registry.get(name);
    if (!kind) throw new StepFailure(`unknown step kind '${name}'`);
    const parsed = kind.params.safeParse(raw);
    if (!parsed.success) throw new StepFailure(`invalid parameters for ${name}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    if (effectOf(kind, parsed.data) !== need) throw new StepFailure(`${name} changes things and cannot be used as a probe; declare effect: read if it does not`);
    return kind.run(parsed.data, this.context(stepId, attempt, signal));
  }

  /**
   * Asks a person to approve what policy decided needs approving, and journals the answer. What a
   * driver brings back is checked here: a typed resource that is not the resource is asked again
   * (a headless run stops there, naming the flag).
   */
  private async confirm(base: Omit<ConfirmRequest, 'destructive' | 'resource'>, decision: Exclude<StepDecision, { kind: 'allow' | 'refuse' }>): Promise<ConfirmResponse> {
    const req: ConfirmRequest = { ...base, destructive: decision.kind === 'type-resource', ...(decision.kind === 'type-resource' ? { resource: decision.resource } : {}) };
    let answer = await this.o.ports.confirm(req);
    while (answer.approved && !typedMatches(decision, answer.typed)) {
      answer = await this.o.ports.confirm({ ...req, problem: `'${answer.typed ?? ''}' is not ${req.resource}: type the resource exactly as shown` });
    }
    const typed = decision.kind === 'type-resource' && answer.approved;
    await this.emit('confirm.given', { step: req.stepId, approved: answer.approved, by: answer.by, ...(typed ? { typed } : {}), reason: answer.reason, purpose: req.purpose });
    return answer;
  }

  /**
   * Asks a human, unless the journal already holds the answer to this very question. The answer is
   * checked (policy.answerProblem) before it is journaled; a wrong one is asked again, with why.
   */
  private async ask(req: AskRequest): Promise<AskResponse> {
    const known = this.o.state.answers[req.stepId];
    if (known) return { value: known.value, text: known.text, by: known.by };
    let answer = await this.o.ports.ask(req);
    for (let problem = answerProblem(req, answer.value); problem; problem = answerProblem(req, answer.value)) {
      answer = await this.o.ports.ask({ ...req, problem });
    }
    const attempt = this.o.state.steps[req.stepId]?.attempts ?? 0;
    await this.emit('decision.made', {
      step: req.stepId,
      attempt,
      question: req.question,
      value: answer.value,
      ...(answer.text ? { text: answer.text } : {}),
      by: answer.by,
      type: req.type,
    });
    return answer;
  }

  private exprContext(result?: Record<string, unknown>): Record<string, unknown> {
    const steps: Record<string, unknown> = {};
    for (const [id, s] of Object.entries(this.o.state.steps)) {
      steps[id] = { status: s.phase, result: s.result ?? {}, captures: s.captures ?? {} };
    }
    for (const spec of this.o.runbook.steps) steps[spec.id] ??= { status: 'pending', result: {}, captures: {} };
    return {
      inputs: this.o.inputs,
      vars: this.vars,
      steps,
      incident: { id: this.o.state.id, mode: this.o.state.mode },
      ...(result ? { result } : {}),
    };
  }

  /** Where to go after a step that succeeded: the first matching branch, else `next`, else the following step. */
  private nextAfter(spec: StepSpec, result: Record<string, unknown>): string | null {
    for (const b of spec.branches ?? []) {
      const match = b.when ? truthy(evalExpr(b.when, this.exprContext(result)), 'branch') : b.choice !== undefined ? result.choice === b.choice : true;
      if (match) return b.next === END ? null : b.next;
    }
    return this.following(spec);
  }

  /** `next` if the step names one, else the step after it in the file. */
  private following(spec: StepSpec): string | null {
    if (spec.next) return spec.next === END ? null : spec.next;
    const list = this.o.runbook.steps;
    const i = list.findIndex((s) => s.id === spec.id);
    return list[i + 1]?.id ?? null;
  }

  private async emit<T extends EventType>(type: T, payload: EventPayloads[T]): Promise<void> {
    const record = asAnyEvent(await this.o.journal.append(type, payload, { urgent: type !== 'step.output' }));
    applyEvent(this.o.state, record);
    for (const l of this.listeners) l(record);
  }
}

/**
 * Whether any process of a group still runs (EPERM: it does, someone else's). A zombie does not
 * count: where PID 1 does not reap orphans (some containers) a finished group would otherwise look
 * alive for ever. On Linux, /proc says which members are zombies.
 */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return true; // no /proc: the signal's answer stands
  }
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    // pid (comm) state ppid pgrp …: comm may hold spaces and parentheses, so read after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) === pgid && fields[0] !== 'Z') return true;
  }
  return false;
}

function killGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // gone already
  }
}

/** Wall-clock waiting: the orphan is a real process, whatever clock the run keeps. */
function sleepFor(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Conditions must be booleans: a string or number that looks true is a runbook bug, said plainly. */
function truthy(v: unknown, where: string): boolean {
  if (typeof v !== 'boolean') throw new StepFailure(`the ${where} expression must give true or false, not ${JSON.stringify(v)}`);
  return v;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
