// Overlays over the screen: help and the timeline (scrolled), the note, skip-reason and milestone panels.
import { applyEdit, clamp } from './derived.js';
import type { OverlaysActions, OverlaysState, Slice } from './types.js';

export const overlaysSlice: Slice<OverlaysState & OverlaysActions> = (set, get) => ({
  overlay: { kind: 'none' },
  overlayText: '',
  timelineScroll: 0,
  helpScroll: 0,

  openOverlay: (kind) => set({ overlay: { kind }, overlayText: '', helpScroll: 0, ...(kind === 'timeline' ? { timelineScroll: 0 } : {}) }),
  closeOverlay: () => set({ overlay: { kind: 'none' }, overlayText: '' }),
  editOverlayText: (edit) => set({ overlayText: applyEdit(get().overlayText, edit) }),
  scrollTimeline: (delta) => {
    const s = get();
    if (delta === 'end') return set({ timelineScroll: 0 });
    set({ timelineScroll: clamp(s.timelineScroll + delta, 0, Math.max(0, s.timeline.length - 1)) });
  },
  scrollHelp: (delta) => set({ helpScroll: Math.max(0, get().helpScroll + delta) }),
});
