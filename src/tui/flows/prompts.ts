// Answers to the engine's prompts. The engine waits on a promise for each request (ports.ts); the
// head of the queue is drawn, and these settle it: run or skip at a gate, retry or stop after a
// failure, approve or decline a change (typing the resource id for a destructive one), pick an
// option, type an answer, say a manual step is done. Settling drops the prompt, then resolves it.
import { answerProblem } from '../../engine/policy.js';
import { applyEdit, clamp, type Prompt, type TextEdit } from '../store.js';
import type { Shared } from './shared.js';

type Of<K extends Prompt['kind']> = Extract<Prompt, { kind: K }>;

export class PromptsFlow {
  constructor(private readonly tui: Shared) {}

  private get store() {
    return this.tui.store;
  }

  private head(): Prompt | undefined {
    return this.store.getState().prompts[0];
  }

  /** Answers the prompt: it leaves the queue, then the engine's promise resolves. */
  private settle<P extends Prompt>(prompt: P, response: Parameters<P['resolve']>[0]): void {
    const dropped = this.store.getState().dropPrompt(prompt.id);
    if (dropped) (dropped.resolve as (r: unknown) => void)(response);
  }

  // ── gate and failure ──

  run(): void {
    const head = this.head();
    if (head?.kind === 'gate') this.settle(head, { action: 'run' });
  }

  /** `a`: this read and the reads after it run on their own; a change or a decision still stops. */
  runReads(): void {
    const head = this.head();
    if (head?.kind !== 'gate') return;
    if (head.req.effect !== 'read') return this.store.getState().setMessage('a runs read steps only: this one needs you (Enter runs it)', 'warn');
    this.store.getState().setAutoReads(true);
    this.settle(head, { action: 'run' });
  }

  /** Skipping, before a step runs or after it failed, always asks why: the post-mortem will. */
  askSkipReason(): void {
    const head = this.head();
    if (head?.kind === 'gate' || head?.kind === 'failure' || (head?.kind === 'confirm' && head.declined)) this.store.getState().openOverlay('skip');
  }

  /** The skip overlay's Enter: the reason typed is journaled with the skip. */
  skipWithReason(): void {
    const s = this.store.getState();
    const head = s.prompts[0];
    const reason = s.overlayText.trim();
    if (!reason) return s.setMessage('a reason is required to skip a step (it goes in the journal)', 'warn');
    s.closeOverlay();
    if (head?.kind === 'gate' || head?.kind === 'failure') this.settle(head, { action: 'skip', reason, by: this.tui.operator });
    // A declined change, skipped on purpose: journaled as declined, with why.
    else if (head?.kind === 'confirm' && head.declined) this.settle(head, { approved: false, by: this.tui.operator, reason });
  }

  retry(): void {
    const head = this.head();
    if (head?.kind === 'failure') this.settle(head, 'retry');
  }

  stop(): void {
    const head = this.head();
    if (head?.kind === 'failure') this.settle(head, 'stop');
  }

  // ── confirmations ──

  toggleChoice(): void {
    const head = this.head();
    if (head?.kind === 'confirm') this.store.getState().updatePrompt(head.id, { choice: head.choice === 'approve' ? 'cancel' : 'approve' });
  }

  /** Enter at a confirmation: what is highlighted (Cancel unless the operator moved to Approve). */
  confirmHighlighted(): void {
    const head = this.head();
    if (head?.kind === 'confirm') return head.choice === 'approve' ? this.approve(head) : this.decline(head);
  }

  /** Enter at a destructive confirmation: approved only once the typed resource id matches exactly. */
  confirmTyped(): void {
    const head = this.head();
    if (head?.kind !== 'confirm') return;
    const want = head.expect ?? '';
    if (want !== '' && head.typed === want) return this.approve(head, true);
    this.store.getState().updatePrompt(head.id, { problem: want ? `type the resource id exactly to go ahead (or Esc to cancel)` : 'this step names no resource to type; Esc cancels' });
  }

  approveShown(): void {
    const head = this.head();
    if (head?.kind === 'confirm') this.approve(head);
  }

  declineShown(): void {
    const head = this.head();
    if (head?.kind === 'confirm') this.decline(head);
  }

  editTyped(edit: TextEdit): void {
    const head = this.head();
    if (head?.kind === 'confirm') this.store.getState().updatePrompt(head.id, { typed: applyEdit(head.typed, edit), problem: undefined });
  }

  private approve(head: Of<'confirm'>, typed = false): void {
    this.settle(head, { approved: true, by: this.tui.operator, ...(typed ? { typed: head.typed } : {}) });
  }

  /**
   * Cancel keeps the operator on the step: nothing changed, and the fix is not skipped on a key
   * press. Enter shows the confirmation again; s skips the step with a reason. A rollback's
   * confirmation is different: declining it leaves the change in place, which is its own answer.
   */
  private decline(head: Of<'confirm'>): void {
    if (head.req.purpose === 'rollback') return this.settle(head, { approved: false, by: this.tui.operator, reason: 'cancelled at the confirmation' });
    this.store.getState().updatePrompt(head.id, { declined: true, choice: 'cancel', typed: '', problem: undefined });
  }

  /** Enter after a decline: the confirmation, as it was first shown (Cancel highlighted). */
  confirmAgain(): void {
    const head = this.head();
    if (head?.kind === 'confirm' && head.declined) this.store.getState().updatePrompt(head.id, { declined: false });
  }

  // ── questions and manual steps ──

  /** Moves the highlight among a question's options (from none: the first or the last). */
  moveOption(delta: number): void {
    const head = this.head();
    if (head?.kind !== 'ask') return;
    const n = head.req.options?.length ?? 0;
    const from = head.selected < 0 ? (delta > 0 ? -1 : n) : head.selected;
    this.store.getState().updatePrompt(head.id, { selected: clamp(from + delta, 0, n - 1) });
  }

  /** 1–9 at a question with options: that option, answered at once (a digit that names none does nothing). */
  pickOption(n: number): void {
    const head = this.head();
    if (head?.kind !== 'ask' || n > (head.req.options?.length ?? 0)) return;
    this.store.getState().updatePrompt(head.id, { selected: n - 1 });
    this.choose();
  }

  /** Answers with the highlighted option; with none highlighted, Enter answers nothing. */
  choose(): void {
    const head = this.head();
    if (head?.kind !== 'ask') return;
    const option = head.selected >= 0 ? head.req.options?.[head.selected] : undefined;
    if (!option) return this.store.getState().setMessage('no option is highlighted: pick one with up/down or 1-9 first', 'warn');
    this.settle(head, { value: option.value, by: this.tui.operator });
  }

  editAnswer(edit: TextEdit): void {
    const head = this.head();
    if (head?.kind === 'ask') this.store.getState().updatePrompt(head.id, { text: applyEdit(head.text, edit), problem: undefined });
  }

  /** Sends the typed answer: required unless the question says otherwise, and matching its pattern. */
  answer(): void {
    const head = this.head();
    if (head?.kind !== 'ask') return;
    const text = head.text.trim();
    // The engine checks the answer with the same function (engine/policy.ts); checking here too
    // keeps the prompt open with the reason instead of a round trip.
    const problem = answerProblem(head.req, text);
    if (problem) return this.store.getState().updatePrompt(head.id, { problem });
    this.settle(head, { value: text, by: this.tui.operator, text });
  }

  /** A manual step was carried out. */
  done(): void {
    const head = this.head();
    if (head?.kind === 'ask') this.settle(head, { value: 'done', by: this.tui.operator });
  }
}
