// etcd snapshots: take one (`etcd.snapshot.save`, the safety snapshot), check one
// (`etcd.snapshot.inspect`: SHA-256, age, `snapshot status`, and a trial restore into a scratch
// directory, which is where etcd verifies the file's own integrity hash), and restore one into
// data directories that do not exist (`etcd.snapshot.restore`, with the tool etcd.tooling chose;
// the runbook moves the old directory aside first).
import { posix } from 'node:path';
import { z } from 'zod';
import type { StepContext } from '../../core/step.js';
import { defineKind } from '../../core/kind.js';
import { parseDuration } from '../../runbook/duration.js';
import { duration } from '../../runbook/schema.js';
import { StepFailure } from '../../core/failure.js';
import { absPath, condenseLogLine, lastErrorLine, mustRun, pathExists, runProcess, whyFailed } from '../files.js';
import { ageText, clientFlags, endpoint, parseSnapshotStatus, program, tlsShape, toolingSchema, type SnapshotStatus, type Tooling } from './common.js';

const sha256 = z
  .string()
  .regex(/^([0-9a-f]{64})?$/, { message: 'must be a SHA-256 in lowercase hex (64 characters), or empty' })
  .default('');

async function sha256Of(ctx: StepContext, path: string): Promise<string> {
  const r = await mustRun(ctx, ['sha256sum', '--', path], `computing the SHA-256 of ${path}`);
  const sum = /^([0-9a-f]{64})\b/.exec(r.stdout.trim())?.[1];
  if (!sum) throw new StepFailure(`sha256sum printed no checksum for ${path}`);
  return sum;
}

async function statOf(ctx: StepContext, path: string): Promise<{ size: number; mtime_s: number }> {
  const r = await runProcess(ctx, ['stat', '-L', '-c', '%s %Y', '--', path]);
  if (r.exitCode !== 0) {
    const why = lastErrorLine(r.stderr);
    throw new StepFailure(/no such file/i.test(why) ? `snapshot ${path} does not exist; check the snapshot input` : `cannot read ${path}: ${why || whyFailed(r)}`);
  }
  const [size, mtime] = r.stdout.trim().split(/\s+/).map(Number);
  if (!Number.isFinite(size) || !Number.isFinite(mtime)) throw new StepFailure(`stat printed '${r.stdout.trim()}' for ${path}`);
  return { size: size!, mtime_s: mtime! };
}

async function snapshotStatus(ctx: StepContext, tooling: Tooling, path: string): Promise<SnapshotStatus> {
  const r = await runProcess(ctx, [tooling.status_bin, 'snapshot', 'status', path, '-w', 'json'], { missingHint: `install ${tooling.status_tool} ${tooling.version}, or set the ${tooling.status_tool} input to its path` });
  const status = r.exitCode === 0 ? parseSnapshotStatus(r.stdout) : undefined;
  if (!status) throw new StepFailure(`${path} is not a readable etcd snapshot (damaged, or not a snapshot at all): ${whyFailed(r)}. Nothing was changed`);
  return status;
}

/** etcd's own rule: a file written by `snapshot save` ends with a 32-byte SHA-256 of the rest. */
const hasIntegrityHash = (size: number) => size % 512 === 32;

// ── etcd.snapshot.inspect ────────────────────────────────────────────────────────────────────

const inspectParams = z
  .object({
    path: absPath.describe('The snapshot file'),
    tooling: toolingSchema.describe("etcd.tooling's result"),
    expected_sha256: sha256.describe('The checksum recorded when the snapshot was taken; empty to skip the comparison'),
    max_age: duration.default('24h').describe('Older than this is reported as stale (the approval shows it)'),
    trial_restore: z.boolean().default(true).describe('Restore into a scratch directory (then removed) to let etcd verify the integrity hash and the database'),
    scratch_dir: absPath.default('/var/tmp').describe('Where the trial restore writes (needs about the snapshot size free)'),
    skip_hash_check: z.boolean().default(false).describe('Only for a raw member/snap/db copy, which carries no integrity hash (etcd --skip-hash-check)'),
  })
  .strict();

export type InspectParams = z.infer<typeof inspectParams>;

export const etcdSnapshotInspect = defineKind({
  name: 'etcd.snapshot.inspect',
  effect: 'read',
  params: inspectParams,
  describe: (p) => ({
    summary: `check snapshot ${p.path}: SHA-256, age, ${p.tooling.status_tool} snapshot status${p.trial_restore ? ', trial restore in a scratch directory' : ''}`,
    argv: [p.tooling.status_bin, 'snapshot', 'status', p.path, '-w', 'json'],
    resources: [p.path],
  }),
  async run(p, ctx) {
    const st = await statOf(ctx, p.path);
    const sum = await sha256Of(ctx, p.path);
    if (p.expected_sha256 && sum !== p.expected_sha256) {
      throw new StepFailure(`${p.path} has SHA-256 ${sum}, not ${p.expected_sha256} as expected: it is not the file you meant, or it was damaged in transit. Copy it again and compare before restoring`);
    }
    const hashed = hasIntegrityHash(st.size);
    if (!hashed && !p.skip_hash_check) {
      throw new StepFailure(
        `${p.path} carries no integrity hash (${st.size} bytes): it looks like a raw copy of member/snap/db, or a truncated file, not the output of 'etcdctl snapshot save'. ` +
          "Restoring it needs the runbook input skip_hash_check (--input skip_hash_check=true, which passes --skip-hash-check to the restore); it would also hide a truncated copy, so take a proper snapshot instead if any member still answers",
      );
    }
    // A damaged database can fail `snapshot status` too; the trial restore still gives etcd's verdict
    // on the integrity hash, which is the clearer message, so it runs before a status failure is reported.
    const status = await snapshotStatus(ctx, p.tooling, p.path).catch((err: unknown) => err as Error);
    let integrity = p.skip_hash_check ? 'not checked (skip_hash_check)' : 'not checked (trial_restore off)';
    if (p.trial_restore) {
      await trialRestore(ctx, p);
      integrity = p.skip_hash_check ? 'database restores (hash check skipped)' : 'verified: etcd restored it in a scratch directory, hash matches';
    }
    if (status instanceof Error) throw status;
    const age_s = Math.round(ctx.clock.now() / 1000 - st.mtime_s);
    const stale = age_s * 1000 > parseDuration(p.max_age);
    const result = {
      path: p.path,
      sha256: sum,
      size_bytes: st.size,
      modified_at: new Date(st.mtime_s * 1000).toISOString(),
      age_s,
      age: ageText(age_s),
      stale,
      max_age: p.max_age,
      ...status,
      integrity,
      tool: `${p.tooling.status_tool} ${p.tooling.tool_version}`,
    };
    ctx.log(`snapshot ${p.path}: sha256 ${sum}, ${st.size} bytes, revision ${status.revision}, ${status.total_keys} keys, hash ${status.hash}, taken ${result.modified_at} (${result.age} ago)`, 'log');
    return {
      result,
      summary: `revision ${status.revision}, ${status.total_keys} keys, ${st.size} bytes, ${result.age} old${stale ? ` (older than ${p.max_age})` : ''}; integrity ${integrity.split(':')[0]}`,
    };
  },
});

async function trialRestore(ctx: StepContext, p: InspectParams): Promise<void> {
  const made = await mustRun(ctx, ['mktemp', '-d', '-p', p.scratch_dir, 'oncall-etcd-verify.XXXXXXXX'], `creating a scratch directory in ${p.scratch_dir}`);
  const dir = made.stdout.trim();
  // Only ever remove what mktemp just made.
  if (!dir.startsWith(`${p.scratch_dir}/oncall-etcd-verify.`) || dir.includes('..') || dir.includes('\n')) {
    throw new StepFailure(`mktemp printed an unexpected path '${dir}'`);
  }
  try {
    const r = await runProcess(ctx, [p.tooling.restore_bin, 'snapshot', 'restore', p.path, `--data-dir=${dir}/check`, ...(p.skip_hash_check ? ['--skip-hash-check'] : [])], { logStderr: false });
    if (r.exitCode !== 0) {
      const why = lastErrorLine(r.stderr);
      for (const line of r.stderr.split('\n').filter(Boolean)) ctx.log(condenseLogLine(line).slice(0, 300), 'stderr');
      if (/expected sha256/i.test(r.stderr)) {
        throw new StepFailure(`${p.path} is corrupt: its integrity hash does not match its content (etcd: "expected sha256 …, got …"). Nothing was changed. Use another snapshot, or copy this one again and compare its SHA-256 with the source`);
      }
      if (/missing hash/i.test(r.stderr)) {
        throw new StepFailure(`${p.path} has no integrity hash (etcd: ${why}): a raw copy of member/snap/db restores only with --input skip_hash_check=true (--skip-hash-check)`);
      }
      throw new StepFailure(`a trial restore of ${p.path} failed, so the real one would too: ${why || whyFailed(r)}. Nothing was changed`);
    }
  } finally {
    const rm = await runProcess(ctx, ['rm', '-rf', '--', dir], { quiet: true });
    if (rm.exitCode !== 0) ctx.log(`could not remove the scratch directory ${dir}: ${lastErrorLine(rm.stderr)}; remove it by hand (it holds a copy of the cluster's data)`, 'log');
  }
}

// ── etcd.snapshot.save ───────────────────────────────────────────────────────────────────────

const saveParams = z
  .object({
    endpoint: z
      .string()
      .refine((v) => !v.includes(','), { message: 'snapshot must be requested to one selected node, not multiple: give exactly one endpoint' })
      .pipe(endpoint),
    ...tlsShape,
    etcdctl: program('etcdctl'),
    path: absPath.describe('Where to write the snapshot; an existing file is never overwritten'),
    dial_timeout: duration.default('5s'),
    tooling: toolingSchema.optional().describe("etcd.tooling's result, to record the snapshot's status"),
    best_effort: z
      .boolean()
      .default(false)
      .describe('A failed save is reported (saved: false) instead of failing the step: for a member without quorum, whose data directory is kept anyway'),
  })
  .strict();

export type SaveParams = z.infer<typeof saveParams>;

// No --command-timeout (saveParams has none): a large database takes as long as it takes; the
// step's timeout bounds it.
const saveArgv = (p: SaveParams) => [p.etcdctl, 'snapshot', 'save', p.path, ...clientFlags([p.endpoint], p)];

export const etcdSnapshotSave = defineKind({
  name: 'etcd.snapshot.save',
  effect: 'write',
  params: saveParams,
  describe: (p) => ({
    summary: `take a snapshot of etcd at ${p.endpoint} into ${p.path}`,
    argv: saveArgv(p),
    resources: [p.path],
  }),
  async run(p, ctx) {
    if (await pathExists(ctx, p.path)) throw new StepFailure(`${p.path} already exists; the runbook never overwrites a snapshot. Pick another path`);
    await mustRun(ctx, ['mkdir', '-p', '-m', '0700', '--', posix.dirname(p.path)], `creating ${posix.dirname(p.path)}`);
    const r = await runProcess(ctx, saveArgv(p), {
      missingHint: 'install etcd-client, or set the etcdctl input to its path',
    });
    if (r.exitCode !== 0) {
      const why = `etcdctl snapshot save from ${p.endpoint} failed: ${whyFailed(r)}`;
      if (!p.best_effort) throw new StepFailure(why);
      ctx.log(`${why}. Going on without a safety snapshot: the old data directory is kept untouched, and it is the evidence now`, 'log');
      return { result: { saved: false, path: p.path, endpoint: p.endpoint, error: whyFailed(r) }, summary: `NO safety snapshot (${whyFailed(r)}); the old data directory is kept` };
    }
    const st = await statOf(ctx, p.path);
    const sum = await sha256Of(ctx, p.path);
    const status = p.tooling ? await snapshotStatus(ctx, p.tooling, p.path) : undefined;
    return {
      result: { saved: true, path: p.path, sha256: sum, size_bytes: st.size, endpoint: p.endpoint, ...(status ?? {}) },
      summary: `saved ${p.path} (${st.size} bytes${status ? `, revision ${status.revision}, ${status.total_keys} keys` : ''}, sha256 ${sum.slice(0, 12)}…)`,
    };
  },
});

// ── etcd.snapshot.restore ────────────────────────────────────────────────────────────────────

const memberSchema = z
  .object({
    name: z.string().regex(/^[\w.-]+$/, { message: 'member names are letters, digits, . _ -' }),
    peer_url: endpoint,
    data_dir: absPath.describe('Where to restore; must not exist (the old data directory is moved aside first)'),
  })
  .passthrough();

const restoreParams = z
  .object({
    snapshot: absPath,
    sha256: sha256.describe('Checked again right before restoring; empty to skip'),
    members: z.array(memberSchema).min(1).describe('The members restored on this node (usually one)'),
    initial_cluster: z.string().regex(/^[\w.-]+=https?:\/\/[^,\s]+(,[\w.-]+=https?:\/\/[^,\s]+)*$/, { message: 'must be name=peer-url pairs separated by commas' }),
    token: z.string().regex(/^[\w.-]+$/, { message: 'must be letters, digits, . _ -' }).describe('The new --initial-cluster-token, the same for every member'),
    tooling: toolingSchema,
    bump_revision: z.number().int().min(0).default(0).describe('--bump-revision (with --mark-compacted); 0 for none'),
    skip_hash_check: z.boolean().default(false).describe('--skip-hash-check: only for a raw member/snap/db copy, which carries no integrity hash'),
  })
  .strict()
  .superRefine((p, c) => {
    const pairs = new Set(p.initial_cluster.split(','));
    p.members.forEach((m, i) => {
      if (!pairs.has(`${m.name}=${m.peer_url}`)) {
        c.addIssue({ code: 'custom', path: ['members', i], message: `${m.name}=${m.peer_url} is not in the initial cluster ${p.initial_cluster}; --name and the peer URL must match the manifest and the member list` });
      }
    });
  });

export type RestoreParams = z.infer<typeof restoreParams>;

export function restoreArgv(p: RestoreParams, m: { name: string; peer_url: string; data_dir: string }): string[] {
  return [
    p.tooling.restore_bin,
    'snapshot',
    'restore',
    p.snapshot,
    `--name=${m.name}`,
    `--initial-cluster=${p.initial_cluster}`,
    `--initial-cluster-token=${p.token}`,
    `--initial-advertise-peer-urls=${m.peer_url}`,
    `--data-dir=${m.data_dir}`,
    ...(p.bump_revision > 0 ? [`--bump-revision=${p.bump_revision}`, '--mark-compacted'] : []),
    ...(p.skip_hash_check ? ['--skip-hash-check'] : []),
  ];
}

export const etcdSnapshotRestore = defineKind({
  name: 'etcd.snapshot.restore',
  effect: 'write',
  params: restoreParams,
  describe: (p) => ({
    summary: `${p.tooling.restore_tool} snapshot restore ${p.snapshot} for ${p.members.map((m) => `${m.name} into ${m.data_dir}`).join(', ')} (token ${p.token}${p.bump_revision ? `, bump ${p.bump_revision}` : ''})`,
    argv: restoreArgv(p, p.members[0]!),
    resources: p.members.map((m) => m.data_dir),
  }),
  async run(p, ctx) {
    if (p.bump_revision > 0 && !p.tooling.supports_bump) {
      throw new StepFailure(`${p.tooling.restore_tool} ${p.tooling.tool_version} has no --bump-revision; restore with bump_revision 0, or install a tool that has it (etcdctl ≥ 3.4.27, etcdutl ≥ 3.5.10)`);
    }
    if (p.sha256) {
      const sum = await sha256Of(ctx, p.snapshot);
      if (sum !== p.sha256) throw new StepFailure(`${p.snapshot} changed since it was checked (SHA-256 ${sum}, was ${p.sha256}); nothing was restored. Check the file again`);
    }
    for (const m of p.members) {
      if (await pathExists(ctx, m.data_dir)) {
        throw new StepFailure(`${m.data_dir} already exists and etcd restores only into a new directory; nothing was restored. Move it aside (never delete evidence) or choose another path`);
      }
    }
    const restored: Record<string, unknown>[] = [];
    for (const m of p.members) {
      await mustRun(ctx, ['mkdir', '-p', '-m', '0700', '--', posix.dirname(m.data_dir)], `creating ${posix.dirname(m.data_dir)}`);
      const argv = restoreArgv(p, m);
      const r = await runProcess(ctx, argv, { missingHint: `install ${p.tooling.restore_tool} ${p.tooling.version}, or set the ${p.tooling.restore_tool} input to its path` });
      if (r.exitCode !== 0) {
        const done = restored.map((x) => `${x.name} → ${x.data_dir}`).join(', ');
        throw new StepFailure(
          `restoring member ${m.name} into ${m.data_dir} failed: ${whyFailed(r)}. ${done ? `Already restored: ${done}. ` : ''}` +
            `A partial ${m.data_dir} may be left; move it aside before trying again. The old data directories are untouched`,
          { restored },
        );
      }
      for (const part of ['member/snap/db', 'member/wal']) {
        if (!(await pathExists(ctx, `${m.data_dir}/${part}`))) throw new StepFailure(`${p.tooling.restore_tool} exited 0 but ${m.data_dir}/${part} is missing`, { restored });
      }
      restored.push({ name: m.name, data_dir: m.data_dir, argv });
    }
    return {
      result: {
        restored,
        data_dirs: restored.map((x) => x.data_dir),
        tool: p.tooling.restore_tool,
        tool_version: p.tooling.tool_version,
        token: p.token,
        initial_cluster: p.initial_cluster,
        bump_revision: p.bump_revision,
        mark_compacted: p.bump_revision > 0,
      },
      summary: `restored ${restored.length} member${restored.length > 1 ? 's' : ''} with ${p.tooling.restore_tool} ${p.tooling.tool_version}: ${restored.map((x) => `${x.name} → ${x.data_dir}`).join(', ')}`,
    };
  },
});
