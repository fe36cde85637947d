// The runner: the engine's prompt queue (only its head is drawn and answered), whether the engine
// loop runs and how it ended, and the step in view with its output scrolled.
import { disarmed } from './messages.js';
import { clamp, currentStep, stepOrder } from './derived.js';
import type { Prompt, RunnerActions, RunnerState, Slice } from './types.js';

export const runnerSlice: Slice<RunnerState & RunnerActions> = (set, get) => {
  let nextPromptId = 1;
  return {
    prompts: [],
    running: false,
    view: { scroll: 0 },
    paneRows: 10,
    promptOverflow: 0,
    promptScroll: 0,
    autoReads: false,

    pushPrompt: (p) => {
      // What the prompt talks about must already be on screen.
      get().flush();
      const id = nextPromptId++;
      const openedAt = Date.now();
      // Running the reads ends where a person is needed: a decision, a change, a failure.
      if (p.kind !== 'gate' || p.req.effect !== 'read') set({ autoReads: false });
      // Nothing is highlighted unless the evidence points to an option: Enter never answers by default.
      const suggested = p.kind === 'ask' && p.req.suggested !== undefined ? (p.req.options ?? []).findIndex((o) => o.value === p.req.suggested) : -1;
      const prompt: Prompt =
        p.kind === 'confirm'
          ? { ...p, id, openedAt, choice: 'cancel', typed: '', problem: p.req.problem }
          : p.kind === 'ask'
            ? { ...p, id, openedAt, selected: suggested, text: '', problem: p.req.problem }
            : { ...p, id, openedAt };
      // A new prompt for the current step brings the view back to it.
      set({ prompts: [...get().prompts, prompt], view: { scroll: 0 }, promptScroll: 0, ...disarmed(get()) });
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
      // A prompt taller than the screen takes the pane's place, and PgUp/PgDn with it (read from
      // its top down: PgDn shows more of it).
      if (s.promptOverflow > 0) return set({ promptScroll: clamp(s.promptScroll - delta, 0, s.promptOverflow) });
      const step = s.view.step ?? currentStep(s.incident);
      const total = step ? (s.output[step]?.lines.length ?? 0) : 0;
      // The top of the output is reached when the first line shows at the top of the pane.
      set({ view: { ...s.view, scroll: clamp(s.view.scroll + delta, 0, Math.max(0, total - s.paneRows)) } });
    },
    setAutoReads: (on) => set({ autoReads: on }),
    setPaneRows: (rows, promptOverflow = 0) => {
      if (get().paneRows !== rows || get().promptOverflow !== promptOverflow) set({ paneRows: rows, promptOverflow });
    },
  };
};
