// Ports for runs without a person at a terminal. Answers come from flags; when one is missing
// the run stops with NeedsHumanError naming the exact flag that would answer it.
import { NeedsHumanError, type AskRequest, type ConfirmRequest, type Ports } from '../core/step.js';
import { realClock } from '../core/clock.js';

export interface HeadlessAnswers {
  /** --yes: approve confirmations of write steps (destructive ones also need their typed resource). */
  yes: boolean;
  /** --answer step=value: choices, text answers, manual steps, the typed resource of destructive steps, and `<step>.rollback=yes|no`. */
  answers: Record<string, string>;
  /** --rollback: approve every rollback the run offers. --yes alone never does: undoing is a change of its own. */
  rollback?: boolean;
  operator: string;
}

export function headlessPorts(a: HeadlessAnswers, clock = realClock): Ports {
  return {
    clock,
    // Flags are collected, not judged: the engine checks the answer (engine/policy.ts) and asks
    // again with `problem` set when it does not do, which a flag cannot change, so the run stops.
    async confirm(req: ConfirmRequest) {
      if (req.destructive) {
        // Both: --yes says changes are approved at all, the typed resource says this one.
        if (!a.yes) throw new NeedsHumanError(`step '${req.stepId}' is destructive (${req.intent.summary}); it needs --yes and its resource typed: --yes --answer ${req.stepId}=${req.resource ?? '<resource id>'}`, req.stepId, '--yes');
        const typed = a.answers[req.stepId];
        const need = req.resource ?? '<resource id>';
        if (typed === undefined || req.problem) {
          const why = req.problem ? `--answer ${req.stepId}=${typed ?? ''}: ${req.problem}` : `step '${req.stepId}' is destructive (${req.intent.summary}); confirm it by typing its resource`;
          throw new NeedsHumanError(`${why}: --answer ${req.stepId}=${need}`, req.stepId, `--answer ${req.stepId}=${need}`);
        }
        return { approved: true, by: a.operator, typed };
      }
      if (req.purpose === 'rollback') {
        // The rollback's request is for `<step>:rollback`; its flag names the step it undoes.
        const step = req.stepId.replace(/:rollback$/, '');
        const given = a.answers[`${step}.rollback`];
        if (given === 'no') return { approved: false, by: a.operator, reason: `declined with --answer ${step}.rollback=no` };
        if (given === 'yes' || a.rollback) return { approved: true, by: a.operator };
        throw new NeedsHumanError(
          `step '${step}' failed earlier changes can be rolled back (${req.intent.summary}); --yes does not approve a rollback: pass --answer ${step}.rollback=yes (or --rollback for all), or --answer ${step}.rollback=no to leave the change in place`,
          req.stepId,
          `--answer ${step}.rollback=yes`,
        );
      }
      if (!a.yes) {
        const what = 'changes something';
        throw new NeedsHumanError(`step '${req.stepId}' ${what} (${req.intent.summary}); pass --yes to approve it`, req.stepId, '--yes');
      }
      return { approved: true, by: a.operator };
    },
    async ask(req: AskRequest) {
      // Whether an uncertain change happened has its own key: `--answer stop=<id>` is the typed
      // resource of the same step, and must never answer this.
      const key = req.purpose === 'in-doubt' ? `${req.stepId}.outcome` : req.stepId;
      const given = a.answers[key];
      const options = req.options?.map((o) => o.value) ?? [];
      const example = req.type === 'choice' ? (options[0] ?? 'choice') : req.type === 'manual' ? 'done' : req.pattern ? `<text matching ${req.pattern}>` : 'text';
      if (given === undefined) {
        const choices = options.length ? ` (one of: ${options.join(', ')})` : '';
        throw new NeedsHumanError(
          `step '${req.stepId}' needs a human: ${req.question}${choices}; answer it with --answer ${key}=${example}`,
          req.stepId,
          `--answer ${key}=${example}`,
        );
      }
      if (req.problem) throw new NeedsHumanError(`--answer ${key}=${given}: ${req.problem}`, req.stepId, `--answer ${key}=${example}`);
      return { value: given, by: a.operator };
    },
  };
}
