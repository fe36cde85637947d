// `oncall validate` over 1,000 varied, valid runbooks (10–20 steps each, with expressions) must
// finish in under a second, start-up included. Timed against bare `node -e ''` in the same run.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const LIMIT_MS = 1000;
const COUNT = 1000;
const root = join(import.meta.dirname, '..');
const bin = join(root, 'dist/oncall.js');
if (!existsSync(bin)) {
  console.error(`bench/validate: ${bin} is missing; run 'npm run build' first`);
  process.exit(2);
}

// Deterministic variety: the same 1,000 runbooks every run.
let seed = 20240601;
const rand = (n) => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed % n;
};
const pick = (xs) => xs[rand(xs.length)];

function runbook(n) {
  const regions = ['us-east-1', 'us-west-2', 'eu-west-1', 'ap-south-1'];
  const lines = [
    '# yaml-language-server: $schema=runbook.schema.json',
    `id: bench-${n}`,
    `title: Benchmark runbook ${n} (${pick(['EC2', 'ELB', 'etcd', 'secrets', 'DNS'])})`,
    `version: 1.${n % 10}.${rand(5)}`,
    `summary: Generated for the validate benchmark; exercises kinds, expressions and branches.`,
    `tags: [${pick(['aws', 'k8s', 'db'])}, ${pick(['triage', 'recovery', 'drill'])}]`,
    'inputs:',
    '  instance_id:',
    '    type: string',
    '    description: The instance to look at',
    '    pattern: ^i-[0-9a-f]{8,17}$',
    '  region:',
    '    type: enum',
    `    values: [${regions.join(', ')}]`,
    `    default: ${pick(regions)}`,
    '  threshold:',
    '    type: number',
    '    min: 1',
    '    max: 1000',
    `    default: ${1 + rand(500)}`,
    '  dry_run:',
    '    type: boolean',
    '    default: false',
    'steps:',
  ];
  const count = 10 + rand(11);
  const captured = [];
  for (let i = 0; i < count; i++) {
    const id = `s${i}-${pick(['probe', 'check', 'fix', 'look', 'note'])}`;
    const prev = i > 0 ? `s${i - 1}` : undefined;
    lines.push(`  - id: ${id}`, `    title: Step ${i} of runbook ${n}`);
    const kind = i === count - 1 ? 'manual' : pick(['shell', 'shell', 'http', 'http', 'wait', 'decision', 'manual']);
    lines.push(`    kind: ${kind}`);
    if (i > 0 && rand(3) === 0) lines.push(`    when: \${{ !inputs.dry_run && inputs.region != "${pick(regions)}" }}`);
    if (kind === 'shell') {
      lines.push(
        '    with:',
        `      argv: [aws, ec2, describe-instance-status, --region, "\${{ inputs.region }}", --instance-ids, "\${{ inputs.instance_id }}", --query, "Item${i}"]`,
        '      effect: read',
        '    capture:',
        `      out_${i}: \${{ result.stdout.trim() }}`,
        '    assert:',
        `      - \${{ result.exit_code == 0 }}`,
        `      - that: \${{ size(result.stdout) < ${1000 + i} }}`,
        '        message: unexpectedly long output',
        `    timeout: ${1 + rand(5)}m`,
      );
      captured.push(`out_${i}`);
    } else if (kind === 'http') {
      lines.push(
        '    with:',
        `      url: https://svc-${n}.example.com/health/\${{ inputs.region }}?step=${i}`,
        '      headers:',
        '        Accept: application/json',
        '    capture:',
        `      status_${i}: \${{ result.status }}`,
        '    assert:',
        `      - \${{ result.status < 500 || result.status == 504 }}`,
        '    retry:',
        `      attempts: ${2 + rand(3)}`,
        '      delay: 2s',
      );
      captured.push(`status_${i}`);
    } else if (kind === 'wait') {
      if (rand(2)) lines.push('    with:', `      for: ${5 + rand(50)}s`);
      else {
        lines.push(
          '    with:',
          '      probe:',
          '        kind: http',
          '        with:',
          `          url: https://svc-${n}.example.com/ready`,
          `      until: \${{ result.status == 200 && inputs.threshold > ${rand(10)} }}`,
          '      interval: 5s',
          `      max_wait: ${2 + rand(8)}m`,
        );
      }
    } else if (kind === 'decision') {
      const later = i + 1 + rand(Math.max(1, count - i - 1));
      const target = later < count ? `s${later}` : undefined;
      lines.push(
        '    with:',
        `      question: What does step ${i} tell us about \${{ inputs.instance_id }}?`,
        '      options:',
        '        - value: go-on',
        '          label: Carry on',
        '        - value: skip-ahead',
        '          label: Skip ahead',
        `      rule: \${{ inputs.threshold > ${rand(600)} }}`,
      );
      const evidence = captured.length ? pick(captured) : undefined;
      if (evidence) lines.push('      evidence:', `        seen: \${{ vars.${evidence} }}`);
      if (target) {
        // Branch targets are named by index; resolved to ids below.
        lines.push('    branches:', '      - choice: skip-ahead', `        next: @@${later}`);
      }
    } else {
      lines.push(
        '    with:',
        `      instruction: Check the console for \${{ inputs.instance_id }}${prev ? ` (previous step \${{ steps["${prev}"] }})` : ''}.`,
      );
    }
    if (rand(4) === 0) lines.push('    guidance: |', `      Step ${i}: read the output carefully.`, '      Escalate if anything looks off.');
    if (i === count - 1) lines.push('    next: end');
  }
  // Step ids carry a random suffix; map index references to the real ids.
  const ids = lines.filter((l) => l.startsWith('  - id: ')).map((l) => l.slice(8));
  return `${lines.join('\n')}\n`.replace(/@@(\d+)/g, (_, i) => ids[Number(i)]).replace(/steps\["s(\d+)"\]/g, (_, i) => `steps["${ids[Number(i)]}"].status`);
}

const dir = mkdtempSync(join(tmpdir(), 'oncall-bench-validate-'));
try {
  for (let n = 0; n < COUNT; n++) writeFileSync(join(dir, `runbook-${n}.yaml`), runbook(n));

  const time = (args, runs) => {
    const times = [];
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      const r = spawnSync(process.execPath, args, { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
      times.push(performance.now() - t);
      if (r.status !== 0) {
        console.error(`node ${args.join(' ')} exited ${r.status}\n${(r.stdout + r.stderr).split('\n').slice(0, 20).join('\n')}`);
        process.exit(1);
      }
      if (args[1] === 'validate' && !r.stdout.includes(`${COUNT} runbooks checked, 0 errors, 0 warnings`)) {
        console.error(`unexpected output:\n${r.stdout.slice(0, 2000)}`);
        process.exit(1);
      }
    }
    return times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
  };

  const baseline = time(['-e', ''], 5);
  const validate = time([bin, 'validate', dir], 3);
  console.log(`validate ${COUNT} runbooks: ${(validate / 1000).toFixed(2)} s (${(validate / baseline).toFixed(1)}x node -e '')`);
  if (validate > LIMIT_MS) {
    console.error(`over the ${LIMIT_MS / 1000} s budget`);
    process.exitCode = 1;
  }
} finally {
  // ONCALL_BENCH_KEEP=1 leaves the runbooks for profiling (node --cpu-prof dist/oncall.js validate <dir>).
  if (process.env.ONCALL_BENCH_KEEP) console.log(`runbooks kept in ${dir}`);
  else rmSync(dir, { recursive: true, force: true });
}
