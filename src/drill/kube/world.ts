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
  const model: KubeApiModel = {
    up: () => bool(spec.up),
    version: () => spec.version,
    readyz: () => Object.entries(spec.readyz).map(([name, ok]) => ({ name, ok: bool(ok) })),
    nodes: () =>
      spec.nodes.map((n) => {
        const ready = value(n.ready);
        return { name: n.name, ready: ready === true ? true : ready === false ? false : 'Unknown', kubelet_version: n.kubelet_version, roles: n.roles };
      }),
    pods: () =>
      spec.pods.map((p) => ({
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
  const server = await startKubeApi(model);
  return { provider: kubeProviderFor(server.url, 'drill'), server, close: () => server.close() };
}
