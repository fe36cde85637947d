// CSV: one row per timeline event, RFC 4180 (CRLF, quotes doubled, quoted when needed), with
// spreadsheet formula injection defused: a cell a spreadsheet would evaluate gets a leading '.
import { modeLabel } from './format.js';
import type { Timeline } from './schema.js';
import { Lines, type Write } from './sink.js';

export const CSV_COLUMNS = ['occurred_at', 'elapsed_s', 'mode', 'incident', 'seq', 'kind', 'step', 'status', 'title', 'body', 'actor', 'source', 'idempotency_key'] as const;

/** Leading characters that make Excel, LibreOffice or Sheets treat a cell as a formula. */
const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: string | number | null): string {
  let s = value === null ? '' : String(value);
  if (FORMULA_START.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function renderCsv(tl: Timeline, write: Write): void {
  const mode = modeLabel(tl.mode);
  const rows = new Lines(write, '\r\n');
  rows.push(CSV_COLUMNS.join(','));
  // A broken chain is said in the data itself, as the first row, so a spreadsheet shows it too.
  const integrity = tl.journal.integrity;
  if (integrity && !integrity.ok) {
    const at = tl.events[0]?.occurred_at ?? tl.generated_at;
    rows.push([at, '0.000', mode, tl.incident.id, '', 'journal.broken', '', 'broken', 'JOURNAL HASH CHAIN BROKEN', `${integrity.problem ?? ''}: this export may not show what happened`, 'oncall', 'oncall', `oncall:${tl.incident.id}:broken`].map(csvCell).join(','));
  }
  for (const e of tl.events) {
    rows.push(
      [e.occurred_at, (e.elapsed_ms / 1000).toFixed(3), mode, tl.incident.id, e.seq, e.kind, e.step, e.status, e.title, e.body, e.actor, e.source, e.idempotency_key]
        .map(csvCell)
        .join(','),
    );
  }
  rows.flush();
}
