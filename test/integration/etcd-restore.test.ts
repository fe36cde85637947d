// The etcd-restore runbook against a REAL etcd (Debian's etcd-server/etcd-client) on loopback:
// a test "kubelet" runs etcd from static-pod-like manifests in a temporary manifests directory,
// a fake Kubernetes API follows it, and `oncall run` (the built binary) restores a snapshot
// after a disaster. Afterwards exactly the snapshot's keys and values must be back, in the data
// directory the manifest (and so kubeadm) always named, with the old data kept beside it.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startKubeApi, type KubeApiServer } from '../../src/drill/kube/server.js';
import { kubeconfigYaml } from '../../src/drill/kube/kubeconfig.js';
import { events, oncall, tempDir } from '../helpers/cli.js';
import {
  apiserverManifest,
  clientUrl,
  dumpKeys,
  etcdctl,
  etcdManifest,
  HAS_ETCD,
  Kubelet,
  kubeletApiModel,
  members,
  writeFile,
  type MemberSpec,
} from '../helpers/etcd.js';
import { requireSystem } from '../helpers/system.js';

const run = requireSystem('etcd and etcdctl (Debian packages etcd-server and etcd-client)', HAS_ETCD);

interface Env {
  dir: string;
  manifests: string;
  stopped: string;
  backups: string;
  kubelet: Kubelet;
  api: KubeApiServer;
  kubeconfig: string;
  ms: MemberSpec[];
  endpoints: string;
  dataDirs: string[];
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!().catch(() => undefined);
});

async function cluster(names: string[]): Promise<Env> {
  const dir = tempDir('oncall-etcd-');
  // Runs last (cleanups pop in reverse): after etcd and the API have stopped.
  cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
  const manifests = join(dir, 'manifests');
  const logs = join(dir, 'logs');
  mkdirSync(manifests);
  mkdirSync(logs);
  const ms = await members(names);
  const dataDirs = ms.map((m) => join(dir, 'var-lib', names.length > 1 ? `etcd-${m.name}` : 'etcd'));
  mkdirSync(join(dir, 'var-lib'));
  ms.forEach((m, i) => writeFile(join(manifests, names.length > 1 ? `etcd-${m.name}.yaml` : 'etcd.yaml'), etcdManifest(m, ms, dataDirs[i]!)));
  writeFile(join(manifests, 'kube-apiserver.yaml'), apiserverManifest());
  const kubelet = new Kubelet(manifests, logs);
  kubelet.start();
  cleanups.push(() => kubelet.stop());
  await kubelet.waitFor('etcd to be healthy', () => kubelet.etcdHealthy() && kubelet.running('etcd').length === ms.length, 30_000);
  const api = await startKubeApi(kubeletApiModel(kubelet));
  cleanups.push(() => api.close());
  const kubeconfig = join(dir, 'kubeconfig');
  writeFile(kubeconfig, kubeconfigYaml(api.url, 'test'));
  return { dir, manifests, stopped: join(dir, 'manifests-stopped'), backups: join(dir, 'backups'), kubelet, api, kubeconfig, ms, endpoints: ms.map(clientUrl).join(','), dataDirs };
}

/** Keys a Kubernetes cluster would hold, plus one outside /registry. */
function seed(endpoints: string): void {
  etcdctl(endpoints, 'put', '/registry/namespaces/default', 'ns-default-v1');
  etcdctl(endpoints, 'put', '/registry/pods/default/web-1', 'pod-web-1-v1');
  etcdctl(endpoints, 'put', '/registry/secrets/default/db-password', 'hunter2-not-printed');
  etcdctl(endpoints, 'put', '/registry/configmaps/kube-system/kubeadm-config', 'cfg-v1');
  etcdctl(endpoints, 'put', '/registry/leases/kube-system/kube-scheduler', 'lease-v1');
  etcdctl(endpoints, 'put', '/other/app-key', 'app-v1');
}

/** Writes, overwrites and deletions after the snapshot: what the restore must undo. */
function disaster(endpoints: string): void {
  etcdctl(endpoints, 'put', '/registry/pods/default/web-2', 'pod-web-2-after-snapshot');
  etcdctl(endpoints, 'put', '/registry/pods/default/web-1', 'pod-web-1-v2-after-snapshot');
  etcdctl(endpoints, 'del', '/registry/secrets/default/db-password');
  etcdctl(endpoints, 'del', '/registry/namespaces/', '--prefix');
  for (let i = 0; i < 20; i++) etcdctl(endpoints, 'put', `/registry/events/default/e${i}`, `event-${i}`);
}

function inputs(env: Env, extra: Record<string, string> = {}): string[] {
  const all: Record<string, string> = {
    endpoints: env.endpoints,
    cacert: '',
    cert: '',
    key: '',
    manifests_dir: env.manifests,
    stopped_dir: env.stopped,
    etcd_manifests: env.ms.length > 1 ? env.ms.map((m) => `etcd-${m.name}.yaml`).join(',') : 'etcd.yaml',
    backup_dir: env.backups,
    scratch_dir: env.dir,
    crictl: '',
    settle_time: '1s',
    ...extra,
  };
  return Object.entries(all).flatMap(([k, v]) => ['--input', `${k}=${v}`]);
}

const ANSWERS = ['confirm-restore=restore', 'approve-plan=approve', 'restart-kubelets=done', 'check-controllers=done', 'check-leases=done', 'reconcile-lost-work=done', 'kubeadm-record=done', 'keep-evidence=done'].flatMap(
  (a) => ['--answer', a],
);

async function restore(env: Env, snapshot: string, extra: Record<string, string> = {}) {
  return oncall(['run', 'runbooks/etcd-restore.yaml', '--input', `snapshot=${snapshot}`, ...inputs(env, extra), '--yes', ...ANSWERS, '--json'], {
    env: { KUBECONFIG: env.kubeconfig },
  });
}

function finished(stdout: string, step: string) {
  return events(stdout).filter((e) => e.type === 'step.finished' && e.payload.step === step).at(-1)?.payload;
}

/** The instruction a checklist step showed the human, as journaled. */
function instruction(stdout: string, step: string): string {
  return events(stdout).find((e) => e.type === 'step.started' && e.payload.step === step)?.payload.intent.detail ?? '';
}

/** The revision stored in a stopped member's database file (etcdctl reads it like a snapshot). */
function dbRevision(dataDir: string): number {
  const r = spawnSync('etcdctl', ['snapshot', 'status', join(dataDir, 'member', 'snap', 'db'), '-w', 'json'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`etcdctl snapshot status ${dataDir} failed: ${r.stderr}`);
  return (JSON.parse(r.stdout) as { revision: number }).revision;
}

const STAMPED = (dir: string) => new RegExp(`^${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.before-restore-\\d{8}T\\d{6}Z$`);

describe.runIf(run)('etcd-restore on a real etcd', () => {
  it('restores a single member into the path kubeadm knows: exactly the snapshot is back, the old data aside and a safety snapshot are kept; a second restore does not chain names', { timeout: 240_000 }, async () => {
    const env = await cluster(['cp-1']);
    seed(env.endpoints);
    const snapshot = join(env.dir, 'snapshot.db');
    etcdctl(env.endpoints, 'snapshot', 'save', snapshot);
    const expected = dumpKeys(env.endpoints);
    expect(expected.size).toBe(6);
    disaster(env.endpoints);
    const disasterKeys = dumpKeys(env.endpoints);
    expect(disasterKeys).not.toEqual(expected);
    const before = JSON.parse(etcdctl(env.endpoints, 'endpoint', 'status', '-w', 'json'))[0].Status.header;
    const manifestBefore = readFileSync(join(env.manifests, 'etcd.yaml'), 'utf8');
    const dataDir = env.dataDirs[0]!;
    const varLib = join(env.dir, 'var-lib');

    const r = await restore(env, snapshot);
    expect(r.code, `${r.stderr}\nkubelet:\n${env.kubelet.events.join('\n')}`).toBe(0);

    // Exactly the snapshot's keys and values.
    expect(dumpKeys(env.endpoints)).toEqual(expected);
    // etcd runs from the data directory its manifest always named (kubeadm's etcd.local.dataDir),
    // which now holds the snapshot's data; the manifest was not touched.
    const [pod] = env.kubelet.running('etcd');
    expect(pod!.dataDir).toBe(dataDir);
    expect(readFileSync(join(env.manifests, 'etcd.yaml'), 'utf8')).toBe(manifestBefore);
    expect(readdirSync(env.manifests).sort()).toEqual(['etcd.yaml', 'kube-apiserver.yaml']);
    expect(readdirSync(env.stopped)).toEqual([]);
    // The disaster's data is beside it, under a new name, whole: its database is at the revision etcd had.
    const plan = finished(r.stdout, 'plan');
    const aside1: string = plan.result.local[0].aside;
    expect(aside1).toMatch(STAMPED(dataDir));
    expect(readdirSync(varLib).sort()).toEqual(['etcd', basename(aside1)]);
    expect(dbRevision(aside1)).toBe(Number(before.revision));
    expect(Number(before.revision)).toBeGreaterThan(plan.result.snapshot_revision);
    // The safety snapshot of the disaster state is kept.
    const safety = readdirSync(env.backups);
    expect(safety).toEqual([expect.stringMatching(/^etcd-safety-\d{8}T\d{6}Z\.db$/)]);
    // The checklist names both, by full path, and kubeadm's record.
    const evidence = instruction(r.stdout, 'keep-evidence');
    expect(evidence).toContain(aside1);
    expect(evidence).toContain(join(env.backups, safety[0]!));
    expect(instruction(r.stdout, 'kubeadm-record')).toMatch(/etcd\.local\.dataDir in the kubeadm-config ConfigMap/);

    // The journal says which tool was used and why there was no revision bump (etcd 3.4.23).
    const tooling = finished(r.stdout, 'tooling');
    expect(tooling.result).toMatchObject({ restore_tool: 'etcdctl', supports_bump: false, version: expect.stringMatching(/^3\.4\./) });
    expect(plan.result.bump_reason).toMatch(/no revision bump: etcdctl 3\.4\.\d+ has no --bump-revision/);
    const restored = finished(r.stdout, 'restore');
    expect(restored.result).toMatchObject({ tool: 'etcdctl', bump_revision: 0 });
    const after = finished(r.stdout, 'etcd-after');
    expect(after.captures.cluster_id_after).not.toBe(BigInt(before.cluster_id).toString(16));
    expect(after.captures.revision_after).toBeGreaterThanOrEqual(plan.result.snapshot_revision);
    // Every write step was confirmed before it started.
    const all = events(r.stdout);
    // Where it ran is journaled for the post-mortem: the kube context and API server, no credentials.
    const where = all.find((e) => e.type === 'identity.resolved')?.payload;
    expect(where).toEqual({ kube: { context: 'test', cluster: 'test', server: env.api.url, user: 'test', namespace: 'default' } });
    expect(JSON.stringify(all)).not.toContain('test-token');
    expect(all.some((e) => e.type === 'step.skipped' && e.payload.step === 'point-manifests')).toBe(true);
    for (const step of ['safety-snapshot', 'stop-control-plane', 'stop-etcd', 'move-aside', 'restore', 'start-etcd', 'start-control-plane']) {
      const confirm = all.findIndex((e) => e.type === 'confirm.given' && e.payload.step === step && e.payload.approved);
      const started = all.findIndex((e) => e.type === 'step.started' && e.payload.step === step);
      expect(confirm, step).toBeGreaterThanOrEqual(0);
      expect(started, step).toBeGreaterThan(confirm);
      expect(all[started]!.payload.write_ahead).toBe(true);
    }
    // The checklist is journaled item by item.
    for (const step of ['restart-kubelets', 'check-controllers', 'check-leases', 'reconcile-lost-work', 'kubeadm-record', 'keep-evidence']) {
      expect(all.some((e) => e.type === 'decision.made' && e.payload.step === step), step).toBe(true);
    }
    // Values never reach the output.
    expect(r.stdout + r.stderr).not.toMatch(/hunter2|pod-web-1-v1|cfg-v1/);
    expect(env.api.requests.some((q) => q.startsWith('GET /readyz?verbose'))).toBe(true);

    // Again, from the disaster's own database file (a raw member/snap/db copy, as when no member
    // can serve `snapshot save`). It has no integrity hash: the message names the input that exists.
    const raw = join(env.dir, 'raw-db-copy.db');
    copyFileSync(join(aside1, 'member', 'snap', 'db'), raw);
    const refused = await restore(env, raw, { check_kubernetes: 'false' });
    expect(refused.code).toBe(1);
    expect(events(refused.stdout).find((e) => e.type === 'run.finished')!.payload).toMatchObject({ failed_step: 'snapshot-check', error: expect.stringContaining('--input skip_hash_check=true') });
    const r2 = await restore(env, raw, { skip_hash_check: 'true', check_kubernetes: 'false' });
    expect(r2.code, `${r2.stderr}\nkubelet:\n${env.kubelet.events.join('\n')}`).toBe(0);
    expect(finished(r2.stdout, 'restore').result.restored[0].argv).toContain('--skip-hash-check');
    expect(dumpKeys(env.endpoints)).toEqual(disasterKeys);
    // Still the same data directory; a second name beside it, not <dir>-restore-X-restore-Y, and the
    // first copy untouched.
    expect(env.kubelet.running('etcd')[0]!.dataDir).toBe(dataDir);
    const aside2: string = finished(r2.stdout, 'plan').result.local[0].aside;
    expect(aside2).toMatch(STAMPED(dataDir));
    expect(aside2).not.toBe(aside1);
    expect(readdirSync(varLib).sort()).toEqual(['etcd', basename(aside1), basename(aside2)].sort());
    expect(dbRevision(aside1)).toBe(Number(before.revision));
    expect(dbRevision(aside2)).toBeLessThan(Number(before.revision));
    expect(readFileSync(join(env.manifests, 'etcd.yaml'), 'utf8')).toBe(manifestBefore);
    const evidence2 = instruction(r2.stdout, 'keep-evidence');
    expect(evidence2).toContain(aside2);
    expect(evidence2).toContain(env.backups);
  });

  it('restores a 3-member cluster with one token and member list', { timeout: 240_000 }, async () => {
    const env = await cluster(['m1', 'm2', 'm3']);
    seed(env.endpoints);
    const snapshot = join(env.dir, 'snapshot.db');
    etcdctl(clientUrl(env.ms[0]!), 'snapshot', 'save', snapshot);
    const expected = dumpKeys(env.endpoints);
    disaster(env.endpoints);

    // No Kubernetes API this time: the runbook still restores, verifying through etcd alone.
    const r = await restore(env, snapshot, { cluster_token: 'etcd-restore-test', check_kubernetes: 'false' });
    expect(r.code, `${r.stderr}\nkubelet:\n${env.kubelet.events.join('\n')}`).toBe(0);

    for (const m of env.ms) expect(dumpKeys(clientUrl(m)), m.name).toEqual(expected);
    const list = JSON.parse(etcdctl(env.endpoints, 'member', 'list', '-w', 'json')).members as { name: string; peerURLs: string[] }[];
    expect(list.map((m) => m.name).sort()).toEqual(['m1', 'm2', 'm3']);
    const plan = finished(r.stdout, 'plan').result;
    expect(plan).toMatchObject({ token: 'etcd-restore-test', member_count: 3, local_count: 3, remote_count: 0 });
    expect(plan.initial_cluster.split(',').sort()).toEqual(env.ms.map((m) => `${m.name}=http://127.0.0.1:${m.peer}`).sort());
    const restored = finished(r.stdout, 'restore').result.restored as { name: string; argv: string[] }[];
    expect(restored).toHaveLength(3);
    for (const x of restored) {
      expect(x.argv).toContain('--initial-cluster-token=etcd-restore-test');
      expect(x.argv).toContain(`--initial-cluster=${plan.initial_cluster}`);
      expect(x.argv).toContain(`--name=${x.name}`);
    }
    // Every member runs from its own data directory again, its old data beside it.
    expect(env.kubelet.running('etcd').map((p) => p.dataDir).sort()).toEqual([...env.dataDirs].sort());
    for (const d of env.dataDirs) {
      expect(existsSync(join(d, 'member', 'wal')), d).toBe(true);
      expect(plan.asides.find((a: { path: string }) => a.path === d)?.aside, d).toMatch(STAMPED(d));
    }
    for (const step of ['cluster-before', 'wait-api-down', 'wait-api-ready', 'cluster-after', 'leases']) {
      expect(events(r.stdout).some((e) => e.type === 'step.skipped' && e.payload.step === step), step).toBe(true);
    }
    expect(env.api.requests).toEqual([]);
  });

  it('--read-only runs every check, plans, and changes nothing', { timeout: 120_000 }, async () => {
    const env = await cluster(['cp-1']);
    seed(env.endpoints);
    const snapshot = join(env.dir, 'snapshot.db');
    etcdctl(env.endpoints, 'snapshot', 'save', snapshot);
    const state = dumpKeys(env.endpoints);
    const dirBefore = readdirSync(env.dir).sort();
    const r = await oncall(['run', 'runbooks/etcd-restore.yaml', '--read-only', '--input', `snapshot=${snapshot}`, ...inputs(env), ...ANSWERS, '--json'], { env: { KUBECONFIG: env.kubeconfig } });
    expect(r.code, r.stderr).toBe(0);
    const evs = events(r.stdout);
    for (const step of ['cluster-before', 'etcd-before', 'manifests', 'tooling', 'snapshot-check', 'plan']) {
      expect(evs.some((e) => e.type === 'step.finished' && e.payload.step === step && e.payload.status === 'ok'), step).toBe(true);
    }
    expect(evs.filter((e) => e.type === 'step.started' && e.payload.write_ahead)).toEqual([]);
    expect(evs.find((e) => e.type === 'step.skipped' && e.payload.step === 'stop-control-plane')!.payload.reason).toMatch(/read-only/);
    expect(readdirSync(env.dir).sort()).toEqual(dirBefore);
    expect(readdirSync(env.manifests).sort()).toEqual(['etcd.yaml', 'kube-apiserver.yaml']);
    expect(dumpKeys(env.endpoints)).toEqual(state);
  });

  it('stops at a corrupt snapshot (hash mismatch) before anything is touched', { timeout: 120_000 }, async () => {
    const env = await cluster(['cp-1']);
    seed(env.endpoints);
    const good = join(env.dir, 'snapshot.db');
    etcdctl(env.endpoints, 'snapshot', 'save', good);
    disaster(env.endpoints);
    const state = dumpKeys(env.endpoints);
    // Flip bytes inside the database: the file still reads, but its integrity hash no longer matches.
    const bytes = readFileSync(good);
    const pos = Math.floor(bytes.length / 2);
    bytes[pos] = bytes[pos]! ^ 0xff;
    bytes[pos + 1] = bytes[pos + 1]! ^ 0xff;
    const corrupt = join(env.dir, 'corrupt.db');
    writeFile(corrupt, bytes as unknown as string);
    const manifestBefore = readFileSync(join(env.manifests, 'etcd.yaml'), 'utf8');
    const dirBefore = readdirSync(env.dir).sort();

    const r = await restore(env, corrupt, { check_kubernetes: 'false' });
    expect(r.code).toBe(1);
    const failed = events(r.stdout).find((e) => e.type === 'run.finished')!.payload;
    expect(failed).toMatchObject({ outcome: 'failed', failed_step: 'snapshot-check' });
    expect(failed.error).toMatch(/corrupt: its integrity hash does not match/);
    expect(r.stderr).toMatch(/corrupt/);
    // Nothing changed: no write step started, the manifests and etcd are as they were.
    expect(events(r.stdout).filter((e) => e.type === 'step.started' && e.payload.write_ahead)).toEqual([]);
    expect(readdirSync(env.manifests).sort()).toEqual(['etcd.yaml', 'kube-apiserver.yaml']);
    expect(readFileSync(join(env.manifests, 'etcd.yaml'), 'utf8')).toBe(manifestBefore);
    expect(readdirSync(env.dir).sort()).toEqual(dirBefore);
    expect(dumpKeys(env.endpoints)).toEqual(state);
  });
});

describe('etcd-restore without a kubeconfig', () => {
  // No etcd needed: the first step stops, and says how to go on without the API.
  it('names --input check_kubernetes=false', async () => {
    const home = tempDir('oncall-nokube-');
    const r = await oncall(['run', 'runbooks/etcd-restore.yaml', '--input', `snapshot=${join(home, 'snap.db')}`, '--json'], { env: { KUBECONFIG: '', HOME: home } });
    expect(r.code).toBe(1);
    const end = events(r.stdout).find((e) => e.type === 'run.finished')!.payload;
    expect(end).toMatchObject({ failed_step: 'cluster-before' });
    expect(end.error).toMatch(/no kubeconfig found: .*--input check_kubernetes=false/);
    rmSync(home, { recursive: true, force: true });
  });
});
