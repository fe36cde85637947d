// The single executable (dist/oncall-linux-x64, `npm run build:sea`), same machine, same run:
//   `--version`                   against bare `node -e ''`                    target: <= 2x
//   first TUI frame (drill picker) against a bundled, production Ink hello-world, both in a real
//                                 pty (util-linux `script`)                    target: <= 1.5x
// Also prints its size. The binary is the project's Node 22 with the bundle inside, so the
// baselines run on that same Node. After a warm-up run (the first run unpacks the bundle into
// the cache dir once per build), as after any first run on a host.
import { build } from 'esbuild';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median } from './lib.mjs';

const ROOT = join(import.meta.dirname, '..');
const SEA = join(ROOT, 'dist', `oncall-${process.platform}-${process.arch}`);
const RUNS = Number(process.env.SEA_BENCH_RUNS ?? 11);
if (!existsSync(SEA)) {
  console.error(`bench/sea: ${SEA} is missing; run \`npm run build:sea\``);
  process.exit(1);
}
const work = mkdtempSync(join(tmpdir(), 'oncall-bench-sea-'));
const env = { ...process.env, HOME: work, XDG_CACHE_HOME: join(work, 'cache'), ONCALL_STATE_DIR: join(work, 'state'), TERM: 'xterm-256color' };
for (const k of Object.keys(env)) if (k === 'CI' || k.startsWith('CI_') || k === 'FORCE_COLOR') delete env[k];

function timed(cmd, args) {
  const t = performance.now();
  const r = spawnSync(cmd, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return performance.now() - t;
}

const quote = (s) => `'${String(s).replace(/'/g, `'\\''`)}'`;
/** ms from spawn until `marker` appears in the output of argv in a 120x40 pty. */
function firstFrame(argv, marker) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn('script', ['-qfec', `stty cols 120 rows 40; exec ${argv.map(quote).join(' ')}`, '/dev/null'], { env, stdio: ['pipe', 'pipe', 'ignore'] });
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no ${marker} within 20 s:\n${out.slice(-1000)}`));
    }, 20_000);
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes(marker)) {
        const t = performance.now() - t0;
        clearTimeout(timer);
        child.kill('SIGKILL');
        child.once('exit', () => resolve(t));
      }
    });
  });
}

// The Ink hello-world, bundled as scripts/build.mjs bundles oncall (ESM, production React).
await build({
  stdin: { contents: "import React from 'react'; import { render, Text } from 'ink'; render(React.createElement(Text, null, 'Hello from Ink'));", resolveDir: ROOT, loader: 'js' },
  bundle: true,
  splitting: true,
  outdir: join(work, 'hello'),
  entryNames: 'hello',
  outExtension: { '.js': '.mjs' },
  platform: 'node',
  format: 'esm',
  target: 'node22',
  minifySyntax: true,
  define: { 'process.env.NODE_ENV': '"production"' },
  external: ['react-devtools-core'],
  supported: { 'regexp-unicode-property-escapes': true, 'regexp-set-notation': true },
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  logLevel: 'error',
});

// Warm-up: unpack once, fill the compile cache.
timed(SEA, ['--version']);
await firstFrame([SEA, 'drill'], 'of ');
await firstFrame([process.execPath, join(work, 'hello', 'hello.mjs')], 'Hello from Ink');

const bare = [];
const version = [];
const hello = [];
const tui = [];
for (let i = 0; i < RUNS; i++) {
  bare.push(timed(process.execPath, ['-e', '']));
  version.push(timed(SEA, ['--version']));
  hello.push(await firstFrame([process.execPath, join(work, 'hello', 'hello.mjs')], 'Hello from Ink'));
  tui.push(await firstFrame([SEA, 'drill'], 'Practice drill'));
}
const [mb, mv, mh, mt] = [bare, version, hello, tui].map(median);
const size = statSync(SEA).size;
console.log(`${SEA.replace(`${ROOT}/`, '')}: ${(size / 2 ** 20).toFixed(0)} MiB (Node ${process.versions.node} inside); median of ${RUNS}`);
const vOk = mv / mb <= 2;
const tOk = mt / mh <= 1.5;
console.log(`--version: ${(mv / mb).toFixed(2)}x bare node -e '' (${mv.toFixed(1)} ms vs ${mb.toFixed(1)} ms; target <= 2x) ${vOk ? 'ok' : 'MISSED'}`);
console.log(`first TUI frame (drill picker): ${(mt / mh).toFixed(2)}x the bundled Ink hello-world (${mt.toFixed(1)} ms vs ${mh.toFixed(1)} ms; target <= 1.5x) ${tOk ? 'ok' : 'MISSED'}`);
process.exitCode = vOk && tOk ? 0 : 1;
