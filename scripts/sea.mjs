// `npm run build:sea` → dist/oncall-linux-x64: one file for hosts without Node (a bastion, a
// break-glass box). A Node single executable application (SEA): the project's own Node 22 binary
// with a blob injected (postject) that holds a small CommonJS launcher and, as SEA assets, the
// bundle (dist/*.js), the shipped runbooks, drill scenarios, plugins and package.json.
//
// Node 22's SEA runs one CommonJS script; oncall's bundle is ESM with chunks loaded on demand. So
// the launcher unpacks the assets once per build into $XDG_CACHE_HOME/oncall/sea-<build> (written
// aside and renamed into place, so a crash or a second copy never sees half of it), then imports
// the ESM launcher from there with the default loader. Later starts only check that the directory
// is there; Node's compile cache (the bundle's own launcher turns it on) is kept beside it.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';

const root = join(import.meta.dirname, '..');
const work = mkdtempSync(join(tmpdir(), 'oncall-sea-'));
const out = join(root, 'dist', `oncall-${process.platform}-${process.arch}`);

execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'inherit' });

/** Files under `dir` (relative to the root), recursively, sorted. */
function files(dir, keep = () => true) {
  const abs = join(root, dir);
  return readdirSync(abs, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(root, join(e.parentPath, e.name)))
    .filter(keep)
    .sort();
}
const shipped = [
  'package.json',
  ...files('dist', (f) => f.endsWith('.js')),
  ...files('runbooks'),
  ...files('examples', (f) => !f.endsWith('state.json')),
  ...files('plugins', (f) => !/\.test\.[cm]?[jt]sx?$/.test(f)),
];
const hash = createHash('sha256');
for (const f of shipped) hash.update(f).update(readFileSync(join(root, f)));
const build = hash.digest('hex').slice(0, 16);

rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });
const assets = Object.fromEntries(shipped.map((f) => [f, join(root, f)]));
writeFileSync(
  join(work, 'main.cjs'),
  `// The SEA launcher (scripts/sea.mjs): unpack once per build, then run the bundle.
'use strict';
const sea = require('node:sea');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const vm = require('node:vm');
const { pathToFileURL } = require('node:url');
const BUILD = ${JSON.stringify(build)};
const FILES = ${JSON.stringify(shipped)};

function cacheHome() {
  const x = process.env.XDG_CACHE_HOME;
  return x && x.startsWith('/') ? x : path.join(os.homedir(), '.cache');
}

function unpack(dir) {
  if (fs.existsSync(path.join(dir, '.complete'))) return dir;
  fs.mkdirSync(path.dirname(dir), { recursive: true, mode: 0o700 });
  const tmp = dir + '.tmp-' + process.pid;
  fs.rmSync(tmp, { recursive: true, force: true });
  for (const f of FILES) {
    const to = path.join(tmp, f);
    fs.mkdirSync(path.dirname(to), { recursive: true });
    fs.writeFileSync(to, new Uint8Array(sea.getRawAsset(f)));
  }
  fs.chmodSync(path.join(tmp, 'dist', 'oncall.js'), 0o755);
  fs.writeFileSync(path.join(tmp, '.complete'), BUILD + '\\n');
  try {
    fs.renameSync(tmp, dir);
  } catch (err) {
    // Another copy finished first: use its directory.
    fs.rmSync(tmp, { recursive: true, force: true });
    if (!fs.existsSync(path.join(dir, '.complete'))) throw err;
  }
  return dir;
}

let dir;
try {
  dir = unpack(path.join(cacheHome(), 'oncall', 'sea-' + BUILD));
} catch (err) {
  // No writable home (a locked-down box): the temporary directory, per user.
  try {
    dir = unpack(path.join(os.tmpdir(), 'oncall-' + os.userInfo().uid, 'sea-' + BUILD));
  } catch (err2) {
    process.stderr.write('oncall: cannot unpack into ' + cacheHome() + ' or ' + os.tmpdir() + ': ' + (err2.code || err2.message) + '; set XDG_CACHE_HOME to a writable directory\\n');
    process.exit(1);
  }
}
// import() with the default ESM loader (the injected script has no file of its own to resolve from).
// Node 22 calls that loader option experimental and says so at the import; people need not read it
// (every other warning passes).
const emitWarning = process.emitWarning;
process.emitWarning = function (warning, ...rest) {
  if (String(warning && warning.message ? warning.message : warning).includes('USE_MAIN_CONTEXT_DEFAULT_LOADER')) return;
  return emitWarning.call(process, warning, ...rest);
};
const script = new vm.Script('import(' + JSON.stringify(pathToFileURL(path.join(dir, 'dist', 'oncall.js')).href) + ')', {
  importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
});
script
  .runInThisContext()
  .catch((err) => {
    process.stderr.write('oncall: ' + (err && err.message ? err.message : String(err)) + '\\n');
    process.exitCode = 1;
  });
`,
);
writeFileSync(join(work, 'sea-config.json'), JSON.stringify({ main: join(work, 'main.cjs'), output: join(work, 'sea-prep.blob'), disableExperimentalSEAWarning: true, useCodeCache: false, assets }, null, 2));
execFileSync(process.execPath, ['--experimental-sea-config', join(work, 'sea-config.json')], { stdio: ['ignore', 'ignore', 'inherit'] });

// The Node that runs this script is the project's own (the `node` devDependency, Node 22).
rmSync(out, { force: true });
copyFileSync(process.execPath, out);
chmodSync(out, 0o755);
const postject = join(dirname(createRequire(import.meta.url).resolve('postject/package.json')), 'dist', 'cli.js');
// postject (LIEF) warns about ELF note sections it does not name; it says so on every build, harmlessly.
const injected = spawnSync(process.execPath, [postject, out, 'NODE_SEA_BLOB', join(work, 'sea-prep.blob'), '--sentinel-fuse', 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2'], { encoding: 'utf8' });
if (injected.status !== 0) {
  process.stderr.write(`${injected.stdout}${injected.stderr}build:sea: postject failed\n`);
  process.exit(1);
}
rmSync(work, { recursive: true, force: true });
console.log(`${relative(root, out)}: ${(statSync(out).size / 2 ** 20).toFixed(0)} MiB, Node ${process.versions.node}, build ${build}`);
