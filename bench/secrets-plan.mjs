// A .env with 10,000 keys must be inventoried and planned in under a second (each step, as the
// journal times it), through the built CLI, redaction and journal included. Printed as ratios
// against baselines measured in the same run: dotenv.parse of the same file (the floor any
// inventory has to pay), and the same two steps on a 10-key file (what is fixed cost).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { report, median } from './lib.mjs';

const LIMIT_MS = 1000;
const KEYS = 10_000;
const root = join(import.meta.dirname, '..');
const bin = join(root, 'dist/oncall.js');
if (!existsSync(bin)) {
  console.error(`bench/secrets-plan: ${bin} is missing; run 'npm run build' first`);
  process.exit(2);
}
const dotenv = createRequire(join(root, 'package.json'))('dotenv');

const dir = mkdtempSync(join(tmpdir(), 'oncall-bench-secrets-'));

/** Half secrets (by name or by value), half plain config; quotes, exports and comments mixed in. */
function envText(n) {
  const lines = ['# generated for bench/secrets-plan.mjs: every value is fake'];
  for (let i = 0; i < n; i++) {
    const r = randomBytes(18).toString('base64url');
    switch (i % 8) {
      case 0:
        lines.push(`SERVICE_${i}_PASSWORD=${r}`);
        break;
      case 1:
        lines.push(`export SERVICE_${i}_API_TOKEN="${r}"`);
        break;
      case 2:
        lines.push(`SERVICE_${i}_URL=postgres://u${i}:${r}@db${i}.internal:5432/app`);
        break;
      case 3:
        lines.push(`SERVICE_${i}_SIGNING_KEY='${r}${r}'`);
        break;
      case 4:
        lines.push(`SERVICE_${i}_PORT=${8000 + (i % 1000)}`);
        break;
      case 5:
        lines.push(`SERVICE_${i}_HOST=svc-${i}.internal.example # the host`);
        break;
      case 6:
        lines.push(`SERVICE_${i}_LOG_LEVEL=info`);
        break;
      default:
        lines.push(`SERVICE_${i}_FEATURE_ENABLED=true`);
    }
  }
  return `${lines.join('\n')}\n`;
}

const RUNBOOK = `id: bench-secrets-plan
title: Inventory and plan only
version: 1.0.0
summary: The two local steps of secrets-env-migration, for the benchmark.
inputs:
  env_file: { type: string }
  layout: { type: enum, values: [json, per-key], default: json }
steps:
  - id: inventory
    title: Inventory
    kind: secrets.env.inventory
    with:
      source: { files: "\${{ inputs.env_file }}" }
      target: &target { app: bench, env: prod, layout: "\${{ inputs.layout }}", owner: bench }
      git: false
  - id: plan
    title: Plan
    kind: secrets.env.plan
    with:
      source: { files: "\${{ inputs.env_file }}" }
      target: *target
`;
const runbook = join(dir, 'bench-secrets-plan.yaml');
writeFileSync(runbook, RUNBOOK);

function run(file, layout) {
  const t = performance.now();
  const r = spawnSync(process.execPath, [bin, 'run', runbook, '--input', `env_file=${file}`, '--input', `layout=${layout}`, '--json', '-q'], {
    cwd: root,
    env: { ...process.env, ONCALL_STATE_DIR: join(dir, 'state') },
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  const wall = performance.now() - t;
  const steps = {};
  let outcome;
  for (const line of r.stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    const ev = JSON.parse(line);
    if (ev.type === 'step.finished') steps[ev.payload.step] = { ms: ev.payload.duration_ms, status: ev.payload.status, summary: ev.payload.summary ?? ev.payload.error };
    if (ev.type === 'run.finished') outcome = ev.payload.outcome;
  }
  // A JSON secret of 5,000 keys is over the 65,536-byte limit: the plan says so and fails, which is
  // the right answer, timed like any other.
  if (!steps.inventory || !steps.plan || (r.status !== 0 && steps.plan.status !== 'failed')) throw new Error(`oncall exited ${r.status}: ${r.stderr}`);
  return { wall, inventory: steps.inventory.ms, plan: steps.plan.ms, outcome, planSummary: steps.plan.summary };
}


const big = join(dir, 'big.env');
const small = join(dir, 'small.env');
writeFileSync(big, envText(KEYS));
writeFileSync(small, envText(10));

// Baseline 1: dotenv.parse of the same file, in this process (median of 15, after a warm-up).
const text = readFileSync(big, 'utf8');
dotenv.parse(text);
const parseMs = median(
  Array.from({ length: 15 }, () => {
    const t = performance.now();
    dotenv.parse(text);
    return performance.now() - t;
  }),
);

let ok = true;
for (const layout of ['json', 'per-key']) {
  run(small, layout); // warm-up (compile cache)
  const runs = Array.from({ length: 5 }, () => run(big, layout));
  const smallRuns = Array.from({ length: 5 }, () => run(small, layout));
  const inv = median(runs.map((r) => r.inventory));
  const plan = median(runs.map((r) => r.plan));
  const wall = median(runs.map((r) => r.wall));
  const smallWall = median(smallRuns.map((r) => r.wall));
  console.log(`${KEYS} keys, layout ${layout}: inventory ${inv} ms, plan ${plan} ms (limit ${LIMIT_MS} ms each), whole run ${wall.toFixed(0)} ms; plan: ${String(runs[0].planSummary).slice(0, 110)}`);
  ok = report(`  plan step vs dotenv.parse of the same file (${layout})`, Math.max(1, plan), Math.max(0.1, parseMs), 100) && ok;
  // Most of the rest is the journal redacting every record against 10,000 registered values.
  ok = report(`  whole run vs the same run on 10 keys (${layout})`, wall, smallWall, 8) && ok;
  if (inv > LIMIT_MS || plan > LIMIT_MS) {
    console.log(`  MISSED: a step took over ${LIMIT_MS} ms`);
    ok = false;
  }
}
process.exitCode = ok ? 0 : 1;
