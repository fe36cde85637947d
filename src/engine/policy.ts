// What a step needs before it may run, and whether an answer answers a question: decided here, as
// values, by pure functions. Drivers (the TUI, headless flags, tests) only collect what a decision
// asks for; the engine checks what they bring back with the same functions, so a driver that
// checks less (or differently) cannot let a wrong answer through.
import { patternRegExp } from '../runbook/pattern.js';
import type { AskRequest, Effect } from '../core/step.js';

/** Why a step may not run here. */
export type RefusalReason = 'read-only' | 'account-not-allowed' | 'identity-unknown';

export type StepDecision =
  /** Runs without asking anyone (reads, and human steps, which ask their own questions). */
  | { kind: 'allow' }
  /** A person approves it first. */
  | { kind: 'approve' }
  /** A person approves it by typing the resource it acts on: its mistakes cannot be undone. */
  | { kind: 'type-resource'; resource: string }
  /** It may not run at all; `message` says why, for the journal and the screen. */
  | { kind: 'refuse'; reason: RefusalReason; message: string };

export interface StepFacts {
  effect: Effect;
  /** The runbook asks for a confirmation even though the step does not write. */
  confirm: boolean;
  /** The runbook or the step kind marks it destructive. */
  destructive: boolean;
  /** The resource a destructive step names (confirm.resource, else the intent's first resource). */
  resource?: string;
  readOnly: boolean;
  /** The runbook's allowed_accounts: writes run only there. */
  allowedAccounts?: string[];
  /** The AWS account in force, when it is known. */
  account?: string;
  /**
   * Set for runbooks that act on AWS: who we are must be known before anything changes. `error`
   * is why STS did not say (expired SSO session, no credentials, no region…).
   */
  aws?: { error?: string };
}

/** How to make STS answer, for the refusal's message. */
const FIX_IDENTITY =
  'check --profile and --region (or AWS_PROFILE, AWS_REGION); for an SSO profile, `aws sso login --profile <name>`; then resume the incident';

/** What a step needs before it may run. */
export function decideStep(f: StepFacts): StepDecision {
  if (f.effect === 'write') {
    if (f.readOnly) return { kind: 'refuse', reason: 'read-only', message: 'read-only mode: this step would change something' };
    if (f.aws && !f.account) {
      const why = f.aws.error ? `STS did not answer: ${f.aws.error}` : 'STS named no account';
      return { kind: 'refuse', reason: 'identity-unknown', message: `no change is made without knowing which AWS account it lands in (${why}); ${FIX_IDENTITY}` };
    }
    const allowed = f.allowedAccounts ?? [];
    if (allowed.length) {
      if (!f.account) return { kind: 'refuse', reason: 'identity-unknown', message: `this runbook only changes accounts ${allowed.join(', ')}, and the current AWS account could not be determined` };
      if (!allowed.includes(f.account)) return { kind: 'refuse', reason: 'account-not-allowed', message: `AWS account ${f.account} is not one this runbook may change (allowed: ${allowed.join(', ')})` };
    }
  } else if (!f.confirm) {
    return { kind: 'allow' };
  }
  // A destructive step with no resource to type still needs a person: approval, not a guess.
  if (f.destructive && f.resource) return { kind: 'type-resource', resource: f.resource };
  return { kind: 'approve' };
}

/** Whether what was typed at a destructive confirmation is the resource: exactly, as shown. */
export function typedMatches(decision: StepDecision, typed: string | undefined): boolean {
  return decision.kind !== 'type-resource' || typed === decision.resource;
}

/**
 * What is wrong with an answer to a question, in words for the person who gave it; undefined when
 * it answers it. A pattern must match the whole answer (as input patterns do): `INC-[0-9]+` takes
 * `INC-1234`, not `see INC-1234 maybe`.
 */
export function answerProblem(req: Pick<AskRequest, 'type' | 'options' | 'pattern' | 'required'>, value: string): string | undefined {
  switch (req.type) {
    case 'choice': {
      const options = req.options?.map((o) => o.value) ?? [];
      return options.includes(value) ? undefined : `'${value}' is not one of: ${options.join(', ')}`;
    }
    case 'manual':
      return value === 'done' ? undefined : `a manual step is answered with 'done', not '${value}'`;
    case 'text': {
      const text = value.trim();
      if (text === '') return req.required === false ? undefined : 'an answer is required';
      if (req.pattern === undefined) return undefined;
      let re: RegExp;
      try {
        re = patternRegExp(req.pattern);
      } catch {
        // `oncall validate` reports the runbook's broken pattern; the operator is not held hostage by it.
        return undefined;
      }
      return re.test(text) ? undefined : `'${text}' does not match ${req.pattern}`;
    }
  }
}
