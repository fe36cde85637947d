// Leaving: q (twice while a step runs, so a stray q never aborts a change in flight), Ctrl+C (the
// first aborts the running step, the second quits), and quitting itself: a running step is aborted
// (journaled), a drill is scored, pending journal writes land, the journal closes, and the store
// asks the launcher to unmount. An open incident stays resumable.
import { keyOf } from '../keys.js';
import { afterQuit, currentStep, stepRunning } from '../store.js';
import type { DrillFlow } from './drill.js';
import type { IncidentFlow } from './incident.js';
import type { Shared } from './shared.js';

export class QuitFlow {
  constructor(
    private readonly tui: Shared,
    private readonly incident: IncidentFlow,
    private readonly drill: DrillFlow,
    /** Stops the controller's timers. */
    private readonly stopTimers: () => void,
  ) {}

  private get store() {
    return this.tui.store;
  }

  /** q: quits at once, unless a step is running and this is the first press. */
  requestQuit(): void {
    const s = this.store.getState();
    // A stray q must not abort a change in flight: while a step runs, quitting takes a second q.
    if (stepRunning(s) && s.armed !== 'quit') {
      const step = currentStep(s.incident) ?? 'a step';
      return s.arm('quit', `${step} is running: ${keyOf('runner', 'quit')} again aborts it and quits (${afterQuit(s)}); any other key carries on`);
    }
    void this.quit();
  }

  /** Ctrl+C: abort the running step; when nothing runs (or pressed again), quit. */
  interrupt(): void {
    const s = this.store.getState();
    if (s.armed === 'interrupt') {
      void this.quit();
      return;
    }
    const after = afterQuit(s);
    const step = currentStep(s.incident);
    const open = this.tui.open;
    if (open && open.engine.abortCurrent()) {
      // A question asked from inside the step (a decision) is part of what is aborted.
      const head = s.prompts[0];
      if (head?.kind === 'ask' && head.req.stepId === step) {
        s.dropPrompt(head.id);
        head.reject(new Error('aborted by the operator'));
      }
      s.arm('interrupt', `aborting ${step ?? 'the running step'}… (Ctrl+C again quits; ${after})`);
      return;
    }
    s.arm('interrupt', `press Ctrl+C again to quit (${after}), or q`);
  }

  /** Quits: a running step is aborted (journaled), pending journal writes land, the journal closes. */
  async quit(): Promise<void> {
    if (this.tui.quitting) return;
    this.tui.quitting = true;
    let message: string | undefined;
    const open = this.tui.open;
    if (this.drill.playing) {
      // Leaving a drill ends it: its simulated world cannot be rebuilt later, so it is scored as it stands.
      message = await this.drill.finish(true);
    } else if (open) {
      await this.incident.stopEngine(open);
      await this.tui.writesLanded();
      await open.close().catch(() => undefined);
      const outcome = open.engine.state.outcome;
      message = outcome
        ? `incident ${open.id}: runbook ${outcome}.`
        : `incident ${open.id} stays open; resume it with 'oncall' (or 'oncall resume ${open.id}').`;
    } else message = this.drill.summary;
    // An incident read back and waiting for its secrets: let go of its lock before leaving.
    await this.incident.drop();
    this.stopTimers();
    this.store.getState().flush();
    this.store.getState().requestExit(0, message);
  }
}
