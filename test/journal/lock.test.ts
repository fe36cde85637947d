// One live writer per incident: the lock is never taken from a holder that may be alive (a pid on
// this host that exists, SIGSTOPped or not; a holder on another host without --force-unlock), is
// taken at once from one that is provably gone, and a writer that lost it appends nothing more.
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newIncidentId } from '../../src/journal/ids.js';
import { acquireLock } from '../../src/journal/lock.js';
import { journalPath, lockPath, ownerPath } from '../../src/journal/paths.js';
import { verifyJournal } from '../../src/journal/reader.js';
import { Redactor } from '../../src/journal/redact.js';
import { JournalFailedError, JournalLockedError, JournalWriter } from '../../src/journal/writer.js';

let root: string;
const children: ChildProcess[] = [];
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'oncall-lock-'));
});
afterEach(async () => {
  for (const c of children.splice(0)) {
    c.kill('SIGCONT');
    c.kill('SIGKILL');
  }
  await rm(root, { recursive: true, force: true });
});

const note = { text: 'x', by: 'tester' };

/** A journal with one record, closed: ready to be reopened. */
async function seeded(): Promise<string> {
  const id = newIncidentId();
  const w = await JournalWriter.create(root, id, { redactor: new Redactor() });
  await w.append('note.added', note);
  await w.close();
  return id;
}

// Holds an incident's lock the way a writer does (lock.ts: the directory, then the owner file inside
// it), says so, then waits to be stopped or killed.
const HOLDER = `
const fs = require('node:fs');
const [dir, owner] = process.argv.slice(1);
fs.mkdirSync(dir);
fs.writeFileSync(owner, JSON.stringify({ pid: process.pid, hostname: require('node:os').hostname(), startedAt: new Date().toISOString(), token: 'holder' }));
process.stdout.write('locked\\n');
setInterval(() => {}, 1000);
`;

async function holder(id: string): Promise<ChildProcess & { exited: Promise<void> }> {
  const child = spawn(process.execPath, ['-e', HOLDER, lockPath(root, id), ownerPath(root, id)], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => d.toString().includes('locked') && resolve());
    child.on('exit', (code) => reject(new Error(`lock holder exited early (${code})`)));
  });
  return Object.assign(child, { exited });
}

describe('the incident lock', () => {
  it('is refused while its holder lives, however long it has been paused (SIGSTOP), and taken at once when it is killed', async () => {
    const id = await seeded();
    const h = await holder(id);
    h.kill('SIGSTOP');
    await new Promise((r) => setTimeout(r, 2500)); // longer than any refresh period a lock could have
    const err = await JournalWriter.open(root, id, { redactor: new Redactor() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(JournalLockedError);
    expect((err as Error).message).toContain(`pid ${h.pid} on ${hostname()}`);
    expect((err as Error).message).toContain('a paused or stopped one too');

    h.kill('SIGKILL');
    await h.exited; // reaped: its pid is really gone
    const started = Date.now();
    const w = await JournalWriter.open(root, id, { redactor: new Redactor() });
    expect(Date.now() - started).toBeLessThan(1000); // no waiting for a timestamp to go stale
    expect((await w.append('incident.resumed', { operator: 'tester', pid: process.pid })).seq).toBe(2);
    await w.close();
    expect((await verifyJournal(journalPath(root, id))).ok).toBe(true);
  }, 20_000);

  it('a holder on another host is never taken over silently; --force-unlock takes it and says from whom', async () => {
    const id = await seeded();
    await rm(lockPath(root, id), { recursive: true, force: true });
    await JournalWriter.open(root, id, { redactor: new Redactor() }).then((w) => w.close());
    // Leave a lock as a process on another machine would (a shared home directory, a copied state dir).
    const { mkdir } = await import('node:fs/promises');
    await mkdir(lockPath(root, id));
    await writeFile(ownerPath(root, id), JSON.stringify({ pid: 1, hostname: 'bastion-2.example', startedAt: '2026-01-01T00:00:00.000Z', token: 't' }));
    const err = await JournalWriter.open(root, id, { redactor: new Redactor() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(JournalLockedError);
    expect((err as Error).message).toContain('pid 1 on bastion-2.example');
    expect((err as Error).message).toContain('--force-unlock');
    const lock = await acquireLock(root, id, { forceUnlock: true });
    expect(lock.tookOverFrom).toMatchObject({ hostname: 'bastion-2.example', pid: 1 });
    await lock.release();
  });

  it('a writer whose lock was taken appends nothing more and says who holds it', async () => {
    const id = newIncidentId();
    const w = await JournalWriter.create(root, id, { redactor: new Redactor() });
    await w.append('note.added', note);
    // As if another process had proved this one gone and taken over.
    await rm(lockPath(root, id), { recursive: true });
    const other = await acquireLock(root, id);
    const before = await readFile(journalPath(root, id), 'utf8');
    await expect(w.append('note.added', { text: 'stale', by: 'paused-writer' })).rejects.toThrow(/no longer holds its lock \(held by pid \d+ on/);
    await expect(w.append('note.added', note)).rejects.toThrow(JournalLockedError);
    await w.close().catch(() => undefined);
    expect(await readFile(journalPath(root, id), 'utf8')).toBe(before);
    // The new holder's lock is left alone.
    expect(other.lostTo()).toBeUndefined();
    await other.release();
  });

  it('a writer whose file was appended to by someone else stops before writing after it', async () => {
    const id = newIncidentId();
    const w = await JournalWriter.create(root, id, { redactor: new Redactor() });
    await w.append('note.added', note);
    await appendFile(journalPath(root, id), '{"forged":true}\n');
    const err = await w.append('note.added', note).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(JournalFailedError);
    expect((err as Error).message).toMatch(/was changed by someone else/);
    await w.close().catch(() => undefined);
    expect((await readFile(journalPath(root, id), 'utf8')).trimEnd().split('\n')).toHaveLength(2);
  });
});
