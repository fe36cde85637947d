// The message line, and a key armed for a second press (Ctrl+C, or q while a step runs): arming
// puts its warning on the message line; disarming takes that warning away, unless something else
// was said since.
import type { MessagesActions, MessagesState, Slice, TuiState } from './types.js';

/** What disarming changes: nothing when nothing is armed. */
export function disarmed(s: Pick<TuiState, 'armed' | 'armedWarning' | 'message'>): Partial<TuiState> {
  if (!s.armed) return {};
  return { armed: undefined, ...(s.message && s.message.text === s.armedWarning ? { message: undefined } : {}) };
}

export const messagesSlice: Slice<MessagesState & MessagesActions> = (set, get) => ({
  setMessage: (text, level = 'info') => set({ message: text === undefined ? undefined : { text, level } }),
  arm: (kind, warning) => {
    if (!kind) {
      if (get().armed) set(disarmed(get()));
      return;
    }
    set({ armed: kind, armedWarning: warning, ...(warning ? { message: { text: warning, level: 'warn' as const } } : {}) });
  },
});
