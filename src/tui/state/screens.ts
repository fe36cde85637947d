// The frame around every screen: the mode, the terminal's size, the clock, which screen is shown,
// where commands land (the header's AWS identity and kube context), and the request to exit.
import type { ScreensActions, ScreensState, Slice, StoreOptions } from './types.js';

export const screensSlice =
  (o: StoreOptions): Slice<ScreensState & ScreensActions> =>
  (set, get) => ({
    mode: o.mode ?? 'live',
    readOnly: o.readOnly ?? false,
    color: o.color ?? true,
    size: o.size ?? { columns: 80, rows: 24 },
    now: o.now ?? Date.now(),
    // Drill mode opens on the scenarios: nothing live is ever offered there.
    screen: o.mode === 'drill' ? { kind: 'drills' } : { kind: 'start' },
    identity: { pending: true, ...o.identity },
    kube: { pending: true },
    outside: { identity: { pending: true, ...o.identity }, kube: { pending: true } },

    setSize: (size) => {
      const cur = get().size;
      if (cur.columns !== size.columns || cur.rows !== size.rows) set({ size });
    },
    tick: (now) => set({ now }),
    // A new screen starts with a clear message line.
    setScreen: (screen) => set({ screen, message: undefined }),
    // What the flags and the environment say (the header's lookups): kept apart from what an
    // incident journaled, so the next incident starts from it, never from the last one's.
    setIdentity: (v) => set({ identity: { ...get().identity, ...v }, outside: { ...get().outside, identity: { ...get().outside.identity, ...v } } }),
    setKube: (v) => set({ kube: { ...get().kube, ...v }, outside: { ...get().outside, kube: { ...get().outside.kube, ...v } } }),
    requestExit: (code, message) => {
      if (!get().exit) set({ exit: { code, message } });
    },
  });
