import { appendFile, mkdtemp, open as openFile, readFile, rm, stat, writeFile, type FileHandle } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { newIncidentId } from '../../src/journal/ids.js';
import { journalPath, listIncidentIds, readJournal, verifyJournal } from '../../src/journal/reader.js';
import { GENESIS, hashLine } from '../../src/journal/record.js';
import { Redactor } from '../../src/journal/redact.js';
import { IncidentExistsError, IncidentNotFoundError, JournalFailedError, JournalLockedError, JournalWriter } from '../../src/journal/writer.js';

let root: string;
const open: JournalWriter[] = [];

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'oncall-journal-'));
});
afterEach(async () => {
  vi.restoreAllMocks();
  for (const w of open.splice(0)) await w.close().catch(() => {});
  await rm(root, { recursive: true, force: true });
});

/** A valid payload for tests that only care about records, not what they say. */
const note = (text: unknown = 'x') => ({ text: typeof text === 'string' ? text : JSON.stringify(text), by: 'tester' });

async function create(id = newIncidentId(), redactor = new Redactor(), clock?: () => number): Promise<JournalWriter> {
  const w = await JournalWriter.create(root, id, { redactor, clock });
  open.push(w);
  return w;
}

/** FileHandle is not exported by node:fs/promises; reach its prototype through an instance. */
async function fileHandleProto(file: string): Promise<FileHandle> {
  const fh = await openFile(file, 'r');
  await fh.close();
  return Object.getPrototypeOf(fh) as FileHandle;
}

async function reopen(id: string, redactor = new Redactor()): Promise<JournalWriter> {
  const w = await JournalWriter.open(root, id, { redactor });
  open.push(w);
  return w;
}

describe('JournalWriter.create', () => {
  it('makes a 0700 directory and a 0600 journal, even with a restrictive umask', async () => {
    const old = process.umask(0o277);
    let w: JournalWriter;
    try {
      w = await create();
    } finally {
      process.umask(old);
    }
    expect((await stat(w.dir)).mode & 0o777).toBe(0o700);
    expect((await stat(join(root, 'incidents'))).mode & 0o777).toBe(0o700);
    expect((await stat(w.path)).mode & 0o777).toBe(0o600);
    const owner = JSON.parse(await readFile(join(w.dir, 'journal.lock', 'owner.json'), 'utf8'));
    expect(owner).toMatchObject({ pid: process.pid, hostname: hostname() });
    expect((await stat(join(w.dir, 'journal.lock', 'owner.json'))).mode & 0o777).toBe(0o600);
    expect((await stat(join(w.dir, 'journal.lock'))).mode & 0o777).toBe(0o700);
    expect(w.lastSeq).toBe(-1);
    expect(w.incidentId).toMatch(/^inc-/);
  });

  it('refuses an incident that already exists', async () => {
    const w = await create();
    await w.close();
    await expect(JournalWriter.create(root, w.incidentId, { redactor: new Redactor() })).rejects.toThrow(IncidentExistsError);
  });

  it('refuses ids that are not incident ids', async () => {
    await expect(JournalWriter.create(root, '../../etc', { redactor: new Redactor() })).rejects.toThrow(/not an incident id/);
  });
});

describe('append', () => {
  it('writes one JSON record a line, chained by hashes, with contract key order', async () => {
    let t = Date.UTC(2025, 0, 1);
    const w = await create(undefined, undefined, () => (t += 5));
    const r0 = await w.append('note.added', note({ runbook: 'elb-504-triage' }));
    const r1 = await w.append('note.added', note({ stepId: 'check', intent: { summary: 'x' } }));
    expect(r0.seq).toBe(0);
    expect(r1.seq).toBe(1);
    expect(r0.prev).toBe(GENESIS);
    expect(r0.ts).toBe('2025-01-01T00:00:00.005Z');
    const lines = (await readFile(w.path, 'utf8')).split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe('');
    expect(Object.keys(JSON.parse(lines[0]!))).toEqual(['v', 'seq', 'ts', 'incident', 'type', 'payload', 'prev']);
    expect(JSON.stringify(JSON.parse(lines[1]!))).toBe(lines[1]);
    expect(r1.prev).toBe(hashLine(lines[0]!));
    expect(w.head).toBe(hashLine(lines[1]!));
    expect(await verifyJournal(w.path)).toEqual({ ok: true, count: 2, torn: false, closed: false });
  });

  it('keeps timestamps non-decreasing when the clock goes back', async () => {
    const times = [1000, 5000, 3000];
    const w = await create(undefined, undefined, () => times.shift() ?? 0);
    await w.append('note.added', note(1));
    await w.append('note.added', note(2));
    const r = await w.append('note.added', note(3));
    expect(r.ts).toBe(new Date(5000).toISOString());
    expect((await verifyJournal(w.path)).ok).toBe(true);
  });

  it('rejects a bad record without breaking the writer', async () => {
    const w = await create();
    // A caller outside TypeScript's reach (a plugin in plain JavaScript) can still pass anything.
    const untyped = w as unknown as { append(type: string, payload: unknown): Promise<unknown> };
    await expect(untyped.append('not a type!', {})).rejects.toThrow(TypeError);
    await expect(untyped.append('made.up', {})).rejects.toThrow(/not one of the journal's record types/);
    await expect(untyped.append('note.added', { text: 'x', by: 't', big: 1n })).rejects.toThrow(/BigInt/);
    const r = await w.append('note.added', { text: 'x', by: 'tester', at: undefined } as { text: string; by: string });
    expect(r.seq).toBe(0);
    expect((await verifyJournal(w.path)).ok).toBe(true);
  });

  it('group-commits: 1000 appends without awaiting share a handful of fsyncs', async () => {
    const w = await create();
    const sync = vi.spyOn(await fileHandleProto(w.path), 'datasync');
    const ps: Promise<unknown>[] = [];
    for (let i = 0; i < 1000; i++) ps.push(w.append('note.added', note({ stepId: 's1', chunk: `line ${i}\n` })));
    const records = (await Promise.all(ps)) as { seq: number }[];
    expect(records.map((r) => r.seq)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(w.stats.syncs).toBeLessThan(20);
    expect(sync.mock.calls.length).toBe(w.stats.syncs);
    const { records: onDisk } = await readJournal(w.path);
    expect(onDisk.map((r) => r.seq)).toEqual(records.map((r) => r.seq));
    expect(await verifyJournal(w.path)).toEqual({ ok: true, count: 1000, torn: false, closed: false });
  });

  it('batches appends made while a write is in flight into the next single write', async () => {
    const w = await create();
    const first = w.append('note.added', note({ n: 0 })); // goes out alone
    await Promise.resolve();
    await Promise.resolve();
    const rest = Array.from({ length: 50 }, (_, i) => w.append('note.added', note({ n: i + 1 })));
    await Promise.all([first, ...rest]);
    expect(w.stats.writes).toBeLessThanOrEqual(2);
    expect(w.stats.syncs).toBe(w.stats.writes);
  });

  it('flush resolves once everything appended is durable', async () => {
    const w = await create();
    for (let i = 0; i < 10; i++) void w.append('note.added', note({ i }));
    await w.flush();
    expect((await readJournal(w.path)).records).toHaveLength(10);
  });

  it('a failed fsync rejects every pending append and every later one', async () => {
    const w = await create();
    await w.append('note.added', note());
    vi.spyOn(await fileHandleProto(w.path), 'datasync').mockRejectedValueOnce(Object.assign(new Error('EIO: i/o error'), { code: 'EIO' }));
    const a = w.append('note.added', note({ n: 1 }));
    const b = w.append('note.added', note({ n: 2 }));
    await expect(a).rejects.toThrow(JournalFailedError);
    await expect(b).rejects.toThrow(/EIO/);
    await expect(w.append('note.added', note({ n: 3 }))).rejects.toBe(w.failure);
    await expect(w.flush()).rejects.toBe(w.failure);
    await expect(w.close()).rejects.toBe(w.failure);
    // The lock is released all the same: the incident can be reopened.
    const again = await reopen(w.incidentId);
    expect(again.lastSeq).toBeGreaterThanOrEqual(0);
  });

  it('close is idempotent and later appends reject', async () => {
    const w = await create();
    void w.append('note.added', note(1));
    await w.close();
    await w.close();
    await expect(w.append('note.added', note(2))).rejects.toThrow(/closed/);
    // The record, then the one close anchors the chain's head with (a second close adds nothing).
    const { records } = await readJournal(w.path);
    expect(records.map((r) => r.type)).toEqual(['note.added', 'journal.closed']);
    expect(records[1]!.payload).toEqual({ head: records[1]!.prev, records: 2 });
    expect(await verifyJournal(w.path)).toEqual({ ok: true, count: 2, torn: false, closed: true });
  });
});

describe('secrets', () => {
  it('never reach the file bytes, raw or JSON-escaped', async () => {
    const redactor = new Redactor();
    const secret = 'p@ss"wo\\rd\n2nd line\t<end>';
    redactor.add(secret, 'db-password');
    redactor.add('AKIAIOSFODNN7EXAMPLE', 'aws-key');
    const w = await create(undefined, redactor);
    const r = await w.append('step.finished', {
      step: 's',
      attempt: 1,
      status: 'ok',
      duration_ms: 1,
      summary: `connecting with ${secret}\n`,
      result: {
        env: { DB_PASSWORD: secret },
        argv: ['psql', `--password=${secret}`],
        json: JSON.stringify({ password: secret }),
        nested: JSON.stringify({ doc: JSON.stringify({ password: secret }) }),
        key: 'AKIAIOSFODNN7EXAMPLE',
      },
    });
    const bytes = await readFile(w.path, 'utf8');
    const forms = [secret, JSON.stringify(secret).slice(1, -1), JSON.stringify(JSON.stringify(secret).slice(1, -1)).slice(1, -1)];
    for (const f of forms) expect(bytes).not.toContain(f);
    expect(bytes).not.toContain('AKIAIOSFODNN7EXAMPLE');
    expect(bytes).not.toContain('wo\\'); // no fragment of the escaped secret either
    expect(bytes).toContain('[redacted:db-password]');
    expect(JSON.stringify(r)).not.toContain('AKIA');
    expect((await verifyJournal(w.path)).ok).toBe(true);
  });

  it('redaction acts on values: a secret that only appears across JSON syntax rewrites no structure', async () => {
    const redactor = new Redactor();
    redactor.add('","by":"'); // no single string holds it: only the serialized text does
    const w = await create(undefined, redactor);
    const r = await w.append('note.added', { text: 'x', by: 'y' });
    expect(r.payload).toEqual({ text: 'x', by: 'y' });
    expect(JSON.parse((await readFile(w.path, 'utf8')).split('\n')[0]!).payload).toEqual({ text: 'x', by: 'y' });
    expect((await verifyJournal(w.path)).ok).toBe(true);
  });
});

describe('redaction keeps structure', () => {
  // Secrets that are also words of the journal's own vocabulary: a status, a step id, a kind, a
  // key, a word of the runbook source. The records keep their structure and read back as valid.
  it.each(['ok', 'step', 'true', '1', 'shell', 'hello', 'secret'])('a secret %j rewrites no id, status, key or runbook source', async (pin) => {
    const redactor = new Redactor();
    redactor.add(pin, 'pin');
    const w = await create(undefined, redactor);
    const source = 'id: hello\nversion: 1.0.0\nsteps:\n  - id: step\n    title: Say hello\n    kind: shell\n    with: { argv: [echo, ok, true, 1, secret] }\n';
    await w.append('runbook.attached', { id: 'hello', version: '1.0.0', hash: '1'.repeat(64), file: '/rb/hello.yaml', source, inputs: { pin: '[redacted:pin]' }, secret_inputs: ['pin'] });
    await w.append('step.started', { step: 'step', title: 'Say hello', attempt: 1, kind: 'shell', effect: 'read', intent: { summary: 'run echo', params: { secret: 'kept key', ok: true } }, write_ahead: false });
    await w.append('step.output', { step: 'step', attempt: 1, stream: 'stdout', text: pin });
    await w.append('step.finished', { step: 'step', attempt: 1, status: 'ok', duration_ms: 1, result: { [pin]: pin, keys: 1 }, next: null });
    await w.close();
    // Read back through the journal's own checks (every payload against its schema).
    const { records } = await readJournal(w.path);
    const [attached, started, output, finished] = records;
    expect(attached!.payload).toMatchObject({ id: 'hello', version: '1.0.0', hash: '1'.repeat(64), source });
    expect(started!.payload).toMatchObject({ step: 'step', title: 'Say hello', kind: 'shell', effect: 'read', intent: { params: { secret: 'kept key', ok: true } } });
    expect(output!.payload).toMatchObject({ step: 'step', stream: 'stdout', text: '[redacted:pin]' });
    expect(finished!.payload).toMatchObject({ step: 'step', status: 'ok', result: { [pin]: '[redacted:pin]', keys: 1 } });
    expect((await verifyJournal(w.path)).ok).toBe(true);
  });
});

describe('JournalWriter.open (resume)', () => {
  it('continues the sequence and the chain', async () => {
    const w = await create();
    await w.append('note.added', note());
    await w.append('note.added', note({ stepId: 'a' }));
    await w.close();
    const again = await reopen(w.incidentId);
    expect(again.repaired).toBeUndefined();
    expect(again.lastSeq).toBe(2); // two records and the close
    const r = await again.append('note.added', note());
    expect(r.seq).toBe(3);
    expect(await verifyJournal(w.path)).toEqual({ ok: true, count: 4, torn: false, closed: false });
  });

  it('repairs a torn tail and reports the dropped bytes', async () => {
    const w = await create();
    await w.append('note.added', note());
    await w.append('note.added', note({ stepId: 'a' }));
    await w.close();
    const torn = '{"v":1,"seq":2,"ts":"2025-01-01T00:00:';
    await appendFile(w.path, torn);
    expect((await readJournal(w.path)).records.map((r) => r.seq)).toEqual([0, 1, 2]);
    expect(await verifyJournal(w.path)).toEqual({ ok: true, count: 3, torn: true, closed: false });
    const again = await reopen(w.incidentId);
    expect(again.repaired).toEqual({ droppedBytes: Buffer.byteLength(torn) });
    expect(again.lastSeq).toBe(2);
    await again.append('journal.repaired', { dropped_bytes: again.repaired!.droppedBytes });
    await again.close();
    expect(await verifyJournal(w.path)).toEqual({ ok: true, count: 5, torn: false, closed: true });
  });

  it('drops a newline-terminated garbage last line too', async () => {
    const w = await create();
    await w.append('note.added', note());
    await w.close();
    await appendFile(w.path, '\0\0\0\0\n');
    const again = await reopen(w.incidentId);
    expect(again.repaired).toEqual({ droppedBytes: 5 });
    expect(again.lastSeq).toBe(1);
  });

  it('finds the tail of a journal larger than its read-back window', async () => {
    const w = await create();
    const big = 'x'.repeat(200 * 1024);
    await w.append('note.added', note({ chunk: big }));
    await w.append('note.added', note({ chunk: big }));
    await w.close();
    await appendFile(w.path, big.slice(0, 70 * 1024)); // a torn line longer than the first window
    const again = await reopen(w.incidentId);
    expect(again.lastSeq).toBe(2);
    expect(again.repaired).toEqual({ droppedBytes: 70 * 1024 });
    await again.append('note.added', note());
    await again.close();
    expect((await verifyJournal(w.path)).ok).toBe(true);
  });

  it('handles an empty journal and a journal that is only a torn line', async () => {
    const w = await create();
    await w.close();
    const a = await reopen(w.incidentId);
    expect(a.lastSeq).toBe(-1);
    await a.close();
    await writeFile(w.path, '{"v":1,"se');
    const b = await reopen(w.incidentId);
    expect(b.repaired).toEqual({ droppedBytes: 10 });
    expect((await b.append('note.added', note())).prev).toBe(GENESIS);
  });

  it('says when the incident does not exist', async () => {
    await expect(JournalWriter.open(root, newIncidentId(), { redactor: new Redactor() })).rejects.toThrow(IncidentNotFoundError);
  });
});

describe('lock', () => {
  it('a second create/open on a locked incident fails fast naming the holder', async () => {
    const w = await create();
    const err = await JournalWriter.open(root, w.incidentId, { redactor: new Redactor() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(JournalLockedError);
    expect((err as Error).message).toContain(`pid ${process.pid}`);
    expect((err as Error).message).toContain(w.incidentId);
    expect((err as Error).message).toContain('another oncall is writing this incident; close it first');
    await expect(JournalWriter.create(root, w.incidentId, { redactor: new Redactor() })).rejects.toThrow(JournalLockedError);
    // The failed attempts left the holder's lock and owner file alone.
    await w.append('note.added', note());
    await w.close();
    const again = await reopen(w.incidentId);
    expect(again.lastSeq).toBe(1); // the note and the close
  });
});

describe('listIncidentIds', () => {
  it('lists incident directories that hold a journal, oldest first', async () => {
    expect(await listIncidentIds(root)).toEqual([]);
    const a = await create('inc-20250101-000000-aaaa');
    const b = await create('inc-20240101-000000-bbbb');
    await a.close();
    await b.close();
    await writeFile(join(root, 'incidents', 'README'), 'x');
    expect(await listIncidentIds(root)).toEqual(['inc-20240101-000000-bbbb', 'inc-20250101-000000-aaaa']);
    expect(journalPath(root, a.incidentId)).toBe(a.path);
  });
});
