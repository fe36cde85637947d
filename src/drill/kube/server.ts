// A small Kubernetes API on 127.0.0.1 that @kubernetes/client-node talks to like a real one:
// nodes, pods (with label selectors), /readyz?verbose, /livez, /version and coordination leases.
// It answers from a model asked on every request, so answers follow the world: readyz fails
// while etcd's manifest is out, and the whole API drops connections while kube-apiserver is down.
// Drills use it with the scenario's world.kube; tests use it with their own model.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface KubeNodeModel {
  name: string;
  /** true, false, or 'Unknown' (a node whose kubelet stopped posting status). */
  ready: boolean | 'Unknown';
  kubelet_version?: string;
  roles?: string[];
}

export interface KubePodModel {
  name: string;
  namespace: string;
  labels: Record<string, string>;
  node?: string;
  phase: string;
  ready?: boolean;
  restarts?: number;
}

export interface KubeLeaseModel {
  name: string;
  namespace: string;
  holder: string;
  /** ISO time of the last renewal. */
  renew_time: string;
  duration_s: number;
}

export interface KubeApiModel {
  /** false: the API server is down, every connection is dropped without an answer. */
  up(): boolean;
  version(): string;
  nodes(): KubeNodeModel[];
  pods(): KubePodModel[];
  /** The readyz checks; the API is ready when every one is ok. */
  readyz(): { name: string; ok: boolean }[];
  leases(): KubeLeaseModel[];
}

export interface KubeApiServer {
  /** http://127.0.0.1:<port> */
  url: string;
  /** Method and path of every request, in order. */
  requests: string[];
  close(): Promise<void>;
}

export async function startKubeApi(model: KubeApiModel): Promise<KubeApiServer> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    try {
      if (!model.up()) {
        // What a client sees from a stopped API server behind a still-open port: no answer at all.
        req.socket.destroy();
        return;
      }
      route(model, req, res);
    } catch (err) {
      send(res, 500, status(500, 'InternalError', `the simulated API failed: ${(err as Error).message}`));
    }
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => ok());
  });
  server.unref();
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}

function route(model: KubeApiModel, req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const path = url.pathname.replace(/\/$/, '') || '/';
  if (req.method !== 'GET') return send(res, 405, status(405, 'MethodNotAllowed', 'the simulated API is read-only'));
  if (path === '/readyz' || path === '/livez' || path === '/healthz') {
    const checks = path === '/readyz' ? model.readyz() : [{ name: 'ping', ok: true }];
    const ok = checks.every((c) => c.ok);
    const word = path.slice(1);
    const body = url.searchParams.has('verbose')
      ? `${checks.map((c) => (c.ok ? `[+]${c.name} ok` : `[-]${c.name} failed: reason withheld`)).join('\n')}\n${word} check ${ok ? 'passed' : 'failed'}\n`
      : ok
        ? 'ok'
        : `${word} check failed\n`;
    res.writeHead(ok ? 200 : 500, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
    res.end(body);
    return;
  }
  if (path === '/version') {
    const v = model.version();
    const [major, minor] = v.replace(/^v/, '').split('.');
    return send(res, 200, { major, minor, gitVersion: v, platform: 'linux/amd64' });
  }
  if (path === '/api/v1/nodes') {
    return send(res, 200, list('NodeList', model.nodes().map(nodeJson)));
  }
  const pods = /^\/api\/v1(?:\/namespaces\/([^/]+))?\/pods$/.exec(path);
  if (pods) {
    const ns = pods[1];
    const selector = parseSelector(url.searchParams.get('labelSelector') ?? '');
    const items = model.pods().filter((p) => (!ns || p.namespace === ns) && selector(p.labels));
    return send(res, 200, list('PodList', items.map(podJson)));
  }
  const lease = /^\/apis\/coordination\.k8s\.io\/v1\/namespaces\/([^/]+)\/leases\/([^/]+)$/.exec(path);
  if (lease) {
    const l = model.leases().find((x) => x.namespace === lease[1] && x.name === lease[2]);
    if (!l) return send(res, 404, status(404, 'NotFound', `leases.coordination.k8s.io "${lease[2]}" not found`));
    return send(res, 200, {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: l.name, namespace: l.namespace },
      spec: { holderIdentity: l.holder, leaseDurationSeconds: l.duration_s, renewTime: l.renew_time, acquireTime: l.renew_time },
    });
  }
  send(res, 404, status(404, 'NotFound', `the simulated API does not serve ${path}`));
}

function send(res: ServerResponse, code: number, body: unknown): void {
  res.writeHead(code, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}

function list(kind: string, items: unknown[]) {
  return { apiVersion: 'v1', kind, metadata: { resourceVersion: '1' }, items };
}

function status(code: number, reason: string, message: string) {
  return { apiVersion: 'v1', kind: 'Status', metadata: {}, status: 'Failure', message, reason, code };
}

function nodeJson(n: KubeNodeModel) {
  const labels: Record<string, string> = { 'kubernetes.io/hostname': n.name };
  for (const r of n.roles ?? []) labels[`node-role.kubernetes.io/${r}`] = '';
  const ready = n.ready === true ? 'True' : n.ready === false ? 'False' : 'Unknown';
  return {
    metadata: { name: n.name, labels },
    status: {
      conditions: [{ type: 'Ready', status: ready, reason: ready === 'True' ? 'KubeletReady' : ready === 'False' ? 'KubeletNotReady' : 'NodeStatusUnknown' }],
      nodeInfo: { kubeletVersion: n.kubelet_version ?? 'v1.30.4' },
    },
  };
}

function podJson(p: KubePodModel) {
  const ready = p.ready ?? p.phase === 'Running';
  return {
    metadata: { name: p.name, namespace: p.namespace, labels: p.labels },
    spec: { nodeName: p.node ?? '', containers: [{ name: p.labels.component ?? p.name }] },
    status: {
      phase: p.phase,
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
      containerStatuses: [{ name: p.labels.component ?? p.name, ready, restartCount: p.restarts ?? 0, image: '', imageID: '' }],
    },
  };
}

/** Equality-based selectors: `a=b`, `a==b`, `a!=b`, `a`, `!a`, comma-separated. */
export function parseSelector(selector: string): (labels: Record<string, string>) => boolean {
  const terms = selector
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean)
    .map((t) => {
      let m: RegExpExecArray | null;
      if ((m = /^([^!=]+)!=(.*)$/.exec(t))) return (l: Record<string, string>) => l[m![1]!.trim()] !== m![2]!.trim();
      if ((m = /^([^!=]+)==?(.*)$/.exec(t))) return (l: Record<string, string>) => l[m![1]!.trim()] === m![2]!.trim();
      if (t.startsWith('!')) return (l: Record<string, string>) => !(t.slice(1) in l);
      return (l: Record<string, string>) => t in l;
    });
  return (labels) => terms.every((f) => f(labels));
}
