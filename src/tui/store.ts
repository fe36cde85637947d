// The TUI's state: one vanilla zustand store, composed of slices (state/). The projection folds
// engine records into the incident the screens draw (with the engine's own applyEvent: there is no
// second fold); the UI slices hold the rest: the frame and screen, the message line, overlays,
// forms, pickers, and the runner's prompt queue and view. Components read narrow selectors of the
// one store; non-React code (the controller's flows, the engine's ports, tests) calls its actions.
//
// Actions read get(), so two keys arriving in one tick never act on a stale copy.
import { createStore } from 'zustand/vanilla';
import { visibleDeep } from '../core/terminal-text.js';
import { formsSlice } from './state/forms.js';
import { messagesSlice } from './state/messages.js';
import { overlaysSlice } from './state/overlays.js';
import { pickersSlice } from './state/pickers.js';
import { projectionSlice } from './state/projection.js';
import { runnerSlice } from './state/runner.js';
import { screensSlice } from './state/screens.js';
import type { StoreOptions, TuiActions, TuiStore, TuiStoreState } from './state/types.js';

export type * from './state/types.js';
export * from './state/derived.js';

/**
 * The actions through which text from outside oncall enters the store: runbooks and scenarios
 * read from files, incidents listed from journals, messages and errors that quote what a server or
 * a file said, the kube context and identity. Ink draws what it is given, OSC sequences (window
 * title, hyperlinks, clipboard) and colours included, so each argument is made visible on the way
 * in (core/terminal-text.ts), except at the paths listed: what a flow acts on (a file to open, an
 * input's default, pattern and choices, a form's values) stays exact, and the few components that
 * draw it make it visible themselves (TextField, the form's choices, the picker's defaults).
 * Engine records are made visible as the projection folds them, the engine's requests by the
 * ports (ports.ts), with what an answer is made of kept exact.
 */
const ENTRANCES: { readonly [A in keyof TuiActions]?: readonly string[] } = {
  setScreen: [],
  setIdentity: [],
  setKube: [],
  requestExit: [],
  setMessage: [],
  setForm: ['0.values', '0.fields.*.name', '0.fields.*.values'],
  setFormError: [],
  setIncidents: [],
  setRunbooks: ['0.list.*.file', '0.list.*.inputs.*.default', '0.list.*.inputs.*.pattern', '0.list.*.inputs.*.values'],
  setScenarios: ['0.list.*.file'],
  setPreview: ['0'],
  setScenarioPreview: ['0'],
  beginIncident: [],
  setRunbook: [],
};

export function createTuiStore(o: StoreOptions = {}): TuiStore {
  const store = createStore<TuiStoreState>()((...a) => ({
    ...screensSlice(o)(...a),
    ...messagesSlice(...a),
    ...overlaysSlice(...a),
    ...formsSlice(...a),
    ...pickersSlice(...a),
    ...runnerSlice(...a),
    ...projectionSlice(o)(...a),
  }));
  const s = store.getState();
  const entrances: Record<string, unknown> = {};
  for (const [name, keep] of Object.entries(ENTRANCES)) {
    const act = s[name as keyof TuiActions] as (...args: unknown[]) => unknown;
    entrances[name] = (...args: unknown[]) => act(...visibleDeep(args, keep));
  }
  store.setState(entrances);
  return store;
}
