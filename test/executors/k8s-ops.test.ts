// The generic Kubernetes kinds against the simulated Kubernetes API (real client-node over HTTP):
// get with label and field selectors, cordon/uncordon, delete a pod, scale and rollout restart a
// deployment — each journaling its exact request and patch; an API refusal is a definite failure.
// Then through the built binary: a drill plays them on world.kube, and --read-only refuses them.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { effectOf, type StepContext, type StepKind } from '../../src/core/step.js';
import { kubeProviderFor, kubeconfigYaml } from '../../src/drill/kube/kubeconfig.js';
import { startKubeApi, type KubeApiServer, type KubeDeploymentModel, type KubeNodeModel, type KubePodModel } from '../../src/drill/kube/server.js';
import { K8S_OPS_KINDS, k8sCordon, k8sDeletePod, k8sGet, k8sRolloutRestart, k8sScale, k8sUncordon } from '../../src/executors/k8s/ops.js';
import { events, oncall, tempDir } from '../helpers/cli.js';
import { TestClock } from './aws/helpers.js';

const nodes: KubeNodeModel[] = [
  { name: 'node-a', ready: true },
  { name: 'node-b', ready: true },
];
const pods: KubePodModel[] = [
  { name: 'web-1', namespace: 'shop', labels: { app: 'web' }, node: 'node-a', phase: 'Running' },
  { name: 'web-2', namespace: 'shop', labels: { app: 'web' }, node: 'node-b', phase: 'Running' },
  { name: 'worker-1', namespace: 'shop', labels: { app: 'worker' }, node: 'node-a', phase: 'Pending' },
];
const deployments: KubeDeploymentModel[] = [{ name: 'web', namespace: 'shop', labels: { app: 'web' }, replicas: 2, ready_replicas: 2 }];

let api: KubeApiServer;
beforeAll(async () => {
  api = await startKubeApi({
    up: () => true,
    version: () => 'v1.30.4',
    readyz: () => [{ name: 'ping', ok: true }],
    leases: () => [],
    nodes: () => nodes,
    pods: () => pods,
    deployments: () => deployments,
    cordon: (name, u) => {
      const n = nodes.find((x) => x.name === name);
      if (n) n.unschedulable = u;
      return Boolean(n);
    },
    deletePod: (ns, name) => {
      const i = pods.findIndex((p) => p.namespace === ns && p.name === name);
      if (i >= 0) pods.splice(i, 1);
      return i >= 0;
    },
    scaleDeployment: (ns, name, replicas) => {
      const d = deployments.find((x) => x.namespace === ns && x.name === name);
      if (d) d.replicas = d.ready_replicas = replicas;
      return Boolean(d);
    },
    restartDeployment: (ns, name, at) => {
      const d = deployments.find((x) => x.namespace === ns && x.name === name);
      if (d) d.restarted_at = at;
      return Boolean(d);
    },
  });
});
afterAll(() => api.close());

function ctx(): StepContext & { lines: string[] } {
  const clock = new TestClock();
  const lines: string[] = [];
  return {
    incidentId: 'inc-test',
    stepId: 'step',
    attempt: 1,
    signal: new AbortController().signal,
    clock,
    ports: { clock, confirm: async () => ({ approved: true, by: 't' }), ask: async () => ({ value: '', by: 't' }) },
    log: (t) => lines.push(t),
    secret: (v) => v,
    runKind: async () => ({ result: {} }),
    evaluate: () => undefined,
    providers: { exec: async () => ({ canceled: false }), fetch: async () => new Response(''), kube: kubeProviderFor(api.url, 'test-ctx') },
    mode: 'live',
    lines,
  };
}
const run = async <P>(kind: StepKind<P>, params: unknown) => kind.run(kind.params.parse(params), ctx());

describe('k8s kinds on the simulated API', () => {
  it('reads are reads, changes are writes (a delete and a scale to 0 are destructive)', () => {
    const effects = Object.fromEntries(K8S_OPS_KINDS.map((k) => [k.name, effectOf(k, {})]));
    expect(effects).toEqual({ 'k8s.get': 'read', 'k8s.cordon': 'write', 'k8s.uncordon': 'write', 'k8s.deletePod': 'write', 'k8s.scale': 'write', 'k8s.rolloutRestart': 'write' });
    expect(k8sDeletePod.destructive!(k8sDeletePod.params.parse({ namespace: 'shop', pod: 'web-1' }))).toBe(true);
    expect(k8sScale.destructive!(k8sScale.params.parse({ namespace: 'shop', deployment: 'web', replicas: 0 }))).toBe(true);
    expect(k8sScale.destructive!(k8sScale.params.parse({ namespace: 'shop', deployment: 'web', replicas: 3 }))).toBe(false);
  });

  it('get: label and field selectors, one object by name, and the context and cluster in the summary', async () => {
    const web = await run(k8sGet, { resource: 'pods', namespace: 'shop', label_selector: 'app=web' });
    expect((web.result.items as { name: string }[]).map((p) => p.name)).toEqual(['web-1', 'web-2']);
    expect(web.summary).toBe(`2 pods (context test-ctx, cluster test-ctx (${api.url}))`);
    const onA = await run(k8sGet, { resource: 'pods', namespace: 'shop', field_selector: 'spec.nodeName=node-a,status.phase!=Pending' });
    expect((onA.result.items as { name: string }[]).map((p) => p.name)).toEqual(['web-1']);
    const d = await run(k8sGet, { resource: 'deployments', namespace: 'shop', name: 'web' });
    expect(d.result.item).toMatchObject({ name: 'web', replicas: 2, ready_replicas: 2 });
  });

  it('cordon and uncordon: the exact patch is in the intent; a second cordon changes nothing', async () => {
    const p = k8sCordon.params.parse({ node: 'node-a' });
    expect(k8sCordon.describe(p)).toMatchObject({ api: 'PATCH /api/v1/nodes/node-a (application/strategic-merge-patch+json)', resources: ['node-a'], params: { node: 'node-a', patch: { spec: { unschedulable: true } } } });
    expect((await run(k8sCordon, { node: 'node-a' })).result).toMatchObject({ changed: true, unschedulable: true, was: false });
    expect(nodes[0]!.unschedulable).toBe(true);
    expect((await run(k8sCordon, { node: 'node-a' })).result).toMatchObject({ changed: false });
    expect((await run(k8sGet, { resource: 'nodes', name: 'node-a' })).result.item).toMatchObject({ unschedulable: true });
    expect((await run(k8sUncordon, { node: 'node-a' })).result).toMatchObject({ changed: true, unschedulable: false });
    expect(nodes[0]!.unschedulable).toBe(false);
  });

  it('scale and rollout restart a deployment', async () => {
    expect((await run(k8sScale, { namespace: 'shop', deployment: 'web', replicas: '4' })).result).toEqual({ deployment: 'web', namespace: 'shop', from: 2, to: 4 });
    expect(deployments[0]!.replicas).toBe(4);
    const r = await run(k8sRolloutRestart, { namespace: 'shop', deployment: 'web' });
    expect(deployments[0]!.restarted_at).toBe(r.result.restarted_at);
  });

  it('delete a pod; the API refusing (404) is a definite failure', async () => {
    expect((await run(k8sDeletePod, { namespace: 'shop', pod: 'worker-1' })).result).toMatchObject({ deleted: true, node: 'node-a' });
    expect(pods.map((p) => p.name)).not.toContain('worker-1');
    const err = await run(k8sDeletePod, { namespace: 'shop', pod: 'worker-1' }).then(
      () => undefined,
      (e: unknown) => e as { message: string; applied: string },
    );
    expect(err?.message).toMatch(/HTTP 404: pods "worker-1" not found/);
    expect(err?.applied).toBe('no');
  });
});

const RUNBOOK = `id: k8s-ops
title: Kubernetes changes
version: 1.0.0
summary: Cordon a node, scale and restart a deployment, delete a stuck pod.
steps:
  - id: pods
    title: Pods of web
    kind: k8s.get
    with: { resource: pods, namespace: shop, label_selector: app=web }
    capture: { count: '\${{ result.count }}' }
  - id: cordon
    title: Cordon node-a
    kind: k8s.cordon
    with: { node: node-a }
  - id: scale
    title: Scale web to 3
    kind: k8s.scale
    with: { namespace: shop, deployment: web, replicas: 3 }
  - id: restart
    title: Restart web
    kind: k8s.rolloutRestart
    with: { namespace: shop, deployment: web }
  - id: delete
    title: Delete the stuck pod
    kind: k8s.deletePod
    with: { namespace: shop, pod: worker-1 }
  - id: after
    title: Deployment after
    kind: k8s.get
    with: { resource: deployments, namespace: shop, name: web }
    assert:
      - \${{ result.item.replicas == 3 && result.item.restarted_at != null }}
`;

describe('k8s kinds through the binary', () => {
  it('a drill plays them on world.kube (the simulated API takes the changes)', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'rb.yaml'), RUNBOOK);
    writeFileSync(
      join(dir, 'scenario.yaml'),
      JSON.stringify({
        id: 'k8s-ops',
        title: 'k8s ops',
        runbook: './rb.yaml',
        page: { text: 'web is slow' },
        world: {
          kube: {
            nodes: [{ name: 'node-a' }, { name: 'node-b' }],
            pods: [
              { name: 'web-1', namespace: 'shop', labels: { app: 'web' }, node: 'node-a' },
              { name: 'worker-1', namespace: 'shop', labels: { app: 'worker' }, node: 'node-a', phase: 'Pending' },
            ],
            deployments: [{ name: 'web', namespace: 'shop', labels: { app: 'web' }, replicas: 2 }],
          },
        },
        expect: { outcome: 'completed', answers: { delete: 'worker-1' } },
      }),
    );
    const res = await oncall(['drill', join(dir, 'scenario.yaml'), '--auto', '--json'], { stateDir: tempDir() });
    expect(res.code, res.stderr + res.stdout.slice(-1500)).toBe(0);
    const evs = events(res.stdout);
    const started = evs.find((e) => e.type === 'step.started' && e.payload.step === 'cordon')!.payload;
    expect(started.intent).toMatchObject({ api: 'PATCH /api/v1/nodes/node-a (application/strategic-merge-patch+json)', params: { patch: { spec: { unschedulable: true } } } });
    expect(evs.find((e) => e.type === 'step.finished' && e.payload.step === 'delete')!.payload.summary).toContain('context drill');
  });

  it('--read-only runs the reads and refuses every change', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'rb.yaml'), RUNBOOK.replace(/\n {2}- id: after[\s\S]*$/, '\n'));
    writeFileSync(join(dir, 'kubeconfig'), kubeconfigYaml(api.url, 'ro'));
    const before = JSON.stringify([nodes, pods, deployments]);
    const res = await oncall(['run', join(dir, 'rb.yaml'), '--read-only', '--json', '--kubeconfig', join(dir, 'kubeconfig')], { stateDir: tempDir() });
    expect(res.code, res.stderr).toBe(0);
    const evs = events(res.stdout);
    expect(evs.filter((e) => e.type === 'step.skipped').map((e) => e.payload.step)).toEqual(['cordon', 'scale', 'restart', 'delete']);
    expect(evs.find((e) => e.type === 'step.finished' && e.payload.step === 'pods')!.payload.captures).toEqual({ count: 2 });
    expect(JSON.stringify([nodes, pods, deployments])).toBe(before);
  });
});
