// `etcd.tooling`: which etcd the data belongs to and which tool restores it. etcd 3.4 restores
// with `etcdctl snapshot restore`; 3.5 moved restore and status to `etcdutl` (etcdctl still works,
// deprecated); 3.6 removed them from etcdctl. --bump-revision/--mark-compacted exist from etcdctl
// 3.4.27, etcdutl/etcdctl 3.5.10 and etcdutl 3.6.0. Restores are supported across patch versions
// of one minor, so the tool's minor must match the data's.
import { z } from 'zod';
import type { StepContext } from '../../core/step.js';
import { defineKind } from '../../core/kind.js';
import { StepFailure } from '../../core/failure.js';
import { runProcess } from '../files.js';
import { atLeast, minorOf, parseVersion, program, type Version } from './common.js';

const params = z
  .object({
    etcdctl: program('etcdctl').describe('etcdctl: a name on PATH or an absolute path'),
    etcdutl: program('etcdutl').describe('etcdutl (etcd 3.5 and later): a name on PATH or an absolute path'),
    cluster_version: z.string().default('').describe("The version a running member reports (etcd.cluster's result.version); empty when none answers"),
    image_version: z.string().default('').describe("The version in the etcd manifest's image tag; empty when unknown"),
  })
  .strict();

export type ToolingParams = z.infer<typeof params>;

export const etcdTooling = defineKind({
  name: 'etcd.tooling',
  effect: 'read',
  params,
  describe: (p) => ({ summary: `detect the etcd version and the restore tool (${p.etcdctl} version, ${p.etcdutl} version)`, argv: [p.etcdctl, 'version'] }),
  async run(p, ctx) {
    const etcdctl = await toolVersion(ctx, p.etcdctl, 'etcdctl');
    const etcdutl = await toolVersion(ctx, p.etcdutl, 'etcdutl');
    if (!etcdctl.version) {
      throw new StepFailure(
        etcdctl.missing
          ? `${p.etcdctl} was not found: etcdctl is needed for health, status and the safety snapshot. Install etcd-client (the same minor version as the cluster) or set the etcdctl input to its path`
          : `could not read the version of ${p.etcdctl}: ${etcdctl.error}`,
      );
    }
    const decision = chooseTooling({
      cluster: parseVersion(p.cluster_version),
      image: parseVersion(p.image_version),
      etcdctl: etcdctl.version,
      etcdutl: etcdutl.version,
      etcdctlBin: p.etcdctl,
      etcdutlBin: p.etcdutl,
    });
    for (const n of decision.notes) ctx.log(n, 'log');
    const result = {
      ...decision.tooling,
      version_source: decision.source,
      etcdctl_version: etcdctl.version.text,
      etcdutl_version: etcdutl.version?.text ?? '',
      bump_note: decision.bumpNote,
      notes: decision.notes,
    };
    return {
      result,
      summary: `etcd ${result.version} (from ${decision.source}): restore with ${result.restore_tool} ${result.tool_version}; --bump-revision ${result.supports_bump ? 'available' : 'not available'}`,
    };
  },
});

async function toolVersion(ctx: StepContext, bin: string, name: string): Promise<{ version?: Version; missing?: boolean; error?: string }> {
  try {
    const r = await runProcess(ctx, [bin, 'version']);
    // "etcdctl version: 3.4.23" / "etcdutl version: 3.5.21"; older builds print "etcdctl version 3.x".
    const line = r.stdout.split('\n').find((l) => /version/i.test(l) && !/^API/i.test(l)) ?? r.stdout;
    const version = parseVersion(line);
    if (r.exitCode !== 0 || !version) return { error: `${name} version exited ${r.exitCode} and printed '${r.stdout.slice(0, 80)}'` };
    return { version };
  } catch (err) {
    if (err instanceof StepFailure && /command not found/.test(err.message)) return { missing: true };
    throw err;
  }
}

export interface ToolingDecision {
  tooling: {
    version: string;
    etcdctl_bin: string;
    restore_tool: 'etcdctl' | 'etcdutl';
    restore_bin: string;
    status_tool: 'etcdctl' | 'etcdutl';
    status_bin: string;
    tool_version: string;
    supports_bump: boolean;
  };
  source: string;
  bumpNote: string;
  notes: string[];
}

/** The decision itself, separate from running anything so every version combination is testable. */
export function chooseTooling(o: {
  cluster?: Version;
  image?: Version;
  etcdctl: Version;
  etcdutl?: Version;
  etcdctlBin: string;
  etcdutlBin: string;
}): ToolingDecision {
  const notes: string[] = [];
  const [target, source] = o.cluster ? [o.cluster, 'a running member'] : o.image ? [o.image, "the etcd manifest's image tag"] : [o.etcdctl, 'etcdctl itself (no member answered and no image tag was read)'];
  if (o.cluster && o.image && minorOf(o.cluster) !== minorOf(o.image)) {
    notes.push(`the running member reports ${o.cluster.text} but the manifest's image is ${o.image.text}: an upgrade was in progress? The data is restored for ${o.cluster.text}.`);
  }
  if (target.major !== 3 || target.minor < 4) {
    throw new StepFailure(`etcd ${target.text} (from ${source}) is not supported: this runbook restores etcd 3.4, 3.5 and 3.6`);
  }
  const want = minorOf(target);
  const ctlFits = minorOf(o.etcdctl) === want;
  const utlFits = o.etcdutl !== undefined && minorOf(o.etcdutl) === want;
  const mismatch = (tool: string, v?: Version) =>
    `${tool} ${v ? v.text : 'is not installed'}${v ? ` does not match etcd ${target.text}` : ''}: restores are supported across patch versions of one minor only. Install ${tool} ${want}.x on this node (or set the ${tool} input to its path)`;

  let restore: { tool: 'etcdctl' | 'etcdutl'; v: Version };
  if (target.minor === 4) {
    // etcdutl does not exist for 3.4; a newer etcdutl would write a data directory 3.4 cannot read.
    if (!ctlFits) throw new StepFailure(mismatch('etcdctl', o.etcdctl));
    restore = { tool: 'etcdctl', v: o.etcdctl };
  } else if (target.minor === 5) {
    if (utlFits) restore = { tool: 'etcdutl', v: o.etcdutl! };
    else if (ctlFits) {
      restore = { tool: 'etcdctl', v: o.etcdctl };
      notes.push(`etcdutl ${want}.x is not installed; using etcdctl ${o.etcdctl.text}, whose snapshot restore/status are deprecated in 3.5 (they call etcdutl's code)`);
    } else throw new StepFailure(mismatch('etcdutl', o.etcdutl));
  } else {
    // 3.6 and later: etcdctl has no snapshot restore or status at all.
    if (!utlFits) {
      throw new StepFailure(
        `etcd ${target.text} has no 'etcdctl snapshot restore' (removed in 3.6): ${o.etcdutl ? `etcdutl ${o.etcdutl.text} does not match` : 'etcdutl is not installed'}. Install etcdutl ${want}.x on this node (or set the etcdutl input to its path)`,
      );
    }
    restore = { tool: 'etcdutl', v: o.etcdutl! };
  }
  if (!ctlFits) notes.push(`etcdctl ${o.etcdctl.text} differs from etcd ${target.text} in minor version; it is used only for health, status and snapshot save`);

  const v = restore.v;
  const [supports, need] =
    v.minor === 4 ? [atLeast(v, 3, 4, 27), '3.4.27'] : v.minor === 5 ? [atLeast(v, 3, 5, 10), '3.5.10'] : [restore.tool === 'etcdutl', '3.6.0 (etcdutl)'];
  const bumpNote = supports
    ? `${restore.tool} ${v.text} supports --bump-revision and --mark-compacted (added in ${need}): revisions stay monotonic and watchers are told to relist`
    : `${restore.tool} ${v.text} predates --bump-revision (added in ${need}): the revision goes back to the snapshot's, so clients holding newer resourceVersions must relist; restart controllers, kubelets and operators after the restore`;
  const bin = restore.tool === 'etcdctl' ? o.etcdctlBin : o.etcdutlBin;
  return {
    tooling: {
      version: target.text,
      etcdctl_bin: o.etcdctlBin,
      restore_tool: restore.tool,
      restore_bin: bin,
      status_tool: restore.tool,
      status_bin: bin,
      tool_version: v.text,
      supports_bump: supports,
    },
    source,
    bumpNote,
    notes,
  };
}
