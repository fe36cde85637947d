#!/usr/bin/env node
// Journal benchmark: what durability costs against the raw syscalls, on the same disk.
//   (a) raw writeSync + fsyncSync of a write-ahead-sized line (the floor)
//   (b) one durable append awaited at a time (write-ahead steps)   target: <= 1.5x (a)
//   (c) streamed output appended without awaiting (group commit)    target: >= 1,000 events/s
// Runs on the TypeScript sources, bundled on the fly with esbuild. Exits 1 if a target is missed.
import { build } from 'esbuild';
import { closeSync, fsyncSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { median } from './lib.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const WAL_OPS = 1000;
const STREAMED = 20_000;
const TARGET_RATIO = 1.5;
const TARGET_EPS = 1000;

async function loadJournal(dir) {
  const out = await build({
    stdin: {
      contents: "export { JournalWriter } from './src/journal/writer.ts'; export { Redactor } from './src/journal/redact.ts'; export { newIncidentId } from './src/journal/ids.ts'; export { verifyJournal } from './src/journal/reader.ts';",
      resolveDir: ROOT,
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    write: false,
    // A CommonJS dependency in the bundle may require node built-ins.
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    logLevel: 'error',
  });
  const file = join(dir, 'journal-bundle.mjs');
  writeFileSync(file, out.outputFiles[0].text);
  return import(pathToFileURL(file).href);
}

const ms = (x) => `${x.toFixed(3)} ms`;
const fmt = (n) => Math.round(n).toLocaleString('en-US');

const work = mkdtempSync(join(tmpdir(), 'oncall-bench-'));
let failed = false;
try {
  const { JournalWriter, Redactor, newIncidentId, verifyJournal } = await loadJournal(work);
  const redactor = new Redactor();
  redactor.add('AKIAIOSFODNN7EXAMPLE', 'aws-key');
  redactor.add('correct horse battery staple', 'db-password');

  // A typical write-ahead record: the exact intent of a mutating AWS call.
  const intent = {
    step: 'stop-instance',
    kind: 'aws.ec2.stopInstances',
    attempt: 1,
    effect: 'write',
    write_ahead: true,
    intent: {
      summary: 'ec2:StopInstances i-0abc123def4567890',
      api: 'ec2:StopInstances',
      resources: ['i-0abc123def4567890'],
      params: { instanceIds: ['i-0abc123def4567890'], force: false, region: 'eu-west-1', account: '123456789012' },
    },
  };
  const walWriter = await JournalWriter.create(work, newIncidentId(), { redactor });
  const sample = await walWriter.append('step.started', intent, { urgent: true });
  const lineBytes = Buffer.byteLength(JSON.stringify(sample)) + 1;
  const rawLine = Buffer.from('x'.repeat(lineBytes - 1) + '\n');

  // Interleave single ops so all sides see the same disk (ext4 commits, VM noise) and compare
  // medians: one slow fsync in a thousand says nothing about the cost of journaling.
  const rawFd = openSync(join(work, 'raw.jsonl'), 'a', 0o600);
  for (let i = 0; i < 50; i++) {
    writeSync(rawFd, rawLine);
    fsyncSync(rawFd);
    await walWriter.append('step.started', intent, { urgent: true }); // warm-up (JIT, page cache, threadpool)
  }
  // For context only: the same write with the fsync off the event loop, as any non-blocking
  // writer must do it (one libuv threadpool round trip).
  const floorFh = await open(join(work, 'floor.jsonl'), 'a', 0o600);
  const raw = [];
  const wal = [];
  const floor = [];
  const ops = [
    async () => {
      const t = process.hrtime.bigint();
      writeSync(rawFd, rawLine);
      fsyncSync(rawFd);
      raw.push(Number(process.hrtime.bigint() - t) / 1e6);
    },
    async () => {
      const t = process.hrtime.bigint();
      await walWriter.append('step.started', intent, { urgent: true });
      wal.push(Number(process.hrtime.bigint() - t) / 1e6);
    },
    async () => {
      const t = process.hrtime.bigint();
      writeSync(floorFh.fd, rawLine);
      await floorFh.datasync();
      floor.push(Number(process.hrtime.bigint() - t) / 1e6);
    },
  ];
  // Rotate the order: the op that follows a blocking fsync pays a wake-up cost on some VMs.
  for (let i = 0; i < WAL_OPS; i++) {
    for (let k = 0; k < ops.length; k++) await ops[(i + k) % ops.length]();
  }
  closeSync(rawFd);
  await floorFh.close();
  await walWriter.close();
  const rawMs = median(raw);
  const walMs = median(wal);
  const ratio = walMs / rawMs;
  const walOk = ratio <= TARGET_RATIO;
  console.log(`raw write+fsync (${lineBytes} B line, median of ${fmt(WAL_OPS)}): ${ms(rawMs)} per op`);
  const floorMs = median(floor);
  console.log(`non-blocking floor (write + fdatasync in the threadpool): ${(floorMs / rawMs).toFixed(2)}x raw fsync (${ms(floorMs)}), for context`);
  console.log(`journal write-ahead append: ${ratio.toFixed(2)}x raw fsync (${ms(walMs)} vs ${ms(rawMs)})${walOk ? '' : `  MISSED target <= ${TARGET_RATIO}x`}`);

  // Streamed step output: appended as it arrives, nobody awaits each one.
  const outWriter = await JournalWriter.create(work, newIncidentId(), { redactor });
  const pending = [];
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < STREAMED; i++) {
    pending.push(outWriter.append('step.output', { step: 'tail-logs', attempt: 1, stream: 'stdout', text: `2025-01-01T00:00:00Z ip-10-0-1-23 nginx[812]: upstream timed out (110) while reading response header ${i}` }));
  }
  await Promise.all(pending);
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const { syncs } = outWriter.stats;
  await outWriter.close();
  const eps = STREAMED / secs;
  const eventsOk = eps >= TARGET_EPS;
  console.log(`journal group commit: ${fmt(eps)} events/s (${fmt(syncs)} fsyncs for ${fmt(STREAMED)} events)${eventsOk ? '' : `  MISSED target >= ${fmt(TARGET_EPS)}/s`}`);

  const v = await verifyJournal(outWriter.path);
  if (!v.ok || v.count !== STREAMED + 1) { // the streamed records and the close
    console.log(`journal verify after the run: FAILED ${JSON.stringify(v)}`);
    failed = true;
  }
  failed ||= !walOk || !eventsOk;
} finally {
  rmSync(work, { recursive: true, force: true });
}
process.exitCode = failed ? 1 : 0;
