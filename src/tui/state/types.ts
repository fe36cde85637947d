// The shapes of the TUI's state: what the screens draw, slice by slice. A leaf: the slices, the
// derived values and the components all import it, and it imports none of them.
import type { StoreApi, StateCreator } from 'zustand/vanilla';
import type { AnyEvent, Mode } from '../../journal/events.js';
import type { IncidentSummary } from '../../engine/incidents.js';
import type { RunResult } from '../../engine/engine.js';
import type { IncidentState } from '../../engine/state.js';
import type { AskRequest, AskResponse, ConfirmRequest, ConfirmResponse, FailureRequest, FailureResponse, GateRequest, GateResponse } from '../../core/step.js';
import type { RunbookListing } from '../../runbook/listing.js';

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

export type Overlay = { kind: 'none' } | { kind: 'help' } | { kind: 'timeline' } | { kind: 'note' } | { kind: 'skip' } | { kind: 'reopen' } | { kind: 'milestone' };

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
  /** When it was put on screen (ms): keys that answer are ignored for a moment after (promptGuardMs). */
  openedAt: number;
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
      /** Cancelled: the step waits to be confirmed again or skipped with a reason. */
      declined?: boolean;
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

/** A key applied to a text field: a character (or pasted text), backspace, or clear. */
export type TextEdit = { insert: string } | { backspace: true } | { clear: true };

// ── the slices: each one's state and the actions that change it ─────────────────────────────

/** The frame around every screen: the mode, the terminal, which screen, the header's where, exiting. */
export interface ScreensState {
  mode: Mode;
  readOnly: boolean;
  color: boolean;
  size: { columns: number; rows: number };
  now: number;
  screen: Screen;
  identity: IdentityView;
  kube: { context?: string; pending: boolean };
  /** Where commands land outside any incident (flags, environment, the header's lookups): each incident starts from it. */
  outside: { identity: IdentityView; kube: { context?: string; pending: boolean } };
  exit?: { code: number; message?: string };
}
export interface ScreensActions {
  setSize(size: { columns: number; rows: number }): void;
  tick(now: number): void;
  setScreen(screen: Screen): void;
  setIdentity(v: Partial<IdentityView>): void;
  setKube(v: Partial<ScreensState['kube']>): void;
  requestExit(code: number, message?: string): void;
}

/** The message line, and a key armed for a second press. */
export interface MessagesState {
  message?: Message;
  /** A second press of this key (Ctrl+C, or q while a step runs) quits; any other key disarms it. */
  armed?: 'interrupt' | 'quit';
  /** The warning that arming put on the message line (disarming takes it away, and only it). */
  armedWarning?: string;
}
export interface MessagesActions {
  setMessage(text: string | undefined, level?: Message['level']): void;
  /** Arms a second press (its warning on the message line), or disarms, taking that warning away. */
  arm(kind: 'interrupt' | 'quit' | undefined, warning?: string): void;
}

/** Overlays over the screen: help, the timeline, the note, skip and milestone panels. */
export interface OverlaysState {
  overlay: Overlay;
  /** Text typed into the note or skip-reason overlay. */
  overlayText: string;
  timelineScroll: number;
  helpScroll: number;
}
export interface OverlaysActions {
  openOverlay(kind: Overlay['kind']): void;
  closeOverlay(): void;
  editOverlayText(edit: TextEdit): void;
  scrollTimeline(delta: number | 'end'): void;
  scrollHelp(delta: number): void;
}

/** The forms: the new incident's draft, and the form on screen (new incident, inputs, secrets). */
export interface FormsState {
  draft: { title: string; severity: string; service: string };
  form?: FormState;
}
export interface FormsActions {
  setDraft(draft: FormsState['draft']): void;
  setForm(form: FormState | undefined): void;
  editField(edit: TextEdit): void;
  cycleField(delta: number): void;
  focusField(delta: number): void;
  setFormError(error: string | undefined): void;
}

/** The lists to choose from: open incidents (start), runbooks, drill scenarios; their filter and previews. */
export interface PickersState {
  incidents: { loading: boolean; list: IncidentSummary[]; unreadable: number; error?: string };
  startIndex: number;
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
}
export interface PickersActions {
  setIncidents(v: Partial<PickersState['incidents']>): void;
  moveStart(delta: number): void;
  setRunbooks(v: Partial<PickersState['runbooks']>): void;
  setFilter(filter: string, matches: Match[]): void;
  setScenarios(v: Partial<PickersState['scenarios']>): void;
  setDrillFilter(filter: string, matches: Match<ScenarioItem>[]): void;
  setScenarioPreview(file: string, preview: ScenarioPreview): void;
  movePicker(delta: number): void;
  setPreview(file: string, preview: Preview): void;
  choose(runbook: RunbookListing | undefined): void;
}

/** The runner: the engine's prompt queue (only the head is drawn), its loop, the step in view. */
export interface RunnerState {
  prompts: Prompt[];
  /** The engine loop is running (it may be waiting on a prompt). */
  running: boolean;
  result?: RunResult;
  /** The step being looked at (undefined: follow the current step) and lines scrolled up from the tail. */
  view: { step?: string; scroll: number };
  /** Lines of output the pane shows (the layout reports it; scrolling and paging use it). */
  paneRows: number;
  /** Lines of the prompt on screen that do not fit (PgUp/PgDn scroll it instead of the output). */
  promptOverflow: number;
  /** Lines of an overflowing prompt scrolled past at its top. */
  promptScroll: number;
  /** `a` at a gate: read steps run without their gate until the next decision, change or failure. */
  autoReads: boolean;
}
export interface RunnerActions {
  pushPrompt(p: PromptInput): number;
  updatePrompt(id: number, patch: Partial<{ choice: 'cancel' | 'approve'; typed: string; selected: number; text: string; problem: string | undefined; declined: boolean }>): void;
  /** Removes a prompt from the queue (its promise is settled by the caller). */
  dropPrompt(id: number): Prompt | undefined;
  setRunning(running: boolean, result?: RunResult): void;
  viewStep(delta: number): void;
  scrollOutput(delta: number | 'end'): void;
  setPaneRows(rows: number, promptOverflow?: number): void;
  setAutoReads(on: boolean): void;
}

/** The incident as the journal tells it: engine records folded into what the runner and timeline draw. */
export interface ProjectionState {
  incidentId?: string;
  incident?: IncidentState;
  runbook?: RunbookView;
  output: Record<string, OutputBuf>;
  confirmations: Record<string, Confirmation>;
  /** The assertion outcomes of each step's latest finished attempt. */
  assertions: Record<string, Assertion[]>;
  timeline: TimelineEntry[];
}
export interface ProjectionActions {
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
}

export type TuiState = ScreensState & MessagesState & OverlaysState & FormsState & PickersState & RunnerState & ProjectionState;
export type TuiActions = ScreensActions & MessagesActions & OverlaysActions & FormsActions & PickersActions & RunnerActions & ProjectionActions;
export type TuiStoreState = TuiState & TuiActions;
export type TuiStore = StoreApi<TuiStoreState>;

/** A slice of the one store: it sees (and may set) the whole state, and contributes its own part. */
export type Slice<T> = StateCreator<TuiStoreState, [], [], T>;

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
