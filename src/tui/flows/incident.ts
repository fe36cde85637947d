// Opening and resuming an incident, and running its engine: the one place the TUI reaches the
// engine's incident lifecycle. Opening loads the chosen runbook and the form's inputs into a new
// journal; resuming streams the journal into the store, asks again for secret inputs, and
// reattaches the engine where the journal stopped. Either way the runner takes over (attach) and
// the engine runs until it finishes, fails or is aborted.
// Both go through engine/session.ts: the store listens from the first record, and a resume reads
// the journal once, folding it into the store as it streams in, under the incident's lock.
import { join } from 'node:path';
import type { RunResult } from '../../engine/engine.js';
import type { IncidentSession, LoadedIncident } from '../../engine/session.js';
import type { Runbook } from '../../runbook/schema.js';
import { parseDuration } from '../../runbook/duration.js';
import { keyOf } from '../keys.js';
import { tuiPorts } from '../ports.js';
import { afterQuit, type FormState, type RunbookView } from '../store.js';
import { inputsForm, pick } from './forms.js';
import { errorText, type Shared } from './shared.js';

/** What the incident flow hands back to the others. */
export interface IncidentHooks {
  /** A resume that cannot go on returns to the start screen, whose list may have changed. */
  refreshIncidents(): Promise<void>;
  /** The engine stopped with this result; true when another flow takes it from there (a drill is scored). */
  ended(result: RunResult): boolean;
}

export class IncidentFlow {
  /** The engine's run, while it runs. */
  private loop: Promise<void> | undefined;
  /** An incident read back and locked, waiting for its secret inputs before it resumes. */
  private loaded: LoadedIncident | undefined;

  constructor(
    private readonly tui: Shared,
    private readonly hooks: IncidentHooks,
  ) {}

  private get store() {
    return this.tui.store;
  }

  /** Opens a new incident on the chosen runbook with the form's inputs. */
  async openNew(form: FormState): Promise<void> {
    const { o } = this.tui;
    const s = this.store.getState();
    const item = s.chosen;
    if (!item) return;
    s.setScreen({ kind: 'busy', message: `Opening an incident for ${item.id}...` });
    try {
      const [{ openSession, InputError }, { loadRunbook, RunbookError, formatIssue }, { Redactor }, { newIncidentId }, registry] = await Promise.all([
        import('../../engine/session.js'),
        import('../../runbook/load.js'),
        import('../../journal/redact.js'),
        import('../../journal/ids.js'),
        this.tui.registry(),
      ]);
      let loaded;
      try {
        loaded = await loadRunbook(item.file, registry);
      } catch (err) {
        const text = err instanceof RunbookError ? err.issues.map(formatIssue).join('\n') : errorText(err);
        this.store.getState().setScreen({ kind: 'picker' });
        this.store.getState().setMessage(text, 'error');
        return;
      }
      const redactor = new Redactor();
      const d = this.store.getState().draft;
      let open: IncidentSession;
      // The store listens from the first record: the id is chosen here so it can.
      const id = newIncidentId();
      this.store.getState().beginIncident(id, runbookView(loaded.runbook));
      try {
        open = await openSession({
          id,
          onRecord: (ev) => this.store.getState().ingest(ev),
          root: o.stateDir,
          loaded,
          registry,
          ports: tuiPorts(this.store, { clock: this.tui.clock, redactor }),
          inputs: pick(form.values),
          title: d.title.trim() || undefined,
          severity: d.severity,
          service: d.service.trim() || undefined,
          mode: o.mode ?? 'live',
          readOnly: o.readOnly ?? false,
          operator: this.tui.operator,
          redactor,
          providers: await this.tui.providers(),
          ...(o.journalNow ? { now: o.journalNow } : {}),
        });
      } catch (err) {
        const st = this.store.getState();
        st.endIncident();
        if (err instanceof InputError) {
          const problems = Object.fromEntries(err.problems.map((p) => [p.input, p.message]));
          const focus = Math.max(0, form.fields.findIndex((f) => problems[f.name]));
          st.setForm({ ...form, problems, focus, error: err.message });
          st.setScreen({ kind: 'inputs' });
          return;
        }
        st.setForm(form);
        st.setScreen({ kind: 'inputs' });
        st.setFormError(errorText(err));
        return;
      }
      this.attach(open);
    } catch (err) {
      this.store.getState().setScreen({ kind: 'start' });
      this.store.getState().setMessage(errorText(err), 'error');
    }
  }

  /**
   * Resumes an incident: its journal is read once, folded into the store as it streams in, under
   * the incident's lock; the runner takes over once the secret inputs (if any) are given again.
   */
  async resume(id: string): Promise<void> {
    const { o } = this.tui;
    const s = this.store.getState();
    s.setScreen({ kind: 'busy', message: `Resuming ${id}...` });
    await this.drop();
    try {
      const [{ loadSession }, { Redactor }, registry] = await Promise.all([import('../../engine/session.js'), import('../../journal/redact.js'), this.tui.registry()]);
      s.beginIncident(id, { id: '', title: '', version: '', steps: [] });
      const redactor = new Redactor();
      const loaded = await loadSession({
        root: o.stateDir,
        id,
        registry,
        ports: tuiPorts(this.store, { clock: this.tui.clock, redactor }),
        operator: this.tui.operator,
        redactor,
        providers: await this.tui.providers(),
        onRecord: (ev, replayed) => (replayed ? this.store.getState().bulk(ev) : this.store.getState().ingest(ev)),
      });
      const st0 = this.store.getState();
      st0.bulkEnd();
      st0.setRunbook(runbookView(loaded.runbook));
      if (this.tui.quitting) return void loaded.close().catch(() => undefined);
      this.loaded = loaded;
      if (loaded.secretInputs.length) {
        const { checkInput } = await import('../../engine/inputs.js');
        const specs = Object.fromEntries(loaded.secretInputs.map((k) => [k, loaded.runbook.inputs[k]!]));
        // An empty secret that has a default uses it, as `oncall resume` does (secrets are never pre-filled).
        const form = inputsForm('resume-secrets', `Secret inputs for ${id}`, specs, checkInput);
        form.subtitle = 'The journal never holds secrets: give them again to resume.';
        const st = this.store.getState();
        st.setForm(form);
        st.setScreen({ kind: 'inputs' });
        return;
      }
      await this.resumeWith({});
    } catch (err) {
      this.failResume(err);
    }
  }

  /** Continues the incident read back by resume(), with the secret inputs given again. */
  async resumeWith(secrets: Record<string, string>): Promise<void> {
    const loaded = this.loaded;
    if (!loaded) return;
    const { InputError } = await import('../../engine/session.js');
    let open: IncidentSession;
    try {
      open = await loaded.start(secrets);
    } catch (err) {
      if (err instanceof InputError && loaded.secretInputs.length) {
        const st = this.store.getState();
        st.setScreen({ kind: 'inputs' });
        st.setFormError(err.message);
        return;
      }
      this.loaded = undefined;
      await loaded.close().catch(() => undefined);
      return this.failResume(err);
    }
    this.loaded = undefined;
    this.attach(open);
  }

  /** Lets go of an incident read back but not resumed (the secrets form was left): its lock too. */
  drop(): Promise<void> {
    const loaded = this.loaded;
    this.loaded = undefined;
    // Kept, so a resume that follows at once (Esc, then Enter on the same incident) waits for the
    // lock to be let go instead of finding it still held by this very process.
    if (loaded) this.closing = loaded.close().catch(() => undefined);
    return this.closing;
  }

  /** The close of an incident let go by drop(), while it is under way. */
  private closing: Promise<void> = Promise.resolve();

  private failResume(err: unknown): void {
    void this.drop();
    const st = this.store.getState();
    st.setForm(undefined);
    st.endIncident();
    st.setScreen({ kind: 'start' });
    st.setMessage(errorText(err), 'error');
    void this.hooks.refreshIncidents();
  }

  /** Shows the runner for an open incident (the store already holds its records) and starts its engine. */
  attach(open: IncidentSession): void {
    if (this.tui.quitting) {
      // The operator quit while the incident was opening: let go of its journal (and lock) at once.
      void open.close().catch(() => undefined);
      return;
    }
    this.tui.open = open;
    // The journal's root (live or drills) is two levels above the incident's directory.
    this.tui.last = { id: open.id, root: join(open.journal.dir, '..', '..') };
    const s = this.store.getState();
    s.setForm(undefined);
    s.setScreen({ kind: 'runner' });
    // Markdown rendering is loaded in the background; have it ready by the time guidance is drawn.
    void import('../markdown.js').then((m) => m.preload()).catch(() => undefined);
    this.runEngine();
  }

  /** Runs the engine from where the journal is, until it finishes, fails or is aborted. */
  runEngine(): void {
    const open = this.tui.open;
    const s = this.store.getState();
    if (!open || s.running || this.tui.quitting) return;
    s.setRunning(true);
    s.setMessage(undefined);
    this.loop = open.engine.run().then(
      (result: RunResult) => {
        const st = this.store.getState();
        st.setRunning(false, result);
        // Another flow may take it from here: a drill ends (and is scored) when its runbook does.
        if (this.hooks.ended(result)) return;
        if (result.outcome === 'aborted') st.setMessage(`${result.failedStep ?? 'the step'} was aborted; ${keyOf('paused', 'rerun')} continues from it, ${keyOf('paused', 'quit')} quits (${afterQuit(st)})`, 'warn');
        else if (result.outcome === 'blocked') st.setMessage(`blocked at ${result.failedStep ?? '?'}: ${result.error ?? ''}; once that is fixed, ${keyOf('stopped', 'reopen')} reopens it`, 'error');
        else if (result.outcome === 'completed') st.setMessage(`runbook completed; ${keyOf('runner', 'milestone')} marks a milestone, ${keyOf('runner', 'timeline')} shows the timeline, ${keyOf('runner', 'quit')} quits`);
        else st.setMessage(`runbook failed at ${result.failedStep ?? '?'}: ${result.error ?? ''}; once the cause is fixed, ${keyOf('stopped', 'reopen')} reopens it`, 'error');
      },
      (err: unknown) => {
        const st = this.store.getState();
        st.setRunning(false, { outcome: 'failed', error: errorText(err) });
        st.setMessage(`${errorText(err)}; the journal is intact: Enter tries again, q quits`, 'error');
      },
    );
  }

  /** The reopen panel: what was fixed, before a failed or blocked run goes on. */
  askReopen(): void {
    const open = this.tui.open;
    const outcome = open?.engine.state.outcome;
    if (open && (outcome === 'failed' || outcome === 'blocked') && !this.store.getState().running) this.store.getState().openOverlay('reopen');
  }

  /**
   * Reopens the failed or blocked run at the step it stopped at (journaled as incident.reopened,
   * with who and why) and runs the engine again: the step is a new attempt, through its gate.
   */
  async reopen(): Promise<void> {
    const s = this.store.getState();
    const reason = s.overlayText.trim();
    const open = this.tui.open;
    if (!open) return s.closeOverlay();
    if (!reason) return s.setMessage('say what was fixed: it goes in the journal with your name', 'warn');
    s.closeOverlay();
    try {
      await open.engine.reopen(reason, this.tui.operator);
    } catch (err) {
      return this.store.getState().setMessage(errorText(err), 'error');
    }
    this.store.getState().setMessage(`reopened: ${reason}`);
    this.runEngine();
  }

  /** Aborts the running step (journaled), with a question it asked, and waits a little for the engine to settle. */
  async stopEngine(open: IncidentSession): Promise<void> {
    if (!open.engine.abortCurrent()) return;
    const s = this.store.getState();
    const head = s.prompts[0];
    if (head?.kind === 'ask') {
      s.dropPrompt(head.id);
      head.reject(new Error('aborted by the operator'));
    }
    await Promise.race([this.loop, new Promise((r) => setTimeout(r, 5000).unref?.())]);
  }
}

/** The runbook as the runner lists it: steps, guidance, expected durations. */
export function runbookView(rb: Runbook): RunbookView {
  return {
    id: rb.id,
    title: rb.title,
    version: rb.version,
    steps: rb.steps.map((st) => ({
      id: st.id,
      title: st.title,
      kind: st.kind,
      ...(st.guidance ? { guidance: st.guidance } : {}),
      ...(st.expected_duration ? { expectedMs: parseDuration(st.expected_duration) } : {}),
    })),
  };
}
