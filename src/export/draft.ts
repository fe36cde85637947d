// What the post-mortem draft can say from the journal alone, for the sections a person would
// otherwise write from memory: which notes were tagged for which section, how the incident was
// detected, and which change resolved it and what checked it. Nothing here is guessed: where the
// journal does not say, the answer is null and the renderer leaves a prompt.
import type { Timeline, TimelineStep } from './schema.js';

export const NOTE_TAGS = ['cause', 'impact', 'action', 'lucky'] as const;
export type NoteTag = (typeof NOTE_TAGS)[number];

const TAG = /(?:^|[\s(])#(cause|impact|action|lucky)\b/gi;

/** The section tags (`#cause`, `#impact`, `#action`, `#lucky`) a note carries. */
export function noteTags(text: string): Set<NoteTag> {
  const tags = new Set<NoteTag>();
  for (const m of text.matchAll(TAG)) tags.add(m[1]!.toLowerCase() as NoteTag);
  return tags;
}

export type Note = Timeline['notes'][number];

export function notesTagged(tl: Timeline): Record<NoteTag, Note[]> {
  const out: Record<NoteTag, Note[]> = { cause: [], impact: [], action: [], lucky: [] };
  for (const n of tl.notes) for (const t of noteTags(n.text)) out[t].push(n);
  return out;
}

export interface Detection {
  milestone: Timeline['milestones'][number] | null;
  /** The page the engineer received, when the journal has one (drills record it). */
  page: { from: string; severity: string; text: string } | null;
  opened_at: string | null;
  opened_by: string;
  /** The first thing done about it: a step started, an answer, a confirmation or a mark. */
  first_action: { at: string; title: string; actor: string } | null;
}

const ACTION_KINDS = new Set(['step.started', 'step.finished', 'step.skipped', 'decision.made', 'confirm.given']);

export function detection(tl: Timeline): Detection {
  const first = tl.events.find((e) => ACTION_KINDS.has(e.kind));
  return {
    milestone: tl.milestones.find((m) => m.milestone === 'detected') ?? null,
    page: tl.incident.drill?.page ?? null,
    opened_at: tl.incident.opened_at,
    opened_by: tl.incident.operator,
    first_action: first ? { at: first.occurred_at, title: first.title, actor: first.actor } : null,
  };
}

export interface Resolution {
  /** The last change a runbook step made (a write that finished ok). */
  change: TimelineStep | null;
  /** The first read that finished ok after it: what checked that the change worked. */
  verified_by: TimelineStep | null;
  /** Changes that were not made or may not have been: skipped writes, writes in doubt. */
  not_made: TimelineStep[];
}

export function resolution(tl: Timeline): Resolution {
  let idx = -1;
  tl.steps.forEach((s, i) => {
    if (s.effect === 'write' && s.status === 'ok') idx = i;
  });
  const change = idx >= 0 ? tl.steps[idx]! : null;
  const after = change?.finished_at ?? '';
  const verified_by = change ? (tl.steps.slice(idx + 1).find((s) => s.effect === 'read' && s.status === 'ok' && (s.started_at ?? '') >= after) ?? null) : null;
  const not_made = tl.steps.filter((s) => s.effect === 'write' && (s.status === 'skipped' || s.in_doubt));
  return { change, verified_by, not_made };
}
