// The TUI's state: one vanilla zustand store, composed of slices (state/). The projection folds
// engine records into the incident the screens draw (with the engine's own applyEvent: there is no
// second fold); the UI slices hold the rest: the frame and screen, the message line, overlays,
// forms, pickers, and the runner's prompt queue and view. Components read narrow selectors of the
// one store; non-React code (the controller's flows, the engine's ports, tests) calls its actions.
//
// Actions read get(), so two keys arriving in one tick never act on a stale copy.
import { createStore } from 'zustand/vanilla';
import { formsSlice } from './state/forms.js';
import { messagesSlice } from './state/messages.js';
import { overlaysSlice } from './state/overlays.js';
import { pickersSlice } from './state/pickers.js';
import { projectionSlice } from './state/projection.js';
import { runnerSlice } from './state/runner.js';
import { screensSlice } from './state/screens.js';
import type { StoreOptions, TuiStore, TuiStoreState } from './state/types.js';

export type * from './state/types.js';
export * from './state/derived.js';

export function createTuiStore(o: StoreOptions = {}): TuiStore {
  return createStore<TuiStoreState>()((...a) => ({
    ...screensSlice(o)(...a),
    ...messagesSlice(...a),
    ...overlaysSlice(...a),
    ...formsSlice(...a),
    ...pickersSlice(...a),
    ...runnerSlice(...a),
    ...projectionSlice(o)(...a),
  }));
}
