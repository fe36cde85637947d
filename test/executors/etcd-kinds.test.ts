// The etcd step kinds without an etcd: every process is answered by the test, so etcd 3.5 and
// 3.6 (etcdutl) can be checked here, where only Debian's 3.4 is installed.
import { describe, expect, it } from 'vitest';
import { chooseTooling, etcdTooling } from '../../src/executors/etcd/tooling.js';
import { etcdCluster } from '../../src/executors/etcd/cluster.js';
import { analyzeManifest, etcdManifestSetDataDir, replacePathOnLine, sedReplacement } from '../../src/executors/etcd/manifest.js';
import { etcdSnapshotInspect, etcdSnapshotRestore, etcdSnapshotSave } from '../../src/executors/etcd/snapshot.js';
import { etcdPlan } from '../../src/executors/etcd/plan.js';
import { parseJsonExact, parseVersion, type Tooling } from '../../src/executors/etcd/common.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { k8sCluster } from '../../src/executors/k8s.js';
import { KubeConfigError } from '../../src/providers/kube.js';
import { ROOT } from '../helpers/cli.js';
import { chain, fakeCtx, FakeFs, type Handler } from '../helpers/etcd.js';

const v = (s: string) => parseVersion(s)!;
const choose = (o: { cluster?: string; image?: string; etcdctl: string; etcdutl?: string }) =>
  chooseTooling({ cluster: o.cluster ? v(o.cluster) : undefined, image: o.image ? v(o.image) : undefined, etcdctl: v(o.etcdctl), etcdutl: o.etcdutl ? v(o.etcdutl) : undefined, etcdctlBin: 'etcdctl', etcdutlBin: 'etcdutl' });

const TOOLING_36: Tooling = { version: '3.6.4', etcdctl_bin: 'etcdctl', restore_tool: 'etcdutl', restore_bin: 'etcdutl', status_tool: 'etcdutl', status_bin: 'etcdutl', tool_version: '3.6.4', supports_bump: true };
const TOOLING_34: Tooling = { version: '3.4.23', etcdctl_bin: 'etcdctl', restore_tool: 'etcdctl', restore_bin: 'etcdctl', status_tool: 'etcdctl', status_bin: 'etcdctl', tool_version: '3.4.23', supports_bump: false };

describe('etcd tooling: 3.4 vs 3.5 vs 3.6', () => {
  it('restores 3.4 with etcdctl; --bump-revision only from 3.4.27', () => {
    const old = choose({ cluster: '3.4.23', etcdctl: '3.4.23' });
    expect(old.tooling).toMatchObject({ restore_tool: 'etcdctl', status_tool: 'etcdctl', supports_bump: false, version: '3.4.23' });
    expect(old.bumpNote).toMatch(/predates --bump-revision \(added in 3\.4\.27\)/);
    expect(choose({ cluster: '3.4.27', etcdctl: '3.4.27' }).tooling.supports_bump).toBe(true);
    // A newer etcdutl must not write a 3.4 data directory.
    expect(choose({ cluster: '3.4.30', etcdctl: '3.4.30', etcdutl: '3.5.21' }).tooling.restore_tool).toBe('etcdctl');
  });

  it('restores 3.5 with etcdutl (bump from 3.5.10), or with the deprecated etcdctl when etcdutl is missing', () => {
    expect(choose({ image: '3.5.21', etcdctl: '3.5.21', etcdutl: '3.5.21' }).tooling).toMatchObject({ restore_tool: 'etcdutl', supports_bump: true });
    expect(choose({ cluster: '3.5.9', etcdctl: '3.5.9', etcdutl: '3.5.9' }).tooling.supports_bump).toBe(false);
    const fallback = choose({ cluster: '3.5.16', etcdctl: '3.5.16' });
    expect(fallback.tooling).toMatchObject({ restore_tool: 'etcdctl', supports_bump: true });
    expect(fallback.notes.join(' ')).toMatch(/deprecated in 3\.5/);
  });

  it('needs etcdutl for 3.6, which has no etcdctl snapshot restore', () => {
    expect(choose({ cluster: '3.6.5', etcdctl: '3.6.5', etcdutl: '3.6.5' }).tooling).toMatchObject({ restore_tool: 'etcdutl', status_tool: 'etcdutl', supports_bump: true });
    expect(() => choose({ cluster: '3.6.5', etcdctl: '3.6.5' })).toThrow(/no 'etcdctl snapshot restore' \(removed in 3\.6\).*Install etcdutl 3\.6\.x/);
  });

  it('refuses a tool of another minor version, and prefers what a running member reports', () => {
    expect(() => choose({ cluster: '3.5.21', etcdctl: '3.4.23' })).toThrow(/etcdutl is not installed.*Install etcdutl 3\.5\.x/);
    expect(() => choose({ cluster: '3.4.23', etcdctl: '3.5.21' })).toThrow(/etcdctl 3\.5\.21 does not match etcd 3\.4\.23/);
    const d = choose({ cluster: '3.5.21', image: '3.6.4', etcdctl: '3.5.21', etcdutl: '3.5.21' });
    expect(d.source).toBe('a running member');
    expect(d.notes.join(' ')).toMatch(/upgrade was in progress/);
    expect(choose({ image: '3.5.21', etcdctl: '3.5.21', etcdutl: '3.5.21' }).source).toMatch(/image tag/);
  });

  it('reads the versions the tools print', async () => {
    const ctx = fakeCtx((argv) =>
      argv[0] === 'etcdctl' ? { stdout: 'etcdctl version: 3.6.4\nAPI version: 3.6\n' } : argv[0] === '/opt/etcd/etcdutl' ? { stdout: 'etcdutl version: 3.6.4\nAPI version: 3.6\n' } : undefined,
    );
    const out = await etcdTooling.run(etcdTooling.params.parse({ etcdutl: '/opt/etcd/etcdutl', cluster_version: '3.6.4' }), ctx);
    expect(out.result).toMatchObject({ restore_tool: 'etcdutl', restore_bin: '/opt/etcd/etcdutl', etcdctl_version: '3.6.4', etcdutl_version: '3.6.4', supports_bump: true });
    const missing = fakeCtx(() => ({ notFound: true }));
    await expect(etcdTooling.run(etcdTooling.params.parse({}), missing)).rejects.toThrow(/etcdctl was not found: .*Install etcd-client/);
  });
});

describe('etcd.snapshot.restore', () => {
  const base = {
    snapshot: '/var/backups/etcd/snap.db',
    members: [{ name: 'cp-1', peer_url: 'https://10.0.0.1:2380', data_dir: '/var/lib/etcd-restore-20260302T031200Z' }],
    initial_cluster: 'cp-1=https://10.0.0.1:2380,cp-2=https://10.0.0.2:2380,cp-3=https://10.0.0.3:2380',
    token: 'etcd-restore-20260302T031200Z',
  };

  function restoreWorld(): { handler: Handler; made: Set<string> } {
    const made = new Set<string>();
    const handler: Handler = (argv) => {
      if (argv[0] === 'test') return { code: [...made].some((d) => argv[2]!.startsWith(d)) ? 0 : 1 };
      if (argv[0] === 'mkdir') return { code: 0 };
      if (argv[1] === 'snapshot' && argv[2] === 'restore') {
        made.add(argv.find((a) => a.startsWith('--data-dir='))!.slice('--data-dir='.length));
        return { code: 0, stderr: '{"level":"info","ts":1,"caller":"x","msg":"restored snapshot","data-dir":"/var/lib/etcd-restore-20260302T031200Z"}' };
      }
      return undefined;
    };
    return { handler, made };
  }

  it('runs etcdutl with the member list, token, peer URL, new data dir and the revision bump (3.6)', async () => {
    const { handler } = restoreWorld();
    const ctx = fakeCtx(handler);
    const p = etcdSnapshotRestore.params.parse({ ...base, tooling: TOOLING_36, bump_revision: 1_000_000_000 });
    const out = await etcdSnapshotRestore.run(p, ctx);
    const argv = ctx.calls.find((c) => c[2] === 'restore')!;
    expect(argv).toEqual([
      'etcdutl',
      'snapshot',
      'restore',
      '/var/backups/etcd/snap.db',
      '--name=cp-1',
      `--initial-cluster=${base.initial_cluster}`,
      '--initial-cluster-token=etcd-restore-20260302T031200Z',
      '--initial-advertise-peer-urls=https://10.0.0.1:2380',
      '--data-dir=/var/lib/etcd-restore-20260302T031200Z',
      '--bump-revision=1000000000',
      '--mark-compacted',
    ]);
    expect(out.result).toMatchObject({ tool: 'etcdutl', bump_revision: 1_000_000_000, mark_compacted: true });
    expect(ctx.lines).toContain('info: restored snapshot (data-dir=/var/lib/etcd-restore-20260302T031200Z)');
    expect(etcdSnapshotRestore.describe(p).argv).toEqual(argv);
  });

  it('refuses a bump the tool lacks, an existing data dir, and a member missing from the member list', async () => {
    await expect(etcdSnapshotRestore.run(etcdSnapshotRestore.params.parse({ ...base, tooling: TOOLING_34, bump_revision: 5 }), fakeCtx(restoreWorld().handler))).rejects.toThrow(
      /etcdctl 3\.4\.23 has no --bump-revision/,
    );
    const exists = fakeCtx((argv) => (argv[0] === 'test' ? { code: 0 } : undefined));
    await expect(etcdSnapshotRestore.run(etcdSnapshotRestore.params.parse({ ...base, tooling: TOOLING_36 }), exists)).rejects.toThrow(/already exists and etcd restores only into a new directory; nothing was restored/);
    expect(exists.calls.some((c) => c[2] === 'restore')).toBe(false);
    const wrong = etcdSnapshotRestore.params.safeParse({ ...base, tooling: TOOLING_36, members: [{ ...base.members[0], peer_url: 'https://10.0.0.9:2380' }] });
    expect(wrong.success).toBe(false);
    expect(JSON.stringify(wrong.error?.issues)).toMatch(/not in the initial cluster/);
  });

  it('checks the SHA-256 again right before restoring', async () => {
    const ctx = fakeCtx(chain((a) => (a[0] === 'sha256sum' ? { stdout: `${'b'.repeat(64)}  /var/backups/etcd/snap.db` } : undefined), restoreWorld().handler));
    await expect(etcdSnapshotRestore.run(etcdSnapshotRestore.params.parse({ ...base, tooling: TOOLING_36, sha256: 'a'.repeat(64) }), ctx)).rejects.toThrow(/changed since it was checked/);
  });
});

describe('etcd.snapshot.inspect', () => {
  const SUM = 'c'.repeat(64);
  function inspectWorld(o: { size?: number; restore?: { code: number; stderr?: string }; status?: { code: number; stderr?: string } } = {}): Handler {
    return (argv) => {
      if (argv[0] === 'stat') return { stdout: `${o.size ?? 20512} ${Math.floor(Date.parse('2026-03-02T01:12:00Z') / 1000)}` };
      if (argv[0] === 'sha256sum') return { stdout: `${SUM}  ${argv.at(-1)}` };
      if (argv[0] === 'mktemp') return { stdout: '/var/tmp/oncall-etcd-verify.Ab12Cd34' };
      if (argv[0] === 'rm') return { code: 0 };
      if (argv[1] === 'snapshot' && argv[2] === 'status' && o.status) return o.status;
      if (argv[1] === 'snapshot' && argv[2] === 'status') return { stdout: '{"hash":3151563426,"revision":48211,"totalKey":1234,"totalSize":8617984,"version":"3.6.0"}' };
      if (argv[1] === 'snapshot' && argv[2] === 'restore') return o.restore ?? { code: 0 };
      return undefined;
    };
  }
  const params = (extra: Record<string, unknown> = {}) => etcdSnapshotInspect.params.parse({ path: '/var/backups/etcd/snap.db', tooling: TOOLING_36, ...extra });

  it('reports hash, revision, keys, size, storage version and age, after a trial restore it cleans up', async () => {
    const ctx = fakeCtx(inspectWorld());
    const out = await etcdSnapshotInspect.run(params({ expected_sha256: SUM }), ctx);
    expect(out.result).toMatchObject({ sha256: SUM, revision: 48211, total_keys: 1234, total_size: 8617984, storage_version: '3.6.0', age_s: 7200, age: '2h', stale: false });
    expect(out.result.integrity).toMatch(/^verified/);
    expect(ctx.calls.find((c) => c[2] === 'restore')).toEqual(['etcdutl', 'snapshot', 'restore', '/var/backups/etcd/snap.db', '--data-dir=/var/tmp/oncall-etcd-verify.Ab12Cd34/check']);
    expect(ctx.calls.at(-1)).toEqual(['rm', '-rf', '--', '/var/tmp/oncall-etcd-verify.Ab12Cd34']);
    const old = await etcdSnapshotInspect.run(params({ max_age: '1h' }), fakeCtx(inspectWorld()));
    expect(old.result.stale).toBe(true);
  });

  it('stops on a hash mismatch, a wrong checksum, or a file with no integrity hash, and always removes the scratch directory', async () => {
    const corrupt = fakeCtx(inspectWorld({ restore: { code: 1, stderr: 'Error: expected sha256 [11 226 196], got [118 216 200]' } }));
    await expect(etcdSnapshotInspect.run(params(), corrupt)).rejects.toThrow(/is corrupt: its integrity hash does not match its content.*Nothing was changed/);
    expect(corrupt.calls.at(-1)).toEqual(['rm', '-rf', '--', '/var/tmp/oncall-etcd-verify.Ab12Cd34']);
    await expect(etcdSnapshotInspect.run(params({ expected_sha256: 'd'.repeat(64) }), fakeCtx(inspectWorld()))).rejects.toThrow(/has SHA-256 c+, not d+ as expected/);
    // Damage that also breaks `snapshot status` is still reported as what it is.
    const broken = { status: { code: 1, stderr: 'Error: cannot get hash of bucket' }, restore: { code: 1, stderr: 'Error: expected sha256 [1 2], got [3 4]' } };
    await expect(etcdSnapshotInspect.run(params(), fakeCtx(inspectWorld(broken)))).rejects.toThrow(/is corrupt: its integrity hash does not match/);
    await expect(etcdSnapshotInspect.run(params(), fakeCtx(inspectWorld({ status: broken.status })))).rejects.toThrow(/is not a readable etcd snapshot \(damaged, or not a snapshot at all\): Error: cannot get hash of bucket/);
    await expect(etcdSnapshotInspect.run(params(), fakeCtx(inspectWorld({ size: 20480 })))).rejects.toThrow(/carries no integrity hash .*raw copy of member\/snap\/db/);
  });

  // #16: the way out a message names is an input the runbook really has.
  it('names the runbook input that restores a raw member/snap/db copy, and passes --skip-hash-check with it', async () => {
    await expect(etcdSnapshotInspect.run(params(), fakeCtx(inspectWorld({ size: 20480 })))).rejects.toThrow(/--input skip_hash_check=true/);
    const missing = inspectWorld({ restore: { code: 1, stderr: 'Error: snapshot missing hash but --skip-hash-check=false' } });
    await expect(etcdSnapshotInspect.run(params(), fakeCtx(missing))).rejects.toThrow(/--input skip_hash_check=true/);
    const ctx = fakeCtx(inspectWorld({ size: 20480 }));
    const out = await etcdSnapshotInspect.run(params({ skip_hash_check: true }), ctx);
    expect(out.result.integrity).toMatch(/hash check skipped/);
    expect(ctx.calls.find((c) => c[2] === 'restore')).toContain('--skip-hash-check');

    const runbook = parse(readFileSync(join(ROOT, 'runbooks/etcd-restore.yaml'), 'utf8')) as { inputs: Record<string, { type: string; default: unknown }>; steps: { id: string; with: Record<string, unknown> }[] };
    expect(runbook.inputs.skip_hash_check).toMatchObject({ type: 'boolean', default: false });
    const step = (id: string) => runbook.steps.find((x) => x.id === id)!;
    for (const id of ['snapshot-check', 'restore', 'plan']) expect(step(id).with.skip_hash_check, id).toBe('${{ inputs.skip_hash_check }}');
  });
});

describe('etcd.snapshot.save', () => {
  it('takes exactly one endpoint and never overwrites a file', async () => {
    expect(etcdSnapshotSave.params.safeParse({ endpoint: 'https://a:2379,https://b:2379', path: '/x/s.db' }).success).toBe(false);
    const ctx = fakeCtx((a) => (a[0] === 'test' ? { code: 0 } : undefined));
    await expect(etcdSnapshotSave.run(etcdSnapshotSave.params.parse({ endpoint: 'https://127.0.0.1:2379', path: '/var/backups/etcd/s.db' }), ctx)).rejects.toThrow(/already exists; the runbook never overwrites/);
  });

  it('passes the kubeadm TLS files to etcdctl, each as one argument', () => {
    const p = etcdSnapshotSave.params.parse({
      endpoint: 'https://127.0.0.1:2379',
      path: '/var/backups/etcd/s.db',
      cacert: '/etc/kubernetes/pki/etcd/ca.crt',
      cert: '/etc/kubernetes/pki/etcd/healthcheck-client.crt',
      key: '/etc/kubernetes/pki/etcd/healthcheck-client.key',
    });
    expect(etcdSnapshotSave.describe(p).argv).toEqual([
      'etcdctl',
      'snapshot',
      'save',
      '/var/backups/etcd/s.db',
      '--endpoints=https://127.0.0.1:2379',
      '--cacert=/etc/kubernetes/pki/etcd/ca.crt',
      '--cert=/etc/kubernetes/pki/etcd/healthcheck-client.crt',
      '--key=/etc/kubernetes/pki/etcd/healthcheck-client.key',
      '--dial-timeout=5s',
    ]);
  });
});

describe("etcd-restore's Kubernetes checks without a kubeconfig", () => {
  // #16: the error names the exact flag that runs the restore without the API.
  it('names --input check_kubernetes=false', async () => {
    const noProvider = fakeCtx(() => undefined);
    await expect(k8sCluster.run(k8sCluster.params.parse({ allow_unreachable: true }), noProvider)).rejects.toThrow(/--input check_kubernetes=false/);
    const noKubeconfig = fakeCtx(() => undefined);
    noKubeconfig.providers = {
      ...noKubeconfig.providers,
      kube: { context: undefined, kubeConfig: () => Promise.reject(new KubeConfigError('no kubeconfig found: set KUBECONFIG')) },
    };
    await expect(k8sCluster.run(k8sCluster.params.parse({ allow_unreachable: true }), noKubeconfig)).rejects.toThrow(
      /^no kubeconfig found: set KUBECONFIG; or, where the runbook has that input \(etcd-restore does\), run without the Kubernetes checks: --input check_kubernetes=false$/,
    );
  });
});

describe('etcd.cluster', () => {
  const STATUS =
    '[{"Endpoint":"https://10.0.0.1:2379","Status":{"header":{"cluster_id":10209395086029371855,"member_id":13510015062231200447,"revision":48211,"raft_term":2},"version":"3.5.21","dbSize":8617984,"leader":13510015062231200447,"raftIndex":6,"raftTerm":2}}]';
  const MEMBERS = '{"header":{"cluster_id":10209395086029371855},"members":[{"ID":13510015062231200447,"name":"cp-1","peerURLs":["https://10.0.0.1:2380"],"clientURLs":["https://10.0.0.1:2379"]},{"ID":1311017624215437526,"peerURLs":["https://10.0.0.2:2380"]}]}';

  it('keeps 64-bit ids exact (in hex), finds the leader, counts started members and quorum', async () => {
    const ctx = fakeCtx((a) => {
      if (a[1] === 'endpoint' && a[2] === 'health') return { stdout: '[{"endpoint":"https://10.0.0.1:2379","health":true,"took":"2ms"}]' };
      if (a[1] === 'endpoint' && a[2] === 'status') return { stdout: STATUS };
      if (a[1] === 'member') return { stdout: MEMBERS };
      return undefined;
    });
    const out = await etcdCluster.run(etcdCluster.params.parse({ endpoints: 'https://127.0.0.1:2379' }), ctx);
    expect(out.result).toMatchObject({
      reachable: true,
      cluster_id: (10209395086029371855n).toString(16),
      leader: (13510015062231200447n).toString(16),
      member_ids: [(13510015062231200447n).toString(16), (1311017624215437526n).toString(16)],
      member_count: 2,
      started_count: 1,
      revision: 48211,
      version: '3.5.21',
      healthy_count: 1,
      snapshot_endpoint: 'https://10.0.0.1:2379',
    });
    // One healthy of two voting members is not a majority.
    expect(out.result.quorum).toBe(false);
    expect(ctx.calls[0]).toEqual(['etcdctl', 'endpoint', 'health', '--cluster', '-w', 'json', '--endpoints=https://127.0.0.1:2379', '--dial-timeout=2s', '--command-timeout=5s']);
    expect(parseJsonExact('{"a":18446744073709551615}')).toEqual({ a: '18446744073709551615' });
  });

  it('reports an etcd that does not answer, or fails with the reason', async () => {
    const down: Handler = (a) => (a[1] === 'endpoint' && a[2] === 'health' && !a.includes('--cluster') ? { code: 1, stdout: '[{"endpoint":"https://127.0.0.1:2379","health":false,"took":"5s","error":"context deadline exceeded"}]', stderr: 'Error: unhealthy cluster' } : { code: 1, stderr: 'Error: context deadline exceeded' });
    const ctx = fakeCtx(down);
    const out = await etcdCluster.run(etcdCluster.params.parse({ endpoints: 'https://127.0.0.1:2379', allow_unreachable: true }), ctx);
    expect(out.result).toMatchObject({ reachable: false, healthy_count: 0, member_count: 0 });
    expect(ctx.calls.some((c) => c[1] === 'member')).toBe(false);
    await expect(etcdCluster.run(etcdCluster.params.parse({ endpoints: 'https://127.0.0.1:2379' }), fakeCtx(down))).rejects.toThrow(/no etcd endpoint answered at https:\/\/127\.0\.0\.1:2379/);
    // A TLS problem on this side is never mistaken for "etcd is down", even where that would be a result.
    const noCert: Handler = () => ({ code: 1, stderr: 'Error: open /etc/kubernetes/pki/etcd/ca.crt: no such file or directory' });
    await expect(etcdCluster.run(etcdCluster.params.parse({ endpoints: 'https://127.0.0.1:2379', allow_unreachable: true }), fakeCtx(noCert))).rejects.toThrow(
      /cannot ask etcd at https:\/\/127\.0\.0\.1:2379: .*check the cacert, cert and key inputs/,
    );
  });
});

// A kubeadm v1.31 etcd manifest, as written by `kubeadm init`.
const KUBEADM_ETCD = `apiVersion: v1
kind: Pod
metadata:
  annotations:
    kubeadm.kubernetes.io/etcd.advertise-client-urls: https://10.0.0.1:2379
  creationTimestamp: null
  labels:
    component: etcd
    tier: control-plane
  name: etcd
  namespace: kube-system
spec:
  containers:
  - command:
    - etcd
    - --advertise-client-urls=https://10.0.0.1:2379
    - --cert-file=/etc/kubernetes/pki/etcd/server.crt
    - --client-cert-auth=true
    - --data-dir=/var/lib/etcd
    - --experimental-initial-corrupt-check=true
    - --initial-advertise-peer-urls=https://10.0.0.1:2380
    - --initial-cluster=cp-1=https://10.0.0.1:2380
    - --key-file=/etc/kubernetes/pki/etcd/server.key
    - --listen-client-urls=https://127.0.0.1:2379,https://10.0.0.1:2379
    - --listen-metrics-urls=http://127.0.0.1:2381
    - --listen-peer-urls=https://10.0.0.1:2380
    - --name=cp-1
    - --peer-cert-file=/etc/kubernetes/pki/etcd/peer.crt
    - --peer-client-cert-auth=true
    - --peer-key-file=/etc/kubernetes/pki/etcd/peer.key
    - --peer-trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt
    - --snapshot-count=10000
    - --trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt
    image: registry.k8s.io/etcd:3.5.15-0
    imagePullPolicy: IfNotPresent
    name: etcd
    volumeMounts:
    - mountPath: /var/lib/etcd
      name: etcd-data
    - mountPath: /etc/kubernetes/pki/etcd
      name: etcd-certs
  hostNetwork: true
  priority: 2000001000
  priorityClassName: system-node-critical
  volumes:
  - hostPath:
      path: /etc/kubernetes/pki/etcd
      type: DirectoryOrCreate
    name: etcd-certs
  - hostPath:
      path: /var/lib/etcd
      type: DirectoryOrCreate
    name: etcd-data
status: {}
`;

describe('etcd manifests', () => {
  it('reads a kubeadm manifest: member, peer URL, data volume, image version', async () => {
    const m = await analyzeManifest(KUBEADM_ETCD, '/etc/kubernetes/manifests/etcd.yaml');
    expect(m).toMatchObject({
      manifest: 'etcd.yaml',
      name: 'cp-1',
      peer_url: 'https://10.0.0.1:2380',
      data_dir: '/var/lib/etcd',
      volume: 'etcd-data',
      mount_path: '/var/lib/etcd',
      host_path: '/var/lib/etcd',
      host_data_dir: '/var/lib/etcd',
      image_version: '3.5.15',
      initial_cluster: 'cp-1=https://10.0.0.1:2380',
      initial_cluster_token: 'etcd-cluster',
    });
    expect(KUBEADM_ETCD.split('\n')[m.host_path_line - 1]).toBe('      path: /var/lib/etcd');
  });

  it('follows a --data-dir below the mount, and refuses what it cannot re-point', async () => {
    const sub = await analyzeManifest(KUBEADM_ETCD.replace('--data-dir=/var/lib/etcd', '--data-dir=/var/lib/etcd/data'), '/m/etcd.yaml');
    expect(sub.host_data_dir).toBe('/var/lib/etcd/data');
    await expect(analyzeManifest(KUBEADM_ETCD.replace('- --name=cp-1', '- --name=cp-1\n    - --wal-dir=/wal'), '/m/etcd.yaml')).rejects.toThrow(/separate --wal-dir/);
    await expect(analyzeManifest(KUBEADM_ETCD.replace('  - hostPath:\n      path: /var/lib/etcd\n      type: DirectoryOrCreate\n    name: etcd-data', '  - emptyDir: {}\n    name: etcd-data'), '/m/etcd.yaml')).rejects.toThrow(
      /not a hostPath volume/,
    );
    await expect(analyzeManifest('kind: Deployment\n', '/m/x.yaml')).rejects.toThrow(/not a Pod manifest/);
  });

  it('changes exactly one line: the data volume hostPath', async () => {
    const fs = new FakeFs({ '/etc/kubernetes/manifests-stopped/etcd.yaml': KUBEADM_ETCD });
    const ctx = fakeCtx(fs.handler);
    const p = etcdManifestSetDataDir.params.parse({
      edits: [{ manifest: '/etc/kubernetes/manifests-stopped/etcd.yaml', host_path: '/var/lib/etcd-restore-20260302T031200Z', expect: '/var/lib/etcd' }],
      watched: '/etc/kubernetes/manifests',
      keep_copy: 'orig-20260302T031200Z',
    });
    const out = await etcdManifestSetDataDir.run(p, ctx);
    const after = fs.files.get('/etc/kubernetes/manifests-stopped/etcd.yaml')!;
    expect(after).toBe(KUBEADM_ETCD.replace('      path: /var/lib/etcd\n', '      path: /var/lib/etcd-restore-20260302T031200Z\n'));
    expect(fs.files.get('/etc/kubernetes/manifests-stopped/etcd.yaml.orig-20260302T031200Z')).toBe(KUBEADM_ETCD);
    expect((out.result.edited as { diff: string[] }[])[0]!.diff.slice(-2)).toEqual(['-      path: /var/lib/etcd', '+      path: /var/lib/etcd-restore-20260302T031200Z']);
    // Again: already there, nothing to do.
    const again = await etcdManifestSetDataDir.run(p, ctx);
    expect(again.result.unchanged).toEqual(['/etc/kubernetes/manifests-stopped/etcd.yaml']);
  });

  it('never edits inside the watched directory, nor a manifest that changed since the plan', async () => {
    const fs = new FakeFs({ '/etc/kubernetes/manifests/etcd.yaml': KUBEADM_ETCD, '/stopped/etcd.yaml': KUBEADM_ETCD.replace('path: /var/lib/etcd\n', 'path: /data/etcd\n') });
    await expect(
      etcdManifestSetDataDir.run(etcdManifestSetDataDir.params.parse({ edits: [{ manifest: '/etc/kubernetes/manifests/etcd.yaml', host_path: '/var/lib/x' }], watched: '/etc/kubernetes/manifests' }), fakeCtx(fs.handler)),
    ).rejects.toThrow(/inside \/etc\/kubernetes\/manifests, which kubelet watches/);
    await expect(
      etcdManifestSetDataDir.run(etcdManifestSetDataDir.params.parse({ edits: [{ manifest: '/stopped/etcd.yaml', host_path: '/var/lib/x', expect: '/var/lib/etcd' }] }), fakeCtx(fs.handler)),
    ).rejects.toThrow(/points volume etcd-data at \/data\/etcd, not \/var\/lib\/etcd as planned/);
  });

  it('keeps quotes and comments on the edited line, and escapes sed', () => {
    expect(replacePathOnLine(`      path: "/var/lib/etcd" # data`, '/var/lib/etcd', '/var/lib/etcd-r')).toBe(`      path: "/var/lib/etcd-r" # data`);
    expect(() => replacePathOnLine('      type: Directory', '/var/lib/etcd', '/x')).toThrow(/edit the manifest by hand/);
    expect(sedReplacement('a|b&c\\d')).toBe('a\\|b\\&c\\\\d');
  });
});

describe('etcd.plan', () => {
  const manifest = {
    file: '/etc/kubernetes/manifests/etcd.yaml',
    manifest: 'etcd.yaml',
    name: 'cp-1',
    peer_url: 'https://10.0.0.1:2380',
    data_dir: '/var/lib/etcd',
    mount_path: '/var/lib/etcd',
    volume: 'etcd-data',
    host_path: '/var/lib/etcd',
    host_data_dir: '/var/lib/etcd',
    initial_cluster: 'cp-1=https://10.0.0.1:2380',
    initial_cluster_token: 'etcd-cluster',
  };
  const members = [
    { name: 'cp-1', peer_urls: ['https://10.0.0.1:2380'] },
    { name: 'cp-2', peer_urls: ['https://10.0.0.2:2380'] },
    { name: 'cp-3', peer_urls: ['https://10.0.0.3:2380'] },
  ];
  const params = (extra: Record<string, unknown> = {}) =>
    etcdPlan.params.parse({
      manifests: [manifest],
      members,
      bump_revision: 1_000_000_000,
      tooling: TOOLING_36,
      snapshot: { path: '/var/backups/etcd/snap.db', sha256: 'e'.repeat(64), revision: 48211 },
      current_revision: 50211,
      backup_dir: '/var/backups/etcd',
      manifests_dir: '/etc/kubernetes/manifests',
      stopped_dir: '/etc/kubernetes/manifests-stopped',
      ...extra,
    });
  const none: Handler = (a) => (a[0] === 'test' ? { code: 1 } : undefined);

  it('restores this node and tells exactly what to run on the others, with one token and member list', async () => {
    const out = await etcdPlan.run(params(), fakeCtx(none));
    const plan = out.result as Record<string, any>;
    expect(plan).toMatchObject({
      stamp: '20260302T031200Z',
      token: 'etcd-restore-20260302T031200Z',
      initial_cluster: 'cp-1=https://10.0.0.1:2380,cp-2=https://10.0.0.2:2380,cp-3=https://10.0.0.3:2380',
      member_count: 3,
      local_count: 1,
      remote_count: 2,
      bump_revision: 1_000_000_000,
      expected_revision: 1_000_048_211,
      revisions_lost: 2000,
      safety_snapshot: '/var/backups/etcd/etcd-safety-20260302T031200Z.db',
      expect_new_cluster_id: true,
    });
    expect(plan.local[0]).toMatchObject({ old_host_path: '/var/lib/etcd', new_host_path: '/var/lib/etcd', data_dir: '/var/lib/etcd', stopped_path: '/etc/kubernetes/manifests-stopped/etcd.yaml' });
    expect(plan.edits).toEqual([]);
    // The other nodes do the same: the old directory aside, the snapshot into the path the manifest uses.
    expect(plan.remote_restore_text).toContain('sudo mv -n -T -- /var/lib/etcd /var/lib/etcd.before-restore-20260302T031200Z');
    expect(plan.remote_restore_text).toContain(
      `etcdutl snapshot restore /var/backups/etcd/snap.db --name=cp-2 --initial-cluster=${plan.initial_cluster} --initial-cluster-token=etcd-restore-20260302T031200Z --initial-advertise-peer-urls=https://10.0.0.2:2380 --data-dir=/var/lib/etcd --bump-revision=1000000000 --mark-compacted`,
    );
    expect(plan.remote_restore_text).not.toMatch(/then set the|--skip-hash-check/);
    expect(plan.remote_stop_text).toContain('sudo mv /etc/kubernetes/manifests/kube-apiserver.yaml /etc/kubernetes/manifests-stopped/');
    expect(plan.bump_reason).toMatch(/^--bump-revision 1000000000 --mark-compacted/);
  });

  it('falls back to the manifests when etcd is down, explains a missing bump, and flags /tmp', async () => {
    const out = await etcdPlan.run(params({ members: [], tooling: TOOLING_34, restore_parent: '/tmp', current_revision: 0 }), fakeCtx(none));
    const plan = out.result as Record<string, any>;
    expect(plan.initial_cluster).toBe('cp-1=https://10.0.0.1:2380');
    expect(plan.initial_cluster_source).toMatch(/manifests on this node/);
    expect(plan.bump_revision).toBe(0);
    expect(plan.bump_reason).toMatch(/etcdctl 3\.4\.23 has no --bump-revision .*revision goes back to 48211/);
    expect(plan.local[0].data_dir).toBe('/tmp/etcd');
    expect(plan.notes.join(' ')).toMatch(/PrivateTmp/);
    expect(plan.revisions_lost).toBe(-1);
  });

  it('refuses a peer URL that differs from the member list, a stopped dir inside the manifests dir', async () => {
    await expect(etcdPlan.run(params({ initial_cluster: 'cp-1=https://10.9.9.9:2380' }), fakeCtx(none))).rejects.toThrow(/advertises https:\/\/10\.0\.0\.1:2380 but the initial cluster says https:\/\/10\.9\.9\.9:2380/);
    await expect(etcdPlan.run(params({ stopped_dir: '/etc/kubernetes/manifests/stopped' }), fakeCtx(none))).rejects.toThrow(/must be outside manifests_dir/);
    const same = await etcdPlan.run(params({ token: 'etcd-cluster' }), fakeCtx(none));
    expect(same.result).toMatchObject({ expect_new_cluster_id: false });
  });

  // #16: the restored data ends up where kubeadm keeps it; the old data beside it, named once.
  const dirs = (present: string[], devices: Record<string, string> = {}): Handler => (a) => {
    if (a[0] === 'test') return { code: present.includes(a[2]!) ? 0 : 1 };
    if (a[0] === 'stat' && a[2] === '%d') return { stdout: a.slice(4).map((d) => devices[d] ?? '2049').join('\n') };
    return undefined;
  };

  it('restores into the path the manifest and kubeadm use, with the old data moved aside and the manifest untouched', async () => {
    const ctx = fakeCtx(dirs(['/var/lib/etcd']));
    const plan = (await etcdPlan.run(params(), ctx)).result as Record<string, any>;
    expect(plan.local[0]).toMatchObject({ data_dir: '/var/lib/etcd', new_host_path: '/var/lib/etcd', aside: '/var/lib/etcd.before-restore-20260302T031200Z', repoint: false });
    expect(plan.asides).toEqual([{ path: '/var/lib/etcd', aside: '/var/lib/etcd.before-restore-20260302T031200Z', rolled_back: '/var/lib/etcd.rolled-back-20260302T031200Z' }]);
    expect(plan.edits).toEqual([]);
    expect(plan.data_dirs).toEqual(['/var/lib/etcd']);
    // Where the old data is kept, by full path, for the checklist.
    expect(plan.kept_text.split('\n')).toEqual([
      "/var/lib/etcd.before-restore-20260302T031200Z (cp-1's data directory until the restore, moved aside)",
      'on cp-2, cp-3: /var/lib/etcd.before-restore-20260302T031200Z (moved aside by hand in step restore-others, unless you picked another name)',
    ]);
    expect(plan.local[0].summary).toBe('cp-1: /var/lib/etcd moved aside to /var/lib/etcd.before-restore-20260302T031200Z; snapshot restored into /var/lib/etcd; etcd.yaml unchanged');
    // kubeadm's record is named, and needs no change.
    expect(plan.kubeadm_change).toBe(false);
    expect(plan.kubeadm_text).toContain('etcd.local.dataDir in the kubeadm-config ConfigMap');
    expect(plan.kubeadm_text).toContain("kubectl -n kube-system get configmap kubeadm-config -o jsonpath='{.data.ClusterConfiguration}'");
    expect(plan.kubeadm_text).toContain('needs no change');
    expect(ctx.calls).toContainEqual(['stat', '-c', '%d', '--', '/var/lib/etcd', '/var/lib']);
  });

  it('a second restore neither chains names nor overwrites an earlier copy', async () => {
    // The first restore (an hour ago) left /var/lib/etcd.before-restore-20260302T021200Z; etcd runs from /var/lib/etcd.
    const earlier = '/var/lib/etcd.before-restore-20260302T021200Z';
    const again = (await etcdPlan.run(params(), fakeCtx(dirs(['/var/lib/etcd', earlier])))).result as Record<string, any>;
    expect(again.local[0]).toMatchObject({ data_dir: '/var/lib/etcd', aside: '/var/lib/etcd.before-restore-20260302T031200Z' });
    expect(again.local[0].aside.match(/restore/g)).toHaveLength(1);
    // Even in the same second: a new name, never one that exists.
    const taken = ['/var/lib/etcd', '/var/lib/etcd.before-restore-20260302T031200Z', '/var/lib/etcd.rolled-back-20260302T031200Z'];
    const same = (await etcdPlan.run(params(), fakeCtx(dirs(taken)))).result as Record<string, any>;
    expect(same.asides).toEqual([{ path: '/var/lib/etcd', aside: '/var/lib/etcd.before-restore-20260302T031200Z-2', rolled_back: '/var/lib/etcd.rolled-back-20260302T031200Z-2' }]);
  });

  it('refuses to rename a data directory that is a mount point, before anything changes', async () => {
    await expect(etcdPlan.run(params(), fakeCtx(dirs(['/var/lib/etcd'], { '/var/lib/etcd': '2064' })))).rejects.toThrow(
      /\/var\/lib\/etcd is a mount point .*cannot be renamed aside\. Nothing was changed\. .*--input restore_parent=/,
    );
  });

  it('with restore_parent, re-points the manifest and says exactly how to change kubeadm-config', async () => {
    const plan = (await etcdPlan.run(params({ restore_parent: '/data' }), fakeCtx(dirs(['/var/lib/etcd'])))).result as Record<string, any>;
    expect(plan.local[0]).toMatchObject({ data_dir: '/data/etcd', new_host_path: '/data/etcd', aside: '', repoint: true });
    expect(plan.asides).toEqual([]);
    expect(plan.edits).toEqual([{ manifest: '/etc/kubernetes/manifests-stopped/etcd.yaml', host_path: '/data/etcd', expect: '/var/lib/etcd' }]);
    expect(plan.kept_text.split('\n')[0]).toBe("/var/lib/etcd (cp-1's data directory until the restore, left in place)");
    expect(plan.kubeadm_change).toBe(true);
    expect(plan.kubeadm_text).toContain('kubectl -n kube-system edit configmap kubeadm-config');
    expect(plan.kubeadm_text).toContain('set `dataDir: /data/etcd`');
    expect(plan.remote_restore_text).toContain('then set the etcd-data hostPath in /etc/kubernetes/manifests-stopped/etcd.yaml to /data/etcd');
  });

  it('on a manifest an earlier restore re-pointed, restores where etcd runs and says how to make kubeadm agree', async () => {
    const repointed = { ...manifest, host_path: '/var/lib/etcd-restore-20260101T000000Z', host_data_dir: '/var/lib/etcd-restore-20260101T000000Z' };
    const plan = (await etcdPlan.run(params({ manifests: [repointed] }), fakeCtx(dirs([repointed.host_path])))).result as Record<string, any>;
    expect(plan.local[0]).toMatchObject({ data_dir: repointed.host_path, aside: '/var/lib/etcd-restore-20260101T000000Z.before-restore-20260302T031200Z', repoint: false });
    expect(plan.notes.join(' ')).toMatch(/re-pointed, by an earlier restore or by hand/);
    expect(plan.kubeadm_text).toMatch(/while the manifest's --data-dir and mountPath say \/var\/lib\/etcd/);
    expect(plan.kubeadm_text).toContain('kubectl -n kube-system edit configmap kubeadm-config');
  });

  it('passes --skip-hash-check to the other nodes when the snapshot is a raw db copy', async () => {
    const plan = (await etcdPlan.run(params({ skip_hash_check: true }), fakeCtx(none))).result as Record<string, any>;
    expect(plan.remote_restore_text).toMatch(/--mark-compacted --skip-hash-check/);
  });
});
