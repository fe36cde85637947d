/**
 * What a failure proves. The engine acts on these facts, never on a guess: a write is *failed*
 * only when its change certainly did not happen (`applied: 'no'`); otherwise it is in doubt and is
 * settled by a read or a person. A `transient` failure (throttling, the network, a server error)
 * is about reaching the world, not about the world, so it never triggers a rollback.
 */
export interface FailureFacts {
  applied: 'no' | 'unknown';
  transient: boolean;
}

/** A step failed for a reason the operator should read as is (no stack trace). */
export class StepFailure extends Error implements FailureFacts {
  readonly applied: FailureFacts['applied'];
  readonly transient: boolean;

  /**
   * A step kind that throws this says what happened: by default nothing was changed and the
   * reason is a fact about the world (a refused request, a wrong state, a missing file). Pass
   * `applied: 'unknown'` when the kind cannot tell (part of a batch may have gone through).
   */
  constructor(
    message: string,
    readonly result?: Record<string, unknown>,
    facts: Partial<FailureFacts> = {},
  ) {
    super(message);
    this.name = 'StepFailure';
    this.applied = facts.applied ?? 'no';
    this.transient = facts.transient ?? false;
  }
}

/** Node's codes for a connection that was never made: nothing left this machine. */
const NOT_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
/** Node's codes for a connection that broke or stalled: a request may have been delivered. */
const BROKEN = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED', 'UND_ERR_SOCKET', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/**
 * The facts of any error a step kind threw. Errors that state them (StepFailure, AwsStepError, a
 * plugin's own) are taken at their word. A bare network error is transient, and a change behind
 * it unknown unless the connection was never made. Anything else (a bug, a library's surprise) is
 * unknown too: only a failure that says so counts as definite.
 */
export function failureFacts(err: unknown): FailureFacts {
  if (err !== null && typeof err === 'object') {
    const e = err as { applied?: unknown; transient?: unknown };
    if (e.applied === 'no' || e.applied === 'unknown') return { applied: e.applied, transient: e.transient === true };
    for (let cur: unknown = err, depth = 0; cur !== null && typeof cur === 'object' && depth < 5; cur = (cur as { cause?: unknown }).cause, depth++) {
      const code = (cur as { code?: unknown }).code;
      if (typeof code !== 'string') continue;
      if (NOT_CONNECTED.has(code)) return { applied: 'no', transient: true };
      if (BROKEN.has(code)) return { applied: 'unknown', transient: true };
    }
  }
  return { applied: 'unknown', transient: false };
}
