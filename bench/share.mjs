#!/usr/bin/env node
// Team incidents (#19): what sharing a journal on S3 costs, on loopback, against a local S3
// endpoint in its own process (test/helpers/s3-endpoint.mjs) reached by the real @aws-sdk/client-s3.
//   (a) a local fsync'ed append, awaited one at a time (the baseline)
//   (b) a shared append, awaited one at a time, uncontended   targets: p95 <= 50 ms; overhead (b-a) <= 3x (a)
//   (c) 3 writers appending at once                             target: >= 200 records/s total, 0 lost
//   (d) follow latency (append → seen by a follower)            target: p95 <= 2 s
//   (e) idle following                                          target: <= 30 requests/min
import { build } from 'esbuild';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const tmp = mkdtempSync(join(tmpdir(), 'oncall-bench-share-'));
await build({
  stdin: {
    contents: [
      "export { JournalWriter } from './src/journal/writer.ts';",
      "export { Redactor } from './src/journal/redact.ts';",
      "export { verifyJournal, journalPath } from './src/journal/reader.ts';",
      "export { SharedJournal } from './src/share/journal.ts';",
      "export { connectShare } from './src/share/setup.ts';",
      "export { createAwsProvider } from './src/providers/aws/provider.ts';",
    ].join('\n'),
    resolveDir: ROOT,
    loader: 'ts',
  },
  bundle: true,
  platform: 'node',
  format: 'esm',
  // Inside the repository, so the SDK packages (left external) resolve from node_modules.
  outfile: join(ROOT, 'node_modules', '.cache', `oncall-bench-share-${process.pid}.mjs`),
  packages: 'external',
  logLevel: 'error',
});
const m = await import(pathToFileURL(join(ROOT, 'node_modules', '.cache', `oncall-bench-share-${process.pid}.mjs`)).href);

const endpoint = spawn(process.execPath, [join(ROOT, 'test/helpers/s3-endpoint.mjs')], { stdio: ['ignore', 'pipe', 'inherit'] });
const url = await new Promise((ok) => endpoint.stdout.on('data', (d) => ok(String(d).trim())));
const q = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))];
let failed = 0;
const check = (name, ok, text) => {
  console.log(`${ok ? 'ok  ' : 'MISS'} ${name}: ${text}`);
  if (!ok) failed++;
};

let n = 0;
const ID = () => `inc-20270101-000000-${'abcdefghijklmnopqrstuvwxyz234567'[n++ % 32]}aaa`;
async function responder(user) {
  const aws = m.createAwsProvider({ region: 'us-east-1', env: {}, clientConfig: { endpoint: url, region: 'us-east-1', credentials: { accessKeyId: user, secretAccessKey: 'x' } } });
  return { root: mkdtempSync(join(tmp, `${user}-`)), share: await m.connectShare({ url: 's3://oncall-team/bench', operator: user, aws }) };
}
async function shared(r, id, create, onRemote) {
  const redactor = new m.Redactor();
  const writer = create ? await m.JournalWriter.create(r.root, id, { redactor }) : await m.JournalWriter.open(r.root, id, { redactor });
  return m.SharedJournal.attach({ store: r.share.store, writer, redactor, author: r.share.author, onRemote });
}
const note = (i) => ({ text: `note ${i} ${'x'.repeat(120)}`, by: 'bench' });
const OPS = 300;

// (a) local
const local = await m.JournalWriter.create(mkdtempSync(join(tmp, 'local-')), ID(), { redactor: new m.Redactor() });
const la = [];
for (let i = 0; i < OPS; i++) {
  const t = performance.now();
  await local.append('note.added', note(i), { urgent: true });
  la.push(performance.now() - t);
}
await local.close();

// (b) shared, uncontended
const alice = await responder('alice');
const idB = ID();
const ja = await shared(alice, idB, true);
for (let i = 0; i < 20; i++) await ja.append('note.added', note(i)); // warm up the client
const sa = [];
for (let i = 0; i < OPS; i++) {
  const t = performance.now();
  await ja.append('note.added', note(i));
  sa.push(performance.now() - t);
}
await ja.close();
const [l50, l95, s50, s95] = [q(la, 0.5), q(la, 0.95), q(sa, 0.5), q(sa, 0.95)];
console.log(`local fsync'ed append: p50 ${l50.toFixed(2)} ms, p95 ${l95.toFixed(2)} ms; shared: p50 ${s50.toFixed(2)} ms, p95 ${s95.toFixed(2)} ms`);
check('shared append p95 <= 50 ms', s95 <= 50, `${s95.toFixed(1)} ms`);
check('uncontended overhead <= 3x a local append', (s50 - l50) / l50 <= 3, `(${s50.toFixed(2)} - ${l50.toFixed(2)}) / ${l50.toFixed(2)} = ${((s50 - l50) / l50).toFixed(2)}x`);

// (c) 3 writers
const idC = ID();
const rs = [alice, await responder('bob'), await responder('carol')];
const j0 = await shared(rs[0], idC, true);
await j0.append('note.added', note(0));
await j0.close();
const js = [];
for (const r of rs) {
  const redactor = new m.Redactor();
  const w = r === rs[0] ? await m.JournalWriter.open(r.root, idC, { redactor }) : await m.JournalWriter.create(r.root, idC, { redactor });
  js.push(await m.SharedJournal.attach({ store: r.share.store, writer: w, redactor, author: r.share.author }));
}
const PER = 500;
const t0 = performance.now();
await Promise.all(js.map((j, k) => Promise.all(Array.from({ length: PER }, (_, i) => j.append('note.added', { text: `w${k} ${i}`, by: 'bench' })))));
const secs = (performance.now() - t0) / 1000;
for (const j of js) await j.sync();
const total = js[0].lastSeq; // records after the first
for (const j of js) await j.close();
const v = await m.verifyJournal(m.journalPath(rs[1].root, idC));
check('3 concurrent writers >= 200 records/s, 0 lost', (3 * PER) / secs >= 200 && total === 3 * PER && v.ok, `${((3 * PER) / secs).toFixed(0)} records/s; ${total}/${3 * PER} arrived; chain ${v.ok ? 'verifies' : 'BROKEN'}`);

// (d) follow latency, (e) idle cost
const idD = ID();
const writerJ = await shared(alice, idD, true);
await writerJ.append('note.added', note(0));
const bob = await responder('bob');
const { JournalWriter } = m;
await (await JournalWriter.create(bob.root, idD, { redactor: new m.Redactor() })).close();
const sent = new Map();
const lat = [];
const follower = await shared(bob, idD, false, (r) => {
  const at = sent.get(r.seq);
  if (at !== undefined) lat.push(performance.now() - at);
});
follower.follow();
for (let i = 0; i < 25; i++) {
  await new Promise((r) => setTimeout(r, 200 + Math.random() * 2500));
  const t = performance.now();
  const rec = await writerJ.append('note.added', note(i));
  sent.set(rec.seq, t);
}
await new Promise((r) => setTimeout(r, 2500));
check('follow latency p95 <= 2 s', lat.length === 25 && q(lat, 0.95) <= 2000, `p50 ${q(lat, 0.5).toFixed(0)} ms, p95 ${q(lat, 0.95).toFixed(0)} ms over ${lat.length} records`);
// Idle: the active window (30 s after the last record) has passed before counting.
await new Promise((r) => setTimeout(r, 31_000));
const before = follower.store.requests;
await new Promise((r) => setTimeout(r, 20_000));
const perMin = ((follower.store.requests - before) * 60) / 20;
check('idle following <= 30 requests/min', perMin <= 30, `${perMin.toFixed(0)} requests/min (ListObjectsV2 every 2 s)`);
await follower.close();
await writerJ.close();
endpoint.kill();
process.exit(failed ? 1 : 0);
