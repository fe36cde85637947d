// Values derived from the state, pure: the slices, the flows and the components share them.
import type { IncidentState, StepState } from '../../engine/state.js';
import type { IncidentSummary } from '../../engine/incidents.js';
import type { KeyContext } from '../keys.js';
import type { TextEdit, TuiState } from './types.js';

/** A text field after a key: the character (pasted text on one line), backspace, or clear. */
export function applyEdit(value: string, edit: TextEdit): string {
  if ('insert' in edit) return value + edit.insert.replace(/[\r\n]+/g, ' ');
  if ('backspace' in edit) return [...value].slice(0, -1).join('');
  return '';
}

export function clamp(n: number, lo: number, hi: number): number {
  return Math.max(lo, Math.min(hi, n));
}

/** The incidents still open (the start screen offers these to resume). */
/** Incidents that can go on: open ones, and failed or blocked ones (reopened once the cause is fixed). */
export function resumableIncidents(s: Pick<TuiState, 'incidents'>): IncidentSummary[] {
  return s.incidents.list.filter((i) => i.status === 'open' || i.status === 'failed' || i.status === 'blocked');
}

/** The step the incident is at: running, or the next one to run. */
export function currentStep(incident: IncidentState | undefined): string | undefined {
  if (!incident) return undefined;
  const running = incident.touched.findLast((id) => incident.steps[id]?.phase === 'running');
  if (running) return running;
  if (typeof incident.next === 'string') return incident.next;
  return incident.touched.at(-1);
}

/** Runbook steps in file order, then any extra steps the journal knows (rollbacks). */
export function stepOrder(s: Pick<TuiState, 'runbook' | 'incident'>): string[] {
  const ids = s.runbook?.steps.map((x) => x.id) ?? [];
  const extra = (s.incident?.touched ?? []).filter((id) => !ids.includes(id));
  return [...ids, ...extra];
}

/** The step the runner shows: the prompt's, the one picked with ↑↓, or the current one. */
export function shownStep(s: Pick<TuiState, 'view' | 'incident' | 'prompts' | 'runbook'>): string | undefined {
  if (s.view.step) return s.view.step;
  const head = s.prompts[0];
  if (head) return head.req.stepId;
  return currentStep(s.incident) ?? s.runbook?.steps[0]?.id;
}

/** The key contexts in force, most specific first (see keys.ts). */
export function activeContexts(s: Pick<TuiState, 'overlay' | 'screen' | 'prompts' | 'running' | 'incident' | 'result'>): KeyContext[] {
  switch (s.overlay.kind) {
    case 'help':
      return ['help'];
    case 'timeline':
      return ['timeline'];
    case 'note':
      return ['note'];
    case 'skip':
      return ['skip'];
    case 'reopen':
      return ['reopen'];
    case 'milestone':
      return ['milestone'];
    case 'none':
      break;
  }
  switch (s.screen.kind) {
    case 'start':
      return ['start'];
    case 'new-incident':
    case 'inputs':
      return ['form'];
    case 'picker':
      return ['picker'];
    case 'drills':
      return ['drills'];
    case 'score':
      return ['score'];
    case 'busy':
      return [];
    case 'runner': {
      const head = s.prompts[0];
      if (!head) {
        if (s.running || !s.incident) return ['runner'];
        if (!s.incident.outcome) return s.result ? ['paused', 'runner'] : ['runner'];
        // A failed or blocked run can be reopened once its cause is fixed.
        return s.incident.outcome === 'failed' || s.incident.outcome === 'blocked' ? ['stopped', 'runner'] : ['runner'];
      }
      switch (head.kind) {
        case 'gate':
          return ['gate', 'runner'];
        case 'failure':
          return ['failure', 'runner'];
        case 'confirm':
          if (head.declined) return ['declined', 'runner'];
          return head.req.destructive ? ['confirm-typed'] : ['confirm', 'runner'];
        case 'ask':
          return head.req.type === 'choice' ? ['choice', 'runner'] : head.req.type === 'text' ? ['text-answer'] : ['manual', 'runner'];
      }
    }
  }
}

/**
 * The phase to draw. The journal says 'running' for a step that was interrupted (a crash, a
 * headless run that stopped for a human); it is running only while the engine runs it, not while
 * its gate waits for the operator, nor while an interrupted write is being settled (its start, and
 * so its duration, belong to the process that stopped).
 */
export function phaseOf(st: StepState | undefined, s: Pick<TuiState, 'prompts' | 'running'>): StepState['phase'] {
  if (!st) return 'pending';
  if (st.phase !== 'running') return st.phase;
  const head = s.prompts[0];
  if (!s.running || st.settling || (head?.kind === 'gate' && head.req.stepId === st.id)) return 'pending';
  return 'running';
}

/** The running step when it has run longer than the runbook expects (the header nudges). */
export function overdueStep(s: Pick<TuiState, 'incident' | 'prompts' | 'running' | 'now'>): { id: string; expectedMs: number; ranMs: number } | undefined {
  const id = currentStep(s.incident);
  const st = id ? s.incident?.steps[id] : undefined;
  if (!id || !st || phaseOf(st, s) !== 'running' || !st.expectedMs || !st.startedAt) return undefined;
  const ranMs = s.now - Date.parse(st.startedAt);
  return ranMs > st.expectedMs ? { id, expectedMs: st.expectedMs, ranMs } : undefined;
}

/** What quitting leaves behind, for the warnings that offer it: a drill cannot be resumed. */
export function afterQuit(s: Pick<TuiState, 'mode' | 'incident'>): string {
  return (s.incident?.mode ?? s.mode) === 'drill' ? 'the drill ends and is scored' : 'the incident stays resumable';
}

/** True while a step is actually running (its duration counts up on screen). */
export function stepRunning(s: Pick<TuiState, 'incident' | 'prompts' | 'running'>): boolean {
  const id = currentStep(s.incident);
  return Boolean(id && phaseOf(s.incident?.steps[id], s) === 'running');
}
