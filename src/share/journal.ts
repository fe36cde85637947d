// A shared incident's journal: the same hash-chained records as a local one, one object each in a
// shared store (store.ts), created only if absent. The store holds the one total order; the local
// journal file is a complete, fsync'ed mirror of it (every responder's records, byte for byte).
//
// Appending: the record is built on the head this responder knows (seq + 1, prev = its hash) and
// created at `records/<seq>`. If that key exists (412), someone else's record won the seq: it is
// read, checked, mirrored, and ours is re-built on the new head and tried again. A conditional
// write that met a concurrent one (409) is retried as is (s3.ts). Store operations run one at a
// time, so a responder never has two records in flight (a record put after a lost one would fork).
//
// One executor per step: before a step.started (or decision.made) goes out, its step and attempt
// are claimed with a create of `claims/<step>/<attempt>`, naming the chain position (seq) its
// record will take. The claim holds while that record is the claimant's own step.started; if any
// other record took that seq, the claim is void (its holder never ran the step) and the next
// responder claims again under a new key. So a claim never needs cleaning up, and a crashed
// holder leaves nothing stale: the next record anyone writes voids it.
//
// Hand-off: a responder that resumes the incident elsewhere writes incident.resumed. A driver that
// sees someone else's incident.resumed after its own stops writing steps (HandedOffError): it
// follows instead. Notes and milestones are still taken from everyone.
import { randomUUID } from 'node:crypto';
import type { AnyRecord, Author } from '../journal/record.js';
import { formatLine, hashLine } from '../journal/record.js';
import type { EventPayloads, EventType } from '../journal/events.js';
import type { JournalRecord } from '../journal/record.js';
import type { JournalWriter, LockOwner } from '../journal/writer.js';
import type { Redactor } from '../journal/redact.js';
import { StoreError, type SharedStore } from './store.js';

const SEQ_WIDTH = 12;
export const recordsPrefix = (id: string): string => `incidents/${id}/records/`;
export const recordKey = (id: string, seq: number): string => `${recordsPrefix(id)}${String(seq).padStart(SEQ_WIDTH, '0')}.json`;
export const claimKey = (id: string, kind: 'step' | 'decision', step: string, attempt: number, round: number): string =>
  `incidents/${id}/claims/${encodeURIComponent(step)}/${kind === 'decision' ? 'decision-' : ''}${attempt}${round > 1 ? `.${round}` : ''}.json`;

/** What a claim object holds. */
export interface Claim {
  by: Author;
  /** One per process that shares the incident. */
  session: string;
  pid: number;
  /** When it was claimed (the claimant's clock). */
  at: string;
  /** The chain position the claimant's record takes: the claim holds while that record is its own. */
  seq: number;
}

export const who = (a: Author): string => `${a.operator}@${a.host}${a.principal ? ` (${a.principal})` : ''}`;

/** Someone else holds this step: it is running (or about to), and is not run here. */
export class StepClaimedError extends Error {
  readonly code = 'ESTEPCLAIMED';
  constructor(
    readonly incidentId: string,
    readonly step: string,
    readonly holder: Claim,
  ) {
    super(`step '${step}' is running by ${who(holder.by)} since ${holder.at.slice(11, 19)}Z; it was not run here. Follow it with: oncall follow ${incidentId} --share <store>`);
    this.name = 'StepClaimedError';
  }
}

/** Another responder resumed the incident after this one: it stops writing steps and follows. */
export class HandedOffError extends Error {
  readonly code = 'EHANDEDOFF';
  constructor(
    readonly incidentId: string,
    readonly to: Author | undefined,
    readonly seq: number,
  ) {
    super(`incident ${incidentId} was taken over by ${to ? who(to) : 'another responder'} (record ${seq}); this process wrote nothing more and follows instead: oncall follow ${incidentId} --share <store>`);
    this.name = 'HandedOffError';
  }
}

export interface SharedJournalOptions {
  store: SharedStore;
  /** The local journal, which becomes the mirror (its lock keeps one process per machine on it). */
  writer: JournalWriter;
  redactor: Redactor;
  author: Author;
  clock?: () => number;
  /** Each record someone else wrote, once mirrored, in chain order. */
  onRemote?: (record: AnyRecord) => void;
}

/** Records that need no claim and are taken from anyone, even after a hand-off. */
const FREE: ReadonlySet<string> = new Set(['note.added', 'milestone.marked']);
/** Records that make their writer the incident's driver. */
const DRIVES: ReadonlySet<string> = new Set(['incident.opened', 'incident.resumed']);

const noop = (): void => {};

export class SharedJournal {
  readonly #o: SharedJournalOptions;
  readonly #w: JournalWriter;
  readonly #session = randomUUID();
  /** Store operations, one at a time. */
  #chain: Promise<unknown> = Promise.resolve();
  /** Callers and listeners are told in chain order. */
  #told: Promise<unknown> = Promise.resolve();
  /** seqs this process created in the store. */
  #mine = new Set<number>();
  #drivingSince: number | undefined;
  #handedOff: HandedOffError | undefined;
  #timer: NodeJS.Timeout | undefined;
  #lastNew = 0;
  #closed = false;
  /** The last record's timestamp: a record is never timestamped before the one it follows. */
  #lastTs = -Infinity;

  private constructor(o: SharedJournalOptions) {
    this.#o = o;
    this.#w = o.writer;
  }

  /**
   * Makes `writer` the mirror of the incident in `store`: checks that what the file holds is what
   * the store holds (the store's record at the file's head has the same hash: the shared chain
   * anchors the local one), then copies in every record the file lacks.
   */
  static async attach(o: SharedJournalOptions): Promise<SharedJournal> {
    const j = new SharedJournal(o);
    o.writer.mirrorOnly();
    const last = o.writer.lastSeq;
    if (last >= 0) {
      const there = await o.store.get(recordKey(o.writer.incidentId, last));
      if (there === undefined) {
        throw new StoreError(`the local journal of incident ${o.writer.incidentId} holds record ${last}, which ${o.store.url} does not: this is not the store the incident is shared on, or its records were removed`);
      }
      if (hashLine(there) !== o.writer.head) {
        throw new StoreError(`the local journal of incident ${o.writer.incidentId} and the one on ${o.store.url} differ at record ${last}: they forked or one was edited; nothing was written. Check both with oncall verify`);
      }
      j.#lastTs = Date.parse((JSON.parse(there) as { ts: string }).ts);
    }
    await j.sync();
    return j;
  }

  get incidentId(): string {
    return this.#w.incidentId;
  }
  get path(): string {
    return this.#w.path;
  }
  get dir(): string {
    return this.#w.dir;
  }
  get lastSeq(): number {
    return this.#w.lastSeq;
  }
  get head(): string {
    return this.#w.head;
  }
  get tookOverFrom(): LockOwner | undefined {
    return this.#w.tookOverFrom;
  }
  get store(): SharedStore {
    return this.#o.store;
  }
  get author(): Author {
    return this.#o.author;
  }
  /** Set once someone else resumed the incident after this process. */
  get handedOff(): HandedOffError | undefined {
    return this.#handedOff;
  }

  /** Appends a record to the shared chain and the mirror; resolves once both hold it. */
  append<T extends EventType>(type: T, payload: EventPayloads[T], opts: { urgent?: boolean } = {}): Promise<JournalRecord<T>> {
    if (this.#closed) return Promise.reject(new StoreError(`the shared journal of incident ${this.incidentId} is closed`));
    const done = this.#serial(() => this.#append(type, payload, opts.urgent !== false));
    return this.#inOrder(done) as Promise<JournalRecord<T>>;
  }

  /** Copies in whatever the store has after the mirror's head; resolves with how many records came. */
  sync(): Promise<number> {
    return this.#serial(() => this.#pull());
  }

  /**
   * Polls the store for others' records: every `activeMs` while records keep coming (for
   * `activeWindowMs` after the last), every `idleMs` otherwise. Each poll is one ListObjectsV2
   * (StartAfter the mirror's last key) plus one GetObject per new record.
   */
  follow(opts: { idleMs?: number; activeMs?: number; activeWindowMs?: number; onError?: (err: Error) => void } = {}): void {
    const idle = opts.idleMs ?? 2000;
    const active = opts.activeMs ?? 1000;
    const windowMs = opts.activeWindowMs ?? 30_000;
    const tick = () => {
      if (this.#closed) return;
      this.sync().then(
        (n) => {
          if (n > 0) this.#lastNew = Date.now();
        },
        (err: Error) => opts.onError?.(err),
      ).finally(() => {
        if (this.#closed) return;
        this.#timer = setTimeout(tick, Date.now() - this.#lastNew < windowMs ? active : idle);
        this.#timer.unref?.();
      });
    };
    this.#timer = setTimeout(tick, active);
    this.#timer.unref?.();
  }

  async flush(): Promise<void> {
    await this.#chain.catch(noop);
    await this.#told.catch(noop);
    await this.#w.flush();
  }

  /** Stops following, waits for what is in flight, and closes the mirror (anchoring its head). */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#chain.catch(noop);
    await this.#told.catch(noop);
    await this.#w.close();
  }

  #serial<R>(op: () => Promise<R>): Promise<R> {
    const p = this.#chain.then(op);
    this.#chain = p.catch(noop);
    return p;
  }

  #inOrder<R>(p: Promise<R>): Promise<R> {
    const q = this.#told.then(() => p);
    this.#told = q.catch(noop);
    return q;
  }

  async #append<T extends EventType>(type: T, payload: EventPayloads[T], urgent: boolean): Promise<JournalRecord<T>> {
    const id = this.incidentId;
    // Redacted here exactly as the local writer would, before it leaves the machine.
    const text = JSON.stringify(this.#o.redactor.redactRecord(type, payload));
    const claim = type === 'step.started' || type === 'decision.made' ? (payload as { step: string; attempt: number }) : undefined;
    for (let round = 1; ; ) {
      if (this.#handedOff && !FREE.has(type)) throw this.#handedOff;
      const seq = this.#w.lastSeq + 1;
      if (claim) round = await this.#claim(type === 'decision.made' ? 'decision' : 'step', claim.step, claim.attempt, seq, round);
      const now = Math.max(this.#o.clock?.() ?? Date.now(), this.#lastTs);
      const ts = new Date(now).toISOString();
      const line = formatLine({ seq, ts, incident: id, type, payload: text, prev: this.#w.head, by: this.#o.author });
      if ((await this.#o.store.putIfAbsent(recordKey(id, seq), line)) === 'created') {
        this.#mine.add(seq);
        this.#lastTs = now;
        if (DRIVES.has(type)) this.#drivingSince = seq;
        // The mirror's write starts now (in order); the next store operation need not wait for its fsync.
        return this.#w.appendLine(line, { urgent }) as Promise<JournalRecord<T>>;
      }
      // Someone else's record took this seq: copy it in (and whatever followed), then re-base ours.
      await this.#pull(seq);
      if (claim) round += 1; // our claim named that seq: void now
    }
  }

  /**
   * Claims a step (or decision) for the record about to go at `seq`. Returns the round it holds.
   * Throws StepClaimedError when a live claim is someone else's.
   */
  async #claim(kind: 'step' | 'decision', step: string, attempt: number, seq: number, from: number): Promise<number> {
    const id = this.incidentId;
    for (let round = from; ; round++) {
      const key = claimKey(id, kind, step, attempt, round);
      const mine: Claim = { by: this.#o.author, session: this.#session, pid: process.pid, at: new Date().toISOString(), seq };
      if ((await this.#o.store.putIfAbsent(key, JSON.stringify(mine))) === 'created') return round;
      const text = await this.#o.store.get(key);
      let holder: Claim;
      try {
        holder = JSON.parse(text ?? '') as Claim;
      } catch {
        throw new StoreError(`${this.#o.store.url}: the claim ${key} is unreadable; check the store`);
      }
      if (holder.session === this.#session) {
        if (holder.seq === seq) return round;
        continue; // our own earlier claim, voided by a record that took its seq
      }
      if (await this.#holds(holder, kind, step, attempt)) throw new StepClaimedError(id, step, holder);
    }
  }

  /** Whether a claim still holds: its seq is free (its holder is writing) or holds the holder's own record. */
  async #holds(holder: Claim, kind: 'step' | 'decision', step: string, attempt: number): Promise<boolean> {
    await this.#pull();
    if (holder.seq > this.#w.lastSeq) return true; // nothing there yet: the holder's record is on its way
    const line = await this.#o.store.get(recordKey(this.incidentId, holder.seq));
    if (line === undefined) return true;
    const r = JSON.parse(line) as { type: string; payload: { step?: string; attempt?: number }; by?: Author };
    const type = kind === 'decision' ? 'decision.made' : 'step.started';
    return r.type === type && r.payload.step === step && r.payload.attempt === attempt && r.by?.host === holder.by.host && r.by?.operator === holder.by.operator;
  }

  /** Copies in every record after the mirror's head (from the known seq `from` first, without listing). */
  async #pull(from?: number): Promise<number> {
    const id = this.incidentId;
    let n = 0;
    if (from !== undefined && from === this.#w.lastSeq + 1) {
      const line = await this.#o.store.get(recordKey(id, from));
      if (line !== undefined) {
        await this.#mirror(line);
        n++;
      }
    }
    for (;;) {
      const last = this.#w.lastSeq;
      const keys = await this.#o.store.listAfter(recordsPrefix(id), last >= 0 ? recordKey(id, last) : undefined, 1000);
      if (keys.length === 0) return n;
      for (const key of keys) {
        const seq = Number(/(\d+)\.json$/.exec(key)?.[1] ?? NaN);
        if (seq !== this.#w.lastSeq + 1) throw new StoreError(`${this.#o.store.url}: incident ${id} has ${key} after record ${this.#w.lastSeq}: record ${this.#w.lastSeq + 1} is missing from the shared journal`);
        const line = await this.#o.store.get(key);
        if (line === undefined) throw new StoreError(`${this.#o.store.url}: ${key} was listed but cannot be read`);
        await this.#mirror(line);
        n++;
      }
      if (keys.length < 1000) return n;
    }
  }

  /** One record someone else wrote: checked and written to the mirror, then told, in order. */
  async #mirror(line: string): Promise<void> {
    const before = this.#w.lastSeq;
    const written = this.#w.appendLine(line, { urgent: false });
    if (this.#w.lastSeq === before) {
      // Refused: not the next record of this chain, or not a record at all. Nothing is trusted past it.
      const why = await written.then(() => 'refused', (err: Error) => err.message);
      throw new StoreError(`${this.#o.store.url}: the shared journal of incident ${this.incidentId} is damaged at record ${before + 1}: ${why}`);
    }
    // appendLine checked it (JSON, chain, vocabulary) before it returned.
    const r = JSON.parse(line) as { seq: number; ts: string; type: string; by?: Author };
    this.#lastTs = Math.max(this.#lastTs, Date.parse(r.ts));
    if (DRIVES.has(r.type) && this.#drivingSince !== undefined && r.seq > this.#drivingSince) this.#handedOff ??= new HandedOffError(this.incidentId, r.by, r.seq);
    written.catch(noop);
    void this.#inOrder(written).then((record) => this.#o.onRemote?.(record), noop);
  }
}
