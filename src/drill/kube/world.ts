// The drill's simulated Kubernetes API: the generic local API server answering from the
// scenario's world.kube, evaluated against the scripted world on every request, and a
// KubeProvider whose generated kubeconfig points client-node at it. Loopback only.
import type { KubeProvider } from '../../providers/types.js';
import type { VirtualClock } from '../clock.js';
import type { ScriptedWorld } from '../world.js';
import { kubeProviderFor } from './kubeconfig.js';
import type { KubeWorldSpec } from './schema.js';
import { startKubeApi, type KubeApiModel, type KubeApiServer } from './server.js';

export interface DrillKube {
  provider: KubeProvider;
  server: KubeApiServer;
  close(): Promise<void>;
}

export async function startDrillKube(spec: KubeWorldSpec, world: ScriptedWorld, clock: VirtualClock): Promise<DrillKube> {
  const value = (v: unknown) => world.evaluate(v);
  const bool = (v: unknown) => value(v) === true;
  // What the responder changed through the API, over the scenario's own picture of the cluster.
  const cordoned = new Map<string, boolean>();
  const deletedPods = new Set<string>();
  const scaled = new Map<string, number>();
  const restarted = new Map<string, string>();
  const podKey = (ns: string, name: string) => `${ns}/${name}`;
  const model: KubeApiModel = {
    up: () => bool(spec.up),
    version: () => spec.version,
    readyz: () => Object.entries(spec.readyz).map(([name, ok]) => ({ name, ok: bool(ok) })),
    nodes: () =>
      spec.nodes.map((n) => {
        const ready = value(n.ready);
        return { name: n.name, ready: ready === true ? true : ready === false ? false : 'Unknown', kubelet_version: n.kubelet_version, roles: n.roles, unschedulable: cordoned.get(n.name) ?? false };
      }),
    pods: () =>
      spec.pods.filter((p) => !deletedPods.has(podKey(p.namespace, p.name))).map((p) => ({
        name: p.name,
        namespace: p.namespace,
        labels: p.labels,
        node: p.node,
        phase: String(value(p.phase)),
        ...(p.ready !== undefined ? { ready: bool(p.ready) } : {}),
        restarts: Number(value(p.restarts)),
      })),
    leases: () =>
      spec.leases.map((l) => ({
        name: l.name,
        namespace: l.namespace,
        holder: String(value(l.holder) ?? ''),
        renew_time: new Date(clock.now() - Number(value(l.renewed_s_ago)) * 1000).toISOString(),
        duration_s: l.duration_s,
      })),
  };
  model.deployments = () =>
    spec.deployments.map((d) => {
      const replicas = scaled.get(podKey(d.namespace, d.name)) ?? d.replicas;
      const at = restarted.get(podKey(d.namespace, d.name));
      return { name: d.name, namespace: d.namespace, labels: d.labels, replicas, ready_replicas: replicas, ...(at ? { restarted_at: at } : {}) };
    });
  model.cordon = (node, unschedulable) => {
    if (!spec.nodes.some((n) => n.name === node)) return false;
    cordoned.set(node, unschedulable);
    return true;
  };
  model.deletePod = (ns, name) => {
    if (!spec.pods.some((p) => p.namespace === ns && p.name === name) || deletedPods.has(podKey(ns, name))) return false;
    deletedPods.add(podKey(ns, name));
    return true;
  };
  model.scaleDeployment = (ns, name, replicas) => {
    if (!spec.deployments.some((d) => d.namespace === ns && d.name === name)) return false;
    scaled.set(podKey(ns, name), replicas);
    return true;
  };
  model.restartDeployment = (ns, name, at) => {
    if (!spec.deployments.some((d) => d.namespace === ns && d.name === name)) return false;
    restarted.set(podKey(ns, name), at);
    return true;
  };
  const server = await startKubeApi(model);
  return { provider: kubeProviderFor(server.url, 'drill'), server, close: () => server.close() };
}
