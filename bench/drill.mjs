// `oncall drill <scenario> --auto` must finish in at most 2 s of wall time for a scenario that
// spans at least 15 simulated minutes. Printed against bare `node -e ''` from the same run.
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { timeNode } from './lib.mjs';

const root = join(import.meta.dirname, '..');
const bin = join(root, 'dist/oncall.js');
const scenario = 'local-504-short-timeout';
const env = { ONCALL_STATE_DIR: mkdtempSync(join(tmpdir(), 'oncall-bench-drill-')) };

const check = spawnSync(process.execPath, [bin, 'drill', scenario, '--auto', '-q'], { cwd: root, env: { ...process.env, ...env }, encoding: 'utf8' });
const minutes = Number(/(\d+(?:\.\d+)?) simulated minutes/.exec(check.stderr)?.[1] ?? NaN);
if (check.status !== 0 || !(minutes >= 15)) {
  console.error(`the scenario must pass and span >= 15 simulated minutes (status ${check.status}, ${minutes} min)\n${check.stderr}`);
  process.exit(1);
}
const baseline = timeNode(['-e', ''], { runs: 7 });
const drill = timeNode([bin, 'drill', scenario, '--auto', '-q'], { runs: 7, cwd: root, env });
const ok = drill <= 2000;
console.log(`drill ${scenario} --auto: ${(drill / 1000).toFixed(2)} s wall for ${minutes} simulated minutes (${(drill / baseline).toFixed(1)}x node -e ''; target <= 2 s) ${ok ? 'ok' : 'MISSED'}`);
process.exitCode = ok ? 0 : 1;
