// What the operator adds to the incident besides answers: notes and milestones (journaled through
// the engine), and the timeline's export for the post-mortem. Each write is kept until it lands,
// so quitting waits for it; its outcome goes to the message line.
import { join } from 'node:path';
import type { Milestone } from '../../journal/events.js';
import { errorText, type Shared } from './shared.js';

export class NotesFlow {
  constructor(private readonly tui: Shared) {}

  private get store() {
    return this.tui.store;
  }

  /** The note or milestone overlay, while an incident is open. */
  openOverlay(kind: 'note' | 'milestone'): void {
    if (this.tui.open) this.store.getState().openOverlay(kind);
  }

  /** The note overlay's Enter: the text typed goes to the journal. */
  saveNote(): void {
    const s = this.store.getState();
    const text = s.overlayText.trim();
    s.closeOverlay();
    const open = this.tui.open;
    if (!text || !open) return;
    this.track(open.engine.note(text, this.tui.operator), 'note added');
  }

  markMilestone(m: Milestone): void {
    this.store.getState().closeOverlay();
    const open = this.tui.open;
    if (open) this.track(open.engine.milestone(m, this.tui.operator), `milestone: ${m}`);
  }

  /** The timeline's export action: the post-mortem draft, from the journal, beside the operator. */
  exportTimeline(): void {
    const last = this.tui.last;
    if (!last) return;
    const { id, root } = last;
    let file = '';
    const t = import('../../export/index.js')
      .then((m) => {
        file = join(this.tui.o.cwd ?? process.cwd(), m.exportFileName(id, 'md'));
        return m.saveExport(root, id, 'md', file, { force: true });
      })
      .then(
        () => this.store.getState().setMessage(`timeline written to ${file}`),
        (err) => this.store.getState().setMessage(`could not export: ${errorText(err)}`, 'error'),
      );
    this.tui.keep(t);
  }

  private track(p: Promise<unknown>, done: string): void {
    const t = p.then(
      () => this.store.getState().setMessage(done),
      (err) => this.store.getState().setMessage(`could not journal it: ${errorText(err)}`, 'error'),
    );
    this.tui.keep(t);
  }
}
