// The TUI's state: a vanilla zustand store. The incident part is a projection of engine events,
// folded with the engine's own applyEvent (there is no second fold); the rest is UI state: which
// screen, overlays, forms, the prompt queue, scroll offsets, capped output buffers.
//
// Actions read get(), so two keys arriving in one tick never act on a stale copy. Engine events are
// batched: output lines are applied every `batchMs`, other records on the next tick, so thousands
// of output lines cost a handful of renders.
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { AnyEvent, Mode } from '../journal/events.js';
import type { IncidentSummary } from '../engine/incidents.js';
import type { RunResult } from '../engine/engine.js';
import { applyEvent, initialState, type IncidentState, type StepState } from '../engine/state.js';
import type { AskRequest, AskResponse, ConfirmRequest, ConfirmResponse, FailureRequest, FailureResponse, GateRequest, GateResponse } from '../core/step.js';
import { progressLine } from '../export/lines.js';
import type { RunbookListing } from '../runbook/listing.js';

// ── types ────────────────────────────────────────────────────────────────────────────────────

export type Screen =
  | { kind: 'start' }
  | { kind: 'new-incident' }
  | { kind: 'picker' }
  | { kind: 'inputs' }
  | { kind: 'runner' }
  | { kind: 'busy'; message: string }
  /** Drill mode's start: the scenarios to practise on. */
  | { kind: 'drills' }
  /** A drill's score, once it has ended. */
  | { kind: 'score' };

export type Overlay = { kind: 'none' } | { kind: 'help' } | { kind: 'timeline' } | { kind: 'note' } | { kind: 'skip' } | { kind: 'milestone' };

export interface FieldSpec {
  name: string;
  label: string;
  type: 'text' | 'number' | 'boolean' | 'enum' | 'duration';
  values?: string[];
  secret?: boolean;
  help?: string;
  /** Shown (dimmed) while the field is empty. */
  placeholder?: string;
}

export interface FormState {
  id: 'new-incident' | 'inputs' | 'resume-secrets';
  title: string;
  /** One line under the title (what the form is for). */
  subtitle?: string;
  fields: FieldSpec[];
  values: Record<string, string>;
  focus: number;
  problems: Record<string, string | undefined>;
  /** Validation as you type: the problem with a field's value, if any. */
  check: (field: FieldSpec, value: string) => string | undefined;
  /** An error from submitting (e.g. the engine refused the inputs). */
  error?: string;
}

interface PromptBase {
  id: number;
  reject: (err: Error) => void;
}
export type Prompt =
  | (PromptBase & { kind: 'gate'; req: GateRequest; resolve: (r: GateResponse) => void })
  | (PromptBase & {
      kind: 'confirm';
      req: ConfirmRequest;
      /** The exact resource id to type (req.resource is the redacted form that is drawn). */
      expect?: string;
      resolve: (r: ConfirmResponse) => void;
      choice: 'cancel' | 'approve';
      typed: string;
      problem?: string;
    })
  | (PromptBase & { kind: 'ask'; req: AskRequest; resolve: (r: AskResponse) => void; selected: number; text: string; problem?: string })
  | (PromptBase & { kind: 'failure'; req: FailureRequest; resolve: (r: FailureResponse) => void });

export type PromptInput =
  | { kind: 'gate'; req: GateRequest; resolve: (r: GateResponse) => void; reject: (err: Error) => void }
  | { kind: 'confirm'; req: ConfirmRequest; expect?: string; resolve: (r: ConfirmResponse) => void; reject: (err: Error) => void }
  | { kind: 'ask'; req: AskRequest; resolve: (r: AskResponse) => void; reject: (err: Error) => void }
  | { kind: 'failure'; req: FailureRequest; resolve: (r: FailureResponse) => void; reject: (err: Error) => void };

export interface StepView {
  id: string;
  title: string;
  kind: string;
  guidance?: string;
  expectedMs?: number;
}

export interface RunbookView {
  id: string;
  title: string;
  version: string;
  steps: StepView[];
}

export interface OutputLine {
  text: string;
  stream: 'stdout' | 'stderr' | 'log';
}

/** A capped tail of a step's output: the newest `cap` lines, and how many there were in all. */
export interface OutputBuf {
  lines: OutputLine[];
  total: number;
}

export interface Confirmation {
  approved: boolean;
  by: string;
  typed?: boolean;
  reason?: string;
  purpose: 'action' | 'rollback';
}

export interface Assertion {
  that: string;
  ok: boolean;
  message?: string;
}

export interface TimelineEntry {
  seq: number;
  ts: string;
  type: string;
  text: string;
  step?: string;
}

export interface Preview {
  loading: boolean;
  steps?: { id: string; title: string; kind: string }[];
  error?: string;
}

export interface Match<T = RunbookListing> {
  item: T;
  /** Character positions in `${id} ${title}` that the filter matched (for highlighting). */
  positions: number[];
}

/** A drill scenario as the picker lists it (read shallowly; validated when previewed). */
export interface ScenarioItem {
  id: string;
  title: string;
  runbook: string;
  file: string;
}

/** What the drill picker shows of the highlighted scenario: the page, and what is simulated. */
export interface ScenarioPreview {
  loading: boolean;
  page?: { from: string; severity: string; text: string };
  runbook?: string;
  targetMinutes?: number;
  inputs?: Record<string, string>;
  /** What the world simulates, in a few words each ("AWS: 2 instances", "Kubernetes API"). */
  world?: string[];
  /** The scenario does not validate (file:line:col and what is wrong). */
  error?: string;
}

export interface IdentityView {
  profile?: string;
  region?: string;
  account?: string;
  principal?: string;
  /** True while the lazy lookup is in flight. */
  pending: boolean;
  error?: string;
}

export interface Message {
  text: string;
  level: 'info' | 'warn' | 'error';
}

export interface TuiState {
  mode: Mode;
  readOnly: boolean;
  color: boolean;
  size: { columns: number; rows: number };
  now: number;
  screen: Screen;
  overlay: Overlay;
  /** Text typed into the note or skip-reason overlay. */
  overlayText: string;
  message?: Message;

  incidents: { loading: boolean; list: IncidentSummary[]; unreadable: number; error?: string };
  startIndex: number;

  draft: { title: string; severity: string; service: string };
  runbooks: { loading: boolean; list: RunbookListing[]; invalid: number; error?: string };
  filter: string;
  matches: Match[];
  pickerIndex: number;
  previews: Record<string, Preview>;
  chosen?: RunbookListing;
  /** Drill mode: the scenarios, the filtered matches (the filter and index are the picker's), previews. */
  scenarios: { loading: boolean; list: ScenarioItem[]; error?: string };
  drillMatches: Match<ScenarioItem>[];
  scenarioPreviews: Record<string, ScenarioPreview>;
  form?: FormState;

  incidentId?: string;
  incident?: IncidentState;
  runbook?: RunbookView;
  output: Record<string, OutputBuf>;
  confirmations: Record<string, Confirmation>;
  /** The assertion outcomes of each step's latest finished attempt. */
  assertions: Record<string, Assertion[]>;
  timeline: TimelineEntry[];
  prompts: Prompt[];
  /** The engine loop is running (it may be waiting on a prompt). */
  running: boolean;
  result?: RunResult;
  /** The step being looked at (undefined: follow the current step) and lines scrolled up from the tail. */
  view: { step?: string; scroll: number };
  /** Lines of output the pane shows (the layout reports it; scrolling and paging use it). */
  paneRows: number;
  timelineScroll: number;
  helpScroll: number;

  identity: IdentityView;
  kube: { context?: string; pending: boolean };
  /** A second press of this key (Ctrl+C, or q while a step runs) quits; any other key disarms it. */
  armed?: 'interrupt' | 'quit';
  exit?: { code: number; message?: string };
}

export interface TuiActions {
  setSize(size: { columns: number; rows: number }): void;
  tick(now: number): void;
  setScreen(screen: Screen): void;
  openOverlay(kind: Overlay['kind']): void;
  closeOverlay(): void;
  editOverlayText(edit: TextEdit): void;
  setMessage(text: string | undefined, level?: Message['level']): void;
  setIncidents(v: Partial<TuiState['incidents']>): void;
  moveStart(delta: number): void;
  setRunbooks(v: Partial<TuiState['runbooks']>): void;
  setFilter(filter: string, matches: Match[]): void;
  setScenarios(v: Partial<TuiState['scenarios']>): void;
  setDrillFilter(filter: string, matches: Match<ScenarioItem>[]): void;
  setScenarioPreview(file: string, preview: ScenarioPreview): void;
  movePicker(delta: number): void;
  setPreview(file: string, preview: Preview): void;
  setDraft(draft: TuiState['draft']): void;
  choose(runbook: RunbookListing | undefined): void;
  setForm(form: FormState | undefined): void;
  editField(edit: TextEdit): void;
  cycleField(delta: number): void;
  focusField(delta: number): void;
  setFormError(error: string | undefined): void;

  beginIncident(id: string, runbook: RunbookView): void;
  setRunbook(runbook: RunbookView): void;
  /** Forgets the incident (a resume that could not go on). */
  endIncident(): void;
  /** Engine records, batched. */
  ingest(ev: AnyEvent): void;
  /** Many records at once, applied immediately. */
  ingestAll(evs: Iterable<AnyEvent>): void;
  /** A journal streaming in (a resume): records are folded as they come, published by bulkEnd(). */
  bulk(ev: AnyEvent): void;
  bulkEnd(): void;
  flush(): void;
  pushPrompt(p: PromptInput): number;
  updatePrompt(id: number, patch: Partial<{ choice: 'cancel' | 'approve'; typed: string; selected: number; text: string; problem: string | undefined }>): void;
  /** Removes a prompt from the queue (its promise is settled by the caller). */
  dropPrompt(id: number): Prompt | undefined;
  setRunning(running: boolean, result?: RunResult): void;
  viewStep(delta: number): void;
  scrollOutput(delta: number | 'end'): void;
  setPaneRows(rows: number): void;
  scrollTimeline(delta: number | 'end'): void;
  scrollHelp(delta: number): void;
  setIdentity(v: Partial<IdentityView>): void;
  setKube(v: Partial<TuiState['kube']>): void;
  /** Arms a second press (its warning on the message line), or disarms, taking that warning away. */
  arm(kind: 'interrupt' | 'quit' | undefined, warning?: string): void;
  requestExit(code: number, message?: string): void;
}

export type TuiStoreState = TuiState & TuiActions;
export type TuiStore = StoreApi<TuiStoreState>;

/** A key applied to a text field: a character (or pasted text), backspace, or clear. */
export type TextEdit = { insert: string } | { backspace: true } | { clear: true };

export function applyEdit(value: string, edit: TextEdit): string {
  if ('insert' in edit) return value + edit.insert.replace(/[\r\n]+/g, ' ');
  if ('backspace' in edit) return [...value].slice(0, -1).join('');
  return '';
}

export interface StoreOptions {
  mode?: Mode;
  readOnly?: boolean;
  color?: boolean;
  size?: { columns: number; rows: number };
  now?: number;
  /** Output lines are applied at most this often (ms). */
  batchMs?: number;
  /** Lines of output kept per step. */
  outputCap?: number;
  identity?: Partial<IdentityView>;
}

// ── the store ────────────────────────────────────────────────────────────────────────────────

export function createTuiStore(o: StoreOptions = {}): TuiStore {
  const batchMs = o.batchMs ?? 50;
  const cap = o.outputCap ?? 2000;
  let fold: IncidentState | undefined;
  let queue: AnyEvent[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  let timerUrgent = false;
  let armedWarning: string | undefined;
  let nextPromptId = 1;

  return createStore<TuiStoreState>()((set, get) => {
    /** Disarming takes the armed warning off the message line, unless something else was said since. */
    const disarmed = (): Partial<TuiState> => {
      const s = get();
      if (!s.armed) return {};
      return { armed: undefined, ...(s.message && s.message.text === armedWarning ? { message: undefined } : {}) };
    };
    const schedule = (urgent: boolean) => {
      if (timer && (timerUrgent || !urgent)) return;
      if (timer) clearTimeout(timer);
      timerUrgent = urgent;
      timer = setTimeout(() => {
        timer = undefined;
        get().flush();
      }, urgent ? 0 : batchMs);
    };

    /** What a batch of records changed, gathered while they are applied to the fold. */
    interface Batch {
      touched: Set<string>;
      /** New output per step: the newest lines only (at most `cap` kept), and how many there were. */
      newLines: Map<string, { lines: OutputLine[]; count: number }>;
      confirmations: Record<string, Confirmation>;
      assertions: Record<string, Assertion[]>;
      identity?: IdentityView;
      kube?: TuiState['kube'];
      entries: TimelineEntry[];
      notesBefore: number;
      milestonesBefore: number;
      touchedBefore: number;
    }
    let batch: Batch | undefined;

    const open = (): Batch | undefined => {
      if (!fold) return undefined;
      const s = get();
      batch ??= {
        touched: new Set(),
        newLines: new Map(),
        confirmations: { ...s.confirmations },
        assertions: s.assertions,
        entries: [],
        notesBefore: fold.notes.length,
        milestonesBefore: fold.milestones.length,
        touchedBefore: fold.touched.length,
      };
      return batch;
    };

    const linesOf = (b: Batch, step: string) => {
      let out = b.newLines.get(step);
      if (!out) b.newLines.set(step, (out = { lines: [], count: 0 }));
      return out;
    };

    /** Applies one record to the fold (nothing is published until the batch ends). */
    const applyOne = (b: Batch, ev: AnyEvent) => {
      applyEvent(fold!, ev);
      const step = (ev.payload as { step?: unknown }).step;
      if (typeof step === 'string') b.touched.add(step);
      if (ev.type === 'step.output') {
        const p = ev.payload;
        const out = linesOf(b, p.step);
        for (const text of p.text.split('\n')) {
          out.lines.push({ text, stream: p.stream });
          out.count += 1;
        }
        // A long journal streams through here: keep only what the buffer will hold.
        if (out.lines.length > 2 * cap) out.lines.splice(0, out.lines.length - cap);
        return;
      }
      if (ev.type === 'step.started' && ev.payload.attempt > 1) {
        const out = linesOf(b, ev.payload.step);
        out.lines.push({ text: `── attempt ${ev.payload.attempt} ──`, stream: 'log' });
        out.count += 1;
      }
      if (ev.type === 'step.finished') b.assertions = { ...b.assertions, [ev.payload.step]: ev.payload.assertions ?? [] };
      if (ev.type === 'identity.resolved' && ev.payload.aws) {
        const a = ev.payload.aws as { account?: string; principal?: string; region?: string | null; profile?: string | null; error?: string };
        b.identity = {
          ...(b.identity ?? get().identity),
          pending: false,
          ...(a.account ? { account: a.account } : {}),
          ...(a.principal ? { principal: a.principal } : {}),
          ...(a.region ? { region: a.region } : {}),
          ...(a.profile ? { profile: a.profile } : {}),
          ...(a.error ? { error: a.error } : {}),
        };
      }
      // The context the engine acts on (a --context flag, else the kubeconfig's current one), as
      // journaled: the header then names the cluster the run really touches.
      if (ev.type === 'identity.resolved' && typeof ev.payload.kube?.context === 'string') {
        b.kube = { context: ev.payload.kube.context, pending: false };
      }
      if (ev.type === 'confirm.given') {
        const p = ev.payload;
        b.confirmations[p.step] = { approved: p.approved, by: p.by, typed: p.typed, reason: p.reason, purpose: p.purpose };
      }
      const text = progressLine(ev, { output: false });
      if (text !== undefined) b.entries.push({ seq: ev.seq, ts: ev.ts, type: ev.type, text, ...(typeof step === 'string' ? { step } : {}) });
    };

    /** Publishes new snapshots of what the batch changed (untouched parts keep their identity). */
    const publish = () => {
      const b = batch;
      batch = undefined;
      if (!b || !fold) return;
      const s = get();
      const prev = s.incident;
      const steps: Record<string, StepState> = { ...prev?.steps };
      for (const id of b.touched) if (fold.steps[id]) steps[id] = { ...fold.steps[id]! };
      const incident: IncidentState = {
        ...fold,
        steps,
        touched: prev && fold.touched.length === b.touchedBefore ? prev.touched : fold.touched.slice(),
        notes: prev && fold.notes.length === b.notesBefore ? prev.notes : fold.notes.slice(),
        milestones: prev && fold.milestones.length === b.milestonesBefore ? prev.milestones : fold.milestones.slice(),
        vars: { ...fold.vars },
        answers: { ...fold.answers },
      };
      let output = s.output;
      if (b.newLines.size) {
        output = { ...output };
        for (const [step, added] of b.newLines) {
          const old = output[step];
          let all = old ? old.lines.concat(added.lines) : added.lines;
          if (all.length > cap) all = all.slice(all.length - cap);
          output[step] = { lines: all, total: (old?.total ?? 0) + added.count };
        }
      }
      const patch: Partial<TuiState> = { incident, output, confirmations: b.confirmations, assertions: b.assertions, ...(b.identity ? { identity: b.identity } : {}), ...(b.kube ? { kube: b.kube } : {}) };
      if (b.entries.length) {
        patch.timeline = s.timeline.concat(b.entries);
        // A scrolled timeline keeps showing the same entries while new ones arrive.
        if (s.timelineScroll > 0) patch.timelineScroll = s.timelineScroll + b.entries.length;
      }
      // A scrolled output pane stays put while its step keeps printing.
      const viewing = s.view.step ?? currentStep(incident);
      const added = viewing ? b.newLines.get(viewing)?.count : undefined;
      if (added && s.view.scroll > 0) patch.view = { ...s.view, scroll: s.view.scroll + added };
      set(patch);
    };

    const apply = (events: Iterable<AnyEvent>) => {
      const b = open();
      if (!b) return;
      for (const ev of events) applyOne(b, ev);
      publish();
    };

    return {
      mode: o.mode ?? 'live',
      readOnly: o.readOnly ?? false,
      color: o.color ?? true,
      size: o.size ?? { columns: 80, rows: 24 },
      now: o.now ?? Date.now(),
      // Drill mode opens on the scenarios: nothing live is ever offered there.
      screen: o.mode === 'drill' ? { kind: 'drills' } : { kind: 'start' },
      overlay: { kind: 'none' },
      overlayText: '',
      incidents: { loading: true, list: [], unreadable: 0 },
      startIndex: 0,
      draft: { title: '', severity: 'SEV3', service: '' },
      runbooks: { loading: true, list: [], invalid: 0 },
      filter: '',
      matches: [],
      pickerIndex: 0,
      previews: {},
      scenarios: { loading: true, list: [] },
      drillMatches: [],
      scenarioPreviews: {},
      output: {},
      confirmations: {},
      assertions: {},
      timeline: [],
      prompts: [],
      running: false,
      view: { scroll: 0 },
      paneRows: 10,
      timelineScroll: 0,
      helpScroll: 0,
      identity: { pending: true, ...o.identity },
      kube: { pending: true },

      setSize: (size) => {
        const cur = get().size;
        if (cur.columns !== size.columns || cur.rows !== size.rows) set({ size });
      },
      tick: (now) => set({ now }),
      setScreen: (screen) => set({ screen, message: undefined }),
      openOverlay: (kind) => set({ overlay: { kind }, overlayText: '', helpScroll: 0, ...(kind === 'timeline' ? { timelineScroll: 0 } : {}) }),
      closeOverlay: () => set({ overlay: { kind: 'none' }, overlayText: '' }),
      editOverlayText: (edit) => set({ overlayText: applyEdit(get().overlayText, edit) }),
      setMessage: (text, level = 'info') => set({ message: text === undefined ? undefined : { text, level } }),
      setIncidents: (v) => {
        const incidents = { ...get().incidents, ...v };
        set({ incidents, startIndex: Math.min(get().startIndex, openIncidents({ incidents }).length) });
      },
      moveStart: (delta) => set({ startIndex: clamp(get().startIndex + delta, 0, openIncidents(get()).length) }),
      setRunbooks: (v) => set({ runbooks: { ...get().runbooks, ...v } }),
      setFilter: (filter, matches) => set({ filter, matches, pickerIndex: 0 }),
      setScenarios: (v) => set({ scenarios: { ...get().scenarios, ...v } }),
      setDrillFilter: (filter, drillMatches) => set({ filter, drillMatches, pickerIndex: 0 }),
      setScenarioPreview: (file, preview) => set({ scenarioPreviews: { ...get().scenarioPreviews, [file]: preview } }),
      movePicker: (delta) => {
        const s = get();
        const n = s.screen.kind === 'drills' ? s.drillMatches.length : s.matches.length;
        set({ pickerIndex: clamp(s.pickerIndex + delta, 0, Math.max(0, n - 1)) });
      },
      setPreview: (file, preview) => set({ previews: { ...get().previews, [file]: preview } }),
      setDraft: (draft) => set({ draft }),
      choose: (chosen) => set({ chosen }),
      setForm: (form) => set({ form }),
      editField: (edit) => {
        const form = get().form;
        const field = form?.fields[form.focus];
        if (!form || !field) return;
        if (field.type === 'boolean' || field.type === 'enum') return;
        const value = applyEdit(form.values[field.name] ?? '', edit);
        set({ form: { ...form, values: { ...form.values, [field.name]: value }, problems: { ...form.problems, [field.name]: form.check(field, value) }, error: undefined } });
      },
      cycleField: (delta) => {
        const form = get().form;
        const field = form?.fields[form.focus];
        if (!form || !field) return;
        const values = field.type === 'boolean' ? ['true', 'false'] : field.type === 'enum' ? (field.values ?? []) : undefined;
        if (!values?.length) return;
        const i = values.indexOf(form.values[field.name] ?? '');
        const value = values[(i + delta + values.length * 2) % values.length]!;
        set({ form: { ...form, values: { ...form.values, [field.name]: value }, problems: { ...form.problems, [field.name]: form.check(field, value) }, error: undefined } });
      },
      focusField: (delta) => {
        const form = get().form;
        if (!form) return;
        set({ form: { ...form, focus: clamp(form.focus + delta, 0, form.fields.length - 1) } });
      },
      setFormError: (error) => {
        const form = get().form;
        if (form) set({ form: { ...form, error } });
      },

      beginIncident: (id, runbook) => {
        if (timer) clearTimeout(timer);
        timer = undefined;
        queue = [];
        batch = undefined;
        fold = initialState(id);
        set({
          incidentId: id,
          runbook,
          incident: { ...fold },
          output: {},
          confirmations: {},
          assertions: {},
          timeline: [],
          prompts: [],
          result: undefined,
          running: false,
          view: { scroll: 0 },
          timelineScroll: 0,
          overlay: { kind: 'none' },
        });
      },
      setRunbook: (runbook) => set({ runbook }),
      endIncident: () => {
        if (timer) clearTimeout(timer);
        timer = undefined;
        queue = [];
        batch = undefined;
        fold = undefined;
        set({ incidentId: undefined, incident: undefined, runbook: undefined, output: {}, confirmations: {}, assertions: {}, timeline: [], prompts: [], result: undefined, running: false });
      },
      ingest: (ev) => {
        queue.push(ev);
        schedule(ev.type !== 'step.output');
      },
      ingestAll: (evs) => {
        get().flush();
        apply(evs);
      },
      bulk: (ev) => {
        const b = open();
        if (b) applyOne(b, ev);
      },
      bulkEnd: () => publish(),
      flush: () => {
        if (timer) clearTimeout(timer);
        timer = undefined;
        if (!queue.length) return;
        const batch = queue;
        queue = [];
        apply(batch);
      },
      pushPrompt: (p) => {
        // What the prompt talks about must already be on screen.
        get().flush();
        const id = nextPromptId++;
        const prompt: Prompt =
          p.kind === 'confirm'
            ? { ...p, id, choice: 'cancel', typed: '', problem: p.req.problem }
            : p.kind === 'ask'
              ? { ...p, id, selected: 0, text: '', problem: p.req.problem }
              : { ...p, id };
        // A new prompt for the current step brings the view back to it.
        set({ prompts: [...get().prompts, prompt], view: { scroll: 0 }, ...disarmed() });
        return id;
      },
      updatePrompt: (id, patch) => set({ prompts: get().prompts.map((p) => (p.id === id ? ({ ...p, ...patch } as Prompt) : p)) }),
      dropPrompt: (id) => {
        const found = get().prompts.find((p) => p.id === id);
        if (found) set({ prompts: get().prompts.filter((p) => p.id !== id) });
        return found;
      },
      setRunning: (running, result) => {
        get().flush();
        set({ running, ...(result ? { result } : {}), ...(running ? { result: undefined } : {}) });
      },
      viewStep: (delta) => {
        const s = get();
        const ids = stepOrder(s);
        if (!ids.length) return;
        const cur = s.view.step ?? currentStep(s.incident) ?? ids[0]!;
        const i = ids.indexOf(cur);
        const next = i + delta;
        // Past the end (or back at the current step) the view follows the current step again.
        if (next >= ids.length || ids[next] === currentStep(s.incident)) return set({ view: { scroll: 0 } });
        set({ view: { step: ids[clamp(next, 0, ids.length - 1)], scroll: 0 } });
      },
      scrollOutput: (delta) => {
        const s = get();
        if (delta === 'end') return set({ view: { scroll: 0 } });
        const step = s.view.step ?? currentStep(s.incident);
        const total = step ? (s.output[step]?.lines.length ?? 0) : 0;
        // The top of the output is reached when the first line shows at the top of the pane.
        set({ view: { ...s.view, scroll: clamp(s.view.scroll + delta, 0, Math.max(0, total - s.paneRows)) } });
      },
      setPaneRows: (rows) => {
        if (get().paneRows !== rows) set({ paneRows: rows });
      },
      scrollTimeline: (delta) => {
        const s = get();
        if (delta === 'end') return set({ timelineScroll: 0 });
        set({ timelineScroll: clamp(s.timelineScroll + delta, 0, Math.max(0, s.timeline.length - 1)) });
      },
      scrollHelp: (delta) => set({ helpScroll: Math.max(0, get().helpScroll + delta) }),
      setIdentity: (v) => set({ identity: { ...get().identity, ...v } }),
      setKube: (v) => set({ kube: { ...get().kube, ...v } }),
      arm: (kind, warning) => {
        if (!kind) {
          if (get().armed) set(disarmed());
          return;
        }
        armedWarning = warning;
        set({ armed: kind, ...(warning ? { message: { text: warning, level: 'warn' as const } } : {}) });
      },
      requestExit: (code, message) => {
        if (!get().exit) set({ exit: { code, message } });
      },
    };
  });
}

// ── derived values (pure; used by the controller and by components) ──────────────────────────

export function clamp(n: number, lo: number, hi: number): number {
  return Math.max(lo, Math.min(hi, n));
}

/** The incidents still open (the start screen offers these to resume). */
export function openIncidents(s: Pick<TuiState, 'incidents'>): IncidentSummary[] {
  return s.incidents.list.filter((i) => i.status === 'open');
}

/** The step the incident is at: running, or the next one to run. */
export function currentStep(incident: IncidentState | undefined): string | undefined {
  if (!incident) return undefined;
  const running = incident.touched.findLast((id) => incident.steps[id]?.phase === 'running');
  if (running) return running;
  if (typeof incident.next === 'string') return incident.next;
  return incident.touched.at(-1);
}

/** Runbook steps in file order, then any extra steps the journal knows (rollbacks). */
export function stepOrder(s: Pick<TuiState, 'runbook' | 'incident'>): string[] {
  const ids = s.runbook?.steps.map((x) => x.id) ?? [];
  const extra = (s.incident?.touched ?? []).filter((id) => !ids.includes(id));
  return [...ids, ...extra];
}

/** The step the runner shows: the prompt's, the one picked with ↑↓, or the current one. */
export function shownStep(s: Pick<TuiState, 'view' | 'incident' | 'prompts' | 'runbook'>): string | undefined {
  if (s.view.step) return s.view.step;
  const head = s.prompts[0];
  if (head) return head.req.stepId;
  return currentStep(s.incident) ?? s.runbook?.steps[0]?.id;
}

/** The key contexts in force, most specific first (see keys.ts). */
export function activeContexts(s: Pick<TuiState, 'overlay' | 'screen' | 'prompts' | 'running' | 'incident' | 'result'>): import('./keys.js').KeyContext[] {
  switch (s.overlay.kind) {
    case 'help':
      return ['help'];
    case 'timeline':
      return ['timeline'];
    case 'note':
      return ['note'];
    case 'skip':
      return ['skip'];
    case 'milestone':
      return ['milestone'];
    case 'none':
      break;
  }
  switch (s.screen.kind) {
    case 'start':
      return ['start'];
    case 'new-incident':
    case 'inputs':
      return ['form'];
    case 'picker':
      return ['picker'];
    case 'drills':
      return ['drills'];
    case 'score':
      return ['score'];
    case 'busy':
      return [];
    case 'runner': {
      const head = s.prompts[0];
      if (!head) return !s.running && s.incident && !s.incident.outcome && s.result ? ['paused', 'runner'] : ['runner'];
      switch (head.kind) {
        case 'gate':
          return ['gate', 'runner'];
        case 'failure':
          return ['failure', 'runner'];
        case 'confirm':
          return head.req.destructive ? ['confirm-typed'] : ['confirm', 'runner'];
        case 'ask':
          return head.req.type === 'choice' ? ['choice', 'runner'] : head.req.type === 'text' ? ['text-answer'] : ['manual', 'runner'];
      }
    }
  }
}

/**
 * The phase to draw. The journal says 'running' for a step that was interrupted (a crash, a
 * headless run that stopped for a human); it is running only while the engine runs it, not while
 * its gate waits for the operator, nor while an interrupted write is being settled (its start, and
 * so its duration, belong to the process that stopped).
 */
export function phaseOf(st: StepState | undefined, s: Pick<TuiState, 'prompts' | 'running'>): StepState['phase'] {
  if (!st) return 'pending';
  if (st.phase !== 'running') return st.phase;
  const head = s.prompts[0];
  if (!s.running || st.settling || (head?.kind === 'gate' && head.req.stepId === st.id)) return 'pending';
  return 'running';
}

/** The running step when it has run longer than the runbook expects (the header nudges). */
export function overdueStep(s: Pick<TuiState, 'incident' | 'prompts' | 'running' | 'now'>): { id: string; expectedMs: number; ranMs: number } | undefined {
  const id = currentStep(s.incident);
  const st = id ? s.incident?.steps[id] : undefined;
  if (!id || !st || phaseOf(st, s) !== 'running' || !st.expectedMs || !st.startedAt) return undefined;
  const ranMs = s.now - Date.parse(st.startedAt);
  return ranMs > st.expectedMs ? { id, expectedMs: st.expectedMs, ranMs } : undefined;
}

/** What quitting leaves behind, for the warnings that offer it: a drill cannot be resumed. */
export function afterQuit(s: Pick<TuiState, 'mode' | 'incident'>): string {
  return (s.incident?.mode ?? s.mode) === 'drill' ? 'the drill ends and is scored' : 'the incident stays resumable';
}

/** True while a step is actually running (its duration counts up on screen). */
export function stepRunning(s: Pick<TuiState, 'incident' | 'prompts' | 'running'>): boolean {
  const id = currentStep(s.incident);
  return Boolean(id && phaseOf(s.incident?.steps[id], s) === 'running');
}
