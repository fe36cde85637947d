// Bundles the CLI with esbuild and the production React build. Everything oncall needs at run
// time is inside dist/ (no node_modules). The entry, dist/oncall.js, is small; each command and
// heavy dependency (Ink, the AWS SDK, client-node) is a chunk loaded on first use, so
// `oncall --version` reads a few kilobytes, not megabytes. The launcher turns on Node's compile
// cache before any chunk loads, so later starts reuse compiled code.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

// The bundle carries Ink as patches/ink+8.0.0.patch leaves it (its text caches outlive a frame).
// The build applies it to node_modules when it is not there yet (patch-package is idempotent), so
// the tests see the same Ink as the bundle; nobody who installs the packed tarball runs anything:
// the patched code is already inside dist/, and the package has no install scripts.
const inkOutput = join(dirname(createRequire(import.meta.url).resolve('ink')), 'output.js');
const patched = () => readFileSync(inkOutput, 'utf8').includes('oncall patch:');
if (!patched()) {
  const bin = join(dirname(createRequire(import.meta.url).resolve('patch-package/package.json')), 'index.js');
  const r = spawnSync(process.execPath, [bin], { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
  if (r.status !== 0 || !patched()) {
    process.stderr.write(`${r.stdout ?? ''}build: could not apply patches/ to ${inkOutput}\n`);
    process.exit(1);
  }
}

// Identifies this build's code, so caches written by another build are never trusted.
const hash = createHash('sha256');
for (const file of readdirSync('src', { recursive: true }).map(String).sort()) {
  if (/\.tsx?$/.test(file)) hash.update(file).update(readFileSync(join('src', file)));
}
hash.update(readFileSync('package-lock.json'));

// Built aside and swapped in, so a test run using dist/ never sees it half-built or missing.
const out = `dist.tmp-${process.pid}`;
rmSync(out, { recursive: true, force: true });
await build({
  // plugin.js is what `import … from 'oncall/plugin'` loads; it shares chunks (zod, errors) with
  // the CLI, so a plugin's schemas and errors are the very ones the engine knows.
  entryPoints: { 'oncall-main': 'src/bin.ts', plugin: 'src/plugins/api.ts' },
  outdir: out,
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  // Whitespace and syntax, not names: the packed package stays small (bench/install.mjs) and a
  // stack trace (ONCALL_DEBUG=1) still names functions.
  minifySyntax: true,
  minifyWhitespace: true,
  legalComments: 'linked',
  sourcemap: 'linked',
  define: { 'process.env.NODE_ENV': '"production"', __ONCALL_BUILD__: JSON.stringify(hash.digest('hex').slice(0, 16)) },
  // CommonJS dependencies inside an ESM bundle still call require().
  banner: { js: "import { createRequire as __oncallRequire } from 'node:module';\nconst require = __oncallRequire(import.meta.url);" },
  // Ink imports React DevTools only when DEV is set; it is not shipped.
  external: ['react-devtools-core'],
  // Node 22 has \p{…} and /v in regular expressions. Without this esbuild rewrites such literals as
  // `new RegExp(…)` calls, and Ink builds one per character of every frame (its styled-char filter).
  supported: { 'regexp-unicode-property-escapes': true, 'regexp-set-notation': true },
  logLevel: 'warning',
});
writeFileSync(
  `${out}/oncall.js`,
  `#!/usr/bin/env node
import module from 'node:module';
module.enableCompileCache?.();
await import('./oncall-main.js');
`,
);
chmodSync(`${out}/oncall.js`, 0o755);
const old = `dist.old-${process.pid}`;
try {
  renameSync('dist', old);
} catch {
  // first build
}
renameSync(out, 'dist');
rmSync(old, { recursive: true, force: true });
