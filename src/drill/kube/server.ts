// A small Kubernetes API on 127.0.0.1 that @kubernetes/client-node talks to like a real one:
// nodes, pods (with label selectors), /readyz?verbose, /livez, /version and coordination leases.
// It answers from a model asked on every request, so answers follow the world: readyz fails
// while etcd's manifest is out, and the whole API drops connections while kube-apiserver is down.
// Drills use it with the scenario's world.kube; tests use it with their own model.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface KubeNodeModel {
  name: string;
  /** Cordoned: no new pods are scheduled on it. */
  unschedulable?: boolean;
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
  /** Deployments (apps/v1), when the model has any. */
  deployments?(): KubeDeploymentModel[];
  /**
   * Changes, when the model takes them (without these the API is read-only). Each returns false
   * when the object does not exist.
   */
  cordon?(node: string, unschedulable: boolean): boolean;
  deletePod?(namespace: string, name: string): boolean;
  scaleDeployment?(namespace: string, name: string, replicas: number): boolean;
  restartDeployment?(namespace: string, name: string, at: string): boolean;
}

export interface KubeDeploymentModel {
  name: string;
  namespace: string;
  labels: Record<string, string>;
  replicas: number;
  ready_replicas: number;
  /** kubectl.kubernetes.io/restartedAt on the pod template, after a rollout restart. */
  restarted_at?: string;
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
  if (req.method === 'PATCH' || req.method === 'DELETE') {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        change(model, req.method!, path, Buffer.concat(chunks).toString('utf8'), String(req.headers['content-type'] ?? ''), res);
      } catch (err) {
        send(res, 500, status(500, 'InternalError', `the simulated API failed: ${(err as Error).message}`));
      }
    });
    return;
  }
  if (req.method !== 'GET') return send(res, 405, status(405, 'MethodNotAllowed', 'the simulated API takes GET, PATCH and DELETE'));
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
    const fields = parseFieldSelector(url.searchParams.get('fieldSelector') ?? '');
    const items = model.pods().filter((p) => (!ns || p.namespace === ns) && selector(p.labels) && fields(p));
    return send(res, 200, list('PodList', items.map(podJson)));
  }
  const node = /^\/api\/v1\/nodes\/([^/]+)$/.exec(path);
  if (node) {
    const n = model.nodes().find((x) => x.name === node[1]);
    return n ? send(res, 200, nodeJson(n)) : send(res, 404, status(404, 'NotFound', `nodes "${node[1]}" not found`));
  }
  const pod = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)$/.exec(path);
  if (pod) {
    const p = model.pods().find((x) => x.namespace === pod[1] && x.name === pod[2]);
    return p ? send(res, 200, podJson(p)) : send(res, 404, status(404, 'NotFound', `pods "${pod[2]}" not found`));
  }
  const deployments = /^\/apis\/apps\/v1\/namespaces\/([^/]+)\/deployments(?:\/([^/]+))?$/.exec(path);
  if (deployments) {
    const all = (model.deployments?.() ?? []).filter((d) => d.namespace === deployments[1]);
    if (!deployments[2]) {
      const selector = parseSelector(url.searchParams.get('labelSelector') ?? '');
      return send(res, 200, { apiVersion: 'apps/v1', kind: 'DeploymentList', metadata: { resourceVersion: '1' }, items: all.filter((d) => selector(d.labels)).map(deploymentJson) });
    }
    const d = all.find((x) => x.name === deployments[2]);
    return d ? send(res, 200, deploymentJson(d)) : send(res, 404, status(404, 'NotFound', `deployments.apps "${deployments[2]}" not found`));
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
    spec: n.unschedulable ? { unschedulable: true } : {},
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

/** The changes the simulated API takes: cordon (PATCH a node), delete a pod, scale and restart a deployment. */
function change(model: KubeApiModel, method: string, path: string, body: string, type: string, res: ServerResponse): void {
  let patch: { spec?: { unschedulable?: unknown; replicas?: unknown; template?: { metadata?: { annotations?: Record<string, unknown> } } } } = {};
  if (method === 'PATCH') {
    if (!/^application\/(strategic-merge-patch|merge-patch)\+json/.test(type)) return send(res, 415, status(415, 'UnsupportedMediaType', `the simulated API takes strategic-merge and merge patches, not ${type || 'no content type'}`));
    try {
      patch = JSON.parse(body || '{}') as typeof patch;
    } catch {
      return send(res, 400, status(400, 'BadRequest', 'the patch is not JSON'));
    }
  }
  const readOnly = () => send(res, 405, status(405, 'MethodNotAllowed', 'this simulated API is read-only'));
  const node = /^\/api\/v1\/nodes\/([^/]+)$/.exec(path);
  if (node && method === 'PATCH') {
    if (!model.cordon) return readOnly();
    if (typeof patch.spec?.unschedulable !== 'boolean' && patch.spec?.unschedulable !== null) return send(res, 422, status(422, 'Invalid', 'the simulated API patches spec.unschedulable of a node only'));
    if (!model.cordon(node[1]!, patch.spec.unschedulable === true)) return send(res, 404, status(404, 'NotFound', `nodes "${node[1]}" not found`));
    return send(res, 200, nodeJson(model.nodes().find((n) => n.name === node[1])!));
  }
  const pod = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)$/.exec(path);
  if (pod && method === 'DELETE') {
    if (!model.deletePod) return readOnly();
    const before = model.pods().find((p) => p.namespace === pod[1] && p.name === pod[2]);
    if (!before || !model.deletePod(pod[1]!, pod[2]!)) return send(res, 404, status(404, 'NotFound', `pods "${pod[2]}" not found`));
    return send(res, 200, podJson(before));
  }
  const scale = /^\/apis\/apps\/v1\/namespaces\/([^/]+)\/deployments\/([^/]+)\/scale$/.exec(path);
  if (scale && method === 'PATCH') {
    if (!model.scaleDeployment) return readOnly();
    const replicas = patch.spec?.replicas;
    if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) return send(res, 422, status(422, 'Invalid', 'spec.replicas must be a whole number, 0 or more'));
    if (!model.scaleDeployment(scale[1]!, scale[2]!, replicas)) return send(res, 404, status(404, 'NotFound', `deployments.apps "${scale[2]}" not found`));
    return send(res, 200, { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: scale[2], namespace: scale[1] }, spec: { replicas }, status: { replicas } });
  }
  const deployment = /^\/apis\/apps\/v1\/namespaces\/([^/]+)\/deployments\/([^/]+)$/.exec(path);
  if (deployment && method === 'PATCH') {
    if (!model.restartDeployment) return readOnly();
    const at = patch.spec?.template?.metadata?.annotations?.['kubectl.kubernetes.io/restartedAt'];
    if (typeof at !== 'string') return send(res, 422, status(422, 'Invalid', 'the simulated API patches the restartedAt annotation of a deployment only'));
    if (!model.restartDeployment(deployment[1]!, deployment[2]!, at)) return send(res, 404, status(404, 'NotFound', `deployments.apps "${deployment[2]}" not found`));
    return send(res, 200, deploymentJson(model.deployments!().find((d) => d.namespace === deployment[1] && d.name === deployment[2])!));
  }
  send(res, 405, status(405, 'MethodNotAllowed', `the simulated API does not take ${method} ${path}`));
}

function deploymentJson(d: KubeDeploymentModel) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: d.name, namespace: d.namespace, labels: d.labels },
    spec: {
      replicas: d.replicas,
      selector: { matchLabels: d.labels },
      template: { metadata: { labels: d.labels, ...(d.restarted_at ? { annotations: { 'kubectl.kubernetes.io/restartedAt': d.restarted_at } } : {}) }, spec: { containers: [{ name: d.name, image: `${d.name}:latest` }] } },
    },
    status: { replicas: d.replicas, readyReplicas: d.ready_replicas, availableReplicas: d.ready_replicas, updatedReplicas: d.replicas },
  };
}

/** Field selectors on pods: metadata.name, metadata.namespace, spec.nodeName, status.phase (= and !=). */
export function parseFieldSelector(selector: string): (p: KubePodModel) => boolean {
  const value = (p: KubePodModel, field: string): string | undefined =>
    field === 'metadata.name' ? p.name : field === 'metadata.namespace' ? p.namespace : field === 'spec.nodeName' ? (p.node ?? '') : field === 'status.phase' ? p.phase : undefined;
  const terms = selector
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean)
    .map((t) => {
      const m = /^([^!=]+)(!=|==?)(.*)$/.exec(t);
      if (!m) return () => false;
      const [, field = '', op, want = ''] = m;
      return (p: KubePodModel) => (op === '!=' ? value(p, field.trim()) !== want.trim() : value(p, field.trim()) === want.trim());
    });
  return (p) => terms.every((f) => f(p));
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
