// Status icons and colours for steps, shared by the step list and the detail pane.
import type { StepPhase, StepState } from '../../engine/state.js';
import type { Color } from '../hooks.js';

export const ICON: Record<StepPhase, string> = {
  pending: '·',
  running: '▶',
  ok: '✓',
  failed: '✗',
  timeout: '⏱',
  aborted: '■',
  skipped: '↷',
};

export const TONE: Record<StepPhase, Color | undefined> = {
  pending: undefined,
  running: 'cyan',
  ok: 'green',
  failed: 'red',
  timeout: 'red',
  aborted: 'yellow',
  skipped: 'gray',
};

/**
 * A step's icon: '?' for a write whose outcome is unknown (interrupted, or being settled), else its
 * phase. A write that is running now is in doubt only in the journal's sense; it shows as running.
 */
export function stepIcon(st: StepState | undefined, phase: StepPhase): string {
  if (st?.inDoubt && phase !== 'running') return '?';
  // It ran, and found something bad: not a green tick.
  if (phase === 'ok' && st?.problem) return '!';
  return ICON[phase];
}

/** How a skipped step reads in the detail pane: why, and whether it had failed first. */
export function skippedText(st: StepState): string {
  return `skipped${st.skippedAfterFailure ? ' after failing' : ''}: ${st.skipReason ?? ''}`;
}

/** Yellow for a step in doubt, else the phase's tone. */
export function stepTone(st: StepState | undefined, phase: StepPhase): Color | undefined {
  if (phase === 'ok' && st?.problem) return 'red';
  return st?.inDoubt && phase !== 'running' ? 'yellow' : TONE[phase];
}
