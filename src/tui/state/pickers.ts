// The lists to choose from: the open incidents on the start screen, the runbooks, and (drill mode)
// the scenarios, with the filter typed over them, the highlighted row and its preview.
import { clamp, resumableIncidents } from './derived.js';
import type { PickersActions, PickersState, Slice } from './types.js';

export const pickersSlice: Slice<PickersState & PickersActions> = (set, get) => ({
  incidents: { loading: true, list: [], unreadable: 0 },
  startIndex: 0,
  runbooks: { loading: true, list: [], invalid: 0 },
  filter: '',
  matches: [],
  pickerIndex: 0,
  previews: {},
  scenarios: { loading: true, list: [] },
  drillMatches: [],
  scenarioPreviews: {},

  setIncidents: (v) => {
    const incidents = { ...get().incidents, ...v };
    set({ incidents, startIndex: Math.min(get().startIndex, resumableIncidents({ incidents }).length) });
  },
  moveStart: (delta) => set({ startIndex: clamp(get().startIndex + delta, 0, resumableIncidents(get()).length) }),
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
  choose: (chosen) => set({ chosen }),
});
