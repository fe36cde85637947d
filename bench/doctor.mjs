// `oncall doctor` with no cloud reachable answers within 3 s: STS and the Kubernetes API server
// are 127.0.0.1 ports that accept and never answer, so each probe runs into its own timeout (which
// it reports). Printed beside bare `node -e ''` of the same run.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median, timeNode } from './lib.mjs';

const root = join(import.meta.dirname, '..');
const silent = createServer(() => {});
await new Promise((ok) => silent.listen(0, '127.0.0.1', ok));
const port = silent.address().port;
const home = mkdtempSync(join(tmpdir(), 'oncall-bench-doctor-'));
writeFileSync(
  join(home, 'kubeconfig'),
  `apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster: {server: "https://127.0.0.1:${port}"}\ncontexts:\n- name: prod\n  context: {cluster: c, user: u}\ncurrent-context: prod\nusers:\n- name: u\n  user: {token: t}\n`,
);
const env = {
  ...process.env,
  HOME: home,
  XDG_CONFIG_HOME: join(home, '.config'),
  ONCALL_STATE_DIR: join(home, 'state'),
  KUBECONFIG: join(home, 'kubeconfig'),
  AWS_REGION: 'eu-west-1',
  AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  AWS_ENDPOINT_URL_STS: `http://127.0.0.1:${port}`,
  AWS_EC2_METADATA_DISABLED: 'true',
};
const once = () => {
  const t = performance.now();
  // Asynchronous, so the silent server above keeps accepting while doctor runs.
  return new Promise((done) => {
    const child = spawnAsync(process.execPath, [join(root, 'dist/oncall.js'), 'doctor', '--json'], env);
    child.then((r) => done({ ms: performance.now() - t, out: r }));
  });
};

function spawnAsync(cmd, args, env) {
  return import('node:child_process').then(
    ({ execFile }) =>
      new Promise((done) => {
        execFile(cmd, args, { env, cwd: home }, (err, stdout) => done(stdout));
      }),
  );
}

spawnSync(process.execPath, ['-e', '']);
const baseline = timeNode(['-e', ''], { runs: 5 });
const runs = [];
let last;
for (let i = 0; i < 3; i++) {
  const r = await once();
  runs.push(r.ms);
  last = r.out;
}
silent.close();
const ms = median(runs);
const checks = JSON.parse(last).checks;
for (const c of checks) console.log(`  ${c.id.padEnd(11)} ${String(c.ms).padStart(5)} ms  ${c.status}: ${c.detail.slice(0, 110)}`);
const ok = ms <= 3000;
console.log(`oncall doctor, no cloud reachable: ${(ms / 1000).toFixed(2)} s (${(ms / baseline).toFixed(1)}x bare node -e '' at ${baseline.toFixed(1)} ms); target <= 3 s ${ok ? 'ok' : 'MISSED'}`);
process.exitCode = ok ? 0 : 1;
