// The engine's ports for a person at the terminal. Each request becomes a prompt in the store's
// queue; only the head is drawn; a key resolves it and the engine goes on. The engine awaits plain
// promises and never learns that Ink exists.
import type { Redactor } from '../journal/redact.js';
import { visibleDeep } from '../core/terminal-text.js';
import type { AskResponse, Clock, ConfirmResponse, FailureResponse, FlowPorts, GateResponse, Ports } from '../core/step.js';
import type { TuiStore } from './store.js';

export interface TuiPortOptions {
  clock: Clock;
  /** Scrubs secrets from requests before they are drawn (requests do not pass through the journal). */
  redactor: Redactor;
}

export function tuiPorts(store: TuiStore, o: TuiPortOptions): Ports & FlowPorts {
  // What is drawn is masked; what the answer is made of is not: an option's value, the step id and
  // the request's kind are the runbook's own words, and a secret that happens to equal one of them
  // (say `accept`) must not turn the answer into a placeholder the engine then refuses.
  // The same goes for escape sequences in what is drawn (a summary, a command line, a message that
  // quotes an input): they are made visible (core/terminal-text.ts), the answer's parts kept exact.
  const keep = ['stepId', 'type', 'purpose', 'options.*.value'];
  const r = <T>(v: T): T => visibleDeep(o.redactor.redactDeep(v, keep), keep);
  return {
    clock: o.clock,
    // No identity port: for AWS runbooks the engine looks the identity up through its providers
    // (and checks writes against it), so the TUI never answers for an account it did not verify.
    // While the operator runs the reads (`a`), a read step needs no Enter: it is journaled and drawn
    // as it runs, like any other; the first step that is not a read brings the gate back.
    beforeStep: (req) =>
      req.effect === 'read' && store.getState().autoReads
        ? Promise.resolve<GateResponse>({ action: 'run' })
        : new Promise<GateResponse>((resolve, reject) => store.getState().pushPrompt({ kind: 'gate', req: r(req), resolve, reject })),
    confirm: (req) => new Promise<ConfirmResponse>((resolve, reject) => store.getState().pushPrompt({ kind: 'confirm', req: r(req), expect: req.resource, resolve, reject })),
    ask: (req) => new Promise<AskResponse>((resolve, reject) => store.getState().pushPrompt({ kind: 'ask', req: r(req), resolve, reject })),
    onFailure: (req) => new Promise<FailureResponse>((resolve, reject) => store.getState().pushPrompt({ kind: 'failure', req: r(req), resolve, reject })),
  };
}
