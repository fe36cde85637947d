// The etcd static pod manifest, read and changed the kubeadm way: the data directory lives on a
// hostPath volume (`etcd-data`) mounted at the same path as --data-dir. Restoring points that
// volume's hostPath at the restored directory and leaves the mount and --data-dir alone.
// Files are read with `cat` and changed with one line-addressed `sed -i` (through
// ctx.providers.exec), so nothing else in the file moves and the diff is exactly one line.
import { posix } from 'node:path';
import { z } from 'zod';
import type { StepContext } from '../../core/step.js';
import { defineKind } from '../../core/kind.js';
import { StepFailure } from '../../core/failure.js';
import { absPath, isWithin, listOf, mustRun, runProcess, splitList, whyFailed } from '../files.js';
import { parseVersion } from './common.js';

export interface ManifestInfo {
  /** Where the manifest was read. */
  file: string;
  /** Its file name (etcd.yaml). */
  manifest: string;
  pod: string;
  /** etcd's --name: the member name. */
  name: string;
  /** --initial-advertise-peer-urls (first of them). */
  peer_url: string;
  peer_urls: string[];
  client_urls: string[];
  data_dir: string;
  initial_cluster: string;
  initial_cluster_state: string;
  initial_cluster_token: string;
  image: string;
  image_version: string;
  /** The hostPath volume holding the data directory, where it is mounted, and its host path. */
  volume: string;
  mount_path: string;
  host_path: string;
  /** The data directory as the host sees it (host_path + what --data-dir adds below the mount). */
  host_data_dir: string;
  /** 1-based line of the hostPath's `path:` value. */
  host_path_line: number;
}

type YamlModule = typeof import('yaml');
let yamlModule: Promise<YamlModule> | undefined;
const loadYaml = () => (yamlModule ??= import('yaml').then(yamlExports));

/** Bundled, `yaml` (CommonJS) arrives as the default export of the dynamic import; under Node it has its named exports. */
function yamlExports(m: YamlModule): YamlModule {
  if (typeof m.parseDocument === 'function') return m;
  const inner: unknown = Reflect.get(m, 'default');
  return inner !== null && typeof inner === 'object' ? (inner as YamlModule) : m;
}

/** Reads an etcd static pod manifest. Throws StepFailure, in words, when it is not one this runbook can re-point. */
export async function analyzeManifest(text: string, file: string): Promise<ManifestInfo> {
  const YAML = await loadYaml();
  const doc = YAML.parseDocument(text, { prettyErrors: false });
  if (doc.errors.length) throw new StepFailure(`${file} is not valid YAML: ${doc.errors[0]!.message.split('\n')[0]}`);
  // The manifest is read field by field: each value is checked where it is used.
  const pod = objectOf(doc.toJS());
  if (!pod || pod.kind !== 'Pod') throw new StepFailure(`${file} is not a Pod manifest (kind: ${String(pod?.kind ?? 'none')})`);
  const podSpec = objectOf(pod.spec);
  const containers = objectsOf(podSpec?.containers);
  const c = containers.find((x) => x.name === 'etcd') ?? containers.find((x) => /(^|\/)etcd$/.test(String(listOfValues(x.command)[0] ?? '')));
  if (!c) throw new StepFailure(`${file} has no etcd container (looked for a container named etcd or running etcd)`);
  const flags = parseFlags([...listOfValues(c.command), ...listOfValues(c.args)].map(String));
  const name = flags.get('name') ?? 'default';
  const dataDir = flags.get('data-dir');
  if (!dataDir || !dataDir.startsWith('/')) {
    throw new StepFailure(`${file}: etcd's --data-dir is ${dataDir ? `relative ('${dataDir}')` : 'not set'}; this runbook needs an absolute --data-dir on a hostPath volume`);
  }
  if (flags.get('wal-dir')) {
    throw new StepFailure(`${file}: etcd runs with a separate --wal-dir (${flags.get('wal-dir')}); this runbook restores data and WAL together and cannot re-point both. Restore by hand with --wal-dir`);
  }
  const mounts: { name: string; mountPath: string }[] = objectsOf(c.volumeMounts).map((m) => ({ name: String(m.name), mountPath: String(m.mountPath).replace(/(.)\/$/, '$1') }));
  const mount = mounts.filter((m) => isWithin(dataDir, m.mountPath)).sort((a, b) => b.mountPath.length - a.mountPath.length)[0];
  if (!mount) throw new StepFailure(`${file}: etcd's --data-dir ${dataDir} is not on any volume mount; kubelet would keep it inside the container`);
  // Indexes follow the YAML's list: the hostPath node is found by its position below.
  const volumes = listOfValues(podSpec?.volumes).map((v) => objectOf(v) ?? {});
  const vi = volumes.findIndex((v) => v.name === mount.name);
  const hostPath = objectOf(volumes[vi]?.hostPath)?.path;
  if (vi < 0 || typeof hostPath !== 'string') {
    throw new StepFailure(`${file}: the data directory's volume '${mount.name}' is not a hostPath volume; this runbook re-points hostPath volumes only`);
  }
  const node = doc.getIn(['spec', 'volumes', vi, 'hostPath', 'path'], true) as { range?: [number, number, number] } | undefined;
  const start = node?.range?.[0] ?? -1;
  const valueEnd = node?.range?.[1] ?? -1;
  if (start < 0 || text.slice(start, valueEnd).includes('\n')) throw new StepFailure(`${file}: the hostPath of volume '${mount.name}' is not written on one line; edit it by hand`);
  const image = String(c.image ?? '');
  const peerUrls = splitList(flags.get('initial-advertise-peer-urls') ?? 'http://localhost:2380');
  const host = hostPath.replace(/(.)\/$/, '$1');
  return {
    file,
    manifest: posix.basename(file),
    pod: String(objectOf(pod.metadata)?.name ?? ''),
    name,
    peer_url: peerUrls[0] ?? '',
    peer_urls: peerUrls,
    client_urls: splitList(flags.get('advertise-client-urls') ?? ''),
    data_dir: dataDir,
    initial_cluster: flags.get('initial-cluster') ?? '',
    initial_cluster_state: flags.get('initial-cluster-state') ?? 'new',
    initial_cluster_token: flags.get('initial-cluster-token') ?? 'etcd-cluster',
    image,
    image_version: parseVersion(image.includes(':') ? image.slice(image.lastIndexOf(':') + 1) : '')?.text ?? '',
    volume: mount.name,
    mount_path: mount.mountPath,
    host_path: host,
    host_data_dir: host + dataDir.slice(mount.mountPath.length),
    host_path_line: text.slice(0, start).split('\n').length,
  };
}

/** The fields of a YAML mapping, or undefined when the value is not one. */
function objectOf(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/** The items of a YAML sequence (none when the value is not one). */
function listOfValues(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

/** The mappings of a YAML sequence. */
function objectsOf(v: unknown): Record<string, unknown>[] {
  return listOfValues(v).flatMap((x) => {
    const o = objectOf(x);
    return o ? [o] : [];
  });
}

/** `--k=v` and `--k v` flags of an argument vector. */
export function parseFlags(argv: string[]): Map<string, string> {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) continue;
    const eq = a.indexOf('=');
    if (eq > 0) flags.set(a.slice(2, eq), a.slice(eq + 1));
    else if (i + 1 < argv.length && !argv[i + 1]!.startsWith('--')) flags.set(a.slice(2), argv[++i]!);
    else flags.set(a.slice(2), 'true');
  }
  return flags;
}

async function readManifest(ctx: StepContext, file: string): Promise<string> {
  const r = await runProcess(ctx, ['cat', '--', file]);
  if (r.exitCode === 0) return r.stdout;
  if (/no such file/i.test(r.stderr)) {
    throw new StepFailure(`there is no manifest at ${file}: check the manifests_dir and etcd_manifests inputs (is this a control-plane node? was the manifest already moved out by an earlier attempt?)`);
  }
  throw new StepFailure(`reading ${file} failed: ${whyFailed(r)}`);
}

// ── etcd.manifest.read ───────────────────────────────────────────────────────────────────────

export const etcdManifestRead = defineKind({
  name: 'etcd.manifest.read',
  effect: 'read',
  params: z
    .object({
      files: listOf(absPath, 1).describe('etcd static pod manifests, absolute paths'),
    })
    .strict(),
  describe: (p) => ({ summary: `read the etcd manifest${p.files.length > 1 ? 's' : ''} ${p.files.join(', ')}`, argv: ['cat', '--', p.files[0]!] }),
  async run(p, ctx) {
    const manifests: ManifestInfo[] = [];
    for (const file of p.files) {
      const info = await analyzeManifest(await readManifest(ctx, file), file);
      ctx.log(`${info.manifest}: member ${info.name}, peer ${info.peer_url}, --data-dir ${info.data_dir} on volume ${info.volume} = host ${info.host_data_dir}, image ${info.image || '?'}`, 'log');
      manifests.push(info);
    }
    const versions = [...new Set(manifests.map((m) => m.image_version).filter(Boolean))];
    return {
      result: { manifests, names: manifests.map((m) => m.name), image_versions: versions, image_version: versions[0] ?? '' },
      summary: manifests.map((m) => `${m.name} → ${m.host_data_dir}`).join('; '),
    };
  },
});

// ── etcd.manifest.setDataDir ─────────────────────────────────────────────────────────────────

const editSchema = z
  .object({
    manifest: absPath.describe('The manifest to change (while it is out of the manifests directory)'),
    host_path: absPath.describe("The new hostPath of the data directory's volume"),
    expect: absPath.optional().describe('The hostPath it must have now; anything else (other than host_path) is refused'),
  })
  .strict();

const setParams = z
  .object({
    edits: z.array(editSchema).min(1),
    watched: absPath.optional().describe('The directory kubelet watches: a manifest inside it is never edited in place'),
    keep_copy: z
      .string()
      .regex(/^[\w.-]*$/)
      .default('')
      .describe("Before the first change, keep an untouched copy beside the file as <file>.<keep_copy> (e.g. 'orig-20260302T031200Z'); empty for none"),
  })
  .strict();

export type SetDataDirParams = z.infer<typeof setParams>;

export const etcdManifestSetDataDir = defineKind({
  name: 'etcd.manifest.setDataDir',
  effect: 'write',
  params: setParams,
  describe: (p) => ({
    summary: p.edits.map((e) => `set the etcd data hostPath in ${e.manifest} to ${e.host_path}`).join('; '),
    argv: ['sed', '-i', '-e', `<line>s|.*|<path: ${p.edits[0]!.host_path}>|`, '--', p.edits[0]!.manifest],
    resources: p.edits.map((e) => e.manifest),
  }),
  async run(p, ctx) {
    const edited: Record<string, unknown>[] = [];
    const unchanged: string[] = [];
    for (const e of p.edits) {
      if (p.watched && isWithin(e.manifest, p.watched)) {
        throw new StepFailure(`${e.manifest} is inside ${p.watched}, which kubelet watches: move it out first (kubelet would restart etcd mid-edit, and a copy left there would run as a second pod)`);
      }
      const text = await readManifest(ctx, e.manifest);
      const info = await analyzeManifest(text, e.manifest);
      if (info.host_path === e.host_path) {
        ctx.log(`${e.manifest} already points volume ${info.volume} at ${e.host_path}`, 'log');
        unchanged.push(e.manifest);
        continue;
      }
      if (e.expect !== undefined && info.host_path !== e.expect) {
        throw new StepFailure(`${e.manifest} points volume ${info.volume} at ${info.host_path}, not ${e.expect} as planned: it changed since the plan was made. Check it by hand`);
      }
      const lines = text.split('\n');
      const old = lines[info.host_path_line - 1]!;
      const replaced = replacePathOnLine(old, info.host_path, e.host_path);
      if (p.keep_copy) {
        const copy = `${e.manifest}.${p.keep_copy}`;
        if (p.watched && isWithin(copy, p.watched)) throw new StepFailure(`a copy would land inside ${p.watched}`);
        // -n: a copy kept by an earlier attempt is the untouched one; never overwrite it.
        await mustRun(ctx, ['cp', '-p', '-n', '--', e.manifest, copy], `keeping a copy of ${e.manifest}`);
      }
      await mustRun(ctx, ['sed', '-i', '-e', `${info.host_path_line}s|.*|${sedReplacement(replaced)}|`, '--', e.manifest], `editing ${e.manifest}`);
      // Read it back: exactly that one line must have changed.
      const after = await readManifest(ctx, e.manifest);
      const expected = [...lines.slice(0, info.host_path_line - 1), replaced, ...lines.slice(info.host_path_line)].join('\n');
      const check = await analyzeManifest(after, e.manifest);
      if (after !== expected || check.host_path !== e.host_path) {
        throw new StepFailure(`${e.manifest} does not read back as expected after the edit (changed by someone else meanwhile?); compare it with ${p.keep_copy ? `${e.manifest}.${p.keep_copy}` : 'the journaled diff'} and fix it by hand`);
      }
      const diff = [`--- ${e.manifest}`, `+++ ${e.manifest}`, `@@ line ${info.host_path_line} @@`, `-${old}`, `+${replaced}`];
      for (const d of diff) ctx.log(d, 'log');
      edited.push({ manifest: e.manifest, volume: info.volume, from: info.host_path, to: e.host_path, line: info.host_path_line, diff });
    }
    const summary = edited.length
      ? edited.map((x) => `${posix.basename(String(x.manifest))}: ${x.from} → ${x.to}`).join('; ')
      : `no change: already pointing at ${p.edits.map((e) => e.host_path).join(', ')}`;
    return { result: { edited, unchanged }, summary };
  },
});

/** The line with the path value swapped, keeping indentation, quotes and any comment. */
export function replacePathOnLine(line: string, oldPath: string, newPath: string): string {
  const m = /^(\s*(?:-\s+)?path:\s*)(['"]?)(.*?)\2(\s*(?:#.*)?)$/.exec(line);
  if (!m || m[3]!.replace(/(.)\/$/, '$1') !== oldPath) {
    throw new StepFailure(`the hostPath line reads '${line.trim()}', not 'path: ${oldPath}'; edit the manifest by hand`);
  }
  return `${m[1]}${m[2]}${newPath}${m[2]}${m[4]}`;
}

/** Text for the right side of a sed `s|…|…|`: the delimiter, & and \ are escaped. */
export function sedReplacement(text: string): string {
  if (text.includes('\n')) throw new StepFailure('a manifest line cannot contain a newline');
  return text.replace(/[\\|&]/g, (c) => `\\${c}`);
}
