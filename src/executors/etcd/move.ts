// Moves on a control-plane node that only make sense while etcd is stopped:
//
// `etcd.dataDir.moveAside` renames a data directory aside before a restore into the same path (the
// one kubeadm knows), and on rollback puts it back. Each rename is one `mv -n -T` beside the
// original (nothing is copied, nothing is overwritten), looked at before and after, so a resume
// after a crash finds what is already done and never moves anything twice.
//
// `etcd.manifest.move` is files.move for etcd's static pod manifests, with one refusal: a
// manifest never goes back into kubelet's directory while the data directory it points at has no
// member/ in it. kubelet would create the hostPath empty (DirectoryOrCreate) and etcd would start
// a new, EMPTY cluster, which an API server would then happily serve.
import { posix } from 'node:path';
import { z } from 'zod';
import type { StepContext } from '../../core/step.js';
import { defineKind } from '../../core/kind.js';
import { StepFailure } from '../../core/failure.js';
import { parseDuration } from '../../runbook/duration.js';
import { duration } from '../../runbook/schema.js';
import { absPath, filesMove, isWithin, pathExists, runProcess, whyFailed } from '../files.js';
import { etcdCluster } from './cluster.js';
import { endpointList, program, tlsShape } from './common.js';
import { analyzeManifest } from './manifest.js';

// ── etcd.dataDir.moveAside ───────────────────────────────────────────────────────────────────

const dirSchema = z
  .object({
    path: absPath.describe('The data directory: where etcd ran, and where the snapshot is restored'),
    aside: absPath.describe('Where what is at `path` goes before the restore (a new name beside it)'),
    rolled_back: absPath.describe('On putting back: where the restored data at `path` goes first (a new name beside it)'),
  })
  .strict()
  .superRefine((d, c) => {
    const all = [d.path, d.aside, d.rolled_back];
    if (d.path === '/' || all.some((a, i) => all.some((b, j) => i !== j && (isWithin(a, b) || isWithin(b, a))))) {
      c.addIssue({ code: 'custom', message: `${all.join(', ')} must be three separate paths, none inside another` });
    }
    // Beside it, in the same directory: a rename on one filesystem, never a copy that could stop halfway.
    for (const [key, other] of [['aside', d.aside], ['rolled_back', d.rolled_back]] as const) {
      if (posix.dirname(other) !== posix.dirname(d.path)) c.addIssue({ code: 'custom', path: [key], message: `must be in the same directory as ${d.path} (${posix.dirname(d.path)})` });
    }
  });

const asideParams = z
  .object({
    dirs: z.array(dirSchema).min(1),
    put_back: z.boolean().default(false).describe('Undo: the restored data at `path` goes to `rolled_back`, then `aside` goes back to `path`'),
    stopped: z
      .object({
        endpoints: endpointList,
        ...tlsShape,
        etcdctl: program('etcdctl'),
        max_wait: duration.default('2m').describe('How long etcd may take to stop answering (kubelet rescans every 20 s)'),
      })
      .strict()
      .optional()
      .describe("This node's etcd: nothing moves while it still answers here (etcd keeps writing into a directory renamed from under it)"),
  })
  .strict()
  .superRefine((p, c) => {
    const paths = p.dirs.flatMap((d) => [d.path, d.aside, d.rolled_back]);
    if (new Set(paths).size !== paths.length) c.addIssue({ code: 'custom', path: ['dirs'], message: 'two entries share a path' });
  });

export type MoveAsideParams = z.infer<typeof asideParams>;
type Dir = MoveAsideParams['dirs'][number];
type Rename = { from: string; to: string };

const mvArgv = (r: Rename) => ['mv', '-n', '-T', '--', r.from, r.to];

export const etcdDataDirMoveAside = defineKind({
  name: 'etcd.dataDir.moveAside',
  effect: 'write',
  params: asideParams,
  describe: (p) => {
    const first = p.dirs[0]!;
    return {
      summary: p.put_back
        ? p.dirs.map((d) => `put ${d.aside} back at ${d.path} (the restored data there goes to ${d.rolled_back})`).join('; ')
        : p.dirs.map((d) => `move ${d.path} aside to ${d.aside}`).join('; '),
      argv: mvArgv(p.put_back ? { from: first.aside, to: first.path } : { from: first.path, to: first.aside }),
      resources: p.dirs.map((d) => d.path),
    };
  },
  async run(p, ctx) {
    // Look at every directory before touching any: what is already done (a resumed run), what to do.
    const renames: Rename[] = [];
    const already: string[] = [];
    for (const d of p.dirs) {
      const got = await (p.put_back ? planPutBack : planAside)(ctx, d);
      renames.push(...got.renames);
      if (got.already) already.push(got.already);
    }
    if (renames.length && p.stopped) await waitUntilStopped(ctx, p.stopped);
    const done: Rename[] = [];
    for (const r of renames) {
      const res = await runProcess(ctx, mvArgv(r));
      const moved = !(await pathExists(ctx, r.from)) && (await pathExists(ctx, r.to));
      if (res.exitCode === 0 && moved) {
        done.push(r);
        continue;
      }
      const why = res.exitCode !== 0 ? whyFailed(res) : `mv reported success but ${r.from} is still there or ${r.to} is not`;
      throw await undo(ctx, done, `renaming ${r.from} to ${r.to} failed: ${why}`);
    }
    for (const a of already) ctx.log(a, 'log');
    return {
      result: { moved: done, already, kept: p.put_back ? p.dirs.map((d) => d.rolled_back) : p.dirs.map((d) => d.aside) },
      summary: done.length ? done.map((r) => `${r.from} → ${r.to}`).join('; ') : `nothing to move: ${already.join('; ')}`,
    };
  },
});

/** Before the restore: `path` goes to `aside`. Never onto an existing `aside`. */
async function planAside(ctx: StepContext, d: Dir): Promise<{ renames: Rename[]; already?: string }> {
  const [path, aside] = [await pathExists(ctx, d.path), await pathExists(ctx, d.aside)];
  if (path && aside) {
    throw new StepFailure(`both ${d.path} and ${d.aside} exist; the runbook never overwrites a data directory. Nothing was moved. Look at both, and move one out of the way by hand (never delete evidence) before running the step again`);
  }
  if (aside) return { renames: [], already: `${d.path} is already at ${d.aside}` };
  if (!path) throw new StepFailure(`neither ${d.path} nor ${d.aside} exists: the data directory is not where the plan saw it (moved by hand?). Nothing was moved`);
  return { renames: [{ from: d.path, to: d.aside }] };
}

/**
 * Undo: the old data goes back to `path`; whatever the restore left there (all of it, or a part)
 * first goes to `rolled_back`. Every state a crash can leave between the two renames is recognised.
 */
async function planPutBack(ctx: StepContext, d: Dir): Promise<{ renames: Rename[]; already?: string }> {
  const [path, aside, rolled] = [await pathExists(ctx, d.path), await pathExists(ctx, d.aside), await pathExists(ctx, d.rolled_back)];
  if (!aside) {
    if (path) return { renames: [], already: `${d.path} is in place and ${d.aside} is gone: already put back` };
    throw new StepFailure(`neither ${d.aside} nor ${d.path} exists: the old data is not where the plan put it. Nothing was moved; find it before etcd starts`);
  }
  if (!path) return { renames: [{ from: d.aside, to: d.path }] };
  if (rolled) {
    throw new StepFailure(`${d.path}, ${d.aside} and ${d.rolled_back} all exist; the runbook never overwrites a data directory. Nothing was moved: sort them out by hand`);
  }
  return { renames: [{ from: d.path, to: d.rolled_back }, { from: d.aside, to: d.path }] };
}

/**
 * After a failed rename, the ones made before it go back, so the step changed nothing (a definite
 * failure). When that fails too, the step says exactly where everything is and stays in doubt.
 */
async function undo(ctx: StepContext, done: Rename[], why: string): Promise<StepFailure> {
  const stuck: string[] = [];
  for (const r of [...done].reverse()) {
    const res = await runProcess(ctx, mvArgv({ from: r.to, to: r.from }));
    if (res.exitCode !== 0 || !(await pathExists(ctx, r.from))) stuck.push(`${r.from} is at ${r.to}`);
  }
  if (!stuck.length) return new StepFailure(`${why}. Nothing was moved${done.length ? ` (${done.map((r) => r.from).join(', ')} put back)` : ''}`);
  return new StepFailure(`${why}, and putting the earlier renames back failed too: ${stuck.join('; ')}. Fix it by hand before etcd starts`, { stuck }, { applied: 'unknown' });
}

async function waitUntilStopped(ctx: StepContext, s: NonNullable<MoveAsideParams['stopped']>): Promise<void> {
  const until = ctx.clock.now() + parseDuration(s.max_wait);
  const { max_wait, ...client } = s;
  const params = etcdCluster.params.parse({ ...client, cluster: false, allow_unreachable: true, dial_timeout: '1s', command_timeout: '2s' });
  for (;;) {
    const { result } = await etcdCluster.run(params, ctx);
    if (!result.reachable) return;
    if (ctx.clock.now() >= until) {
      throw new StepFailure(
        `etcd still answers at ${s.endpoints.join(', ')} after ${max_wait}, so nothing was moved: a running etcd keeps writing into a directory renamed from under it. ` +
          `Stop it (its manifest out of the manifests directory; 'crictl ps --name etcd' lists nothing), then run the step again`,
      );
    }
    ctx.log(`etcd still answers at ${s.endpoints.join(', ')}; waiting for it to stop before moving anything`, 'log');
    await ctx.clock.sleep(3000, ctx.signal);
  }
}

// ── etcd.manifest.move ───────────────────────────────────────────────────────────────────────

export const etcdManifestMove = defineKind({
  name: 'etcd.manifest.move',
  effect: 'write',
  params: filesMove.params,
  describe: (p) => {
    const d = filesMove.describe(p);
    return { ...d, summary: `${d.summary}${p.watched === p.to ? ' (only onto a data directory that holds a member)' : ''}` };
  },
  async run(p, ctx) {
    // Moving into the directory kubelet watches starts etcd: look at what it would start on.
    if (p.watched !== undefined && p.to === p.watched) {
      for (const f of p.files) {
        const src = `${p.from}/${f}`;
        if (!(await pathExists(ctx, src))) continue; // already in place, or missing: files.move says which
        await refuseEmptyDataDir(ctx, src);
      }
    }
    return filesMove.run(p, ctx);
  },
});

async function refuseEmptyDataDir(ctx: StepContext, manifest: string): Promise<void> {
  const r = await runProcess(ctx, ['cat', '--', manifest]);
  if (r.exitCode !== 0) throw new StepFailure(`reading ${manifest} failed: ${whyFailed(r)}`);
  const info = await analyzeManifest(r.stdout, manifest);
  const member = `${info.host_data_dir}/member`;
  if (await pathExists(ctx, member)) return;
  throw new StepFailure(
    `${posix.basename(manifest)} was not moved back: its data directory ${info.host_data_dir} holds no member/ (it is missing or empty). ` +
      'kubelet would create it empty and etcd would start a new, EMPTY cluster. Put the data back where the manifest points (or restore into it), then run the step again',
  );
}

export const MOVE_KINDS = [etcdDataDirMoveAside, etcdManifestMove];
