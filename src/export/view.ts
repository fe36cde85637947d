// What the Markdown and HTML renderers both show: display rows for the timeline table (events
// plus inferred milestones, which are not journal records), step status labels, and which
// decisions and confirmations belong to which step attempt.
import type { Timeline, TimelineStep } from './schema.js';
import { milestoneSource, milestoneTitle } from './text.js';

export interface Row {
  at: string;
  title: string;
  body: string;
  actor: string;
  kind: string;
  /** The step the row is about, if any. */
  step: string | null;
  /** For a step's row: from its start to its end, in ms (null when it has no recorded end). */
  took: number | null;
  milestone: boolean;
  failed: boolean;
  inferred: boolean;
}

const FAILED_STATUS = new Set(['failed', 'timeout', 'aborted', 'declined', 'in_doubt']);

/** Events in time order, with inferred milestones placed at their time (after records of the same instant). */
export function milestoneRows(tl: Timeline): Row[] {
  const rows: Row[] = tl.events.map((e) => ({
    at: e.occurred_at,
    title: e.title,
    body: e.body,
    actor: e.actor,
    kind: e.kind,
    step: e.step,
    took: null,
    milestone: e.kind === 'milestone.marked',
    failed: FAILED_STATUS.has(e.status ?? '') || (e.kind === 'drill.scored' && e.status === 'failed'),
    inferred: false,
  }));
  const inferred = tl.milestones.filter((m) => m.source !== 'marked');
  if (!inferred.length) return rows;
  // Each goes right after the record it was inferred from, or after the records of its instant.
  const extra = inferred
    .map((m) => ({
      seq: m.seq ?? Infinity,
      row: {
        at: m.at,
        title: milestoneTitle(m.milestone, m.by, true),
        body: milestoneSource(m),
        actor: m.by ?? 'oncall',
        kind: 'milestone.inferred',
        step: null,
        took: null,
        milestone: true,
        failed: false,
        inferred: true,
      },
    }))
    .sort((a, b) => (a.row.at < b.row.at ? -1 : a.row.at > b.row.at ? 1 : a.seq - b.seq));
  const out: Row[] = [];
  let j = 0;
  tl.events.forEach((e, i) => {
    while (j < extra.length && (extra[j]!.row.at < e.occurred_at || (extra[j]!.row.at === e.occurred_at && extra[j]!.seq < e.seq))) out.push(extra[j++]!.row);
    out.push(rows[i]!);
  });
  while (j < extra.length) out.push(extra[j++]!.row);
  return out;
}

/**
 * The timeline people read: one row per step run, at its start, saying how it ended and how long
 * it took, in place of a `▶ started` row and a `✓ ok` row. A run interrupted mid-change (in doubt)
 * keeps its start row, so the interruption reads in order. The JSON and CSV keep every record.
 */
export function readableRows(tl: Timeline): Row[] {
  const out: Row[] = [];
  const open = new Map<string, number>();
  for (const r of milestoneRows(tl)) {
    const i = r.step !== null ? open.get(r.step) : undefined;
    if (r.kind === 'step.started' && r.step !== null) {
      open.set(r.step, out.length);
      out.push(r);
    } else if ((r.kind === 'step.finished' || r.kind === 'step.skipped') && i !== undefined) {
      const start = out[i]!;
      open.delete(r.step!);
      const took = Math.max(0, Date.parse(r.at) - Date.parse(start.at));
      out[i] = { ...r, at: start.at, body: [start.body, r.body].filter(Boolean).join('\n'), took };
    } else {
      if (r.kind === 'step.in_doubt' && r.step !== null) open.delete(r.step);
      out.push(r);
    }
  }
  return out;
}

export function stepStatusLabel(s: TimelineStep): string {
  switch (s.status) {
    case 'ok':
      return s.reconciled ? '✓ ok (settled after an interruption)' : '✓ ok';
    case 'failed':
      return s.retry_in_ms !== null ? '✗ failed (retried)' : '✗ FAILED';
    case 'timeout':
      return s.retry_in_ms !== null ? '⏱ timed out (retried)' : '⏱ TIMED OUT';
    case 'aborted':
      return '■ aborted';
    case 'skipped':
      return '↷ skipped';
    case 'unfinished':
      return s.in_doubt ? '⚠ IN DOUBT (no recorded end)' : '… no recorded end';
  }
}

export interface Related {
  decisions: Timeline['decisions'];
  confirmations: Timeline['confirmations'];
}

/**
 * Decisions go to the attempt they were made in; a confirmation goes to the first entry of its
 * step at or after it (it precedes the step's start, or its skip when declined).
 */
export function relate(tl: Timeline): Related[] {
  const related: Related[] = tl.steps.map(() => ({ decisions: [], confirmations: [] }));
  const byStep = new Map<string, number[]>();
  tl.steps.forEach((s, i) => {
    const list = byStep.get(s.step);
    if (list) list.push(i);
    else byStep.set(s.step, [i]);
  });
  const at = (s: TimelineStep) => s.started_at ?? s.finished_at ?? '';
  for (const d of tl.decisions) {
    const runs = byStep.get(d.step) ?? [];
    let best: number | undefined;
    for (const i of runs) if (at(tl.steps[i]!) <= d.at && (tl.steps[i]!.attempt === d.attempt || d.attempt === 0)) best = i;
    if (best !== undefined) related[best]!.decisions.push(d);
  }
  const taken = new Set<number>();
  for (const c of tl.confirmations) {
    const i = (byStep.get(c.step) ?? []).find((k) => !taken.has(k) && at(tl.steps[k]!) >= c.at);
    if (i !== undefined) {
      taken.add(i);
      related[i]!.confirmations.push(c);
    }
  }
  return related;
}
