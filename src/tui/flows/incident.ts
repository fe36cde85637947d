// Opening and resuming an incident, and running its engine: the one place the TUI reaches the
// engine's incident lifecycle. Opening loads the chosen runbook and the form's inputs into a new
// journal; resuming streams the journal into the store, asks again for secret inputs, and
// reattaches the engine where the journal stopped. Either way the runner takes over (attach) and
// the engine runs until it finishes, fails or is aborted.
//
// Kept as one unit on purpose: engine/session.ts is to replace openIncident/resumeIncident (their
// preambles, and resume's second read of the journal), and this file is where that lands.
import { join } from 'node:path';
import type { RunResult } from '../../engine/engine.js';
import type { OpenIncident } from '../../engine/incident.js';
import type { AnyEvent } from '../../journal/events.js';
import type { JournalRecord } from '../../journal/record.js';
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
  /** The incident being resumed, while its secret inputs are asked for. */
  private pendingResume: string | undefined;

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
      const [{ openIncident, InputError }, { loadRunbook, RunbookError, formatIssue }, { Redactor }, registry] = await Promise.all([
        import('../../engine/incident.js'),
        import('../../runbook/load.js'),
        import('../../journal/redact.js'),
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
      let open: OpenIncident;
      try {
        open = await openIncident({
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
          ...(await this.tui.providers()),
          ...(o.journalNow ? { now: o.journalNow } : {}),
        });
      } catch (err) {
        const st = this.store.getState();
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
      this.attach(open, loaded.runbook, open.preamble);
    } catch (err) {
      this.store.getState().setScreen({ kind: 'start' });
      this.store.getState().setMessage(errorText(err), 'error');
    }
  }

  /** Resumes an incident from its journal; an incident with secret inputs asks for them first. */
  async resume(id: string, secrets?: Record<string, string>): Promise<void> {
    const { o } = this.tui;
    const s = this.store.getState();
    s.setScreen({ kind: 'busy', message: `Resuming ${id}...` });
    this.pendingResume = id;
    try {
      const [{ resumeIncident, InputError }, { parseRunbook }, { readJournalStream, journalPath }, { Redactor }, { reclaim }, registry] = await Promise.all([
        import('../../engine/incident.js'),
        import('../../runbook/load.js'),
        import('../../journal/reader.js'),
        import('../../journal/redact.js'),
        import('../memory.js'),
        this.tui.registry(),
      ]);
      // The store folds the journal as it streams in (a long incident is never held in memory
      // twice); what resuming appends follows.
      s.beginIncident(id, { id: '', title: '', version: '', steps: [] });
      const st0 = this.store.getState();
      for await (const record of readJournalStream(journalPath(o.stateDir, id))) {
        if (!isEvent(record)) throw new Error(`incident ${id}: journal record ${record.seq} (${record.type}) has no payload`);
        st0.bulk(record);
      }
      st0.bulkEnd();
      const before = this.store.getState().incident!;
      if (!before.runbook) throw new Error(`incident ${id} has no runbook attached; nothing to resume`);
      const parsed = parseRunbook(before.runbook.source, before.runbook.file, registry);
      if (!parsed.ok) throw new Error(`the runbook journaled with incident ${id} no longer validates: ${parsed.issues[0]?.message ?? 'unknown problem'}`);
      const runbook = parsed.value.runbook;
      this.store.getState().setRunbook(runbookView(runbook));
      if (before.runbook.secretInputs.length && !secrets) {
        const { checkInput } = await import('../../engine/inputs.js');
        const specs = Object.fromEntries(before.runbook.secretInputs.filter((k) => runbook.inputs[k]).map((k) => [k, runbook.inputs[k]!]));
        // An empty secret that has a default uses it, as `oncall resume` does (secrets are never pre-filled).
        const form = inputsForm('resume-secrets', `Secret inputs for ${id}`, specs, checkInput);
        form.subtitle = 'The journal never holds secrets: give them again to resume.';
        const st = this.store.getState();
        st.setForm(form);
        st.setScreen({ kind: 'inputs' });
        return;
      }
      const redactor = new Redactor();
      let open: OpenIncident;
      try {
        open = await resumeIncident({
          root: o.stateDir,
          id,
          registry,
          ports: tuiPorts(this.store, { clock: this.tui.clock, redactor }),
          inputs: secrets ?? {},
          operator: this.tui.operator,
          redactor,
          ...(await this.tui.providers()),
        });
      } catch (err) {
        if (err instanceof InputError && secrets) {
          const st = this.store.getState();
          st.setScreen({ kind: 'inputs' });
          st.setFormError(err.message);
          return;
        }
        throw err;
      }
      // Reading a long journal (twice: here and in the engine) leaves a grown, now mostly empty
      // heap behind; one collection before the runner draws lets it shrink.
      reclaim();
      this.attach(open, runbook, open.preamble, false);
    } catch (err) {
      const st = this.store.getState();
      st.setForm(undefined);
      st.endIncident();
      st.setScreen({ kind: 'start' });
      st.setMessage(errorText(err), 'error');
      void this.hooks.refreshIncidents();
    }
  }

  /** Resumes the incident being resumed, with the secret inputs given again. */
  async resumeWith(secrets: Record<string, string>): Promise<void> {
    const id = this.pendingResume;
    if (id) return this.resume(id, secrets);
  }

  /** Shows the runner for an open incident and starts its engine; `fresh` when the store has not folded its journal yet. */
  attach(open: OpenIncident, runbook: Runbook, records: Iterable<AnyEvent>, fresh = true): void {
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
    if (fresh) s.beginIncident(open.id, runbookView(runbook));
    s.ingestAll(records);
    open.engine.on((ev) => this.store.getState().ingest(ev));
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
        else if (result.outcome === 'completed') st.setMessage(`runbook completed; ${keyOf('runner', 'milestone')} marks a milestone, ${keyOf('runner', 'timeline')} shows the timeline, ${keyOf('runner', 'quit')} quits`);
        else st.setMessage(`runbook failed at ${result.failedStep ?? '?'}: ${result.error ?? ''}`, 'error');
      },
      (err: unknown) => {
        const st = this.store.getState();
        st.setRunning(false, { outcome: 'failed', error: errorText(err) });
        st.setMessage(`${errorText(err)}; the journal is intact: Enter tries again, q quits`, 'error');
      },
    );
  }

  /** Aborts the running step (journaled), with a question it asked, and waits a little for the engine to settle. */
  async stopEngine(open: OpenIncident): Promise<void> {
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

/**
 * A journal record as the event the engine wrote. The reader checks that a line is a record (seq,
 * type); the store's fold reads each payload by its type, so a record without an object payload is
 * refused here instead of being folded. (engine/session.ts is to hand back events the reader has typed.)
 */
function isEvent(record: JournalRecord): record is JournalRecord & AnyEvent {
  return typeof record.payload === 'object' && record.payload !== null;
}

/** The runbook as the runner lists it: steps, guidance, expected durations. */
function runbookView(rb: Runbook): RunbookView {
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
