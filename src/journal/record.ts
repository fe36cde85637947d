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
  /** Who wrote it: set on every record of a shared (team) incident (src/share), absent on a local one. */
  by?: Author;
}

/** The author of a shared incident's record: the person, the machine, and the AWS principal (STS). */
export interface Author {
  operator: string;
  host: string;
  /** The caller's ARN from STS GetCallerIdentity; absent when it could not be resolved. */
  principal?: string;
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

/**
 * One record as a journal line, byte for byte as the writer lays it out (keys in contract order:
 * v, seq, ts, incident, type, payload, prev, then `by` on a shared incident's records). `payload`
 * is already redacted and serialized. A shared incident builds its records with this (src/share)
 * so the line in the store and the line in the local mirror are the same bytes, and so the same hash.
 */
export function formatLine(r: { seq: number; ts: string; incident: string; type: string; payload: string; prev: string; by?: Author }): string {
  const by = r.by ? `,"by":${JSON.stringify({ operator: r.by.operator, host: r.by.host, ...(r.by.principal ? { principal: r.by.principal } : {}) })}` : '';
  return `{"v":${JOURNAL_VERSION},"seq":${r.seq},"ts":${JSON.stringify(r.ts)},"incident":${JSON.stringify(r.incident)},"type":${JSON.stringify(r.type)},"payload":${r.payload},"prev":${JSON.stringify(r.prev)}${by}}`;
}
