// The incident journal writer: append-only, fsync'ed, hash-chained, one writer at a time.
//
// append() does all the bookkeeping synchronously (redaction, seq, hash chain), so the order of
// calls is the order on disk. Durability is group-committed: one write+fdatasync in flight, and
// whatever is appended meanwhile goes out in the next single write+fdatasync.
import { fdatasyncSync, fstatSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { chmod, open, stat, type FileHandle } from 'node:fs/promises';
import { makePrivateDir } from '../paths.js';
import { assertIncidentId } from './ids.js';
import { incidentDir, journalPath } from './paths.js';
import { eventProblem, isEventType, type EventPayloads, type EventType } from './events.js';
import { acquireLock, JournalLockedError, type Lock, type LockOwner } from './lock.js';
import { HeadCheck, readHead, writeHead } from './head.js';
import { JournalCorruptError, LineChecker, rawLines } from './reader.js';
import { GENESIS, JOURNAL_VERSION, hashLine, type AnyRecord, type JournalRecord } from './record.js';
import type { Redactor } from './redact.js';

export interface WriterOptions {
  redactor: Redactor;
  /** Milliseconds since the epoch (drills pass their virtual clock). Default Date.now. */
  clock?: () => number;
}

export interface OpenOptions extends WriterOptions {
  /** Take the lock from a holder on another host (see lock.ts); the caller has warned the operator. */
  forceUnlock?: boolean;
  /**
   * Each record already in the journal, checked (vocabulary and hash chain), in order, as open()
   * reads it: resuming reads the journal once, through the handle it will append with.
   */
  onRecord?: (record: AnyRecord) => void;
}

export interface WriterStats {
  /** write() calls (one per group commit). */
  writes: number;
  /** fdatasync() calls. */
  syncs: number;
}

export { JournalLockedError, type LockOwner } from './lock.js';

export class IncidentExistsError extends Error {
  readonly code = 'EINCIDENTEXISTS';
  constructor(
    readonly incidentId: string,
    readonly file: string,
  ) {
    super(`incident ${incidentId} already exists (${file}): resume it instead of creating it again`);
    this.name = 'IncidentExistsError';
  }
}

export class IncidentNotFoundError extends Error {
  readonly code = 'EINCIDENTNOTFOUND';
  constructor(
    readonly incidentId: string,
    readonly file: string,
  ) {
    super(`incident ${incidentId} has no journal at ${file}: check the id with \`oncall incidents\`, or the state directory`);
    this.name = 'IncidentNotFoundError';
  }
}

/** The writer can no longer guarantee the journal: every later append rejects with this. */
export class JournalFailedError extends Error {
  readonly code = 'EJOURNALFAILED';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'JournalFailedError';
  }
}

/** Below this average fsync time (ms), a lone record is synced without leaving the event loop. */
const FAST_SYNC_MS = 2;

interface Pending {
  line: string;
  record: JournalRecord;
  /** The caller waits on this record alone (a write-ahead step.started, say). */
  urgent: boolean;
  resolve: (r: JournalRecord) => void;
  reject: (e: Error) => void;
}

const noop = (): void => {};

export class JournalWriter {
  readonly #id: string;
  readonly #dir: string;
  readonly #path: string;
  readonly #fh: FileHandle;
  readonly #lock: Lock;
  /** Bytes this writer knows the file holds: anything else at the end was written by someone else. */
  #size: number;
  readonly #redactor: Redactor;
  readonly #clock: () => number;
  readonly #stats: WriterStats = { writes: 0, syncs: 0 };

  #seq: number;
  /** Hash of the last line, or undefined while only #prevLine is known (hashed off the critical path). */
  #prevHash: string | undefined;
  #prevLine = '';
  readonly #idJson: string;
  readonly #types = new Set<string>();
  #lastTs: number;
  #queue: Pending[] = [];
  #draining = false;
  /** Moving average of recent fsync times, in ms. */
  #syncMs = 0;
  #last: Promise<unknown> = Promise.resolve();
  #failure: Error | undefined;
  #closed = false;
  #closing: Promise<void> | undefined;
  /** Set by mirrorOnly(): records come only through appendLine (a shared incident's local mirror). */
  #mirror = false;

  /** The holder on another host this writer took the lock from (--force-unlock): the caller warns. */
  get tookOverFrom(): LockOwner | undefined {
    return this.#lock.tookOverFrom;
  }

  /** Set by open() when a torn tail left by a crash was cut off; the caller journals it. */
  readonly repaired: { droppedBytes: number } | undefined;

  private constructor(init: {
    id: string;
    root: string;
    dir: string;
    path: string;
    fh: FileHandle;
    lock: Lock;
    size: number;
    opts: WriterOptions;
    seq: number;
    prevHash: string;
    lastTs: number;
    repaired?: { droppedBytes: number };
  }) {
    this.#id = init.id;
    this.#idJson = JSON.stringify(init.id);
    this.#dir = init.dir;
    this.#path = init.path;
    this.#fh = init.fh;
    this.#lock = init.lock;
    this.#size = init.size;
    this.#redactor = init.opts.redactor;
    this.#clock = init.opts.clock ?? Date.now;
    this.#seq = init.seq;
    this.#prevHash = init.prevHash;
    this.#lastTs = init.lastTs;
    this.repaired = init.repaired;
  }

  /** Starts a new incident journal. Fails if the incident exists or is locked. */
  static async create(root: string, incidentId: string, opts: WriterOptions): Promise<JournalWriter> {
    assertIncidentId(incidentId);
    const dir = incidentDir(root, incidentId);
    const path = journalPath(root, incidentId);
    await mkdirPrivate(dir);
    const lock = await acquireLock(root, incidentId);
    let fh: FileHandle | undefined;
    try {
      try {
        // 'ax' = 'wx' (exclusive create) plus O_APPEND, so every write lands at the end.
        fh = await open(path, 'ax', 0o600);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new IncidentExistsError(incidentId, path);
        throw err;
      }
      await fh.chmod(0o600); // the umask may have taken bits away
      await fsyncDir(dir); // make the new file's directory entry durable
      await fsyncDir(dirname(dir));
      return new JournalWriter({ id: incidentId, root, dir, path, fh, lock, size: 0, opts, seq: -1, prevHash: GENESIS, lastTs: -Infinity });
    } catch (err) {
      await fh?.close().catch(noop);
      await lock.release().catch(noop);
      throw err;
    }
  }

  /**
   * Reopens an incident to continue it (resume). Reads the whole journal once, under the lock,
   * through the handle it then appends with: every record is checked (JSON, envelope, vocabulary,
   * hash chain) and handed to `onRecord`. A broken record stops it with JournalCorruptError naming
   * the record; a torn last line left by a crash is cut off (see `repaired`).
   */
  static async open(root: string, incidentId: string, opts: OpenOptions): Promise<JournalWriter> {
    assertIncidentId(incidentId);
    const dir = incidentDir(root, incidentId);
    const path = journalPath(root, incidentId);
    try {
      await stat(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new IncidentNotFoundError(incidentId, path);
      throw err;
    }
    // Lock first: nothing is read or repaired while another writer may be appending.
    const lock = await acquireLock(root, incidentId, opts.forceUnlock ? { forceUnlock: true } : {});
    let fh: FileHandle | undefined;
    try {
      fh = await open(path, 'a+');
      const tail = await readAll(fh, path, incidentId, opts.onRecord);
      const size = (await fh.stat()).size;
      let repaired: { droppedBytes: number } | undefined;
      if (tail.goodLength < size) {
        await fh.truncate(tail.goodLength);
        await fh.datasync();
        repaired = { droppedBytes: size - tail.goodLength };
      }
      await fh.chmod(0o600).catch(noop); // best effort: tighten a journal copied in with loose modes
      return new JournalWriter({
        id: incidentId,
        root,
        dir,
        path,
        fh,
        lock,
        size: tail.goodLength,
        opts,
        seq: tail.last?.seq ?? -1,
        prevHash: tail.last?.hash ?? GENESIS,
        lastTs: tail.last?.ts ?? -Infinity,
        repaired,
      });
    } catch (err) {
      await fh?.close().catch(noop);
      await lock.release().catch(noop);
      throw err;
    }
  }

  get incidentId(): string {
    return this.#id;
  }
  get dir(): string {
    return this.#dir;
  }
  get path(): string {
    return this.#path;
  }
  /** seq of the last appended record (durable or not yet), -1 for an empty journal. */
  get lastSeq(): number {
    return this.#seq;
  }
  /** sha256 of the last appended line: anchors the whole chain (e.g. for incident.resolved). */
  get head(): string {
    return this.#lastHash();
  }
  get stats(): WriterStats {
    return { ...this.#stats };
  }
  /** Why the writer stopped, if it did. */
  get failure(): Error | undefined {
    return this.#failure;
  }

  /**
   * Appends a record; resolves once it is written and fsync'ed. The payload is redacted first.
   * `urgent` marks a record the caller waits on before acting (write-ahead).
   * A caller may skip awaiting (streamed output): a failure is sticky and rejects the next
   * append, flush and close, so it is never lost (and never an unhandled rejection).
   */
  append<T extends EventType>(type: T, payload: EventPayloads[T], opts: { urgent?: boolean } = {}): Promise<JournalRecord<T>> {
    if (this.#failure) return Promise.reject(this.#failure);
    if (this.#closed) return Promise.reject(new JournalFailedError(`the journal of incident ${this.#id} is closed`));
    if (this.#mirror) return Promise.reject(new JournalFailedError(`the journal of incident ${this.#id} is the local mirror of a shared one: records are appended through the shared journal`));
    return this.#append(type, payload, opts.urgent === true);
  }

  /**
   * Hook for shared (team) incidents, src/share: from now on this file is the local mirror of a
   * chain kept elsewhere. append() refuses; records arrive whole through appendLine(); close()
   * anchors the head in head.json but appends no journal.closed record (that would fork the chain
   * the mirror copies).
   */
  mirrorOnly(): void {
    this.#mirror = true;
  }

  /**
   * Hook for shared incidents: appends a record built elsewhere, as its exact line. The line must
   * continue this journal (the next seq, `prev` = this journal's head, the same incident, a
   * timestamp not before the last one) and be a record of the vocabulary; it is checked as a line
   * read back would be, then written and fsync'ed like any append.
   */
  appendLine(line: string, opts: { urgent?: boolean } = {}): Promise<AnyRecord> {
    if (this.#failure) return Promise.reject(this.#failure);
    if (this.#closed) return Promise.reject(new JournalFailedError(`the journal of incident ${this.#id} is closed`));
    let record: AnyRecord;
    try {
      record = this.#checkLine(line);
    } catch (err) {
      return Promise.reject(err);
    }
    this.#seq = record.seq;
    this.#lastTs = Date.parse(record.ts);
    this.#prevLine = line;
    this.#prevHash = undefined;
    return this.#enqueue(line, record as JournalRecord, opts.urgent === true) as Promise<AnyRecord>;
  }

  #checkLine(line: string): AnyRecord {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      throw new JournalFailedError(`a record for incident ${this.#id} is not valid JSON (${(err as Error).message})`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new JournalFailedError(`a record for incident ${this.#id} is not a journal record`);
    const r = value as Record<string, unknown>;
    const bad = (why: string) => new JournalFailedError(`record ${String(r.seq)} of incident ${this.#id} does not continue its journal: ${why}`);
    if (line.includes('\n')) throw bad('it spans lines');
    if (r.v !== JOURNAL_VERSION) throw bad(`schema version ${JSON.stringify(r.v)}`);
    if (r.seq !== this.#seq + 1) throw bad(`it is record ${String(r.seq)}, the journal's next is ${this.#seq + 1}`);
    if (r.incident !== this.#id) throw bad(`it belongs to incident ${String(r.incident)}`);
    if (r.prev !== this.#lastHash()) throw bad(`it follows ${String(r.prev).slice(0, 12)}…, the journal's head is ${this.#lastHash().slice(0, 12)}…`);
    const ts = typeof r.ts === 'string' ? Date.parse(r.ts) : NaN;
    if (Number.isNaN(ts) || ts < this.#lastTs) throw bad(`its timestamp ${JSON.stringify(r.ts)} is unreadable or before the last record's`);
    const problem = eventProblem(String(r.type), r.payload);
    if (problem) throw bad(`it ${problem}`);
    // Checked above against the envelope and the record type's schema, as LineChecker does.
    return value as AnyRecord;
  }

  #append<T extends EventType>(type: T, payload: EventPayloads[T], urgent: boolean): Promise<JournalRecord<T>> {
    let built: { line: string; record: JournalRecord<T> };
    try {
      built = this.#build(type, payload);
    } catch (err) {
      return Promise.reject(err); // a bad payload is the caller's error: the writer stays usable
    }
    return this.#enqueue(built.line, built.record, urgent);
  }

  #enqueue<R extends JournalRecord>(line: string, record: R, urgent: boolean): Promise<R> {
    const p = new Promise<R>((resolve, reject) => {
      // The queue holds records of every type; each resolves its own caller with its own record.
      this.#queue.push({ line, record, urgent, resolve: resolve as (r: JournalRecord) => void, reject });
    });
    p.catch(noop);
    this.#last = p;
    if (!this.#draining) {
      this.#draining = true;
      // Starts now: the line reaches the page cache before append returns, and only the fdatasync
      // is awaited. Appends made until it completes share the next write+fdatasync.
      void this.#drain();
    }
    return p;
  }

  /** Resolves when everything appended so far is durable. */
  async flush(): Promise<void> {
    if (this.#failure) throw this.#failure;
    await this.#last;
  }

  /** Flushes, closes the file and releases the lock. Idempotent; rejects if the writer had failed. */
  close(): Promise<void> {
    return (this.#closing ??= this.#close());
  }

  async #close(): Promise<void> {
    this.#closed = true; // no new appends from callers; what is queued still lands
    await this.#last.catch(noop);
    if (!this.#failure && this.#seq >= 0 && this.#mirror) {
      // A mirror: the head is anchored beside it; the chain it copies has no journal.closed of its own.
      await writeHead(this.#path, { seq: this.#seq, hash: this.#lastHash() }).catch(noop);
    } else if (!this.#failure && this.#seq >= 0) {
      // Anchor the head, in this order, so a crash at any point leaves a journal that resumes:
      // first outside the file (head.json: the last record's seq and hash, atomically), then in it
      // (journal.closed names the same hash as its `prev`). A journal that ends with its close
      // therefore always has a head file; one cut before the close still matches the head.
      const head = { seq: this.#seq, hash: this.#lastHash() };
      try {
        await writeHead(this.#path, head);
        await this.#append('journal.closed', { head: head.hash, records: head.seq + 2 }, true);
      } catch {
        // The journal itself is intact and durable; only its anchor is missing. Resume still reads it.
      }
    }
    await this.#fh.close().catch(noop);
    await this.#lock.release().catch(noop);
    if (this.#failure) throw this.#failure;
  }

  #build<T extends EventType>(type: T, payload: EventPayloads[T]): { line: string; record: JournalRecord<T> } {
    if (!this.#types.has(type)) {
      if (typeof type !== 'string' || !isEventType(type)) throw new TypeError(`journal record type ${JSON.stringify(type)} is not one of the journal's record types (src/journal/events.ts)`);
      this.#types.add(type);
    }
    const seq = this.#seq + 1;
    const now = Math.max(this.#clock(), this.#lastTs); // timestamps never go back, even if the clock does
    const ts = new Date(now).toISOString();
    // Redaction rewrites string values, never the payload's structure (keys, ids, statuses, the
    // runbook source: redact.ts STRUCTURE): its type stays the same.
    const value = this.#redactor.redactRecord(type, payload);
    const text = JSON.stringify(value) as string | undefined;
    if (text === undefined) throw new TypeError(`a ${type} payload must be a JSON object`);
    const prev = this.#lastHash();
    // Same bytes as JSON.stringify(record) with keys in contract order: v, seq, ts, incident, type, payload, prev.
    const line = `{"v":${JOURNAL_VERSION},"seq":${seq},"ts":"${ts}","incident":${this.#idJson},"type":${JSON.stringify(type)},"payload":${text},"prev":"${prev}"}`;
    this.#seq = seq;
    this.#lastTs = now;
    this.#prevLine = line;
    this.#prevHash = undefined;
    return { line, record: { v: JOURNAL_VERSION, seq, ts, incident: this.#id, type, payload: value, prev } };
  }

  #lastHash(): string {
    return (this.#prevHash ??= hashLine(this.#prevLine));
  }

  async #drain(): Promise<void> {
    try {
      while (this.#queue.length > 0) {
        const batch = this.#queue;
        this.#queue = [];
        if (this.#failure) {
          for (const b of batch) b.reject(this.#failure);
          continue;
        }
        try {
          // Before anything is written: still this incident's one writer, and the file ends where
          // this writer left it. A writer that was paused (SIGSTOP) while another took over, or
          // whose file was appended to by someone else, stops here and appends nothing.
          this.#checkStillWriter();
          let text = '';
          for (const b of batch) text += b.line + '\n';
          const bytes = Buffer.from(text, 'utf8');
          writeAll(this.#fh.fd, bytes);
          this.#size += bytes.length;
          this.#stats.writes++;
          // fdatasync covers the data and the new file size, which is all an append changes.
          // While the disk answers quickly, a lone urgent record (a write-ahead step.started) is
          // synced in place: the round trip to the thread pool would cost more than the fsync.
          // Streamed output is never urgent and group-commits; a slow disk goes back to the
          // thread pool, so keys and Ctrl+C are never held up by it.
          const started = performance.now();
          if (batch.length === 1 && batch[0]!.urgent && this.#syncMs < FAST_SYNC_MS) {
            fdatasyncSync(this.#fh.fd);
          } else {
            const synced = this.#fh.datasync();
            this.#lastHash(); // while the disk works: the next append finds the chain hash ready
            await synced;
          }
          this.#syncMs = this.#syncMs * 0.8 + (performance.now() - started) * 0.2;
          this.#stats.syncs++;
        } catch (err) {
          // Never retry after a failed fsync: the kernel may have dropped the dirty pages.
          const failure =
            err instanceof JournalLockedError || err instanceof JournalFailedError
              ? err // this writer is no longer the writer: said as such
              : new JournalFailedError(`could not write the journal of incident ${this.#id} (${this.#path}): ${(err as Error).message}`, { cause: err });
          this.#fail(failure);
          for (const b of batch) b.reject(this.#failure ?? failure);
          continue;
        }
        for (const b of batch) b.resolve(b.record);
      }
    } finally {
      this.#draining = false;
    }
  }

  #checkStillWriter(): void {
    const lost = this.#lock.lostTo();
    if (lost) {
      const who = lost.owner ? `pid ${lost.owner.pid} on ${lost.owner.hostname}, since ${lost.owner.startedAt}` : 'no one (its lock was removed)';
      throw new JournalLockedError(this.#id, lost.owner, `this process no longer holds its lock (held by ${who}), so it stopped and appended nothing more; the incident continues where the holder is`);
    }
    const size = fstatSync(this.#fh.fd).size;
    if (size !== this.#size) {
      throw new JournalFailedError(`the journal of incident ${this.#id} (${this.#path}) was changed by someone else (${size} bytes, this writer wrote ${this.#size}); this process stopped and appended nothing more: verify the journal`);
    }
  }

  #fail(err: Error): void {
    this.#failure ??= err;
    const queued = this.#queue;
    this.#queue = [];
    for (const b of queued) b.reject(this.#failure);
  }
}

interface Tail {
  /** Bytes up to and including the last good line's '\n'. */
  goodLength: number;
  last?: { seq: number; hash: string; ts: number };
}

/**
 * Reads the journal from the start through the writer's own handle, checking every record and
 * handing it on. Only the last line may be torn (a crash tears the write in flight), and it is
 * dropped; anything else that does not check out stops the resume.
 */
async function readAll(fh: FileHandle, path: string, incidentId: string, onRecord?: (r: AnyRecord) => void): Promise<Tail> {
  const checker = new LineChecker({ chain: true });
  const head = new HeadCheck(readHead(path));
  let goodLength = 0;
  let lastType: string | undefined;
  const stream = fh.createReadStream({ start: 0, autoClose: false, highWaterMark: 1 << 20 });
  for await (const l of rawLines(stream)) {
    const v = checker.check(l);
    if (v.kind === 'torn') break;
    if (v.kind === 'broken') throw new JournalCorruptError(path, v.line, v.reason);
    if (v.record.incident !== incidentId) throw new JournalFailedError(`${path} belongs to incident ${v.record.incident}, not ${incidentId}`);
    const rewritten = head.see(v.record.seq, v.hash);
    if (rewritten) throw new JournalCorruptError(path, l.line, rewritten);
    goodLength += l.bytes.length + 1;
    lastType = v.record.type;
    onRecord?.(v.record);
  }
  const last = checker.last;
  const cut = head.end(last?.seq ?? -1, lastType === 'journal.closed');
  if (cut) throw new JournalCorruptError(path, (last?.seq ?? -1) + 2, cut);
  return { goodLength, ...(last ? { last: { seq: last.seq, hash: last.hash, ts: last.ts } } : {}) };
}

function writeAll(fd: number, buf: Buffer): void {
  let off = 0;
  while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off, null);
}

/** mkdir -p with 0700 for every directory it creates, and exactly 0700 for the incident dir. */
async function mkdirPrivate(dir: string): Promise<void> {
  // One level at a time, after checking the parent is writable (paths.ts): a recursive mkdir
  // spins forever on some file systems (--state-dir /proc/nope).
  const created = await makePrivateDir(dir);
  // The umask may have removed owner bits: fix each directory this call created.
  for (const p of created) await chmod(p, 0o700);
  await chmod(dir, 0o700);
}

async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
