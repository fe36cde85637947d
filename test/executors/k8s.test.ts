// The Kubernetes step kinds through @kubernetes/client-node 2 against a local HTTP server that
// serves the Kubernetes API, reached through a real (generated) kubeconfig file.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKubeApi, type KubeApiModel, type KubeApiServer, type KubePodModel } from '../../src/drill/kube/server.js';
import { kubeconfigYaml } from '../../src/drill/kube/kubeconfig.js';
import { describeKubeError, k8sCluster, k8sLeases, k8sNodeContainers, k8sReadyz } from '../../src/executors/k8s.js';
import { realClock } from '../../src/core/clock.js';
import { createKubeProvider } from '../../src/providers/kube.js';
import { localProviders } from '../helpers/providers.js';

const localWorld = localProviders();
import type { Providers } from '../../src/providers/types.js';
import { tempDir } from '../helpers/cli.js';
import { fakeCtx } from '../helpers/etcd.js';

const world = { up: true, etcd: true, nodeReady: true as boolean | 'Unknown', renewedAgo: 3 };
const model: KubeApiModel = {
  up: () => world.up,
  version: () => 'v1.31.2',
  readyz: () => [
    { name: 'ping', ok: true },
    { name: 'etcd', ok: world.etcd },
    { name: 'informer-sync', ok: true },
  ],
  nodes: () => [
    { name: 'cp-1', ready: true, kubelet_version: 'v1.31.2', roles: ['control-plane'] },
    { name: 'worker-1', ready: world.nodeReady, kubelet_version: 'v1.31.2' },
  ],
  pods: (): KubePodModel[] => [
    { name: 'etcd-cp-1', namespace: 'kube-system', labels: { component: 'etcd', tier: 'control-plane' }, node: 'cp-1', phase: 'Running', restarts: 2 },
    { name: 'kube-apiserver-cp-1', namespace: 'kube-system', labels: { component: 'kube-apiserver', tier: 'control-plane' }, node: 'cp-1', phase: 'Running' },
    { name: 'coredns-1', namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' }, node: 'worker-1', phase: 'Running' },
  ],
  leases: () => [{ name: 'kube-controller-manager', namespace: 'kube-system', holder: 'cp-1_abc', renew_time: new Date(Date.now() - world.renewedAgo * 1000).toISOString(), duration_s: 15 }],
};

let api: KubeApiServer;
let kubeconfig: string;
let providers: Providers;

beforeAll(async () => {
  api = await startKubeApi(model);
  const dir = tempDir('oncall-kube-');
  kubeconfig = join(dir, 'config');
  // Two contexts: the current one points nowhere, --context picks the local API.
  const other = kubeconfigYaml('http://127.0.0.1:9', 'elsewhere')
    .replace(/^apiVersion: v1\nkind: Config\n/, '')
    .replace(/current-context: .*\n/, '');
  const local = kubeconfigYaml(api.url, 'local');
  writeFileSync(
    kubeconfig,
    local
      .replace('clusters:\n', `clusters:\n${other.split('users:')[0]!.replace('clusters:\n', '')}`)
      .replace('users:\n', `users:\n${other.split('users:\n')[1]!.split('contexts:')[0]}`)
      .replace('contexts:\n', `contexts:\n${other.split('contexts:\n')[1]}`)
      .replace('current-context: local', 'current-context: elsewhere'),
    { mode: 0o600 },
  );
  providers = { ...localWorld, kube: createKubeProvider({ kubeconfig, context: 'local' }) };
});
afterAll(() => api.close());

const ctx = () => ({ ...fakeCtx(() => undefined), providers, clock: realClock });

describe('k8s kinds against a local API through a kubeconfig file', () => {
  it('records nodes, control-plane pods and /readyz?verbose', async () => {
    world.nodeReady = 'Unknown';
    const c = ctx();
    const out = await k8sCluster.run(k8sCluster.params.parse({}), c);
    world.nodeReady = true;
    expect(out.result).toMatchObject({
      reachable: true,
      ready: true,
      context: 'local',
      server: api.url,
      nodes_total: 2,
      nodes_ready: 1,
      nodes_not_ready: ['worker-1'],
      readyz: { status: 200, failed: [], checks: [{ name: 'ping', ok: true }, { name: 'etcd', ok: true }, { name: 'informer-sync', ok: true }] },
      pods: { etcd: [{ name: 'etcd-cp-1', node: 'cp-1', phase: 'Running', ready: true, restarts: 2 }], 'kube-apiserver': [{ name: 'kube-apiserver-cp-1' }] },
    });
    expect(out.result.nodes).toContainEqual({ name: 'cp-1', ready: true, condition: 'True', kubelet_version: 'v1.31.2', control_plane: true });
    expect(out.summary).toMatch(/nodes 1\/2 Ready \(NotReady: worker-1\)/);
    expect(api.requests).toContain('GET /readyz?verbose');
    expect(api.requests.some((r) => r.startsWith('GET /api/v1/namespaces/kube-system/pods?labelSelector=component%3Detcd'))).toBe(true);
  });

  it('sees readyz fail while etcd is down, and an API that does not answer', async () => {
    world.etcd = false;
    const notReady = await k8sReadyz.run(k8sReadyz.params.parse({}), ctx());
    world.etcd = true;
    expect(notReady.result).toMatchObject({ reachable: true, ready: false, status: 500, failed: ['etcd'] });
    expect(notReady.summary).toBe('API NOT ready (HTTP 500; failing: etcd)');

    world.up = false;
    try {
      const down = await k8sReadyz.run(k8sReadyz.params.parse({}), ctx());
      expect(down.result).toMatchObject({ reachable: false, ready: false });
      expect(down.summary).toMatch(/^API unreachable: /);
      const recorded = await k8sCluster.run(k8sCluster.params.parse({ allow_unreachable: true }), ctx());
      expect(recorded.result).toMatchObject({ reachable: false, nodes_total: 0 });
      await expect(k8sCluster.run(k8sCluster.params.parse({}), ctx())).rejects.toThrow(/does not answer/);
    } finally {
      world.up = true;
    }
  });

  it('reads leader-election leases and flags stale ones without failing', async () => {
    world.renewedAgo = 3;
    const fresh = await k8sLeases.run(k8sLeases.params.parse({ names: 'kube-controller-manager' }), ctx());
    expect(fresh.result).toMatchObject({ all_fresh: true, leases: [{ name: 'kube-controller-manager', holder: 'cp-1_abc', fresh: true, duration_s: 15 }] });
    world.renewedAgo = 600;
    const stale = await k8sLeases.run(k8sLeases.params.parse({}), ctx());
    expect(stale.result).toMatchObject({ all_fresh: false, stale: ['kube-controller-manager', 'kube-scheduler'] });
    expect((stale.result.leases as { error?: string }[])[1]!.error).toMatch(/HTTP 404/);
  });

  it('loads KUBECONFIG by default, honours --context, and says plainly what is missing', async () => {
    const saved = { KUBECONFIG: process.env.KUBECONFIG, HOME: process.env.HOME };
    try {
      process.env.KUBECONFIG = kubeconfig;
      const kc = await createKubeProvider().kubeConfig();
      expect(kc.getCurrentContext()).toBe('elsewhere');
      await expect(createKubeProvider({ context: 'nope' }).kubeConfig()).rejects.toThrow(/has no context 'nope' \(contexts: elsewhere, local\)/);
      delete process.env.KUBECONFIG;
      process.env.HOME = tempDir('oncall-home-');
      await expect(createKubeProvider().kubeConfig()).rejects.toThrow(/no kubeconfig found: set KUBECONFIG/);
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
    const none = { ...fakeCtx(() => undefined) };
    await expect(k8sReadyz.run(k8sReadyz.params.parse({}), none)).rejects.toThrow(/no Kubernetes access: set KUBECONFIG/);
  });

  it('words API errors for people', () => {
    expect(describeKubeError({ code: 403, body: '{"message":"nodes is forbidden: User \\"x\\" cannot list resource"}' })).toEqual({
      unreachable: false,
      message: 'HTTP 403: nodes is forbidden: User "x" cannot list resource (the kubeconfig user may not read this)',
    });
    expect(describeKubeError(new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) }))).toEqual({
      unreachable: true,
      message: 'connection refused (nothing listening: the API server is down)',
    });
  });
});

describe('k8s.node.containers (crictl)', () => {
  it('counts running containers, and reports a missing crictl instead of failing', async () => {
    const c = fakeCtx((a) => (a[0] === 'crictl' ? { stdout: a[4] === '^etcd$' ? 'abc123\n' : '' } : undefined));
    const out = await k8sNodeContainers.run(k8sNodeContainers.params.parse({}), c);
    expect(out.result).toEqual({ available: true, running: { etcd: 1, 'kube-apiserver': 0 }, total: 1 });
    expect(c.calls[0]).toEqual(['crictl', 'ps', '-q', '--name', '^etcd$']);
    const missing = await k8sNodeContainers.run(k8sNodeContainers.params.parse({}), fakeCtx(() => ({ notFound: true })));
    expect(missing.result).toMatchObject({ available: false });
    await expect(k8sNodeContainers.run(k8sNodeContainers.params.parse({ optional: false }), fakeCtx(() => ({ notFound: true })))).rejects.toThrow(/command not found: crictl/);
  });
});
