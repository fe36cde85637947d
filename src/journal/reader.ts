// Reading a journal back: replay (resume), streaming (export) and verification of the hash chain.
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isIncidentId } from './ids.js';
import { incidentsDir } from './paths.js';
import { eventProblem } from './events.js';
import { HeadCheck, readHead } from './head.js';
import { GENESIS, JOURNAL_VERSION, hashLine, type AnyRecord } from './record.js';

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

export interface RawLine {
  /** Exact bytes, without the '\n'. */
  bytes: Buffer;
  /** 1-based. */
  line: number;
  /** Ended with '\n'. */
  terminated: boolean;
  last: boolean;
}

/**
 * Lines as raw bytes (hashes are over exact bytes), with one line of look-ahead to know the last.
 * The chunks come from a file stream: a path's, or an open handle's (the writer reads through the
 * handle it appends with, so resuming opens the journal once).
 */
export async function* rawLines(chunks: AsyncIterable<Buffer>): AsyncGenerator<RawLine> {
  let carry: Buffer[] = [];
  let pending: Omit<RawLine, 'last'> | undefined;
  let n = 0;
  for await (const chunk of chunks) {
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

function fileChunks(file: string): AsyncIterable<Buffer> {
  return createReadStream(file, { highWaterMark: 1 << 20 });
}

const short = (h: string): string => `${h.slice(0, 8)}…`;
const HEX64 = /^[0-9a-f]{64}$/;

interface Prev {
  seq: number;
  ts: number;
  hash: string;
  incident: string;
}

/** What is wrong with the envelope of record `r` given the one before it, in plain words; undefined when it is fine. */
function envelopeProblem(r: Record<string, unknown>, prev: Prev | undefined, chain: boolean): string | undefined {
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
  if (!chain) return undefined;
  if (typeof r.prev !== 'string' || !HEX64.test(r.prev)) return `record ${seq} has no valid previous-record hash (${JSON.stringify(r.prev)})`;
  if (!prev) {
    if (r.prev !== GENESIS) return `record 0 should start the chain (previous hash ${short(GENESIS)}), but says ${short(r.prev)}: records before it were removed`;
  } else if (r.prev !== prev.hash) {
    return `record ${seq} says the previous record hashes to ${short(r.prev)}, but record ${prev.seq} hashes to ${short(prev.hash)}: record ${prev.seq} was changed or a record was removed`;
  }
  return undefined;
}

/** One line's verdict: a checked record, the torn tail a crash leaves, or where and why it is broken. */
export type LineVerdict =
  | { kind: 'record'; record: AnyRecord; hash: string }
  | { kind: 'torn' }
  | { kind: 'broken'; seq: number | null; line: number; reason: string };

/**
 * Checks a journal line by line, in order: JSON, envelope, sequence, timestamps, the record's type
 * and payload (events.ts), and with `chain` the hash chain. One implementation for resume, export
 * and `oncall verify`, so they never disagree about what a good journal is.
 */
export class LineChecker {
  #prev: Prev | undefined;
  #count = 0;
  #firstBreak: { seq: number | null; line: number; reason: string } | undefined;
  /**
   * `chain`: true refuses a record whose chain link is wrong; 'report' accepts it (it is still a
   * well-formed record) and remembers the first such break: an export reads a journal once and
   * says where its chain broke, instead of reading it twice.
   */
  constructor(private readonly opts: { chain: boolean | 'report' }) {}

  /** With chain 'report': the first record whose link to the one before it is wrong. */
  get firstBreak(): { seq: number | null; line: number; reason: string } | undefined {
    return this.#firstBreak;
  }

  /** Records accepted so far. */
  get count(): number {
    return this.#count;
  }
  /** The last accepted record's seq and hash. */
  get last(): Prev | undefined {
    return this.#prev;
  }

  check(l: RawLine): LineVerdict {
    let value: unknown;
    try {
      value = JSON.parse(l.bytes.toString('utf8'));
    } catch (err) {
      // A crash mid-write leaves at most one torn line, at the end: unterminated or not JSON.
      if (l.last) return { kind: 'torn' };
      return { kind: 'broken', seq: null, line: l.line, reason: `line ${l.line} is not valid JSON (${(err as Error).message})` };
    }
    if (l.last && !l.terminated) return { kind: 'torn' };
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return { kind: 'broken', seq: null, line: l.line, reason: `line ${l.line} is not a journal record` };
    const r = value as Record<string, unknown>;
    const seq = typeof r.seq === 'number' && Number.isInteger(r.seq) ? r.seq : null;
    const report = this.opts.chain === 'report';
    const problem = envelopeProblem(r, this.#prev, this.opts.chain === true) ?? eventProblem(String(r.type), r.payload);
    if (problem) return { kind: 'broken', seq, line: l.line, reason: problem.startsWith('has ') ? `record ${seq} ${problem}` : problem };
    if (report && !this.#firstBreak) {
      const link = envelopeProblem(r, this.#prev, true);
      if (link) this.#firstBreak = { seq, line: l.line, reason: link };
    }
    const hash = this.opts.chain ? hashLine(l.bytes) : '';
    this.#prev = { seq: seq!, ts: Date.parse(r.ts as string), hash, incident: r.incident as string };
    this.#count++;
    // Checked above against the envelope and the record type's schema: this is what it is.
    return { kind: 'record', record: value as AnyRecord, hash };
  }
}

/**
 * Records one at a time, checked against the vocabulary (and, with `chain`, the hash chain).
 * A torn last line is skipped; a bad line elsewhere throws JournalCorruptError naming it.
 */
export async function* readJournalStream(file: string, opts: { chain?: boolean } = {}): AsyncGenerator<AnyRecord> {
  const checker = new LineChecker({ chain: opts.chain ?? false });
  for await (const l of rawLines(fileChunks(file))) {
    const v = checker.check(l);
    if (v.kind === 'torn') return;
    if (v.kind === 'broken') throw new JournalCorruptError(file, v.line, v.reason);
    yield v.record;
  }
}

/** What a reporting read found wrong with the chain (or its head), once it has been read to the end. */
export interface ChainReport {
  problem?: string;
  torn?: boolean;
}

/**
 * Records one at a time, the chain and the head checked as they stream, in one pass: a break is
 * reported in `report` (export renders the journal all the same, saying so), a record that is
 * not one this oncall understands still throws.
 */
export async function* readJournalReporting(file: string, report: ChainReport): AsyncGenerator<AnyRecord> {
  const checker = new LineChecker({ chain: 'report' });
  const head = new HeadCheck(readHead(file));
  let closed = false;
  let headProblem: string | undefined;
  for await (const l of rawLines(fileChunks(file))) {
    const v = checker.check(l);
    if (v.kind === 'torn') {
      report.torn = true;
      break;
    }
    if (v.kind === 'broken') throw new JournalCorruptError(file, v.line, v.reason);
    const rewritten = head.see(v.record.seq, v.hash);
    if (rewritten) headProblem ??= `line ${l.line}: ${rewritten}`;
    closed = v.record.type === 'journal.closed';
    yield v.record;
  }
  const first = checker.firstBreak;
  const cut = report.torn ? undefined : head.end(checker.last?.seq ?? -1, closed);
  const problem = first ? `line ${first.line}: ${first.reason}` : (headProblem ?? cut);
  if (problem) report.problem = problem;
}

export async function readJournal(file: string): Promise<{ records: AnyRecord[] }> {
  const records: AnyRecord[] = [];
  for await (const r of readJournalStream(file)) records.push(r);
  return { records };
}

export type VerifyResult =
  | { ok: true; count: number; torn: boolean; closed: boolean }
  | { ok: false; count: number; firstBad: { seq: number | null; line: number; reason: string } };

/**
 * Checks every line: JSON, shape, sequence, timestamps, types and payloads, and the hash chain.
 * Stops at the first broken record. `closed`: the journal ends with the record its writer appends
 * as it closes, anchoring the record before it (a journal that does not was cut short, or its
 * writer crashed; a crash resumes).
 */
export async function verifyJournal(file: string): Promise<VerifyResult> {
  const checker = new LineChecker({ chain: true });
  const head = new HeadCheck(readHead(file));
  let closed = false;
  for await (const l of rawLines(fileChunks(file))) {
    const v = checker.check(l);
    if (v.kind === 'torn') return { ok: true, count: checker.count, torn: true, closed: false };
    if (v.kind === 'broken') return { ok: false, count: checker.count, firstBad: { seq: v.seq, line: v.line, reason: v.reason } };
    const rewritten = head.see(v.record.seq, v.hash);
    if (rewritten) return { ok: false, count: checker.count - 1, firstBad: { seq: v.record.seq, line: l.line, reason: rewritten } };
    closed = v.record.type === 'journal.closed';
    if (closed && v.record.type === 'journal.closed' && v.record.payload.head !== v.record.prev) {
      return { ok: false, count: checker.count - 1, firstBad: { seq: v.record.seq, line: l.line, reason: `record ${v.record.seq} closes the journal on head ${short(v.record.payload.head)}, but the record before it hashes to ${short(v.record.prev)}` } };
    }
  }
  const cut = head.end(checker.last?.seq ?? -1, closed);
  if (cut) return { ok: false, count: checker.count, firstBad: { seq: null, line: checker.count + 1, reason: cut } };
  return { ok: true, count: checker.count, torn: false, closed };
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
