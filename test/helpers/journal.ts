// Tests read what an incident recorded; the record its writer appends as it closes (the chain's
// head, journal.closed) is bookkeeping. It is checked here, then left out.
import { expect } from 'vitest';
import type { AnyRecord } from '../../src/journal/record.js';

/** The records without the trailing closes, each of which must anchor the record before it. */
export function incidentRecords<R extends Pick<AnyRecord, 'type' | 'payload' | 'prev'>>(records: readonly R[]): R[] {
  const out = [...records];
  while (out.at(-1)?.type === 'journal.closed') {
    const close = out.pop()!;
    expect((close.payload as { head: string }).head).toBe(close.prev);
  }
  return out;
}
