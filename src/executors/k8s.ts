// Kubernetes checks through @kubernetes/client-node (2.x: methods take one object and return the
// body), reached only through ctx.providers.kube: live, the operator's kubeconfig; in drills, a
// generated kubeconfig pointing at the simulated API on 127.0.0.1. While kube-apiserver is down
// nothing here can work, so every read can report "unreachable" as a result instead of failing.
// The node's container runtime (crictl) is the one thing checked without the API.
import { z } from 'zod';
import type { StepContext } from '../core/step.js';
import { defineKind } from '../core/kind.js';
import { parseDuration } from '../runbook/duration.js';
import { duration } from '../runbook/schema.js';
import { StepFailure } from '../core/failure.js';
import { KubeConfigError } from '../providers/kube.js';
import { listOf, runProcess, whyFailed } from './files.js';

type K8s = typeof import('@kubernetes/client-node');
type KubeConfig = import('@kubernetes/client-node').KubeConfig;

let k8sModule: Promise<K8s> | undefined;
const loadK8s = () => (k8sModule ??= import('@kubernetes/client-node'));

/**
 * What to do without a kubeconfig, naming the exact flag: a runbook that can run without the API
 * (etcd-restore, where the API server is often the thing that is down) has the input.
 */
export const NO_KUBE_HINT = 'or, where the runbook has that input (etcd-restore does), run without the Kubernetes checks: --input check_kubernetes=false';

async function kube(ctx: StepContext): Promise<{ k8s: K8s; kc: KubeConfig }> {
  if (!ctx.providers.kube) {
    throw new StepFailure(`this run has no Kubernetes access: set KUBECONFIG (or use --context), ${NO_KUBE_HINT}`);
  }
  const [k8s, kc] = await Promise.all([
    loadK8s(),
    ctx.providers.kube.kubeConfig().catch((err: unknown) => {
      // No kubeconfig at all, or one that cannot be read: the provider says what; we add the way on.
      if (err instanceof KubeConfigError) throw new StepFailure(`${err.message}; ${NO_KUBE_HINT}`);
      throw err;
    }),
  ]);
  return { k8s, kc };
}

/**
 * Per-call options carrying the step's abort signal (with its request timeout). The object-style
 * APIs of client-node 2 hand options to the observable layer, so the middleware returns its
 * Observable type.
 */
function callOptions(k8s: K8s, signal: AbortSignal): import('@kubernetes/client-node').ConfigurationOptions {
  return {
    middleware: [
      {
        pre: (c: import('@kubernetes/client-node').RequestContext) => {
          c.setSignal(signal);
          return new k8s.Observable(Promise.resolve(c));
        },
        post: (r: import('@kubernetes/client-node').ResponseContext) => new k8s.Observable(Promise.resolve(r)),
      },
    ],
    middlewareMergeStrategy: 'append',
  };
}

function requestSignal(ctx: StepContext, timeout: string): AbortSignal {
  return AbortSignal.any([ctx.signal, AbortSignal.timeout(parseDuration(timeout))]);
}

/** An error as client-node and undici throw them: an HTTP status and body, or a chain of causes. */
interface KubeErrorLike {
  code?: unknown;
  body?: unknown;
  message?: string;
  name?: string;
  cause?: KubeErrorLike;
}

/** What went wrong with a call, in words; `unreachable` when the API did not answer at all. */
export function describeKubeError(err: unknown, timeout?: string): { unreachable: boolean; message: string } {
  const e = err as KubeErrorLike | null | undefined;
  if (typeof e?.code === 'number' && e.code >= 100) {
    const body = typeof e.body === 'string' ? e.body : JSON.stringify(e.body ?? '');
    const reason = (() => {
      try {
        return (JSON.parse(body) as { message?: string }).message ?? body;
      } catch {
        return body;
      }
    })();
    const hint = e.code === 401 ? ' (the kubeconfig credentials were rejected)' : e.code === 403 ? ' (the kubeconfig user may not read this)' : '';
    return { unreachable: false, message: `HTTP ${e.code}: ${String(reason).slice(0, 200)}${hint}` };
  }
  if (e?.name === 'TimeoutError' || e?.cause?.name === 'TimeoutError') return { unreachable: true, message: `no answer within ${timeout ?? 'the timeout'}` };
  let cause = e?.cause;
  while (cause?.cause && !cause.code) cause = cause.cause;
  const code = cause?.code ?? e?.code;
  const words: Record<string, string> = {
    ECONNREFUSED: 'connection refused (nothing listening: the API server is down)',
    ECONNRESET: 'connection reset (the API server went away)',
    UND_ERR_SOCKET: 'the connection closed before an answer (the API server is down or restarting)',
    ENOTFOUND: 'host name not found',
    EHOSTUNREACH: 'host unreachable',
    ETIMEDOUT: 'connection timed out',
  };
  const detail = (typeof code === 'string' && words[code]) || cause?.message || e?.message || String(err);
  return { unreachable: true, message: detail };
}

// ── readyz ───────────────────────────────────────────────────────────────────────────────────

export interface Readyz {
  reachable: boolean;
  ready: boolean;
  status: number;
  checks: { name: string; ok: boolean }[];
  failed: string[];
  error?: string;
}

/** GET /readyz?verbose (no typed method exists): the status decides, the lines are for people. */
async function readyz(k8s: K8s, kc: KubeConfig, signal: AbortSignal, timeout: string): Promise<Readyz> {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new StepFailure('the kubeconfig has no current cluster; pick a context');
  try {
    const rc = new k8s.RequestContext(`${cluster.server.replace(/\/$/, '')}/readyz?verbose`, k8s.HttpMethod.GET);
    await kc.applySecurityAuthentication(rc);
    rc.setSignal(signal);
    const res = await new k8s.IsomorphicFetchHttpLibrary().send(rc).toPromise();
    const body = await res.body.text();
    if (res.httpStatusCode === 404) {
      // An API server too old for /readyz: Health falls back to /healthz.
      const ok = await new k8s.Health(kc).readyz({ signal } as never);
      return { reachable: true, ready: ok, status: ok ? 200 : 500, checks: [], failed: ok ? [] : ['healthz'] };
    }
    const checks = body
      .split('\n')
      .map((l) => /^\[([+-])\]([^\s]+)\s*(.*)$/.exec(l.trim()))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => ({ name: m[2]!, ok: m[1] === '+' }));
    return {
      reachable: true,
      ready: res.httpStatusCode === 200,
      status: res.httpStatusCode,
      checks,
      failed: checks.filter((c) => !c.ok).map((c) => c.name),
      ...(res.httpStatusCode === 401 || res.httpStatusCode === 403 ? { error: `HTTP ${res.httpStatusCode}: the kubeconfig user may not read /readyz` } : {}),
    };
  } catch (err) {
    if (err instanceof StepFailure) throw err;
    if (signal.aborted && !(signal.reason instanceof DOMException && signal.reason.name === 'TimeoutError')) throw err;
    const why = describeKubeError(signal.aborted ? signal.reason : err, timeout);
    return { reachable: !why.unreachable, ready: false, status: 0, checks: [], failed: [], error: why.message };
  }
}

export const k8sReadyz = defineKind({
  name: 'k8s.readyz',
  effect: 'read',
  params: z
    .object({
      request_timeout: duration.default('10s'),
      allow_unreachable: z.boolean().default(true).describe('An API server that does not answer is a result (reachable: false), not a failure'),
    })
    .strict(),
  describe: () => ({ summary: 'GET /readyz?verbose on the Kubernetes API server', api: 'GET /readyz?verbose' }),
  async run(p, ctx) {
    const { k8s, kc } = await kube(ctx);
    const r = await readyz(k8s, kc, requestSignal(ctx, p.request_timeout), p.request_timeout);
    for (const c of r.checks.filter((x) => !x.ok)) ctx.log(`[-]${c.name} failed`, 'log');
    if (!r.reachable && !p.allow_unreachable) throw new StepFailure(`the Kubernetes API at ${kc.getCurrentCluster()?.server} does not answer: ${r.error}`, { ...r });
    return { result: { ...r, server: kc.getCurrentCluster()?.server ?? '' }, summary: readyzSummary(r) };
  },
});

function readyzSummary(r: Readyz): string {
  if (!r.reachable) return `API unreachable: ${r.error}`;
  if (r.ready) return `API ready (HTTP ${r.status}${r.checks.length ? `, ${r.checks.length} checks ok` : ''})`;
  return `API NOT ready (HTTP ${r.status}${r.failed.length ? `; failing: ${r.failed.join(', ')}` : ''}${r.error ? `; ${r.error}` : ''})`;
}

// ── cluster ──────────────────────────────────────────────────────────────────────────────────

const NODE_LIMIT = 200;

export const k8sCluster = defineKind({
  name: 'k8s.cluster',
  effect: 'read',
  params: z
    .object({
      namespace: z.string().regex(/^[a-z0-9-]+$/).default('kube-system'),
      components: listOf(z.string().regex(/^[a-z0-9-]+$/)).default(['etcd', 'kube-apiserver']).describe('Control-plane pods to list, by their component label'),
      request_timeout: duration.default('10s'),
      allow_unreachable: z.boolean().default(false).describe('An API server that does not answer is a result (reachable: false), not a failure'),
    })
    .strict(),
  describe: (p) => ({
    summary: `list nodes, the ${p.components.join(' and ')} pods in ${p.namespace}, and /readyz?verbose`,
    api: 'CoreV1Api.listNode, CoreV1Api.listNamespacedPod, GET /readyz?verbose',
  }),
  async run(p, ctx) {
    const { k8s, kc } = await kube(ctx);
    const server = kc.getCurrentCluster()?.server ?? '';
    const signal = () => requestSignal(ctx, p.request_timeout);
    const ready = await readyz(k8s, kc, signal(), p.request_timeout);
    const base = { server, context: kc.getCurrentContext(), ready: ready.ready, readyz: ready };
    if (!ready.reachable) {
      if (!p.allow_unreachable) throw new StepFailure(`the Kubernetes API at ${server} does not answer: ${ready.error}`);
      ctx.log(`the API server at ${server} does not answer: ${ready.error}`, 'log');
      return { result: { reachable: false, error: ready.error, ...base, nodes_total: 0, nodes_ready: 0, nodes_not_ready: [], nodes: [], pods: {} }, summary: `API unreachable: ${ready.error}` };
    }
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const errors: string[] = [];
    let nodes: { name: string; ready: boolean; condition: string; kubelet_version: string; control_plane: boolean }[] = [];
    try {
      const list = await core.listNode({}, callOptions(k8s, signal()));
      nodes = list.items.map((n) => {
        const c = n.status?.conditions?.find((x) => x.type === 'Ready');
        const labels = n.metadata?.labels ?? {};
        return {
          name: n.metadata?.name ?? '',
          ready: c?.status === 'True',
          condition: c?.status ?? 'Unknown',
          kubelet_version: n.status?.nodeInfo?.kubeletVersion ?? '',
          control_plane: 'node-role.kubernetes.io/control-plane' in labels || 'node-role.kubernetes.io/master' in labels,
        };
      });
    } catch (err) {
      errors.push(`nodes: ${describeKubeError(err, p.request_timeout).message}`);
    }
    const pods: Record<string, { name: string; node: string; phase: string; ready: boolean; restarts: number }[]> = {};
    for (const component of p.components) {
      try {
        const list = await core.listNamespacedPod({ namespace: p.namespace, labelSelector: `component=${component}` }, callOptions(k8s, signal()));
        pods[component] = list.items.map((pod) => ({
          name: pod.metadata?.name ?? '',
          node: pod.spec?.nodeName ?? '',
          phase: pod.status?.phase ?? 'Unknown',
          ready: pod.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True' || (pod.status?.containerStatuses ?? []).every((s) => s.ready) && (pod.status?.containerStatuses ?? []).length > 0,
          restarts: (pod.status?.containerStatuses ?? []).reduce((a, s) => a + (s.restartCount ?? 0), 0),
        }));
      } catch (err) {
        errors.push(`${component} pods: ${describeKubeError(err, p.request_timeout).message}`);
      }
    }
    const notReady = nodes.filter((n) => !n.ready).map((n) => n.name);
    ctx.log(`${server}: ${readyzSummary(ready)}`, 'log');
    for (const n of nodes.slice(0, 50)) ctx.log(`node ${n.name}  Ready=${n.condition}  kubelet ${n.kubelet_version}${n.control_plane ? '  control-plane' : ''}`, 'log');
    for (const [component, list] of Object.entries(pods)) {
      for (const pod of list) ctx.log(`pod ${p.namespace}/${pod.name}  on ${pod.node}  ${pod.phase}${pod.ready ? ' ready' : ' NOT ready'}  restarts ${pod.restarts}  (${component})`, 'log');
    }
    for (const e of errors) ctx.log(`could not read ${e}`, 'log');
    const result = {
      reachable: true,
      ...base,
      nodes_total: nodes.length,
      nodes_ready: nodes.length - notReady.length,
      nodes_not_ready: notReady.slice(0, NODE_LIMIT),
      nodes: nodes.slice(0, NODE_LIMIT),
      pods,
      errors,
    };
    return {
      result,
      summary: `${readyzSummary(ready)}; nodes ${result.nodes_ready}/${nodes.length} Ready${notReady.length ? ` (NotReady: ${notReady.slice(0, 5).join(', ')}${notReady.length > 5 ? ', …' : ''})` : ''}; ${Object.entries(pods)
        .map(([c, l]) => `${c} pods ${l.filter((x) => x.phase === 'Running').length}/${l.length} running`)
        .join(', ')}`,
    };
  },
});

// ── leases ───────────────────────────────────────────────────────────────────────────────────

export const k8sLeases = defineKind({
  name: 'k8s.leases',
  effect: 'read',
  params: z
    .object({
      namespace: z.string().regex(/^[a-z0-9-]+$/).default('kube-system'),
      names: listOf(z.string().regex(/^[a-z0-9.-]+$/), 1).default(['kube-controller-manager', 'kube-scheduler']),
      request_timeout: duration.default('10s'),
    })
    .strict(),
  describe: (p) => ({ summary: `read the leader-election leases ${p.names.join(', ')} in ${p.namespace}`, api: 'CoordinationV1Api.readNamespacedLease' }),
  async run(p, ctx) {
    const { k8s, kc } = await kube(ctx);
    const coord = kc.makeApiClient(k8s.CoordinationV1Api);
    const now = ctx.clock.now();
    const leases = [];
    for (const name of p.names) {
      try {
        const lease = await coord.readNamespacedLease({ name, namespace: p.namespace }, callOptions(k8s, requestSignal(ctx, p.request_timeout)));
        // A V1MicroTime (a Date) by its type; new Date() also reads the string some servers' JSON leaves it as.
        const renew = lease.spec?.renewTime ? new Date(lease.spec.renewTime).getTime() : NaN;
        const duration_s = lease.spec?.leaseDurationSeconds ?? 15;
        const age_s = Number.isFinite(renew) ? Math.round((now - renew) / 1000) : -1;
        const fresh = age_s >= 0 && age_s <= duration_s * 2;
        leases.push({ name, holder: lease.spec?.holderIdentity ?? '', renew_time: Number.isFinite(renew) ? new Date(renew).toISOString() : '', age_s, duration_s, fresh });
        ctx.log(`lease ${p.namespace}/${name}: holder ${lease.spec?.holderIdentity ?? '(none)'}, renewed ${age_s >= 0 ? `${age_s}s ago` : 'never'} (duration ${duration_s}s)${fresh ? '' : ' — STALE'}`, 'log');
      } catch (err) {
        // Evidence, not a verdict: a missing lease is reported, never a reason to fail after the restore.
        const why = describeKubeError(err, p.request_timeout);
        leases.push({ name, holder: '', renew_time: '', age_s: -1, duration_s: 0, fresh: false, error: why.message });
        ctx.log(`lease ${p.namespace}/${name}: ${why.message}`, 'log');
      }
    }
    const stale = leases.filter((l) => !l.fresh).map((l) => l.name);
    return {
      result: { leases, all_fresh: stale.length === 0, stale },
      summary: stale.length ? `stale or missing leases: ${stale.join(', ')}` : `${leases.length} leases renewed recently (${leases.map((l) => l.holder).join(', ')})`,
    };
  },
});

// ── containers on this node (crictl) ─────────────────────────────────────────────────────────

export const k8sNodeContainers = defineKind({
  name: 'k8s.node.containers',
  effect: 'read',
  params: z
    .object({
      crictl: z
        .string()
        .regex(/^(\/)?[\w.+-]+(\/[\w.+-]+)*$/)
        .default('crictl'),
      names: listOf(z.string().regex(/^[a-z0-9-]+$/), 1).default(['etcd', 'kube-apiserver']),
      optional: z.boolean().default(true).describe('When crictl is missing or cannot reach the runtime, report available: false instead of failing'),
    })
    .strict(),
  describe: (p) => ({ summary: `count running ${p.names.join(', ')} containers on this node (crictl)`, argv: [p.crictl, 'ps', '-q', '--name', `^${p.names[0]}$`] }),
  async run(p, ctx) {
    const running: Record<string, number> = {};
    for (const name of p.names) {
      let r;
      try {
        r = await runProcess(ctx, [p.crictl, 'ps', '-q', '--name', `^${name}$`], { quiet: true });
      } catch (err) {
        if (p.optional && err instanceof StepFailure && /command not found/.test(err.message)) {
          ctx.log(`${p.crictl} is not installed here; relying on etcd and the API server for this check`, 'log');
          return { result: { available: false, running: {}, total: 0, error: 'crictl not found' }, summary: 'crictl not available' };
        }
        throw err;
      }
      if (r.exitCode !== 0) {
        if (p.optional) {
          ctx.log(`crictl could not list containers: ${whyFailed(r)}`, 'log');
          return { result: { available: false, running: {}, total: 0, error: whyFailed(r) }, summary: `crictl not usable: ${whyFailed(r)}` };
        }
        throw new StepFailure(`crictl ps failed: ${whyFailed(r)}`);
      }
      running[name] = r.stdout.split('\n').filter((l) => l.trim()).length;
    }
    const total = Object.values(running).reduce((a, b) => a + b, 0);
    return { result: { available: true, running, total }, summary: Object.entries(running).map(([n, c]) => `${n}: ${c} running`).join(', ') };
  },
});

export const K8S_KINDS = [k8sCluster, k8sReadyz, k8sLeases, k8sNodeContainers];
