// The journal record: one JSON object per line, each line chained to the previous one by its sha256.
import { hash } from 'node:crypto';
import type { AnyEvent, EventType, JournalEvent } from './events.js';

export const JOURNAL_VERSION = 1;

/** The envelope every line carries around an event (see events.ts for the types and payloads). */
export interface Envelope {
  v: 1;
  /** 0, 1, 2, … with no gaps. */
  seq: number;
  /** ISO-8601 UTC with milliseconds; never decreases within a journal. */
  ts: string;
  incident: string;
  /** sha256 hex of the previous line's exact bytes (without its '\n'), or GENESIS for record 0. */
  prev: string;
}

/** One record of a known type, as written. */
export type JournalRecord<T extends EventType = EventType> = JournalEvent<T> & Envelope;
/** Any record, discriminated by `type`. */
export type AnyRecord = AnyEvent & Envelope;

export const GENESIS = '0'.repeat(64);

/** sha256 hex of a line as written (UTF-8, without the trailing newline). */
export function hashLine(line: string | Uint8Array): string {
  return hash('sha256', line, 'hex'); // one-shot: half the cost of createHash on a short line
}
