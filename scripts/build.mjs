// Bundles the CLI with esbuild and the production React build. Everything oncall needs at run
// time is inside dist/ (no node_modules). The entry, dist/oncall.js, is small; each command and
// heavy dependency (Ink, the AWS SDK, client-node) is a chunk loaded on first use, so
// `oncall --version` reads a few kilobytes, not megabytes. The launcher turns on Node's compile
// cache before any chunk loads, so later starts reuse compiled code.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { chmodSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

// Identifies this build's code, so caches written by another build are never trusted.
const hash = createHash('sha256');
for (const file of readdirSync('src', { recursive: true }).map(String).sort()) {
  if (/\.tsx?$/.test(file)) hash.update(file).update(readFileSync(join('src', file)));
}
hash.update(readFileSync('package-lock.json'));

rmSync('dist', { recursive: true, force: true });
await build({
  entryPoints: { 'oncall-main': 'src/bin.ts' },
  outdir: 'dist',
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  minifySyntax: true,
  legalComments: 'linked',
  sourcemap: 'linked',
  define: { 'process.env.NODE_ENV': '"production"', __ONCALL_BUILD__: JSON.stringify(hash.digest('hex').slice(0, 16)) },
  // CommonJS dependencies inside an ESM bundle still call require().
  banner: { js: "import { createRequire as __oncallRequire } from 'node:module';\nconst require = __oncallRequire(import.meta.url);" },
  logLevel: 'warning',
});
writeFileSync(
  'dist/oncall.js',
  `#!/usr/bin/env node
import module from 'node:module';
module.enableCompileCache?.();
await import('./oncall-main.js');
`,
);
chmodSync('dist/oncall.js', 0o755);
