// The incidents under a state root, summarised for `oncall incidents` and the TUI's start screen.
import { journalPath } from '../journal/paths.js';
import { listIncidentIds, readJournal } from '../journal/reader.js';
import type { Mode, Outcome } from '../journal/events.js';
import { foldEvents, type IncidentState } from './state.js';
import { readYamlValue } from '../runbook/yaml.js';

export interface IncidentSummary {
  id: string;
  title: string;
  severity: string;
  mode: Mode;
  status: 'open' | Outcome;
  runbook?: string;
  stepsDone: number;
  stepsTotal: number;
  openedAt?: string;
  lastActivity?: string;
  inDoubt: number;
}

export function summarize(state: IncidentState): IncidentSummary {
  const steps = Object.values(state.steps);
  // The runbook source a journal carries is read within the same bounds as any runbook.
  const listed = (readYamlValue(state.runbook?.source ?? '') as { steps?: unknown } | null | undefined)?.steps;
  const total = Array.isArray(listed) ? listed.length : 0;
  return {
    id: state.id,
    title: state.title,
    severity: state.severity,
    mode: state.mode,
    status: state.outcome ?? 'open',
    runbook: state.runbook ? `${state.runbook.id}@${state.runbook.version}` : undefined,
    stepsDone: steps.filter((s) => (s.phase === 'ok' || s.phase === 'skipped') && !s.id.includes(':')).length,
    stepsTotal: total,
    openedAt: state.openedAt,
    lastActivity: state.lastTs,
    inDoubt: steps.filter((s) => s.inDoubt).length,
  };
}

export async function loadIncident(root: string, id: string): Promise<IncidentState> {
  const { records } = await readJournal(journalPath(root, id));
  return foldEvents(id, records);
}

/** Newest first. A journal that cannot be read is reported, not fatal. */
export async function listIncidents(root: string): Promise<{ incidents: IncidentSummary[]; unreadable: { id: string; error: string }[] }> {
  const incidents: IncidentSummary[] = [];
  const unreadable: { id: string; error: string }[] = [];
  for (const id of await listIncidentIds(root)) {
    try {
      incidents.push(summarize(await loadIncident(root, id)));
    } catch (err) {
      unreadable.push({ id, error: (err as Error).message });
    }
  }
  incidents.sort((a, b) => (b.openedAt ?? '').localeCompare(a.openedAt ?? ''));
  return { incidents, unreadable };
}
