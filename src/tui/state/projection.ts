// The incident as the journal tells it: engine records folded, with the engine's own applyEvent
// (there is no second fold), into what the runner, the header and the timeline draw: the incident
// state, each step's capped output, confirmations, assertions, timeline entries, and the identity
// and kube context the engine journaled.
//
// Records are batched: output lines are applied every `batchMs`, other records on the next tick,
// so thousands of output lines cost a handful of renders. A batch publishes new objects only for
// what it changed, so components reading untouched parts do not re-render.
import type { AnyEvent } from '../../journal/events.js';
import { applyEvent, initialState, type IncidentState, type StepState } from '../../engine/state.js';
import { progressLine } from '../../export/lines.js';
import { visibleDeep } from '../../core/terminal-text.js';
import { currentStep } from './derived.js';
import type { Assertion, Confirmation, IdentityView, OutputLine, ProjectionActions, ProjectionState, ScreensState, Slice, StoreOptions, TimelineEntry, TuiState } from './types.js';

export const projectionSlice =
  (o: Pick<StoreOptions, 'batchMs' | 'outputCap'>): Slice<ProjectionState & ProjectionActions> =>
  (set, get) => {
    const batchMs = o.batchMs ?? 50;
    const cap = o.outputCap ?? 2000;
    let fold: IncidentState | undefined;
    let queue: AnyEvent[] = [];
    let timer: ReturnType<typeof setTimeout> | undefined;
    let timerUrgent = false;

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
      kube?: ScreensState['kube'];
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

    /**
     * Applies one record to the fold (nothing is published until the batch ends). Every record
     * the TUI draws passes here: its text (output, results, errors, notes, inputs, intents) is
     * made visible first, so an escape sequence in it is drawn, never obeyed. The fold is the
     * TUI's own, for drawing; the engine keeps its state, and the journal the exact bytes.
     */
    const applyOne = (b: Batch, record: AnyEvent) => {
      const ev = visibleDeep(record);
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
      output: {},
      confirmations: {},
      assertions: {},
      timeline: [],

      beginIncident: (id, runbook) => {
        if (timer) clearTimeout(timer);
        timer = undefined;
        queue = [];
        batch = undefined;
        fold = initialState(id);
        set({
          incidentId: id,
          runbook,
          autoReads: false,
          // Where this incident's changes land is its own: never the previous incident's.
          identity: get().outside.identity,
          kube: get().outside.kube,
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
        set({ incidentId: undefined, incident: undefined, runbook: undefined, identity: get().outside.identity, kube: get().outside.kube, output: {}, confirmations: {}, assertions: {}, timeline: [], prompts: [], result: undefined, running: false });
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
    };
  };
