// Resuming a long incident: `oncall resume` of a 10,000-record journal. Prints its wall time and
// its peak RSS against bare `node -e ''` in the same run. A resume reads the journal once, as a
// stream, and keeps the folded state, not the records: its peak memory must stay near a bare
// node's, whatever the journal's length.
import { spawnSync } from 'node:child_process';
import { hash } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median, timeNode } from './lib.mjs';

const root = join(import.meta.dirname, '..');
const bin = join(root, 'dist/oncall.js');

/** A finished incident of the example runbook with RECORDS lines of streamed output, hash-chained as oncall writes them. */
function seed(RECORDS) {
  const state = mkdtempSync(join(tmpdir(), 'oncall-bench-resume-'));
  const id = 'inc-20260101-000000-bnch';
  const dir = join(state, 'incidents', id);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const lines = [];
  let prev = '0'.repeat(64);
  let seq = 0;
  const add = (type, payload) => {
    const ts = new Date(Date.parse('2026-01-01T00:00:00Z') + seq).toISOString();
    const line = `{"v":1,"seq":${seq++},"ts":"${ts}","incident":"${id}","type":"${type}","payload":${JSON.stringify(payload)},"prev":"${prev}"}`;
    prev = hash('sha256', line, 'hex');
    lines.push(line);
  };
  const source = readFileSync(join(root, 'examples/local-504.yaml'), 'utf8');
  add('incident.opened', { title: 'bench', severity: 'SEV3', mode: 'live', read_only: false, operator: 'bench', host: 'bench', oncall_version: '0' });
  add('runbook.attached', { id: 'local-504', version: '1.0.0', hash: hash('sha256', source, 'hex'), file: 'examples/local-504.yaml', source, inputs: { url: 'http://127.0.0.1:9', state: join(state, 's.json') }, secret_inputs: [] });
  add('step.started', { step: 'probe', attempt: 1, kind: 'http', effect: 'read', intent: { summary: 'GET', params: {} }, write_ahead: false });
  for (let i = 0; i < RECORDS; i++) add('step.output', { step: 'probe', attempt: 1, stream: 'stdout', text: `line ${i} ${'x'.repeat(80)}` });
  add('step.finished', { step: 'probe', attempt: 1, status: 'ok', duration_ms: 1, result: {} });
  add('run.finished', { outcome: 'completed', summary: 'bench' });
  writeFileSync(join(dir, 'journal.jsonl'), lines.join('\n') + '\n', { mode: 0o600 });
  return { state, id };
}

/** Peak RSS (MB) of `node ...args`, read by the process itself as it exits. */
function peakRss(args, env = {}) {
  const probe = join(mkdtempSync(join(tmpdir(), 'oncall-bench-rss-')), 'rss.cjs');
  writeFileSync(probe, "process.on('exit', () => require('fs').writeSync(2, `\\nmaxrss ${process.resourceUsage().maxRSS}\\n`));\n");
  const runs = Array.from({ length: 5 }, () => {
    const r = spawnSync(process.execPath, ['--require', probe, ...args], { cwd: root, env: { ...process.env, ...env }, encoding: 'utf8' });
    const m = /maxrss (\d+)/.exec(r.stderr);
    if (!m) throw new Error(`no maxrss from node ${args.join(' ')} (exit ${r.status}): ${r.stderr}`);
    return Number(m[1]) / 1024;
  });
  return median(runs);
}

const baseMs = timeNode(['-e', ''], { runs: 7 });
const baseMb = peakRss(['-e', '']);
for (const records of (process.env.RECORDS ?? '10000,100000').split(',').map(Number)) {
  const { state, id } = seed(records);
  const env = { ONCALL_STATE_DIR: state };
  const check = spawnSync(process.execPath, [bin, 'resume', id], { cwd: root, env: { ...process.env, ...env }, encoding: 'utf8' });
  if (!/already finished/.test(check.stderr)) {
    console.error(`resume of the seeded incident did not load it (exit ${check.status}):\n${check.stderr}`);
    process.exit(1);
  }
  const resumeMs = timeNode([bin, 'resume', id], { runs: 7, env, cwd: root });
  const resumeMb = peakRss([bin, 'resume', id], env);
  console.log(`oncall resume, ${records} records: ${(resumeMs / baseMs).toFixed(1)}x node -e '' wall (${resumeMs.toFixed(0)} ms vs ${baseMs.toFixed(0)} ms)`);
  console.log(`oncall resume, ${records} records: peak RSS ${resumeMb.toFixed(1)} MB, ${(resumeMb / baseMb).toFixed(2)}x node -e '' (${baseMb.toFixed(1)} MB)`);
}
