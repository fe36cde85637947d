// Status icons and colours for steps, shared by the step list and the detail pane.
import type { StepPhase } from '../../engine/state.js';
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
