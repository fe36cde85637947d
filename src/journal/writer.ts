// The incident journal writer: append-only, fsync'ed, hash-chained, one writer at a time.
//
// append() does all the bookkeeping synchronously (redaction, seq, hash chain), so the order of
// calls is the order on disk. Durability is group-committed: one write+fdatasync in flight, and
// whatever is appended meanwhile goes out in the next single write+fdatasync.
import { fdatasyncSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { chmod, open, rename, rm, stat, readFile, writeFile, type FileHandle } from 'node:fs/promises';
import lockfile from 'proper-lockfile';
import { makePrivateDir } from '../paths.js';
import { assertIncidentId } from './ids.js';
import { incidentDir, journalPath, lockPath, ownerPath } from './paths.js';
import { isEventType, type EventPayloads, type EventType } from './events.js';
import { JournalCorruptError, LineChecker, rawLines } from './reader.js';
import { GENESIS, JOURNAL_VERSION, hashLine, type AnyRecord, type JournalRecord } from './record.js';
import type { Redactor } from './redact.js';

export interface WriterOptions {
  redactor: Redactor;
  /** Milliseconds since the epoch (drills pass their virtual clock). Default Date.now. */
  clock?: () => number;
}

export interface OpenOptions extends WriterOptions {
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

export interface LockOwner {
  pid: number;
  hostname: string;
  startedAt: string;
}

export class JournalLockedError extends Error {
  readonly code = 'EJOURNALLOCKED';
  constructor(
    readonly incidentId: string,
    readonly owner: LockOwner | undefined,
  ) {
    const who = owner ? `pid ${owner.pid} on ${owner.hostname}, since ${owner.startedAt}` : 'an unknown process';
    super(`incident ${incidentId} is locked by ${who}: another oncall is writing this incident; close it, or wait a few seconds if it crashed`);
    this.name = 'JournalLockedError';
  }
}

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

// Lock timing: a live holder refreshes the lock every second; one that stopped refreshing for 2 s
// (SIGKILL, power loss) is taken over. The retries span ~3 s, enough to see it go stale.
const LOCK_STALE_MS = 2000;
const LOCK_UPDATE_MS = 1000;
const LOCK_RETRIES = { retries: 8, minTimeout: 100, maxTimeout: 500 };

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

interface LockState {
  release: () => Promise<void>;
  /** Set when proper-lockfile reports the lock compromised (taken over, or its dir removed). */
  lost?: Error;
  onLost?: (err: Error) => void;
}

const noop = (): void => {};

export class JournalWriter {
  readonly #id: string;
  readonly #root: string;
  readonly #dir: string;
  readonly #path: string;
  readonly #fh: FileHandle;
  readonly #lock: LockState;
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

  /** Set by open() when a torn tail left by a crash was cut off; the caller journals it. */
  readonly repaired: { droppedBytes: number } | undefined;

  private constructor(init: {
    id: string;
    root: string;
    dir: string;
    path: string;
    fh: FileHandle;
    lock: LockState;
    opts: WriterOptions;
    seq: number;
    prevHash: string;
    lastTs: number;
    repaired?: { droppedBytes: number };
  }) {
    this.#id = init.id;
    this.#idJson = JSON.stringify(init.id);
    this.#root = init.root;
    this.#dir = init.dir;
    this.#path = init.path;
    this.#fh = init.fh;
    this.#lock = init.lock;
    this.#redactor = init.opts.redactor;
    this.#clock = init.opts.clock ?? Date.now;
    this.#seq = init.seq;
    this.#prevHash = init.prevHash;
    this.#lastTs = init.lastTs;
    this.repaired = init.repaired;
    const lost = (err: Error): void =>
      this.#fail(
        new JournalFailedError(
          `lost the lock on incident ${this.#id} (${err.message}): another process may be writing it, so this one stopped; resume the incident to continue`,
          { cause: err },
        ),
      );
    if (init.lock.lost) lost(init.lock.lost);
    init.lock.onLost = lost;
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
      await writeOwner(root, incidentId);
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
      return new JournalWriter({ id: incidentId, root, dir, path, fh, lock, opts, seq: -1, prevHash: GENESIS, lastTs: -Infinity });
    } catch (err) {
      await fh?.close().catch(noop);
      await dropLock(root, incidentId, lock);
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
    const lock = await acquireLock(root, incidentId);
    let fh: FileHandle | undefined;
    try {
      await writeOwner(root, incidentId);
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
        opts,
        seq: tail.last?.seq ?? -1,
        prevHash: tail.last?.hash ?? GENESIS,
        lastTs: tail.last?.ts ?? -Infinity,
        repaired,
      });
    } catch (err) {
      await fh?.close().catch(noop);
      await dropLock(root, incidentId, lock);
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
    return this.#append(type, payload, opts.urgent === true);
  }

  #append<T extends EventType>(type: T, payload: EventPayloads[T], urgent: boolean): Promise<JournalRecord<T>> {
    let built: { line: string; record: JournalRecord<T> };
    try {
      built = this.#build(type, payload);
    } catch (err) {
      return Promise.reject(err); // a bad payload is the caller's error: the writer stays usable
    }
    const p = new Promise<JournalRecord<T>>((resolve, reject) => {
      // The queue holds records of every type; each resolves its own caller with its own record.
      this.#queue.push({ line: built.line, record: built.record, urgent, resolve: resolve as (r: JournalRecord) => void, reject });
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
    // Anchor the head: the last record names the hash of the one before it, so a journal that
    // ends with it ends where its writer left it (see verifyJournal).
    if (!this.#failure && this.#seq >= 0) void this.#append('journal.closed', { head: this.#lastHash(), records: this.#seq + 2 }, true).catch(noop);
    this.#closed = true;
    await this.#last.catch(noop);
    await this.#fh.close().catch(noop);
    await dropLock(this.#root, this.#id, this.#lock);
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
    // Redaction rewrites string values, never the payload's structure: its type stays the same.
    const value = this.#redactor.redactDeep(payload);
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
          let text = '';
          for (const b of batch) text += b.line + '\n';
          writeAll(this.#fh.fd, Buffer.from(text, 'utf8'));
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
          const failure = new JournalFailedError(`could not write the journal of incident ${this.#id} (${this.#path}): ${(err as Error).message}`, { cause: err });
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
  let goodLength = 0;
  const stream = fh.createReadStream({ start: 0, autoClose: false, highWaterMark: 1 << 20 });
  for await (const l of rawLines(stream)) {
    const v = checker.check(l);
    if (v.kind === 'torn') break;
    if (v.kind === 'broken') throw new JournalCorruptError(path, v.line, v.reason);
    if (v.record.incident !== incidentId) throw new JournalFailedError(`${path} belongs to incident ${v.record.incident}, not ${incidentId}`);
    goodLength += l.bytes.length + 1;
    onRecord?.(v.record);
  }
  const last = checker.last;
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

// ---- lock ----

async function readOwner(root: string, id: string): Promise<LockOwner | undefined> {
  try {
    const o = JSON.parse(await readFile(ownerPath(root, id), 'utf8')) as Partial<LockOwner>;
    if (typeof o.pid === 'number' && typeof o.hostname === 'string' && typeof o.startedAt === 'string') {
      return { pid: o.pid, hostname: o.hostname, startedAt: o.startedAt };
    }
  } catch {
    // missing or half-written: the owner is unknown
  }
  return undefined;
}

async function writeOwner(root: string, id: string): Promise<void> {
  const file = ownerPath(root, id);
  const tmp = `${file}.${process.pid}.tmp`;
  const owner: LockOwner = { pid: process.pid, hostname: hostname(), startedAt: new Date().toISOString() };
  await writeFile(tmp, JSON.stringify(owner) + '\n', { mode: 0o600 });
  await chmod(tmp, 0o600);
  await rename(tmp, file); // readers never see half an owner file
}

function pidAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the incident lock. If it is held by a process that is alive on this host, fail at once;
 * otherwise (holder dead, or on another host) wait for the lock to go stale and take it over.
 */
async function acquireLock(root: string, id: string): Promise<LockState> {
  const state: Partial<LockState> = {};
  const options = {
    stale: LOCK_STALE_MS,
    update: LOCK_UPDATE_MS,
    realpath: false, // the journal may not exist yet (create); the lock is a sibling directory
    lockfilePath: lockPath(root, id),
    // Called from a timer: must not throw, or the whole process dies.
    onCompromised: (err: Error) => {
      state.lost = err;
      state.onLost?.(err);
    },
  };
  const file = journalPath(root, id);
  const isLocked = (err: unknown): boolean => (err as NodeJS.ErrnoException).code === 'ELOCKED';
  try {
    state.release = await lockfile.lock(file, { ...options, retries: 0 });
    return state as LockState;
  } catch (err) {
    if (!isLocked(err)) throw err;
  }
  const owner = await readOwner(root, id);
  if (owner && owner.hostname === hostname() && pidAlive(owner.pid)) throw new JournalLockedError(id, owner);
  try {
    state.release = await lockfile.lock(file, { ...options, retries: LOCK_RETRIES });
    return state as LockState;
  } catch (err) {
    if (isLocked(err)) throw new JournalLockedError(id, await readOwner(root, id));
    throw err;
  }
}

async function dropLock(root: string, id: string, lock: LockState): Promise<void> {
  if (lock.lost) return; // someone else holds it now: leave their lock and owner file alone
  const owner = await readOwner(root, id);
  if (owner && owner.pid === process.pid && owner.hostname === hostname()) await rm(ownerPath(root, id), { force: true });
  await lock.release().catch(noop); // ERELEASED if already gone
}
