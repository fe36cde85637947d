// The journal record: one JSON object per line, each line chained to the previous one by its sha256.
import { hash } from 'node:crypto';

export const JOURNAL_VERSION = 1;

export interface JournalRecord<P = unknown> {
  v: 1;
  /** 0, 1, 2, … with no gaps. */
  seq: number;
  /** ISO-8601 UTC with milliseconds; never decreases within a journal. */
  ts: string;
  incident: string;
  /** `incident.opened`, `step.started`, `step.output`, … */
  type: string;
  payload: P;
  /** sha256 hex of the previous line's exact bytes (without its '\n'), or GENESIS for record 0. */
  prev: string;
}

export const GENESIS = '0'.repeat(64);

/** sha256 hex of a line as written (UTF-8, without the trailing newline). */
export function hashLine(line: string | Uint8Array): string {
  return hash('sha256', line, 'hex'); // one-shot: half the cost of createHash on a short line
}

export const RECORD_TYPE_RE = /^[a-z][a-z0-9_-]*(\.[a-z0-9_-]+)*$/i;
