// The TUI's behaviour, outside React: it loads incidents and runbooks, opens and resumes incidents,
// drives the engine, and turns keys into commands through the key table. Components only draw the
// store and hand keys here. Everything heavy (the engine, zod, CEL, YAML, fzf, markdown) is
// imported on first use, so the first frame appears as fast as Ink can draw it.
import { basename, join } from 'node:path';
import type { RunResult } from '../engine/engine.js';
import type { AnyEvent, Mode } from '../journal/events.js';
import type { OpenIncident } from '../engine/incident.js';
import type { KindRegistry } from '../core/registry.js';
import type { Clock } from '../core/step.js';
import type { DrillSession } from '../drill/session.js';
import type { ListingOptions, RunbookListing } from '../runbook/listing.js';
import type { Providers } from '../providers/types.js';
import type { InputSpec, Runbook } from '../runbook/schema.js';
import { awsFromEnv, kubeContextFromEnv, type AwsIdentity } from './context.js';
import { fuzzyFind, fuzzyIndex, type FuzzyIndex } from './fuzzy.js';
import { keyName, keyOf, resolve, TEXT_CONTEXTS, type Command, type KeyContext, type KeyLike } from './keys.js';
import { realClock } from '../core/clock.js';
import { parseDuration } from '../runbook/duration.js';
import { tuiPorts } from './ports.js';
import { issuesText, readRunbookPreview, readScenarioPreview } from './previews.js';
import {
  activeContexts,
  afterQuit,
  applyEdit,
  clamp,
  createTuiStore,
  currentStep,
  type FieldSpec,
  type FormState,
  openIncidents,
  type Prompt,
  type RunbookView,
  type ScenarioItem,
  stepRunning,
  type TextEdit,
  type TuiStore,
} from './store.js';

export interface TuiOptions {
  /** Live incidents, or drill practice: the scenario picker, simulated worlds, scores. */
  mode?: Mode;
  readOnly?: boolean;
  /** Where incidents live (ONCALL_STATE_DIR or the XDG state dir). */
  stateDir: string;
  /** --runbooks directories, searched before the default search path. */
  runbookDirs?: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  operator?: string;
  /** The engine's clock and the header's; drills and tests pass their own. */
  clock?: Clock;
  /**
   * The AWS identity for the header, looked up lazily (the first frame never waits for it). The
   * engine checks write steps against its own lookup and journals it (identity.resolved), which
   * the header also shows.
   */
  identity?: () => Promise<AwsIdentity | undefined>;
  /** The AWS profile and region in force (flags win over the environment). */
  aws?: { profile?: string; region?: string };
  /** The kube context in force (--context), else the kubeconfig's current-context. */
  kubeContextName?: string;
  kubeContext?: () => Promise<string | undefined>;
  /** The step kinds (built-ins plus plugins); defaults to the built-ins. */
  registry?: () => Promise<KindRegistry>;
  /** Plugins for the runbook listing (they add runbooks and step kinds). */
  listingPlugins?: () => Promise<ListingOptions['plugins']>;
  /** Problems plugins reported while loading (shown on the message line). */
  pluginNotes?: () => string[];
  /** The world steps act on: live unless a drill gives its simulation (made on first use). */
  providers?: Providers | (() => Promise<Providers>);
  /** Journal timestamps (a drill's simulated time); the wall clock by default. */
  journalNow?: () => number;
  /** Resume this incident at launch instead of showing the start screen. */
  incident?: string;
  /** Drill mode: where scenarios are found (--scenarios, plugins, the bundled ones). */
  scenarioDirs?: () => Promise<string[]>;
  /** Drill mode: runbook directories plugins add (scenarios name runbooks by id). */
  pluginRunbookDirs?: () => Promise<string[]>;
  /** Drill mode: play this scenario file at launch instead of showing the picker. */
  scenario?: string;
  color?: boolean;
  /** A fixed terminal size (tests); otherwise the terminal's, kept current on resize. */
  size?: { columns: number; rows: number };
  /** The terminal's size at launch, so the first frame is drawn at the right size. */
  initialSize?: { columns: number; rows: number };
  /** How often the incident clock ticks (ms); 0 stops it (tests freeze the clock). */
  tickMs?: number;
  batchMs?: number;
  outputCap?: number;
}

const SEVERITIES = ['SEV0', 'SEV1', 'SEV2', 'SEV3', 'SEV4', 'SEV5'];

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export class TuiController {
  readonly store: TuiStore;
  private readonly env: NodeJS.ProcessEnv;
  private readonly cwd: string;
  /** The engine's and the header's clock: a drill's simulated one while it plays. */
  private clock: Clock;
  private open: OpenIncident | undefined;
  private loop: Promise<void> | undefined;
  private registryP: Promise<KindRegistry> | undefined;
  private fzf: FuzzyIndex<RunbookListing> | undefined;
  private timers: ReturnType<typeof setInterval>[] = [];
  /** Journal writes the controller started (notes, milestones) that must land before closing. */
  private writes = new Set<Promise<unknown>>();
  private quitting = false;
  /** The drill being played, until it is scored. */
  private drill: DrillSession | undefined;
  private scenarioFzf: FuzzyIndex<ScenarioItem> | undefined;
  /** The last incident attached, for the timeline's export (it outlives a scored drill's journal). */
  private last: { id: string; root: string } | undefined;

  constructor(readonly o: TuiOptions) {
    this.env = o.env ?? process.env;
    this.cwd = o.cwd ?? process.cwd();
    this.clock = o.clock ?? realClock;
    // A drill's header never shows the operator's real AWS profile: its account is the simulation's.
    const aws = o.mode === 'drill' ? {} : { ...awsFromEnv(this.env), ...definedOnly(o.aws ?? {}) };
    this.store = createTuiStore({
      mode: o.mode,
      readOnly: o.readOnly,
      color: o.color,
      size: o.size ?? o.initialSize,
      now: this.clock.now(),
      batchMs: o.batchMs,
      outputCap: o.outputCap ?? 1000,
      identity: { ...aws, pending: Boolean(o.identity) },
    });
  }

  get operator(): string {
    return this.o.operator ?? this.env.ONCALL_OPERATOR ?? this.env.USER ?? this.env.LOGNAME ?? 'operator';
  }

  /** After the first frame: everything that may take a while happens here, in the background. */
  start(): void {
    const tick = this.o.tickMs ?? 1000;
    if (tick > 0) {
      const t = setInterval(() => this.store.getState().tick(this.clock.now()), tick);
      t.unref?.();
      this.timers.push(t);
    }
    if (this.o.mode === 'drill') {
      this.store.getState().setKube({ pending: false });
      if (this.o.scenario) void this.playDrill(this.o.scenario);
      else void this.openDrills();
      return;
    }
    void this.resolveContext();
    if (this.o.incident) void this.resume(this.o.incident);
    else void this.refreshIncidents();
  }

  /** Stops timers. The journal is closed by quit(). */
  stop(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
  }

  // ── background lookups ──────────────────────────────────────────────────────────────────

  private async resolveContext(): Promise<void> {
    const s = this.store.getState();
    const kube = this.o.kubeContextName ? Promise.resolve(this.o.kubeContextName) : (this.o.kubeContext ?? (() => kubeContextFromEnv(this.env)))();
    if (this.o.identity) {
      const identity = this.o.identity().catch((err) => {
        this.store.getState().setIdentity({ pending: false, error: errorText(err) });
        this.store.getState().setMessage(`aws identity: ${errorText(err)}`, 'warn');
        return undefined;
      });
      void identity.then((id) => {
        if (id) s.setIdentity({ pending: false, account: id.account, principal: id.principal, ...(id.region ? { region: id.region } : {}) });
        else this.store.getState().setIdentity({ pending: false });
      });
    }
    // The journaled context (identity.resolved) wins if it came first: it is what the engine uses.
    const context = await kube.catch(() => undefined);
    if (this.store.getState().kube.pending) s.setKube({ context, pending: false });
  }

  private async providers(): Promise<{ providers?: Providers }> {
    const p = this.o.providers;
    if (!p) return {};
    return { providers: typeof p === 'function' ? await p() : p };
  }

  private registry(): Promise<KindRegistry> {
    this.registryP ??= (this.o.registry ? this.o.registry() : import('../executors/index.js').then((m) => m.builtinRegistry())).finally(() => this.showPluginNotes());
    return this.registryP;
  }

  private showPluginNotes(): void {
    const notes = this.o.pluginNotes?.().filter(Boolean) ?? [];
    if (notes.length) this.store.getState().setMessage(notes.join(' | '), 'warn');
  }

  async refreshIncidents(): Promise<void> {
    const s = this.store.getState();
    s.setIncidents({ loading: true });
    try {
      const { listIncidents } = await import('../engine/incidents.js');
      const { incidents, unreadable } = await listIncidents(this.o.stateDir);
      this.store.getState().setIncidents({ loading: false, list: incidents, unreadable: unreadable.length, error: undefined });
    } catch (err) {
      this.store.getState().setIncidents({ loading: false, error: errorText(err) });
    }
  }

  private async loadRunbooks(): Promise<void> {
    const s = this.store.getState();
    if (!s.runbooks.loading && s.runbooks.list.length) return;
    try {
      const [{ listRunbooks }, fzf] = await Promise.all([import('../runbook/listing.js'), import('fzf')]);
      const plugins = await this.o.listingPlugins?.();
      const listing = await listRunbooks({ extra: this.o.runbookDirs, env: this.env, cwd: this.cwd, ...(plugins ? { plugins } : {}) });
      this.fzf = fuzzyIndex(fzf, listing.runbooks, (r) => `${r.id} ${r.title} ${r.tags.join(' ')} ${r.summary}`);
      this.store.getState().setRunbooks({ loading: false, list: listing.runbooks, invalid: listing.invalid.length, error: undefined });
      this.filter(this.store.getState().filter);
      this.showPluginNotes();
      // A cached listing never loads the plugins, so their problems would go unsaid: load the
      // registry now (choosing a runbook needs it anyway); it reports them when it is ready.
      if (plugins) void this.registry().catch(() => undefined);
    } catch (err) {
      this.store.getState().setRunbooks({ loading: false, error: errorText(err) });
    }
  }

  private filter(text: string): void {
    const s = this.store.getState();
    if (s.screen.kind === 'drills') {
      s.setDrillFilter(text, fuzzyFind(this.scenarioFzf, s.scenarios.list, text));
      void this.loadScenarioPreview();
      return;
    }
    s.setFilter(text, fuzzyFind(this.fzf, s.runbooks.list, text));
    void this.loadPreview();
  }

  /** The highlighted runbook's step list, read once per file. */
  private async loadPreview(): Promise<void> {
    const s = this.store.getState();
    const item = s.matches[s.pickerIndex]?.item;
    if (!item || s.previews[item.file]) return;
    s.setPreview(item.file, { loading: true });
    const preview = await readRunbookPreview(item.file).catch((err: unknown) => ({ error: errorText(err) }));
    this.store.getState().setPreview(item.file, { loading: false, ...preview });
  }

  // ── keys ────────────────────────────────────────────────────────────────────────────────

  /** Every key press of the app arrives here (one input hook at the root). */
  onKey(input: string, key: KeyLike): void {
    // Several keys in one read (fast typing, a paste, tmux send-keys) arrive as one string: control
    // characters inside it (Enter, Tab, Backspace, Ctrl+U, Ctrl+C…) are keys of their own, in order.
    if (input.length > 1 && CONTROL.test(input) && !key.ctrl && !key.meta && !key.escape) {
      // eslint-disable-next-line no-control-regex
      for (const part of input.match(/[\u0000-\u001a\u007f]|[^\u0000-\u001a\u007f]+/g) ?? []) {
        const k: KeyLike = { ...NO_KEY };
        let text = '';
        if (part === '\r' || part === '\n') k.return = true;
        else if (part === '\t') k.tab = true;
        else if (part === '\u007f' || part === '\u0008') k.backspace = true;
        else if (CONTROL.test(part)) {
          k.ctrl = true;
          text = String.fromCharCode(part.charCodeAt(0) + 96);
        } else text = part;
        this.onKey(text, k);
      }
      return;
    }
    const s = this.store.getState();
    if (s.exit) return;
    const contexts = activeContexts(s);
    const name = keyName(input, key);
    const command = resolve(contexts, name);
    if (s.armed && command !== s.armed) s.arm(undefined);
    if (command) {
      this.exec(command, contexts[0]);
      return;
    }
    const ctx = contexts[0];
    if (ctx === 'choice' && /^[1-9]$/.test(input)) {
      const head = s.prompts[0];
      if (head?.kind === 'ask' && Number(input) <= (head.req.options?.length ?? 0)) {
        s.updatePrompt(head.id, { selected: Number(input) - 1 });
        this.exec('choose', ctx);
      }
      return;
    }
    if (!ctx || !TEXT_CONTEXTS.has(ctx)) return;
    let edit: TextEdit | undefined;
    if (key.backspace || key.delete) edit = { backspace: true };
    else if (input && !key.ctrl && !key.meta && !key.escape && !key.return && !key.tab) edit = { insert: input };
    if (edit) this.edit(ctx, edit);
  }

  private edit(ctx: KeyContext, edit: TextEdit): void {
    const s = this.store.getState();
    const head = s.prompts[0];
    switch (ctx) {
      case 'form':
        s.editField(edit);
        return;
      case 'picker':
      case 'drills': {
        const next = applyEdit(s.filter, edit);
        this.filter(next);
        return;
      }
      case 'note':
      case 'skip':
        s.editOverlayText(edit);
        return;
      case 'confirm-typed':
        if (head?.kind === 'confirm') s.updatePrompt(head.id, { typed: applyEdit(head.typed, edit), problem: undefined });
        return;
      case 'text-answer':
        if (head?.kind === 'ask') s.updatePrompt(head.id, { text: applyEdit(head.text, edit), problem: undefined });
        return;
      default:
        return;
    }
  }

  exec(command: Command, ctx: KeyContext | undefined): void {
    const s = this.store.getState();
    const head = s.prompts[0];
    const page = ctx === 'timeline' || ctx === 'help' ? Math.max(3, s.size.rows - 6) : Math.max(3, s.paneRows - 1);
    switch (command) {
      case 'interrupt':
        return this.interrupt();
      case 'quit':
        // A stray q must not abort a change in flight: while a step runs, quitting takes a second q.
        if (stepRunning(s) && s.armed !== 'quit') {
          const step = currentStep(s.incident) ?? 'a step';
          return s.arm('quit', `${step} is running: ${keyOf('runner', 'quit')} again aborts it and quits (${afterQuit(s)}); any other key carries on`);
        }
        void this.quit();
        return;
      case 'help':
        return s.openOverlay('help');
      case 'close':
        return s.closeOverlay();
      case 'up':
      case 'down': {
        const d = command === 'up' ? -1 : 1;
        if (ctx === 'start') return s.moveStart(d);
        if (ctx === 'picker' || ctx === 'drills') {
          s.movePicker(d);
          void (ctx === 'drills' ? this.loadScenarioPreview() : this.loadPreview());
          return;
        }
        if (ctx === 'choice' && head?.kind === 'ask') {
          const n = head.req.options?.length ?? 0;
          return s.updatePrompt(head.id, { selected: clamp(head.selected + d, 0, n - 1) });
        }
        if (ctx === 'timeline') return s.scrollTimeline(-d);
        if (ctx === 'help') return s.scrollHelp(d);
        return;
      }
      case 'page-up':
      case 'page-down': {
        const d = command === 'page-up' ? page : -page;
        if (ctx === 'timeline') return s.scrollTimeline(d);
        if (ctx === 'help') return s.scrollHelp(-d);
        return s.scrollOutput(d);
      }
      case 'follow':
        if (ctx === 'timeline') return s.scrollTimeline('end');
        return s.scrollOutput('end');
      case 'select':
        if (ctx === 'start') {
          const open = openIncidents(s);
          if (s.startIndex === 0) return this.newIncident();
          const chosen = open[s.startIndex - 1];
          if (chosen) void this.resume(chosen.id);
          return;
        }
        if (ctx === 'picker') {
          const item = s.matches[s.pickerIndex]?.item;
          if (item) void this.chooseRunbook(item);
        }
        if (ctx === 'drills') {
          const item = s.drillMatches[s.pickerIndex]?.item;
          if (item) void this.playDrill(item.file);
        }
        if (ctx === 'score') void this.openDrills();
        return;
      case 'new-incident':
        return this.newIncident();
      case 'back':
        if (ctx === 'picker') return this.newIncident();
        if (s.form?.id === 'inputs') {
          s.setForm(undefined);
          return s.setScreen({ kind: 'picker' });
        }
        s.setForm(undefined);
        if (!this.open) s.endIncident();
        s.setScreen({ kind: 'start' });
        void this.refreshIncidents();
        return;
      case 'next-field':
        return s.focusField(1);
      case 'prev-field':
        return s.focusField(-1);
      case 'cycle-next':
        return s.cycleField(1);
      case 'cycle-prev':
        return s.cycleField(-1);
      case 'clear-field':
        if (ctx) this.edit(ctx, { clear: true });
        return;
      case 'submit':
        if (ctx === 'form') return void this.submitForm();
        if (ctx === 'note') return this.saveNote();
        if (ctx === 'skip') return this.skipWithReason();
        if (ctx === 'confirm' && head?.kind === 'confirm') return head.choice === 'approve' ? this.approve(head) : this.decline(head);
        if (ctx === 'confirm-typed' && head?.kind === 'confirm') {
          const want = head.expect ?? '';
          if (want !== '' && head.typed === want) return this.approve(head, true);
          s.updatePrompt(head.id, { problem: want ? `type the resource id exactly to go ahead (or Esc to cancel)` : 'this step names no resource to type; Esc cancels' });
        }
        return;
      case 'run-step':
        if (head?.kind === 'gate') this.settle(head, { action: 'run' });
        return;
      case 'skip-step':
        // Skipping, before a step runs or after it failed, always asks why: the post-mortem will.
        if (head?.kind === 'gate' || head?.kind === 'failure') s.openOverlay('skip');
        return;
      case 'retry-step':
        if (head?.kind === 'failure') this.settle(head, 'retry');
        return;
      case 'stop-run':
        if (head?.kind === 'failure') this.settle(head, 'stop');
        return;
      case 'approve':
        if (head?.kind === 'confirm') this.approve(head);
        return;
      case 'toggle-choice':
        if (head?.kind === 'confirm') s.updatePrompt(head.id, { choice: head.choice === 'approve' ? 'cancel' : 'approve' });
        return;
      case 'decline':
        if (head?.kind === 'confirm') this.decline(head);
        return;
      case 'choose':
        if (head?.kind === 'ask') {
          const option = head.req.options?.[head.selected];
          if (option) this.settle(head, { value: option.value, by: this.operator });
        }
        return;
      case 'answer':
        if (head?.kind === 'ask') return this.answerText(head);
        return;
      case 'done':
        if (head?.kind === 'ask') this.settle(head, { value: 'done', by: this.operator });
        return;
      case 'rerun':
        return this.runEngine();
      case 'note':
      case 'milestone':
        if (this.open) s.openOverlay(command);
        return;
      case 'timeline':
        return s.openOverlay('timeline');
      case 'export':
        return this.exportTimeline();
      case 'milestone-detected':
      case 'milestone-mitigated':
      case 'milestone-resolved':
        return this.markMilestone(command.slice('milestone-'.length) as 'detected' | 'mitigated' | 'resolved');
      case 'step-prev':
        return s.viewStep(-1);
      case 'step-next':
        return s.viewStep(1);
    }
  }

  // ── prompts ─────────────────────────────────────────────────────────────────────────────

  /** Answers the prompt: it leaves the queue, then the engine's promise resolves. */
  private settle<P extends Prompt>(prompt: P, response: Parameters<P['resolve']>[0]): void {
    const dropped = this.store.getState().dropPrompt(prompt.id);
    if (dropped) (dropped.resolve as (r: unknown) => void)(response);
  }

  private approve(head: Extract<Prompt, { kind: 'confirm' }>, typed = false): void {
    this.settle(head, { approved: true, by: this.operator, ...(typed ? { typed: true } : {}) });
  }

  private decline(head: Extract<Prompt, { kind: 'confirm' }>): void {
    this.settle(head, { approved: false, by: this.operator, reason: 'cancelled at the confirmation' });
  }

  private answerText(head: Extract<Prompt, { kind: 'ask' }>): void {
    const text = head.text.trim();
    const s = this.store.getState();
    if (text === '' && head.req.required !== false) return s.updatePrompt(head.id, { problem: 'an answer is required' });
    if (head.req.pattern && text !== '') {
      let ok: boolean;
      try {
        ok = new RegExp(`^(?:${head.req.pattern})$`).test(text);
      } catch {
        ok = true; // an invalid pattern is the runbook's problem, not the operator's
      }
      if (!ok) return s.updatePrompt(head.id, { problem: `does not match ${head.req.pattern}` });
    }
    this.settle(head, { value: text, by: this.operator, text });
  }

  private skipWithReason(): void {
    const s = this.store.getState();
    const head = s.prompts[0];
    const reason = s.overlayText.trim();
    if (!reason) return s.setMessage('a reason is required to skip a step (it goes in the journal)', 'warn');
    s.closeOverlay();
    if (head?.kind === 'gate' || head?.kind === 'failure') this.settle(head, { action: 'skip', reason, by: this.operator });
  }

  private saveNote(): void {
    const s = this.store.getState();
    const text = s.overlayText.trim();
    s.closeOverlay();
    if (!text || !this.open) return;
    this.track(this.open.engine.note(text, this.operator), 'note added');
  }

  private markMilestone(m: 'detected' | 'mitigated' | 'resolved'): void {
    const s = this.store.getState();
    s.closeOverlay();
    if (this.open) this.track(this.open.engine.milestone(m, this.operator), `milestone: ${m}`);
  }

  /** The timeline's export action: the post-mortem draft, from the journal, beside the operator. */
  private exportTimeline(): void {
    if (!this.last) return;
    const { id, root } = this.last;
    let file = '';
    const t = import('../export/index.js')
      .then((m) => {
        file = join(this.o.cwd ?? process.cwd(), m.exportFileName(id, 'md'));
        return m.saveExport(root, id, 'md', file, { force: true });
      })
      .then(
        () => this.store.getState().setMessage(`timeline written to ${file}`),
        (err) => this.store.getState().setMessage(`could not export: ${errorText(err)}`, 'error'),
      );
    this.writes.add(t);
    void t.finally(() => this.writes.delete(t));
  }

  private track(p: Promise<unknown>, done: string): void {
    const t = p.then(
      () => this.store.getState().setMessage(done),
      (err) => this.store.getState().setMessage(`could not journal it: ${errorText(err)}`, 'error'),
    );
    this.writes.add(t);
    void t.finally(() => this.writes.delete(t));
  }

  /** Ctrl+C: abort the running step; when nothing runs (or pressed again), quit. */
  private interrupt(): void {
    const s = this.store.getState();
    if (s.armed === 'interrupt') {
      void this.quit();
      return;
    }
    const after = afterQuit(s);
    const step = currentStep(s.incident);
    if (this.open && this.open.engine.abortCurrent()) {
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

  // ── flows ───────────────────────────────────────────────────────────────────────────────

  newIncident(): void {
    const s = this.store.getState();
    const d = s.draft;
    const fields: FieldSpec[] = [
      { name: 'title', label: 'Title', type: 'text', help: 'What is happening, in a few words', placeholder: "the runbook's title" },
      { name: 'severity', label: 'Severity', type: 'enum', values: SEVERITIES, help: 'SEV0 is the worst; left/right to change' },
      { name: 'service', label: 'Service', type: 'text', help: 'The service affected (optional)', placeholder: 'optional' },
    ];
    s.setForm({
      id: 'new-incident',
      title: 'New incident',
      subtitle: 'Then pick the runbook to follow.',
      fields,
      values: { title: d.title, severity: d.severity, service: d.service },
      focus: 0,
      problems: {},
      check: (f, v) => (f.name === 'title' && v.length > 200 ? 'keep the title under 200 characters' : undefined),
    });
    s.setScreen({ kind: 'new-incident' });
  }

  private async submitForm(): Promise<void> {
    const s = this.store.getState();
    const form = s.form;
    if (!form) return;
    if (form.focus < form.fields.length - 1) return s.focusField(1);
    const problems: Record<string, string | undefined> = {};
    for (const f of form.fields) problems[f.name] = form.check(f, form.values[f.name] ?? '');
    const bad = form.fields.findIndex((f) => problems[f.name]);
    if (bad >= 0) {
      s.setForm({ ...form, problems, focus: bad, error: `${form.fields[bad]!.label}: ${problems[form.fields[bad]!.name]}` });
      return;
    }
    switch (form.id) {
      case 'new-incident':
        s.setDraft({ title: form.values.title ?? '', severity: form.values.severity ?? 'SEV3', service: form.values.service ?? '' });
        s.setForm(undefined);
        s.setScreen({ kind: 'picker' });
        void this.loadRunbooks();
        return;
      case 'inputs':
        return this.openNew(form);
      case 'resume-secrets': {
        const id = this.pendingResume;
        if (id) return this.resume(id, pick(form.values));
        return;
      }
    }
  }

  private pendingResume: string | undefined;

  async chooseRunbook(item: RunbookListing): Promise<void> {
    const s = this.store.getState();
    s.choose(item);
    s.setScreen({ kind: 'busy', message: `Loading ${item.id}...` });
    const { checkInput } = await import('../engine/inputs.js');
    const form = inputsForm('inputs', `Inputs for ${item.id}`, item.inputs, checkInput);
    form.subtitle = item.title;
    const st = this.store.getState();
    st.setForm(form);
    if (!form.fields.length) return this.openNew(form);
    st.setScreen({ kind: 'inputs' });
  }

  private async openNew(form: FormState): Promise<void> {
    const s = this.store.getState();
    const item = s.chosen;
    if (!item) return;
    s.setScreen({ kind: 'busy', message: `Opening an incident for ${item.id}...` });
    try {
      const [{ openIncident, InputError }, { loadRunbook, RunbookError, formatIssue }, { Redactor }, registry] = await Promise.all([
        import('../engine/incident.js'),
        import('../runbook/load.js'),
        import('../journal/redact.js'),
        this.registry(),
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
          root: this.o.stateDir,
          loaded,
          registry,
          ports: tuiPorts(this.store, { clock: this.clock, redactor }),
          inputs: pick(form.values),
          title: d.title.trim() || undefined,
          severity: d.severity,
          service: d.service.trim() || undefined,
          mode: this.o.mode ?? 'live',
          readOnly: this.o.readOnly ?? false,
          operator: this.operator,
          redactor,
          ...(await this.providers()),
          ...(this.o.journalNow ? { now: this.o.journalNow } : {}),
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

  async resume(id: string, secrets?: Record<string, string>): Promise<void> {
    const s = this.store.getState();
    s.setScreen({ kind: 'busy', message: `Resuming ${id}...` });
    this.pendingResume = id;
    try {
      const [{ resumeIncident, InputError }, { parseRunbook }, { readJournalStream, journalPath }, { Redactor }, { reclaim }, registry] = await Promise.all([
        import('../engine/incident.js'),
        import('../runbook/load.js'),
        import('../journal/reader.js'),
        import('../journal/redact.js'),
        import('./memory.js'),
        this.registry(),
      ]);
      // The store folds the journal as it streams in (a long incident is never held in memory
      // twice); what resuming appends follows.
      s.beginIncident(id, { id: '', title: '', version: '', steps: [] });
      const st0 = this.store.getState();
      for await (const record of readJournalStream(journalPath(this.o.stateDir, id))) st0.bulk(record as unknown as AnyEvent);
      st0.bulkEnd();
      const before = this.store.getState().incident!;
      if (!before.runbook) throw new Error(`incident ${id} has no runbook attached; nothing to resume`);
      const parsed = parseRunbook(before.runbook.source, before.runbook.file, registry);
      if (!parsed.ok) throw new Error(`the runbook journaled with incident ${id} no longer validates: ${parsed.issues[0]?.message ?? 'unknown problem'}`);
      const runbook = parsed.value.runbook;
      this.store.getState().setRunbook(runbookView(runbook));
      if (before.runbook.secretInputs.length && !secrets) {
        const { checkInput } = await import('../engine/inputs.js');
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
          root: this.o.stateDir,
          id,
          registry,
          ports: tuiPorts(this.store, { clock: this.clock, redactor }),
          inputs: secrets ?? {},
          operator: this.operator,
          redactor,
          ...(await this.providers()),
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
      void this.refreshIncidents();
    }
  }

  /** Shows the runner for an open incident and starts its engine; `fresh` when the store has not folded its journal yet. */
  private attach(open: OpenIncident, runbook: Runbook, records: Iterable<AnyEvent>, fresh = true): void {
    if (this.quitting) {
      // The operator quit while the incident was opening: let go of its journal (and lock) at once.
      void open.close().catch(() => undefined);
      return;
    }
    this.open = open;
    // The journal's root (live or drills) is two levels above the incident's directory.
    this.last = { id: open.id, root: join(open.journal.dir, '..', '..') };
    const s = this.store.getState();
    s.setForm(undefined);
    if (fresh) s.beginIncident(open.id, runbookView(runbook));
    s.ingestAll(records);
    open.engine.on((ev) => this.store.getState().ingest(ev));
    s.setScreen({ kind: 'runner' });
    // Markdown rendering is loaded in the background; have it ready by the time guidance is drawn.
    void import('./markdown.js').then((m) => m.preload()).catch(() => undefined);
    this.runEngine();
  }

  /** Runs the engine from where the journal is, until it finishes, fails or is aborted. */
  runEngine(): void {
    const open = this.open;
    const s = this.store.getState();
    if (!open || s.running || this.quitting) return;
    s.setRunning(true);
    s.setMessage(undefined);
    this.loop = open.engine.run().then(
      (result: RunResult) => {
        const st = this.store.getState();
        st.setRunning(false, result);
        // A drill ends when its runbook does: it is scored at once, while the world is as the responder left it.
        if (this.drill && result.outcome !== 'aborted') return void this.finishDrill();
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

  /** Quits: a running step is aborted (journaled), pending journal writes land, the journal closes. */
  async quit(): Promise<void> {
    if (this.quitting) return;
    this.quitting = true;
    let message: string | undefined;
    const open = this.open;
    if (this.drill) {
      // Leaving a drill ends it: its simulated world cannot be rebuilt later, so it is scored as it stands.
      message = await this.finishDrill(true);
    } else if (open) {
      await this.stopEngine(open);
      await Promise.allSettled([...this.writes]);
      await open.close().catch(() => undefined);
      const outcome = open.engine.state.outcome;
      message = outcome
        ? `incident ${open.id}: runbook ${outcome}.`
        : `incident ${open.id} stays open; resume it with 'oncall' (or 'oncall resume ${open.id}').`;
    } else message = this.scoreText;
    this.stop();
    this.store.getState().flush();
    this.store.getState().requestExit(0, message);
  }

  /** Aborts the running step (journaled), with a question it asked, and waits a little for the engine to settle. */
  private async stopEngine(open: OpenIncident): Promise<void> {
    if (!open.engine.abortCurrent()) return;
    const s = this.store.getState();
    const head = s.prompts[0];
    if (head?.kind === 'ask') {
      s.dropPrompt(head.id);
      head.reject(new Error('aborted by the operator'));
    }
    await Promise.race([this.loop, new Promise((r) => setTimeout(r, 5000).unref?.())]);
  }

  // ── drills ──────────────────────────────────────────────────────────────────────────────

  /** The score's summary, printed when the TUI closes after a drill. */
  private scoreText: string | undefined;

  /** The scenario picker: drill mode's start, and where a scored drill returns to. */
  async openDrills(): Promise<void> {
    const s = this.store.getState();
    if (this.open) return;
    this.clock = this.o.clock ?? realClock;
    s.endIncident();
    s.setScreen({ kind: 'drills' });
    s.tick(this.clock.now());
    if (this.scenarioFzf) return this.filter(s.filter);
    try {
      const [{ listScenarios }, fzf, dirs] = await Promise.all([import('../drill/catalog.js'), import('fzf'), this.o.scenarioDirs?.() ?? Promise.resolve([])]);
      const list = listScenarios(dirs);
      this.scenarioFzf = fuzzyIndex(fzf, list, (x) => `${x.id} ${x.title} ${x.runbook}`);
      this.store.getState().setScenarios({ loading: false, list, error: undefined });
      this.filter(this.store.getState().filter);
      this.showPluginNotes();
    } catch (err) {
      this.store.getState().setScenarios({ loading: false, error: errorText(err) });
    }
  }

  /** The highlighted scenario, validated, read once per file: its page, runbook, inputs and world. */
  private async loadScenarioPreview(): Promise<void> {
    const s = this.store.getState();
    const item = s.drillMatches[s.pickerIndex]?.item;
    if (!item || s.scenarioPreviews[item.file]) return;
    s.setScenarioPreview(item.file, { loading: true });
    const preview = await readScenarioPreview(item.file, this.cwd).catch((err: unknown) => ({ error: errorText(err) }));
    this.store.getState().setScenarioPreview(item.file, { loading: false, ...preview });
  }

  /** Opens a drill on a scenario file: its simulated world, clock and runbook; the runner takes over. */
  async playDrill(file: string): Promise<void> {
    const s = this.store.getState();
    if (this.open || this.drill) return;
    s.setScreen({ kind: 'busy', message: `Setting up the drill world for ${basename(file)}...` });
    try {
      const [{ loadScenario }, { startDrill }, { Redactor }, { RunbookError }, registry, pluginRunbookDirs] = await Promise.all([
        import('../drill/scenario.js'),
        import('../drill/session.js'),
        import('../journal/redact.js'),
        import('../runbook/issues.js'),
        this.registry(),
        this.o.pluginRunbookDirs?.() ?? Promise.resolve([]),
      ]);
      const redactor = new Redactor();
      let session: DrillSession;
      try {
        const loaded = await loadScenario(file);
        session = await startDrill({
          loaded,
          stateRoot: this.o.stateDir,
          registry,
          // The drill replaces the clock with its simulated one.
          ports: tuiPorts(this.store, { clock: this.clock, redactor }),
          operator: this.operator,
          runbookDirs: this.o.runbookDirs,
          pluginRunbookDirs,
          redactor,
        });
      } catch (err) {
        if (err instanceof RunbookError) throw new Error(await issuesText(err, this.cwd), { cause: err });
        throw err;
      }
      if (this.quitting) {
        await session.finish().catch(() => undefined);
        return;
      }
      this.drill = session;
      this.clock = session.clock;
      this.store.getState().tick(session.clock.now());
      this.attach(session.incident, session.runbook, session.incident.preamble);
      const page = session.incident.engine.state.drill?.page;
      if (page) this.store.getState().setMessage(`page from ${page.from} [${page.severity}]: ${page.text}`, 'warn');
    } catch (err) {
      const st = this.store.getState();
      st.setScreen({ kind: 'drills' });
      st.setMessage(`could not start the drill: ${errorText(err)}`, 'error');
      if (!this.scenarioFzf) void this.openDrills();
    }
  }

  /** Scores the drill (journaled), closes its journal and world, and shows the score. Returns the summary. */
  private async finishDrill(leaving = false): Promise<string | undefined> {
    const drill = this.drill;
    if (!drill) return undefined;
    if (leaving) await this.stopEngine(drill.incident);
    await Promise.allSettled([...this.writes]);
    const id = drill.incident.id;
    try {
      const score = await drill.finish();
      const { formatScore } = await import('../drill/score.js');
      this.scoreText = [...formatScore(score), `the drill's journal: oncall export ${id} --drill`].join('\n');
    } catch (err) {
      this.scoreText = `drill ${id}: could not be scored: ${errorText(err)}`;
      this.store.getState().setMessage(this.scoreText, 'error');
    }
    this.drill = undefined;
    this.open = undefined;
    const s = this.store.getState();
    s.flush();
    // The header's clock stops where the simulation ended.
    s.tick(this.clock.now());
    if (!leaving) s.setScreen({ kind: 'score' });
    return this.scoreText;
  }
}

// ── helpers ──────────────────────────────────────────────────────────────────────────────────

/** Non-empty values: an empty field means "use the default" (or is reported as missing). */
function pick(values: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== ''));
}

type CheckInput = (spec: InputSpec, raw: string) => { value: unknown } | { problem: string };

/** A form for runbook inputs: typed fields, defaults filled in, secrets masked, validation as you type. */
function inputsForm(id: FormState['id'], title: string, specs: Record<string, InputSpec>, checkInput: CheckInput): FormState {
  const fields: FieldSpec[] = [];
  const values: Record<string, string> = {};
  for (const [name, spec] of Object.entries(specs)) {
    const type = spec.type === 'string' ? 'text' : spec.type;
    const hasDefault = spec.default !== undefined;
    fields.push({
      name,
      label: name,
      type,
      values: spec.values,
      secret: spec.secret,
      help: [spec.description, spec.pattern ? `pattern ${spec.pattern}` : '', spec.min !== undefined || spec.max !== undefined ? `range ${spec.min ?? '…'}–${spec.max ?? '…'}` : '']
        .filter(Boolean)
        .join(' | '),
      placeholder: spec.secret && hasDefault ? 'a default is set; leave empty to use it' : spec.required === false || hasDefault ? 'optional' : 'required',
    });
    values[name] = hasDefault && !spec.secret ? String(spec.default) : '';
  }
  const check = (f: FieldSpec, value: string): string | undefined => {
    const spec = specs[f.name];
    if (!spec) return undefined;
    if (value === '') return spec.default !== undefined || spec.required === false ? undefined : 'required';
    const r = checkInput(spec, value);
    if (!('problem' in r)) return undefined;
    // A secret's value is never drawn, not even inside an error message.
    return spec.secret ? r.problem.split(value).join('••••') : r.problem;
  };
  const problems: Record<string, string | undefined> = {};
  for (const f of fields) if (values[f.name] !== '') problems[f.name] = check(f, values[f.name]!);
  return { id, title, fields, values, focus: 0, problems, check };
}

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


// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001a\u007f]/;

const NO_KEY: KeyLike = {
  upArrow: false,
  downArrow: false,
  leftArrow: false,
  rightArrow: false,
  pageDown: false,
  pageUp: false,
  return: false,
  escape: false,
  ctrl: false,
  shift: false,
  tab: false,
  backspace: false,
  delete: false,
  meta: false,
};

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== '')) as Partial<T>;
}
