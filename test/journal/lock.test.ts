// A writer killed with SIGKILL leaves its lock behind; the next `open` must take it over.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { newIncidentId } from '../../src/journal/ids.js';
import { journalPath, lockPath, ownerPath } from '../../src/journal/paths.js';
import { Redactor } from '../../src/journal/redact.js';
import { JournalLockedError, JournalWriter } from '../../src/journal/writer.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'oncall-lock-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

// Holds the lock the way a writer does (same lockfilePath and timings), says so, then waits to be killed.
const HOLDER = `
const lockfile = require(process.argv[1]);
const [file, lockfilePath, owner] = process.argv.slice(2);
lockfile.lock(file, { stale: 2000, update: 1000, realpath: false, lockfilePath }).then(() => {
  require('node:fs').writeFileSync(owner, JSON.stringify({ pid: process.pid, hostname: require('node:os').hostname(), startedAt: new Date().toISOString() }));
  process.stdout.write('locked\\n');
  setInterval(() => {}, 1000);
}, (err) => { console.error(err); process.exit(1); });
`;

it('takes over the lock of a writer killed with SIGKILL within 5 s', async () => {
  const id = newIncidentId();
  const first = await JournalWriter.create(root, id, { redactor: new Redactor() });
  await first.append('note.added', { text: 'x', by: 'tester' });
  await first.close();

  const lockfileMain = createRequire(import.meta.url).resolve('proper-lockfile');
  const child = spawn(process.execPath, ['-e', HOLDER, lockfileMain, journalPath(root, id), lockPath(root, id), ownerPath(root, id)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => d.toString().includes('locked') && resolve());
    child.on('exit', (code) => reject(new Error(`lock holder exited early (${code})`)));
  });

  // While the holder lives, a writer is refused at once, naming it.
  const err = await JournalWriter.open(root, id, { redactor: new Redactor() }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(JournalLockedError);
  expect((err as Error).message).toContain(`pid ${child.pid} on ${hostname()}`);

  child.kill('SIGKILL');
  await exited; // reaped, so its pid is really gone
  // The stale lock is taken over (within the lock's stale period; the test's timeout bounds it).
  const w = await JournalWriter.open(root, id, { redactor: new Redactor() });
  try {
    expect(w.lastSeq).toBe(1); // the note and the close
    expect((await w.append('incident.resumed', { operator: 'tester', pid: process.pid })).seq).toBe(2);
  } finally {
    await w.close();
  }
}, 20_000);

it('a lock whose owner file names a live process elsewhere still times out with JournalLockedError', async () => {
  const id = newIncidentId();
  const holder = await JournalWriter.create(root, id, { redactor: new Redactor() });
  // Pretend the holder is on another host: no fast refusal, so open waits through its retries.
  await writeFile(ownerPath(root, id), JSON.stringify({ pid: 1, hostname: 'elsewhere.example', startedAt: '2025-01-01T00:00:00.000Z' }));
  const err = await JournalWriter.open(root, id, { redactor: new Redactor() }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(JournalLockedError);
  expect((err as Error).message).toContain('pid 1 on elsewhere.example');
  await holder.close();
}, 20_000);

it('a writer whose lock is taken away stops, with a clear error, instead of crashing the process', async () => {
  const id = newIncidentId();
  const w = await JournalWriter.create(root, id, { redactor: new Redactor() });
  await w.append('note.added', { text: 'x', by: 'tester' });
  await rm(lockPath(root, id), { recursive: true }); // as if another process had taken it over
  const deadline = Date.now() + 5000;
  while (!w.failure && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  await expect(w.append('note.added', { text: 'y', by: 'tester' })).rejects.toThrow(/lost the lock on incident/);
  await expect(w.close()).rejects.toThrow(/lost the lock/);
}, 20_000);
