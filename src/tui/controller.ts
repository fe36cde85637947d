// The TUI's behaviour, outside React, as a thin container: it owns the state the flows share
// (flows/shared.ts), builds the flows (opening and resuming incidents, drills, forms, pickers,
// prompts, notes, quitting), and turns keys into their calls through one table: for each key
// context, the handler of each command the key table (keys.ts) binds there. Components only draw
// the store and hand keys here. Everything heavy (the engine, zod, CEL, YAML, fzf, markdown) is
// imported on first use inside the flows, so the first frame appears as fast as Ink can draw it.
import { DrillFlow } from './flows/drill.js';
import { FormsFlow } from './flows/forms.js';
import { HeaderFlow } from './flows/header.js';
import { IncidentFlow } from './flows/incident.js';
import { NotesFlow } from './flows/notes.js';
import { PickersFlow } from './flows/pickers.js';
import { PromptsFlow } from './flows/prompts.js';
import { QuitFlow } from './flows/quit.js';
import { Shared } from './flows/shared.js';
import { isTextContext, keyName, keyPresses, lookup, type Command, type KeyContext, type KeyLike, type TextContext } from './keys.js';
import type { TuiOptions } from './options.js';
import { activeContexts, resumableIncidents, type TextEdit, type TuiStore } from './store.js';

export type { TuiOptions } from './options.js';

/** Commands that answer the engine's prompt: never taken from a key pressed just before the prompt appeared. */
const ANSWERING: ReadonlySet<Command> = new Set<Command>(['run-step', 'run-reads', 'retry-step', 'stop-run', 'submit', 'approve', 'decline', 'choose', 'answer', 'done']);

export type KeyHandler = () => void;
/** What each command does, by the context the key table binds it in (keys.ts). */
export type KeyHandlers = Record<KeyContext, Partial<Record<Command, KeyHandler>>>;
/** What a key typed into each text field does to it. */
export type TextHandlers = { readonly [C in TextContext]: (edit: TextEdit) => void };

export class TuiController {
  /** The key dispatch table: every binding of keys.ts has its handler here (test/tui/keys.test.ts checks both ways). */
  readonly keys: KeyHandlers;
  private readonly edits: TextHandlers;
  private readonly tui: Shared;
  private readonly header: HeaderFlow;
  private readonly pickers: PickersFlow;
  private readonly incident: IncidentFlow;
  private readonly drill: DrillFlow;
  private readonly forms: FormsFlow;
  private readonly prompts: PromptsFlow;
  private readonly notes: NotesFlow;
  private readonly leaving: QuitFlow;
  private timers: ReturnType<typeof setInterval>[] = [];

  constructor(readonly o: TuiOptions) {
    const tui = (this.tui = new Shared(o));
    this.header = new HeaderFlow(tui);
    const pickers = (this.pickers = new PickersFlow(tui));
    const incident = (this.incident = new IncidentFlow(tui, {
      refreshIncidents: () => pickers.refreshIncidents(),
      ended: (result) => this.drill.ended(result),
    }));
    this.drill = new DrillFlow(tui, incident, pickers);
    this.forms = new FormsFlow(tui, {
      loadRunbooks: () => pickers.loadRunbooks(),
      open: (form) => incident.openNew(form),
      resume: (secrets) => incident.resumeWith(secrets),
      dropResume: () => incident.drop(),
      refreshIncidents: () => pickers.refreshIncidents(),
    });
    this.prompts = new PromptsFlow(tui);
    this.notes = new NotesFlow(tui);
    this.leaving = new QuitFlow(tui, incident, this.drill, () => this.stop());
    this.keys = this.keyHandlers();
    this.edits = this.textHandlers();
  }

  get store(): TuiStore {
    return this.tui.store;
  }

  /** After the first frame: everything that may take a while happens here, in the background. */
  start(): void {
    const tick = this.o.tickMs ?? 1000;
    if (tick > 0) {
      const t = setInterval(() => this.store.getState().tick(this.tui.clock.now()), tick);
      t.unref?.();
      this.timers.push(t);
    }
    if (this.o.mode === 'drill') {
      this.store.getState().setKube({ pending: false });
      if (this.o.scenario) void this.drill.playDrill(this.o.scenario);
      else void this.drill.openDrills();
      return;
    }
    void this.header.resolve();
    if (this.o.incident) void this.incident.resume(this.o.incident);
    else void this.pickers.refreshIncidents();
  }

  /** Stops timers. The journal is closed by quit(). */
  stop(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
  }

  /** Quits: a running step is aborted (journaled), pending journal writes land, the journal closes. */
  quit(): Promise<void> {
    return this.leaving.quit();
  }

  /** Every key press of the app arrives here (one input hook at the root). */
  onKey(input: string, key: KeyLike): void {
    for (const press of keyPresses(input, key)) this.press(press.input, press.key);
  }

  /**
   * A paste is text for the focused field and nothing else: its newlines and tabs never submit,
   * run a step or answer a prompt. Fields are one line, so line breaks become spaces; with no
   * field focused the paste is dropped, and the message line says so.
   */
  onPaste(text: string): void {
    const s = this.store.getState();
    if (s.exit) return;
    const ctx = activeContexts(s)[0];
    if (!isTextContext(ctx)) return s.setMessage('paste ignored: no text field is focused (n opens a note)', 'warn');
    // eslint-disable-next-line no-control-regex
    const flat = text.replace(/\r\n|[\r\n\t]/g, ' ').replace(/[\u0000-\u001f\u007f]/g, '');
    if (flat) this.edits[ctx]({ insert: flat });
  }

  private press(input: string, key: KeyLike): void {
    const s = this.store.getState();
    if (s.exit) return;
    const contexts = activeContexts(s);
    const hit = lookup(contexts, keyName(input, key));
    if (s.armed && hit?.command !== s.armed) s.arm(undefined);
    const ctx = contexts[0];
    const answers = (hit && ANSWERING.has(hit.command)) || (ctx === 'choice' && /^[1-9]$/.test(input));
    if (answers && this.justOpened()) return;
    if (hit) return this.keys[hit.context][hit.command]?.();
    if (ctx === 'choice' && /^[1-9]$/.test(input)) return this.prompts.pickOption(Number(input));
    if (!isTextContext(ctx)) return;
    let edit: TextEdit | undefined;
    if (key.backspace || key.delete) edit = { backspace: true };
    else if (input && !key.ctrl && !key.meta && !key.escape && !key.return && !key.tab) edit = { insert: input };
    if (edit) this.edits[ctx](edit);
  }

  /** The prompt on screen opened a moment ago: a key in flight was meant for what came before it. */
  private justOpened(): boolean {
    const head = this.store.getState().prompts[0];
    return head !== undefined && Date.now() - head.openedAt < (this.o.promptGuardMs ?? 400);
  }

  private textHandlers(): TextHandlers {
    const st = () => this.store.getState();
    return {
      form: (edit) => st().editField(edit),
      picker: (edit) => this.pickers.editFilter(edit),
      drills: (edit) => this.pickers.editFilter(edit),
      note: (edit) => st().editOverlayText(edit),
      skip: (edit) => st().editOverlayText(edit),
      reopen: (edit) => st().editOverlayText(edit),
      'confirm-typed': (edit) => this.prompts.editTyped(edit),
      'text-answer': (edit) => this.prompts.editAnswer(edit),
    };
  }

  private keyHandlers(): KeyHandlers {
    const { pickers, incident, drill, forms, prompts, notes, leaving } = this;
    const st = () => this.store.getState();
    const clear = (ctx: TextContext) => () => this.edits[ctx]({ clear: true });
    /** A page: of output in the runner's pane, of an overlay's lines (timeline, help). */
    const outputPage = () => Math.max(3, st().paneRows - 1);
    const overlayPage = () => Math.max(3, st().size.rows - 6);
    const help = () => st().openOverlay('help');
    const timeline = () => st().openOverlay('timeline');
    const close = () => st().closeOverlay();
    const quit = () => leaving.requestQuit();

    /** What every runner context offers: notes and milestones, the timeline, the output pane, help, quit. */
    const runner = {
      note: () => notes.openOverlay('note'),
      hint: () => void drill.hint(),
      milestone: () => notes.openOverlay('milestone'),
      timeline,
      'page-up': () => st().scrollOutput(outputPage()),
      'page-down': () => st().scrollOutput(-outputPage()),
      follow: () => st().scrollOutput('end'),
      first: () => st().viewStep(-Number.MAX_SAFE_INTEGER),
      help,
      quit,
    } satisfies Partial<Record<Command, KeyHandler>>;
    /** Looking at other steps (not at a question with options: there up and down move among them). */
    const steps = {
      'step-prev': () => st().viewStep(-1),
      'step-next': () => st().viewStep(1),
    } satisfies Partial<Record<Command, KeyHandler>>;

    return {
      global: { interrupt: () => leaving.interrupt() },
      start: {
        up: () => st().moveStart(-1),
        down: () => st().moveStart(1),
        select: () => {
          const s = st();
          if (s.startIndex === 0) return forms.newIncident();
          const chosen = resumableIncidents(s)[s.startIndex - 1];
          if (chosen) void incident.resume(chosen.id);
        },
        'new-incident': () => forms.newIncident(),
        help,
        quit,
      },
      form: {
        'next-field': () => st().focusField(1),
        'prev-field': () => st().focusField(-1),
        'cycle-next': () => st().cycleField(1),
        'cycle-prev': () => st().cycleField(-1),
        'clear-field': clear('form'),
        submit: () => void forms.submit(),
        back: () => forms.back(),
      },
      picker: {
        up: () => pickers.moveRunbook(-1),
        down: () => pickers.moveRunbook(1),
        select: () => {
          const item = st().matches[st().pickerIndex]?.item;
          if (item) void forms.chooseRunbook(item);
        },
        back: () => forms.newIncident(),
        'clear-field': clear('picker'),
      },
      drills: {
        up: () => pickers.moveScenario(-1),
        down: () => pickers.moveScenario(1),
        select: () => {
          const item = st().drillMatches[st().pickerIndex]?.item;
          if (item) void drill.playDrill(item.file);
        },
        'clear-field': clear('drills'),
        quit,
      },
      score: { select: () => void drill.openDrills(), timeline, help, quit },

      runner: { ...runner, ...steps },
      gate: { ...runner, ...steps, 'run-step': () => prompts.run(), 'run-reads': () => prompts.runReads(), 'skip-step': () => prompts.askSkipReason() },
      failure: { ...runner, ...steps, 'skip-step': () => prompts.askSkipReason(), 'retry-step': () => prompts.retry(), 'stop-run': () => prompts.stop() },
      confirm: {
        ...runner,
        ...steps,
        'toggle-choice': () => prompts.toggleChoice(),
        submit: () => prompts.confirmHighlighted(),
        approve: () => prompts.approveShown(),
        decline: () => prompts.declineShown(),
      },
      'confirm-typed': { submit: () => prompts.confirmTyped(), decline: () => prompts.declineShown(), 'clear-field': clear('confirm-typed') },
      declined: { ...runner, ...steps, 'run-step': () => prompts.confirmAgain(), 'skip-step': () => prompts.askSkipReason() },
      choice: { ...runner, up: () => prompts.moveOption(-1), down: () => prompts.moveOption(1), choose: () => prompts.choose() },
      'text-answer': { answer: () => prompts.answer(), 'clear-field': clear('text-answer') },
      manual: { ...runner, ...steps, done: () => prompts.done() },
      paused: { ...runner, ...steps, rerun: () => incident.runEngine() },
      stopped: { ...runner, ...steps, reopen: () => incident.askReopen() },

      help: {
        up: () => st().scrollHelp(-1),
        down: () => st().scrollHelp(1),
        'page-up': () => st().scrollHelp(-overlayPage()),
        'page-down': () => st().scrollHelp(overlayPage()),
        close,
      },
      // The timeline scrolls back from its newest entry: up goes further back.
      timeline: {
        up: () => st().scrollTimeline(1),
        down: () => st().scrollTimeline(-1),
        'page-up': () => st().scrollTimeline(overlayPage()),
        'page-down': () => st().scrollTimeline(-overlayPage()),
        follow: () => st().scrollTimeline('end'),
        first: () => st().scrollTimeline(Number.MAX_SAFE_INTEGER),
        export: () => notes.exportTimeline(),
        close,
        help,
      },
      note: { submit: () => notes.saveNote(), close, 'clear-field': clear('note') },
      skip: { submit: () => prompts.skipWithReason(), close, 'clear-field': clear('skip') },
      reopen: { submit: () => void incident.reopen(), close, 'clear-field': clear('reopen') },
      milestone: {
        close,
        'milestone-detected': () => notes.markMilestone('detected'),
        'milestone-mitigated': () => notes.markMilestone('mitigated'),
        'milestone-resolved': () => notes.markMilestone('resolved'),
      },
    };
  }
}
