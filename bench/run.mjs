// Runs every benchmark in bench/ in turn; each prints its ratios against a baseline measured in the same run.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const only = process.argv.slice(2);
let failed = 0;
for (const file of readdirSync(import.meta.dirname).filter((f) => f.endsWith('.mjs') && !['run.mjs', 'lib.mjs'].includes(f))) {
  if (only.length && !only.some((o) => file.includes(o))) continue;
  console.log(`\n# ${file}`);
  const r = spawnSync(process.execPath, [join(import.meta.dirname, file)], { stdio: 'inherit' });
  if (r.status !== 0) failed += 1;
}
process.exitCode = failed ? 1 : 0;
