// `oncall import` of a 200-step Markdown runbook (simple commands, scripts, placeholders, aws
// one-liners that map to aws.call, prose) within 0.5 s, start-up and validation included; printed
// as a ratio to the limit and to bare `node -e ''` in the same run (not a timed test).
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { timeNode } from './lib.mjs';

const LIMIT_MS = 500;
const root = join(import.meta.dirname, '..');
const bin = join(root, 'dist/oncall.js');
if (!existsSync(bin)) {
  console.error(`bench/import: ${bin} is missing; run 'npm run build' first`);
  process.exit(2);
}

const blocks = [
  (i) => `kubectl get pods -n $NAMESPACE -l app=web-${i}`,
  (i) => `kubectl rollout restart deployment/web-${i} -n $NAMESPACE`,
  (i) => `curl -s --max-time 5 $BASE_URL/health/${i}`,
  (i) => `for p in $(kubectl get pods -o name | grep web-${i}); do\n  kubectl delete "$p"\ndone`,
  () => `aws ec2 describe-instances --instance-ids $INSTANCE_ID`,
  (i) => `aws cloudwatch describe-alarms --alarm-name-prefix web-${i}`,
  (i) => `systemctl status web-${i}`,
  () => null,
];
const parts = ['# A long runbook\n\nTwo hundred steps of every kind the importer reads.\n\n```sh\nexport NAMESPACE=shop\nexport BASE_URL=http://127.0.0.1:8504\nexport API_TOKEN=changeme\n```\n'];
for (let i = 0; i < 200; i++) {
  const code = blocks[i % blocks.length](i);
  parts.push(`## Step ${i + 1}: check web-${i}\n\nLook at web-${i} before you change anything; the dashboard is linked from the alert.\n`);
  if (code) parts.push(`\`\`\`bash\n${code}\n\`\`\`\n`);
}
const dir = mkdtempSync(join(tmpdir(), 'oncall-bench-import-'));
const file = join(dir, 'long.md');
writeFileSync(file, parts.join('\n'));
try {
  const baseline = timeNode(['-e', ''], { runs: 9 });
  const ms = timeNode([bin, 'import', file, '--out', join(dir, 'long.yaml'), '--force'], { runs: 9 });
  const ratio = ms / LIMIT_MS;
  console.log(`node ${process.version}, bare node -e '': ${baseline.toFixed(1)} ms`);
  console.log(`oncall import (200-step Markdown, validated): ${ms.toFixed(1)} ms = ${ratio.toFixed(2)}x the ${LIMIT_MS} ms limit (${(ms / baseline).toFixed(1)}x bare node) ${ratio <= 1 ? 'ok' : 'MISSED'}`);
  process.exitCode = ratio <= 1 ? 0 : 1;
} finally {
  if (!process.env.KEEP) rmSync(dir, { recursive: true, force: true });
  else console.log(dir);
}
