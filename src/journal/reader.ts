// Reading a journal back: replay (resume), streaming (export) and verification of the hash chain.
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isIncidentId } from './ids.js';
import { incidentsDir } from './paths.js';
import { GENESIS, JOURNAL_VERSION, hashLine, type JournalRecord } from './record.js';

export { incidentDir, journalPath } from './paths.js';

export class JournalCorruptError extends Error {
  readonly code = 'EJOURNALCORRUPT';
  constructor(
    readonly file: string,
    readonly line: number,
    reason: string,
  ) {
    super(`${file}:${line}: ${reason}: the journal is damaged here (a torn write is only ever the last line)`);
    this.name = 'JournalCorruptError';
  }
}

interface RawLine {
  /** Exact bytes, without the '\n'. */
  bytes: Buffer;
  /** 1-based. */
  line: number;
  /** Ended with '\n'. */
  terminated: boolean;
  last: boolean;
}

/** Lines as raw bytes (hashes are over exact bytes), with one line of look-ahead to know the last. */
async function* rawLines(file: string): AsyncGenerator<RawLine> {
  const stream = createReadStream(file, { highWaterMark: 1 << 20 });
  let carry: Buffer[] = [];
  let pending: Omit<RawLine, 'last'> | undefined;
  let n = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    let start = 0;
    for (let nl = chunk.indexOf(0x0a); nl !== -1; nl = chunk.indexOf(0x0a, start)) {
      const piece = chunk.subarray(start, nl);
      const bytes = carry.length > 0 ? Buffer.concat([...carry, piece]) : piece;
      carry = [];
      if (pending) yield { ...pending, last: false };
      pending = { bytes, line: ++n, terminated: true };
      start = nl + 1;
    }
    if (start < chunk.length) carry.push(chunk.subarray(start));
  }
  if (carry.length > 0) {
    if (pending) yield { ...pending, last: false };
    pending = { bytes: Buffer.concat(carry), line: n + 1, terminated: false };
  }
  if (pending) yield { ...pending, last: true };
}

type Parsed = { ok: true; value: unknown } | { ok: false; error: string };

function parse(bytes: Buffer): Parsed {
  try {
    return { ok: true, value: JSON.parse(bytes.toString('utf8')) };
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
}

/** A crash mid-write leaves at most one torn line, at the end: unterminated or not JSON. */
function isTornTail(l: RawLine, p: Parsed): boolean {
  return l.last && (!l.terminated || !p.ok);
}

function isRecordLike(v: unknown): v is JournalRecord {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Number.isInteger((v as JournalRecord).seq) && typeof (v as JournalRecord).type === 'string';
}

/** Records one at a time, for long journals. A torn last line is skipped; a bad line elsewhere throws. */
export async function* readJournalStream(file: string): AsyncGenerator<JournalRecord> {
  for await (const l of rawLines(file)) {
    const p = parse(l.bytes);
    if (isTornTail(l, p)) return;
    if (!p.ok) throw new JournalCorruptError(file, l.line, `not valid JSON (${p.error})`);
    if (!isRecordLike(p.value)) throw new JournalCorruptError(file, l.line, 'not a journal record');
    yield p.value;
  }
}

export async function readJournal(file: string): Promise<{ records: JournalRecord[]; torn: boolean }> {
  const records: JournalRecord[] = [];
  let torn = false;
  for await (const l of rawLines(file)) {
    const p = parse(l.bytes);
    if (isTornTail(l, p)) {
      torn = true;
      break;
    }
    if (!p.ok) throw new JournalCorruptError(file, l.line, `not valid JSON (${p.error})`);
    if (!isRecordLike(p.value)) throw new JournalCorruptError(file, l.line, 'not a journal record');
    records.push(p.value);
  }
  return { records, torn };
}

export type VerifyResult =
  | { ok: true; count: number; torn: boolean }
  | { ok: false; count: number; firstBad: { seq: number | null; line: number; reason: string } };

const short = (h: string): string => `${h.slice(0, 8)}…`;
const HEX64 = /^[0-9a-f]{64}$/;

/** What is wrong with record `r` given the one before it, in plain words; undefined when it is fine. */
function checkRecord(r: Record<string, unknown>, prev: { seq: number; ts: number; hash: string; incident: string } | undefined): string | undefined {
  if (r.v !== JOURNAL_VERSION) return `has schema version ${JSON.stringify(r.v)}, expected ${JOURNAL_VERSION}`;
  const seq = r.seq;
  if (typeof seq !== 'number' || !Number.isInteger(seq) || seq < 0) return `has no valid sequence number (${JSON.stringify(seq)})`;
  const expected = prev ? prev.seq + 1 : 0;
  if (seq !== expected) {
    if (!prev) return `the journal starts at record ${seq} instead of record 0: its beginning was removed`;
    if (seq < expected) return `record ${seq} comes after record ${prev.seq}: records were duplicated or reordered`;
    const gap = seq - 1 === expected ? `record ${expected} is` : `records ${expected}–${seq - 1} are`;
    return `record ${seq} follows record ${prev.seq}: ${gap} missing (removed?)`;
  }
  if (typeof r.incident !== 'string' || r.incident === '') return `record ${seq} has no incident id`;
  if (prev && r.incident !== prev.incident) return `record ${seq} belongs to incident ${r.incident}, not ${prev.incident}: lines from another journal were mixed in`;
  if (typeof r.type !== 'string' || r.type === '') return `record ${seq} has no type`;
  const ts = typeof r.ts === 'string' ? Date.parse(r.ts) : NaN;
  if (Number.isNaN(ts)) return `record ${seq} has an unreadable timestamp (${JSON.stringify(r.ts)})`;
  if (prev && ts < prev.ts) return `record ${seq} (${r.ts}) is timestamped before record ${prev.seq} (${new Date(prev.ts).toISOString()}): records were reordered or edited`;
  if (!('payload' in r)) return `record ${seq} has no payload`;
  if (typeof r.prev !== 'string' || !HEX64.test(r.prev)) return `record ${seq} has no valid previous-record hash (${JSON.stringify(r.prev)})`;
  if (!prev) {
    if (r.prev !== GENESIS) return `record 0 should start the chain (previous hash ${short(GENESIS)}), but says ${short(r.prev)}: records before it were removed`;
  } else if (r.prev !== prev.hash) {
    return `record ${seq} says the previous record hashes to ${short(r.prev)}, but record ${prev.seq} hashes to ${short(prev.hash)}: record ${prev.seq} was changed or a record was removed`;
  }
  return undefined;
}

/** Checks every line: JSON, shape, sequence, timestamps and the hash chain. Stops at the first broken record. */
export async function verifyJournal(file: string): Promise<VerifyResult> {
  let prev: { seq: number; ts: number; hash: string; incident: string } | undefined;
  let count = 0;
  for await (const l of rawLines(file)) {
    const p = parse(l.bytes);
    if (isTornTail(l, p)) return { ok: true, count, torn: true };
    const fail = (reason: string, seq: number | null) => ({ ok: false as const, count, firstBad: { seq, line: l.line, reason } });
    if (!p.ok) return fail(`line ${l.line} is not valid JSON (${p.error})`, null);
    const r = p.value;
    if (typeof r !== 'object' || r === null || Array.isArray(r)) return fail(`line ${l.line} is not a journal record`, null);
    const rec = r as Record<string, unknown>;
    const seq = typeof rec.seq === 'number' && Number.isInteger(rec.seq) ? rec.seq : null;
    const reason = checkRecord(rec, prev);
    if (reason) return fail(reason, seq);
    prev = { seq: seq as number, ts: Date.parse(rec.ts as string), hash: hashLine(l.bytes), incident: rec.incident as string };
    count++;
  }
  return { ok: true, count, torn: false };
}

/** Incident ids under <root>/incidents that have a journal, oldest first (ids sort by time). */
export async function listIncidentIds(root: string): Promise<string[]> {
  const base = incidentsDir(root);
  let entries;
  try {
    entries = await readdir(base, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const ids: string[] = [];
  for (const e of entries) {
    if (!e.isDirectory() || !isIncidentId(e.name)) continue;
    try {
      if ((await stat(join(base, e.name, 'journal.jsonl'))).isFile()) ids.push(e.name);
    } catch {
      // no journal: not an incident (e.g. a create that failed half-way)
    }
  }
  return ids.sort();
}
