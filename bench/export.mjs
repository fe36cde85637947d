#!/usr/bin/env node
// Export benchmark: `oncall export` of a 100,000-record incident, each format in its own child
// process (the built CLI, as people run it), against a bare `node -e ''` measured in the same run.
//   per format: wall time <= 1 s (median of 3) and peak RSS <= 200 MB (absolute; the baseline
//   and the CPU time are for context: on a busy machine wall time exceeds CPU time)
// The journal is written with the real JournalWriter (hash chain, redaction), bundled from the
// sources with esbuild: a realistic mix of step.started/finished, many step.output lines, notes,
// decisions, confirmations, retries and milestones. Exits 1 if a target is missed.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { median } from './lib.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(ROOT, 'dist/oncall.js');
const RECORDS = 100_000;
const TARGET_MS = 1000;
const TARGET_RSS_MB = 200;
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const FORMATS = ['md', 'html', 'json', 'csv'];

async function loadJournal(dir) {
  const out = await build({
    stdin: {
      contents: "export { JournalWriter } from './src/journal/writer.ts'; export { Redactor } from './src/journal/redact.ts'; export { newIncidentId } from './src/journal/ids.ts';",
      resolveDir: ROOT,
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    write: false,
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    logLevel: 'error',
  });
  const file = join(dir, 'journal-bundle.mjs');
  writeFileSync(file, out.outputFiles[0].text);
  return import(pathToFileURL(file).href);
}

/** A long incident: 40 steps cycled (waits, loops and retries), most records streamed output. */
async function writeIncident(root, { JournalWriter, Redactor, newIncidentId }) {
  let now = Date.parse('2026-03-02T03:12:00Z');
  const redactor = new Redactor();
  redactor.add('correct horse battery staple', 'db-password');
  const id = newIncidentId(new Date(now));
  const w = await JournalWriter.create(root, id, { redactor, clock: () => now });
  let n = 0;
  const put = (type, payload) => {
    now += 150;
    n++;
    void w.append(type, payload); // group-committed, like streamed output in a real run
  };
  const steps = Array.from({ length: 40 }, (_, i) => `step-${String(i).padStart(2, '0')}`);
  const source = `id: big\ntitle: Big incident\nversion: 1.0.0\nsummary: s\nsteps:\n${steps.map((s) => `  - id: ${s}\n    title: Do ${s}\n    kind: shell\n    with: { argv: [true] }\n`).join('')}`;
  put('incident.opened', { title: 'Checkout 504s across eu-west-1', severity: 'SEV1', service: 'checkout', mode: 'live', read_only: false, operator: 'alice', host: 'laptop', oncall_version: '0.1.0' });
  put('runbook.attached', { id: 'big', version: '1.0.0', hash: 'ab'.repeat(32), file: '/runbooks/big.yaml', source, inputs: { lb: 'app/checkout/50dc6c495c0c9188' }, secret_inputs: [] });
  put('milestone.marked', { milestone: 'detected', by: 'alice' });
  let attempt = 0;
  // Whole attempts while they fit (one writes at most ~66 records), then notes up to RECORDS.
  while (n < RECORDS - 3 - 70) {
    const step = steps[attempt % steps.length];
    const write = attempt % 4 === 3;
    if (write) put('confirm.given', { step, approved: true, by: 'alice', purpose: 'action' });
    put('step.started', {
      step,
      attempt: 1 + Math.floor(attempt / steps.length),
      kind: write ? 'aws.elbv2.modifyLoadBalancerAttributes' : 'shell',
      effect: write ? 'write' : 'read',
      intent: { summary: `run kubectl logs deploy/checkout --since=5m #${attempt}`, argv: ['kubectl', 'logs', 'deploy/checkout', '--since=5m'], resources: ['deploy/checkout'], params: { argv: ['kubectl', 'logs'] } },
      write_ahead: write,
    });
    const lines = 30 + (attempt % 31);
    for (let i = 0; i < lines; i++) {
      put('step.output', { step, attempt: 1, stream: i % 7 ? 'stdout' : 'stderr', text: `2026-03-02T03:${String(i % 60).padStart(2, '0')}:00Z ip-10-0-1-23 nginx[812]: upstream timed out (110: Connection timed out) while reading response header from upstream, request #${attempt * 100 + i}` });
    }
    if (attempt % 4 === 1) put('decision.made', { step, attempt: 1, question: 'Is the backend slow, or is the proxy timeout too short?', value: 'raise-timeout', by: 'bob', type: 'choice' });
    const failed = attempt % 9 === 8;
    put('step.finished', {
      step,
      attempt: 1,
      status: failed ? 'failed' : 'ok',
      duration_ms: 150 * lines,
      summary: `exit ${failed ? 1 : 0} in ${150 * lines} ms`,
      ...(failed ? { error: 'kubectl exited with code 1', retry_in_ms: 2000 } : { captures: { errors: lines } }),
      result: { exit_code: failed ? 1 : 0, stdout: '…', duration_ms: 150 * lines },
    });
    if (attempt % 2 === 0) put('note.added', { text: `p99 still 30s at attempt ${attempt}; paging the backend team | db password is correct horse battery staple`, by: 'carol' });
    attempt++;
  }
  while (n < RECORDS - 3) put('note.added', { text: 'backend team acknowledged', by: 'dave' });
  put('milestone.marked', { milestone: 'mitigated', by: 'bob' });
  put('run.finished', { outcome: 'completed', summary: 'big completed' });
  put('milestone.marked', { milestone: 'resolved', by: 'alice' });
  await w.close();
  return { id, records: n, file: w.path };
}

/** Wall time and peak RSS of `node <args>`: the child reports its own maxRSS as it exits. */
function measure(args, hook) {
  const t = performance.now();
  const r = spawnSync(process.execPath, ['--import', pathToFileURL(hook).href, ...args], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  const ms = performance.now() - t;
  const stderr = String(r.stderr);
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status}: ${stderr}`);
  const m = /ONCALL_BENCH_MAXRSS_KB=(\d+) CPU_US=(\d+)/.exec(stderr);
  if (!m) throw new Error(`no maxRSS report from node ${args.join(' ')}: ${stderr}`);
  return { ms, rssMb: Number(m[1]) / 1024, cpuMs: Number(m[2]) / 1000 };
}

function series(args, hook) {
  measure(args, hook); // warm-up: page cache and Node's compile cache
  const runs = Array.from({ length: RUNS }, () => measure(args, hook));
  return { ms: median(runs.map((r) => r.ms)), cpuMs: median(runs.map((r) => r.cpuMs)), rssMb: Math.max(...runs.map((r) => r.rssMb)) };
}

if (!existsSync(BIN)) {
  const b = spawnSync(process.execPath, [join(ROOT, 'scripts/build.mjs')], { cwd: ROOT, stdio: 'inherit' });
  if (b.status !== 0) process.exit(1);
}

// --keep: leave the generated incident behind (its state dir is printed) for profiling.
const keep = process.argv.includes('--keep');
const work = mkdtempSync(join(tmpdir(), 'oncall-bench-export-'));
let failed = false;
try {
  const hook = join(work, 'maxrss.mjs');
  writeFileSync(
    hook,
    "import { writeSync } from 'node:fs';\nprocess.on('exit', () => { const u = process.resourceUsage(); writeSync(2, `\\nONCALL_BENCH_MAXRSS_KB=${u.maxRSS} CPU_US=${u.userCPUTime + u.systemCPUTime}\\n`); });\n",
  );
  const lib = await loadJournal(work);
  const root = join(work, 'state');
  const t = performance.now();
  const { id, records, file } = await writeIncident(root, lib);
  console.log(`journal: ${records.toLocaleString('en-US')} records, ${(statSync(file).size / 1e6).toFixed(1)} MB, written in ${((performance.now() - t) / 1000).toFixed(1)} s`);

  const base = series(['-e', ''], hook);
  console.log(`baseline node -e '': ${base.ms.toFixed(0)} ms (cpu ${base.cpuMs.toFixed(0)} ms), peak RSS ${base.rssMb.toFixed(0)} MB`);
  for (const format of FORMATS) {
    const out = join(work, `export.${format}`);
    const r = series([BIN, 'export', id, '--state-dir', root, '--format', format, '--out', out, '--force'], hook);
    const ok = r.ms <= TARGET_MS && r.rssMb <= TARGET_RSS_MB;
    failed ||= !ok;
    console.log(
      `export --format ${format.padEnd(4)}: ${r.ms.toFixed(0).padStart(4)} ms (${(r.ms / base.ms).toFixed(1)}x baseline; cpu ${r.cpuMs.toFixed(0)} ms), peak RSS ${r.rssMb.toFixed(0).padStart(3)} MB (${(r.rssMb / base.rssMb).toFixed(1)}x baseline), ` +
        `${(statSync(out).size / 1e6).toFixed(1)} MB out; target <= ${TARGET_MS} ms, <= ${TARGET_RSS_MB} MB ${ok ? 'ok' : 'MISSED'}`,
    );
  }
  // For context, not a target: the exports above check the chain as they read (the default);
  // --no-verify skips it.
  const v = series([BIN, 'export', id, '--state-dir', root, '--format', 'md', '--out', join(work, 'unverified.md'), '--force', '--no-verify'], hook);
  console.log(`export --format md --no-verify: ${v.ms.toFixed(0)} ms (cpu ${v.cpuMs.toFixed(0)} ms), peak RSS ${v.rssMb.toFixed(0)} MB (context only: what the chain check costs)`);
} finally {
  if (keep) console.log(`kept: --state-dir ${join(work, 'state')}`);
  else rmSync(work, { recursive: true, force: true });
}
process.exitCode = failed ? 1 : 0;
