// `etcd.plan`: everything the restore will do, decided once, before anything changes, and shown
// to the human for approval: the member list and token every member is restored with, which
// members live on this node (their manifests, where the old data goes and where the snapshot is
// restored), which must be restored by hand on other nodes (with the exact commands), the tool and
// the revision bump. Later write steps take their values from this plan, so what was approved is
// what runs.
//
// Where the data ends up: at the path etcd's manifest already uses (on kubeadm /var/lib/etcd, the
// `etcd.local.dataDir` of the kubeadm-config ConfigMap, from which `kubeadm upgrade` regenerates
// the manifest). What is there now is renamed aside to `<dir>.before-restore-<time>`, a sibling
// that is never reused, so repeated restores neither chain names nor overwrite an earlier copy,
// and the manifest is not touched. Only an explicit restore_parent puts the data elsewhere; the
// manifest is then re-pointed and kubeadm's record must follow (the plan says exactly how).
import { posix } from 'node:path';
import { z } from 'zod';
import { defineKind } from '../../core/kind.js';
import { StepFailure } from '../../core/failure.js';
import type { StepContext } from '../../core/step.js';
import { absPath, isWithin, pathExists, runProcess, whyFailed } from '../files.js';
import { quoteForDisplay } from '../shell.js';
import { stampOf, toolingSchema } from './common.js';

const manifestSchema = z
  .object({
    file: absPath,
    manifest: z.string(),
    name: z.string(),
    peer_url: z.string(),
    data_dir: z.string(),
    mount_path: z.string(),
    volume: z.string(),
    host_path: absPath,
    host_data_dir: z.string(),
    initial_cluster: z.string().default(''),
    initial_cluster_token: z.string().default(''),
    client_urls: z.array(z.string()).default([]),
  })
  .passthrough();

const memberSchema = z
  .object({
    name: z.string().default(''),
    peer_urls: z.array(z.string()).default([]),
    learner: z.boolean().default(false),
  })
  .passthrough();

const params = z
  .object({
    manifests: z.array(manifestSchema).min(1).describe("etcd.manifest.read's result.manifests: the members on this node"),
    members: z.array(memberSchema).default([]).describe("etcd.cluster's result.members, when etcd answered"),
    initial_cluster: z
      .string()
      .regex(/^([\w.-]+=https?:\/\/[^,\s]+(,[\w.-]+=https?:\/\/[^,\s]+)*)?$/, { message: 'must be name=peer-url pairs separated by commas, or empty' })
      .default('')
      .describe('Every member, name=peer-url; empty to take it from the member list (or the manifests)'),
    token: z.string().regex(/^[\w.-]*$/).default('').describe('The new --initial-cluster-token; empty for etcd-restore-<time>'),
    bump_revision: z.number().int().min(0).default(0),
    tooling: toolingSchema,
    snapshot: z.object({ path: absPath, sha256: z.string(), revision: z.number() }).passthrough().describe("etcd.snapshot.inspect's result"),
    current_revision: z.number().default(0).describe('The revision etcd reports now (0 when it does not answer)'),
    restore_parent: z
      .string()
      .refine((v) => v === '' || absPath.safeParse(v).success, { message: 'must be an absolute path, or empty' })
      .default('')
      .describe("Another directory to restore into (<restore_parent>/<name of the data directory>); empty: into the data directory itself, after moving it aside"),
    skip_hash_check: z.boolean().default(false).describe('The snapshot is a raw member/snap/db copy (no integrity hash): the commands for other nodes get --skip-hash-check'),
    backup_dir: absPath.describe('Where the safety snapshot is written'),
    manifests_dir: absPath,
    stopped_dir: absPath,
  })
  .strict();

export type PlanParams = z.infer<typeof params>;

interface LocalMember {
  name: string;
  peer_url: string;
  manifest: string;
  manifest_path: string;
  stopped_path: string;
  volume: string;
  /** The etcd-data hostPath now, and the data directory etcd ran on (host paths). */
  old_host_path: string;
  old_data_dir: string;
  /** The hostPath after the restore: the same one unless restore_parent moves the data elsewhere. */
  new_host_path: string;
  /** Where the snapshot is restored (the host's view of --data-dir after the restore). */
  data_dir: string;
  /** Where what is at data_dir now is renamed before the restore; '' when nothing is there. */
  aside: string;
  /** On rollback, where the restored data goes so the old data can come back to data_dir. */
  rolled_back: string;
  /** The manifest's hostPath changes (restore_parent). */
  repoint: boolean;
  /** Full paths of the earlier data kept on disk, each with what it is. */
  kept: string[];
  summary: string;
}

export const etcdPlan = defineKind({
  name: 'etcd.plan',
  effect: 'read',
  params,
  describe: (p) => ({ summary: `plan the restore of ${p.manifests.map((m) => m.name).join(', ')} from ${p.snapshot.path}` }),
  async run(p, ctx) {
    const stamp = stampOf(ctx.clock.now());
    const notes: string[] = [];
    if (isWithin(p.stopped_dir, p.manifests_dir) || isWithin(p.manifests_dir, p.stopped_dir)) {
      throw new StepFailure(`stopped_dir ${p.stopped_dir} must be outside manifests_dir ${p.manifests_dir}: kubelet runs every file in the manifests directory, including anything "parked" inside it`);
    }
    if (isWithin(p.backup_dir, p.manifests_dir)) throw new StepFailure(`backup_dir ${p.backup_dir} must be outside ${p.manifests_dir}`);
    for (const m of p.manifests) {
      if (posix.dirname(m.file) !== p.manifests_dir) throw new StepFailure(`${m.file} is not in manifests_dir ${p.manifests_dir}`);
    }
    const names = p.manifests.map((m) => m.name);
    if (new Set(names).size !== names.length) throw new StepFailure(`two manifests name the same member (${names.join(', ')})`);

    // Every member, with the peer URL it advertises. All members are restored with this same list.
    let initialCluster = p.initial_cluster;
    let source = 'the initial_cluster input';
    if (!initialCluster) {
      const voting = p.members.filter((m) => m.name && !m.learner && m.peer_urls[0]);
      const skipped = p.members.filter((m) => !voting.includes(m));
      if (voting.length) {
        initialCluster = voting.map((m) => `${m.name}=${m.peer_urls[0]}`).join(',');
        source = 'the member list etcd reported';
        if (skipped.length) notes.push(`left out of the restored cluster: ${skipped.map((m) => m.name || '(a member that never started)').join(', ')} (learners and never-started members are not restored; add them again later)`);
      } else {
        const fromManifest = p.manifests.map((m) => m.initial_cluster).sort((a, b) => b.split(',').length - a.split(',').length)[0] ?? '';
        if (fromManifest && fromManifest.split(',').length > p.manifests.length) {
          initialCluster = fromManifest;
          source = "the manifest's --initial-cluster (etcd did not answer; check it lists every current member)";
        } else {
          initialCluster = p.manifests.map((m) => `${m.name}=${m.peer_url}`).join(',');
          source = 'the manifests on this node (etcd did not answer)';
        }
      }
    }
    const pairs = initialCluster.split(',').map((x) => {
      const eq = x.indexOf('=');
      return { name: x.slice(0, eq), peer_url: x.slice(eq + 1) };
    });
    for (const m of p.manifests) {
      const entry = pairs.find((x) => x.name === m.name);
      if (!entry) throw new StepFailure(`member ${m.name} (${m.manifest}) is not in the initial cluster ${initialCluster} (from ${source})`);
      if (entry.peer_url !== m.peer_url) {
        throw new StepFailure(`member ${m.name}: the manifest advertises ${m.peer_url} but the initial cluster says ${entry.peer_url}; --initial-advertise-peer-urls must equal the manifest's, or etcd will not start`);
      }
    }

    const local: LocalMember[] = [];
    for (const m of p.manifests) {
      const newHostPath = p.restore_parent ? `${p.restore_parent}/${posix.basename(m.host_path)}` : m.host_path;
      const dataDir = newHostPath + m.data_dir.slice(m.mount_path.length);
      const repoint = newHostPath !== m.host_path;
      if (isWithin(dataDir, p.manifests_dir) || isWithin(dataDir, p.stopped_dir)) throw new StepFailure(`${m.name}'s data directory ${dataDir} would be inside ${p.manifests_dir} or ${p.stopped_dir}`);
      let aside = '';
      if (await pathExists(ctx, dataDir)) {
        await refuseMountPoint(ctx, dataDir);
        aside = await unusedName(ctx, `${dataDir}.before-restore-${stamp}`);
      }
      const rolledBack = await unusedName(ctx, `${dataDir}.rolled-back-${stamp}`);
      const kept: string[] = [];
      if (aside) kept.push(`${aside} (${dataDir === m.host_data_dir ? `${m.name}'s data directory until the restore, moved aside` : `what was at ${dataDir} before the restore, moved aside`})`);
      if (dataDir !== m.host_data_dir) kept.push(`${m.host_data_dir} (${m.name}'s data directory until the restore, left in place)`);
      const steps = [
        ...(aside ? [`${dataDir} moved aside to ${aside}`] : []),
        ...(dataDir !== m.host_data_dir ? [`${m.host_data_dir} left in place`] : []),
        ...(kept.length ? [] : [`nothing at ${dataDir} to keep`]),
        `snapshot restored into ${dataDir}`,
        repoint ? `${m.manifest} hostPath ${m.host_path} → ${newHostPath}` : `${m.manifest} unchanged`,
      ];
      local.push({
        name: m.name,
        peer_url: m.peer_url,
        manifest: m.manifest,
        manifest_path: m.file,
        stopped_path: `${p.stopped_dir}/${m.manifest}`,
        volume: m.volume,
        old_host_path: m.host_path,
        old_data_dir: m.host_data_dir,
        new_host_path: newHostPath,
        data_dir: dataDir,
        aside,
        rolled_back: rolledBack,
        repoint,
        kept,
        summary: `${m.name}: ${steps.join('; ')}`,
      });
    }
    for (const l of local.filter((x) => !x.repoint && x.old_host_path !== p.manifests.find((m) => m.name === x.name)!.mount_path)) {
      notes.push(`${l.manifest}: etcd runs from ${l.old_host_path} (its ${l.volume} hostPath), not from the mountPath and --data-dir kubeadm writes (re-pointed, by an earlier restore or by hand); the snapshot goes back to ${l.old_host_path}, and the checklist says how to make kubeadm's record agree`);
    }
    if (p.restore_parent && /^\/(tmp|dev\/shm|run)(\/|$)/.test(p.restore_parent)) {
      notes.push(`restore_parent ${p.restore_parent} is a temporary location: it may be a tmpfs cleared on reboot, or private to this session (systemd PrivateTmp) and invisible to kubelet, which would then start etcd on an EMPTY directory`);
    }
    const remote = pairs.filter((x) => !local.some((l) => l.name === x.name));
    const token = p.token || `etcd-restore-${stamp}`;
    // Member and cluster ids derive from the peer URLs and the token: a new token means new ids.
    const reusedToken = p.manifests.some((m) => m.initial_cluster_token === token);
    if (reusedToken) notes.push(`the token ${token} is the one the cluster was created with: the restored members get their old ids back, so a member still running with the old data could rejoin unnoticed. A new token is safer`);

    let bump = 0;
    let bumpReason: string;
    if (p.bump_revision === 0) bumpReason = 'no revision bump: turned off (bump_revision 0); clients holding newer resourceVersions must relist, so restart controllers, kubelets and operators afterwards';
    else if (p.tooling.supports_bump) {
      bump = p.bump_revision;
      bumpReason = `--bump-revision ${bump} --mark-compacted: ${p.tooling.restore_tool} ${p.tooling.tool_version} supports it; revisions stay ahead of anything a client has seen, and watches are cancelled as compacted so every client relists`;
    } else {
      bumpReason = `no revision bump: ${p.tooling.restore_tool} ${p.tooling.tool_version} has no --bump-revision (needs etcdctl 3.4.27+, etcd 3.5.10+ or 3.6); the revision goes back to ${p.snapshot.revision}, so controllers, kubelets and operators must be restarted to relist`;
    }
    const revisionsLost = p.current_revision > 0 ? Math.max(0, p.current_revision - p.snapshot.revision) : undefined;

    const layout = local[0]!;
    const q = (args: string[]) => args.map(quoteForDisplay).join(' ');
    const stopText = [
      `On each other control-plane node (${remote.map((r) => r.name).join(', ')}), stop the API server, then etcd, by moving their manifests out of the manifests directory (never rename them inside it):`,
      '',
      `    sudo ${q(['mkdir', '-p', p.stopped_dir])}`,
      `    sudo ${q(['mv', `${p.manifests_dir}/kube-apiserver.yaml`, `${p.stopped_dir}/`])}`,
      `    sudo ${q(['mv', `${p.manifests_dir}/${layout.manifest}`, `${p.stopped_dir}/`])}`,
      '',
      "Wait until `sudo crictl ps --name 'etcd|kube-apiserver'` lists nothing (kubelet rescans every 20 s). An old member left running with the old token would split the cluster.",
    ].join('\n');
    const remoteAside = `${layout.data_dir}.before-restore-${stamp}`;
    const restoreText = [
      `Restore every other member from the SAME snapshot with the SAME token and member list. On each node, copy ${p.snapshot.path} there, check its SHA-256 is ${p.snapshot.sha256}, move the old data directory aside (never delete it; mv -n never overwrites, so pick another name if that one is taken), then restore into the path the manifest uses:`,
      '',
      ...remote.flatMap((r) => [
        `  on ${r.name}:`,
        `    sha256sum ${q([p.snapshot.path])}`,
        `    sudo ${q(['mv', '-n', '-T', '--', layout.data_dir, remoteAside])}`,
        `    sudo ${q([
          p.tooling.restore_tool,
          'snapshot',
          'restore',
          p.snapshot.path,
          `--name=${r.name}`,
          `--initial-cluster=${initialCluster}`,
          `--initial-cluster-token=${token}`,
          `--initial-advertise-peer-urls=${r.peer_url}`,
          `--data-dir=${layout.data_dir}`,
          ...(bump ? [`--bump-revision=${bump}`, '--mark-compacted'] : []),
          ...(p.skip_hash_check ? ['--skip-hash-check'] : []),
        ])}`,
        ...(layout.repoint ? [`    then set the ${layout.volume} hostPath in ${layout.stopped_path} to ${layout.new_host_path}`] : []),
      ]),
      '',
      `(${p.tooling.restore_tool} ${p.tooling.version.split('.').slice(0, 2).join('.')}.x on every node; adjust the paths if that node's etcd-data hostPath differs from ${layout.old_host_path}.)`,
    ].join('\n');
    const startText = [
      `Start etcd on the other nodes (${remote.map((r) => r.name).join(', ')}) now, close together in time so quorum forms:`,
      '',
      `    sudo ${q(['mv', layout.stopped_path, `${p.manifests_dir}/`])}`,
    ].join('\n');
    const startApiText = [
      `Start the API servers on the other nodes (${remote.map((r) => r.name).join(', ')}):`,
      '',
      `    sudo ${q(['mv', `${p.stopped_dir}/kube-apiserver.yaml`, `${p.manifests_dir}/`])}`,
    ].join('\n');

    const plan = {
      stamp,
      token,
      initial_cluster: initialCluster,
      initial_cluster_source: source,
      member_count: pairs.length,
      members: pairs.map((x) => ({ ...x, local: local.some((l) => l.name === x.name) })),
      local,
      local_count: local.length,
      remote,
      remote_count: remote.length,
      etcd_manifests: local.map((l) => l.manifest),
      data_dirs: local.map((l) => l.data_dir),
      new_host_paths: local.map((l) => l.new_host_path),
      // Renamed aside before the restore (and back on rollback): only what is there.
      asides: local.filter((l) => l.aside).map((l) => ({ path: l.data_dir, aside: l.aside, rolled_back: l.rolled_back })),
      // The manifest changes only when restore_parent moves the data.
      edits: local.filter((l) => l.repoint).map((l) => ({ manifest: l.stopped_path, host_path: l.new_host_path, expect: l.old_host_path })),
      undo_edits: local.filter((l) => l.repoint).map((l) => ({ manifest: l.stopped_path, host_path: l.old_host_path, expect: l.new_host_path })),
      kept_data: local.flatMap((l) => l.kept),
      kept_text: keptText(local, remote.length ? { names: remote.map((r) => r.name), aside: remoteAside } : undefined),
      kubeadm_change: local.some((l) => l.repoint),
      kubeadm_text: kubeadmText(local, p.manifests),
      expect_new_cluster_id: !reusedToken,
      tool: p.tooling.restore_tool,
      tool_version: p.tooling.tool_version,
      etcd_version: p.tooling.version,
      bump_revision: bump,
      mark_compacted: bump > 0,
      bump_reason: bumpReason,
      snapshot_path: p.snapshot.path,
      snapshot_sha256: p.snapshot.sha256,
      snapshot_revision: p.snapshot.revision,
      expected_revision: p.snapshot.revision + bump,
      current_revision: p.current_revision,
      revisions_lost: revisionsLost ?? -1,
      safety_snapshot: `${p.backup_dir}/etcd-safety-${stamp}.db`,
      keep_copy: `orig-${stamp}`,
      remote_stop_text: remote.length ? stopText : '',
      remote_restore_text: remote.length ? restoreText : '',
      remote_start_text: remote.length ? startText : '',
      remote_start_api_text: remote.length ? startApiText : '',
      notes,
    };
    ctx.log(`members (${source}): ${initialCluster}`, 'log');
    for (const l of local) ctx.log(`this node: ${l.summary}`, 'log');
    for (const r of remote) ctx.log(`other node: ${r.name} (${r.peer_url}): restored by hand, same token and member list`, 'log');
    ctx.log(`token ${token}; ${bumpReason}`, 'log');
    if (revisionsLost !== undefined) ctx.log(`etcd is at revision ${p.current_revision}; the snapshot is at ${p.snapshot.revision}: ${revisionsLost} revisions of changes since the snapshot will be lost`, 'log');
    for (const n of notes) ctx.log(`note: ${n}`, 'log');
    return {
      result: plan,
      summary: `restore ${local.map((l) => l.name).join(', ')} here${remote.length ? ` and ${remote.map((r) => r.name).join(', ')} by hand on their nodes` : ''}, token ${token}, ${bump ? `bump ${bump}` : 'no revision bump'}`,
    };
  },
});

/** A name beside `base` that nothing uses yet: `base`, else `base-2` … `base-9`. */
async function unusedName(ctx: StepContext, base: string): Promise<string> {
  for (let i = 1; i <= 9; i++) {
    const name = i === 1 ? base : `${base}-${i}`;
    if (!(await pathExists(ctx, name))) return name;
  }
  throw new StepFailure(`${base} and ${base}-2 … -9 all exist; move some of them out of the way (never delete evidence) and plan again`);
}

/** A mount point cannot be renamed (EBUSY): found now, before anything is stopped. */
async function refuseMountPoint(ctx: StepContext, dir: string): Promise<void> {
  const parent = posix.dirname(dir);
  const r = await runProcess(ctx, ['stat', '-c', '%d', '--', dir, parent], { quiet: true });
  const devices = r.stdout.trim().split(/\s+/);
  if (r.exitCode !== 0 || devices.length !== 2) throw new StepFailure(`cannot tell whether ${dir} is a mount point: ${whyFailed(r)}`);
  if (devices[0] !== devices[1]) {
    throw new StepFailure(
      `${dir} is a mount point (a filesystem of its own, not the one ${parent} is on), so it cannot be renamed aside. Nothing was changed. ` +
        'Restore into a directory on another volume instead, --input restore_parent=<that directory>: the manifest is then re-pointed there, and the checklist says how to change kubeadm\'s record to match',
    );
  }
}

function keptText(local: LocalMember[], remote?: { names: string[]; aside: string }): string {
  const kept = local.flatMap((l) => l.kept);
  const lines = kept.length ? kept : [`no earlier data directory on this node: nothing was at ${local.map((l) => l.data_dir).join(', ')}`];
  if (remote) lines.push(`on ${remote.names.join(', ')}: ${remote.aside} (moved aside by hand in step restore-others, unless you picked another name)`);
  return lines.join('\n');
}

/** What kubeadm records, and what to do about it, for the members restored here. */
function kubeadmText(local: LocalMember[], manifests: { name: string; data_dir: string; mount_path: string }[]): string {
  const show = "    kubectl -n kube-system get configmap kubeadm-config -o jsonpath='{.data.ClusterConfiguration}'";
  const edit = '    kubectl -n kube-system edit configmap kubeadm-config';
  const parts: string[] = [];
  for (const l of local) {
    const m = manifests.find((x) => x.name === l.name)!;
    const kubeadmPath = m.mount_path; // kubeadm writes hostPath = mountPath = --data-dir = etcd.local.dataDir
    if (l.repoint) {
      parts.push(
        `${l.name}: etcd now runs from ${l.new_host_path} (the ${l.volume} hostPath in ${l.manifest}), but kubeadm records ${kubeadmPath} as etcd.local.dataDir in the kubeadm-config ConfigMap. ` +
          `The next \`kubeadm upgrade\` would regenerate the manifest for ${kubeadmPath}, where the data from before the restore is kept, and take the cluster back in time. Change kubeadm's record now that the API answers:`,
        '',
        edit,
        '',
        `In \`data.ClusterConfiguration\`, under \`etcd:\` → \`local:\`, set \`dataDir: ${l.new_host_path}\` and change nothing else. Check it:`,
        '',
        show,
      );
    } else if (l.old_host_path !== kubeadmPath) {
      parts.push(
        `${l.name}: etcd runs from ${l.new_host_path} (the ${l.volume} hostPath in ${l.manifest}, re-pointed by an earlier restore or by hand), while the manifest's --data-dir and mountPath say ${kubeadmPath}. kubeadm writes all three from etcd.local.dataDir in the kubeadm-config ConfigMap. Check what it records:`,
        '',
        show,
        '',
        `If \`etcd: local: dataDir:\` is not ${l.new_host_path} (when it is absent, kubeadm uses /var/lib/etcd), the next \`kubeadm upgrade\` starts etcd on the data there instead: set it to ${l.new_host_path} with`,
        '',
        edit,
      );
    } else {
      parts.push(
        `${l.name}: etcd runs from ${l.new_host_path}, the path in its manifest (--data-dir, mountPath and hostPath) that kubeadm writes from etcd.local.dataDir in the kubeadm-config ConfigMap. The restore kept that path, so kubeadm's record needs no change. Check that it agrees:`,
        '',
        show,
        '',
        `\`etcd: local: dataDir:\` must read ${l.new_host_path} (when it is absent, kubeadm uses /var/lib/etcd). If it reads another path, the next \`kubeadm upgrade\` regenerates the manifest for that path's data: set it to ${l.new_host_path} with`,
        '',
        edit,
      );
    }
    parts.push('');
  }
  return parts.join('\n').trim();
}
