// Responders as real processes (the built CLI) on one incident, on a local S3 endpoint reached by
// the real @aws-sdk/client-s3: each process has its own state dir (its own machine) and its own
// access key (its own AWS principal).
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain JS helper shared with bench/
import { startS3Endpoint } from '../helpers/s3-endpoint.mjs';
import { BIN, events, noteRunbook, oncall, tempDir } from '../helpers/cli.js';
import { journalPath, readJournal, verifyJournal } from '../../src/journal/reader.js';

const SHARE = 's3://oncall-team/team';
let ep: any;
beforeAll(async () => {
  ep = await startS3Endpoint();
});
afterAll(async () => {
  await ep.close();
});

function cli(user: string, args: string[], opts: { stateDir: string; stdin?: string; env?: Record<string, string> }) {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, ...ep.env(user), ONCALL_STATE_DIR: opts.stateDir, ONCALL_OPERATOR: user, ONCALL_SHARE: SHARE, ...opts.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  if (opts.stdin !== undefined) child.stdin.end(opts.stdin);
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((r) => child.on('close', (code, signal) => r({ code, signal, stdout, stderr })));
  return { child, done };
}

const records = (id: string) => ep.keys().filter((k: string) => k.startsWith(`team/incidents/${id}/records/`));

async function openIncident(user: string, runbook: string, extra: string[] = []) {
  const stateDir = tempDir();
  const r = await oncall(['run', runbook, '--json', ...extra], { stateDir, env: { ...ep.env(user), ONCALL_OPERATOR: user, ONCALL_SHARE: SHARE } });
  const id = events(r.stdout)[0]?.incident;
  expect(id, r.stderr).toBeTruthy();
  return { id: id as string, stateDir, result: r };
}

describe('team incident, three responders as processes', () => {
  it('3 × 1,000 concurrent notes: one total order, none lost, the chain verifies from the store and from each mirror', async () => {
    const { id } = await openIncident('alice', noteRunbook(), ['-i', 'note=hi']);
    const before = records(id).length;
    const users = ['alice', 'bob', 'carol'];
    const dirs = users.map(() => tempDir());
    const runs = users.map((u, i) => cli(u, ['join', id, '--quiet'], { stateDir: dirs[i]!, stdin: Array.from({ length: 1000 }, (_, n) => `${u} note ${n}`).join('\n') + '\n' }));
    const results = await Promise.all(runs.map((r) => r.done));
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    const keys = records(id);
    expect(keys).toHaveLength(before + 3000);
    // The store's chain, read back in key order, verifies as a journal.
    const storeFile = join(tempDir(), 'store.jsonl');
    writeFileSync(storeFile, keys.map((k: string) => ep.object(k)).join('\n') + '\n');
    expect(await verifyJournal(storeFile)).toMatchObject({ ok: true, count: before + 3000 });
    const store = readFileSync(storeFile, 'utf8');
    for (const [i, dir] of dirs.entries()) {
      // Each mirror: complete up to its last sync, and byte-identical to the store as far as it goes.
      const sync = await oncall(['follow', id, '--until-finished', '--quiet'], { stateDir: dir, env: { ...ep.env(users[i]!), ONCALL_SHARE: SHARE } });
      expect(sync.code, sync.stderr).toBe(0);
      const file = journalPath(dir, id);
      expect(await verifyJournal(file)).toMatchObject({ ok: true, count: before + 3000 });
      expect(readFileSync(file, 'utf8')).toBe(store);
    }
    const { records: all } = await readJournal(storeFile);
    const notes = all.filter((r: any) => r.type === 'note.added' && / note \d+$/.test(r.payload.text));
    expect(notes).toHaveLength(3000);
    for (const u of users) {
      // Each responder's own notes are in the order it wrote them, and signed with its principal.
      const mine = notes.filter((r: any) => r.payload.text.startsWith(`${u} `));
      expect(mine.map((r: any) => Number(r.payload.text.split(' ').pop()))).toEqual(Array.from({ length: 1000 }, (_, n) => n));
      expect(new Set(mine.map((r: any) => r.by.principal))).toEqual(new Set([`arn:aws:iam::111122223333:user/${u}`]));
    }
  }, 180_000);

  it('a responder SIGKILLed mid-append leaves no gap or fork; the others go on', async () => {
    const { id } = await openIncident('alice', noteRunbook(), ['-i', 'note=hi']);
    const victim = cli('bob', ['join', id, '--quiet'], { stateDir: tempDir() });
    victim.child.stdin.on('error', () => undefined); // it is killed while we write
    for (let n = 0; n < 2000; n++) victim.child.stdin.write(`bob note ${n}\n`);
    const other = cli('carol', ['join', id, '--quiet'], { stateDir: tempDir(), stdin: Array.from({ length: 300 }, (_, n) => `carol note ${n}`).join('\n') + '\n' });
    await new Promise((r) => setTimeout(r, 1500));
    victim.child.kill('SIGKILL');
    expect((await victim.done).signal).toBe('SIGKILL');
    expect((await other.done).code).toBe(0);
    const keys = records(id);
    const file = join(tempDir(), 'store.jsonl');
    writeFileSync(file, keys.map((k: string) => ep.object(k)).join('\n') + '\n');
    expect(await verifyJournal(file)).toMatchObject({ ok: true, count: keys.length });
    const { records: all } = await readJournal(file);
    expect(all.filter((r: any) => r.payload.text?.startsWith('carol note'))).toHaveLength(300);
  }, 120_000);

  // KNOWN BUG (#19, not resolved): this race can run the write twice. A responder that resumes
  // while another is already running the step folds the other's unfinished step.started as an
  // earlier attempt and claims the next attempt's key (claims/<step>/<attempt>), which does not
  // collide. Seen failing in CI once in three runs (the write ran twice). A claim must cover the
  // step while any attempt by another live driver is unfinished. Skipped so it cannot land green
  // by luck; the fix comes with #19.
  it.skip('two responders racing for the same write step: it runs once; a fourth machine continues by hand-off', async () => {
    const dir = tempDir();
    const marker = join(dir, 'ran.txt');
    const book = join(dir, 'race.yaml');
    writeFileSync(
      book,
      `id: race\ntitle: Race\nversion: 1.0.0\nsummary: One write step after a question.\nsteps:\n  - id: ask\n    title: Ready?\n    kind: manual\n    with: {instruction: "say done"}\n  - id: change\n    title: Change it\n    kind: shell\n    with: {argv: [sh, -c, "echo ran >> ${marker}; sleep 1"], effect: write}\n`,
    );
    const { id, result } = await openIncident('alice', book);
    expect(result.code, result.stderr).toBe(4); // the manual step needs a person
    const [b, c] = await Promise.all(['bob', 'carol'].map((u) => cli(u, ['resume', id, '--yes', '--answer', 'ask=done', '--json'], { stateDir: tempDir() }).done));
    const both = `${b!.stderr}\n-----\n${c!.stderr}`;
    // The write ran once. The responder that resumed last drives: the other one either found the
    // step held, or was taken over and stopped writing (its step then in doubt for the team).
    expect(readFileSync(marker, 'utf8'), both).toBe('ran\n');
    expect(both).toMatch(/taken over by|is running by/);
    // A fourth machine picks the incident up where the team is, settling what is in doubt.
    const env = { ...ep.env('dave'), ONCALL_OPERATOR: 'dave', ONCALL_SHARE: SHARE };
    const d = await oncall(['resume', id, '--yes', '--answer', 'change.outcome=done', '--answer', 'ask=done'], { stateDir: tempDir(), env });
    expect([0].includes(d.code) || /already finished \(completed\)/.test(d.stderr), d.stderr).toBe(true);
    expect(readFileSync(marker, 'utf8')).toBe('ran\n');
    const s = await oncall(['follow', id, '--until-finished', '--json'], { stateDir: tempDir(), env });
    expect(events(s.stdout).find((e) => e.type === 'run.finished')?.payload.outcome).toBe('completed');
  }, 60_000);

  it('refuses a store that ignores conditional writes, in plain words', async () => {
    ep.state.ignoreConditions = true;
    try {
      const r = await oncall(['run', noteRunbook(), '-i', 'note=x'], { env: { ...ep.env('alice'), ONCALL_SHARE: SHARE } });
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/this store ignores conditional writes/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    } finally {
      ep.state.ignoreConditions = false;
    }
  });
});
