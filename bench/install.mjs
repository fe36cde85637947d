// The package as people get it (#21): its packed size (at most 3 MB), and `npm install -g` of the
// tarball from a warm cache within 2x of installing, the same way, a package with one dependency.
// Both installs go into fresh prefixes, with the same npm and the same cache, in this run.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median, report } from './lib.mjs';

const root = join(import.meta.dirname, '..');
const work = mkdtempSync(join(tmpdir(), 'oncall-bench-install-'));
const cache = join(work, 'cache');
const env = { ...process.env, npm_config_cache: cache, npm_config_loglevel: 'error', npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };
const npm = (args, cwd) => execFileSync('npm', args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });

// The package, as `npm pack` makes it (prepack builds and emits the plugin types).
const [packed] = JSON.parse(npm(['pack', '--json', '--pack-destination', work], root));
const tarball = join(work, packed.filename);
const size = statSync(tarball).size;
console.log(`packed: ${(size / 1e6).toFixed(2)} MB (${packed.entryCount} files, ${(packed.unpackedSize / 1e6).toFixed(1)} MB unpacked); target <= 3 MB ${size <= 3 * 1024 * 1024 ? 'ok' : 'MISSED'}`);

// The baseline: a package with one small dependency from the registry (fastest-levenshtein, which
// oncall bundles), packed here; its dependency comes from the warm cache.
const base = join(work, 'baseline');
execFileSync('mkdir', ['-p', base]);
writeFileSync(join(base, 'package.json'), JSON.stringify({ name: 'one-dep', version: '1.0.0', bin: { 'one-dep': 'cli.js' }, dependencies: { 'fastest-levenshtein': '1.0.16' } }));
writeFileSync(join(base, 'cli.js'), "#!/usr/bin/env node\nconsole.log(require('fastest-levenshtein').distance('a', 'b'));\n");
const [basePacked] = JSON.parse(npm(['pack', '--json', '--pack-destination', work], base));
const baseTarball = join(work, basePacked.filename);

function installMs(tgz) {
  const prefix = mkdtempSync(join(work, 'prefix-'));
  const t = performance.now();
  const r = spawnSync('npm', ['install', '-g', '--prefer-offline', '--prefix', prefix, tgz], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = performance.now() - t;
  if (r.status !== 0) throw new Error(`npm install -g ${tgz} failed: ${r.stderr}`);
  rmSync(prefix, { recursive: true, force: true });
  return ms;
}
// Warm the cache (this fetches fastest-levenshtein once), then alternate the two.
installMs(baseTarball);
installMs(tarball);
const a = [];
const b = [];
for (let i = 0; i < 5; i++) {
  a.push(installMs(tarball));
  b.push(installMs(baseTarball));
}
const ok = report('npm install -g oncall tarball', median(a), median(b), 2);
rmSync(work, { recursive: true, force: true });
process.exitCode = ok && size <= 3 * 1024 * 1024 ? 0 : 1;
