// Generic Kubernetes steps through @kubernetes/client-node (loaded on first use), for runbook
// authors: get/list with label and field selectors, and the changes on-call makes most — cordon,
// uncordon, delete a pod, scale and `rollout restart` a deployment. Each change names the exact
// request and patch in its intent (journaled write-ahead), so the engine gives it confirmation,
// --read-only refusal and in-doubt settlement like any write. An answer from the API server
// refusing the request (4xx) is a definite failure; anything else after the request left is in
// doubt.
import { z } from 'zod';
import { defineKind } from '../../core/kind.js';
import { StepFailure, failureFacts } from '../../core/failure.js';
import type { StepContext } from '../../core/step.js';
import { parseDuration } from '../../runbook/duration.js';
import { duration } from '../../runbook/schema.js';
import { describeKubeError } from '../k8s.js';

type K8s = typeof import('@kubernetes/client-node');
type KubeConfig = import('@kubernetes/client-node').KubeConfig;

let k8sModule: Promise<K8s> | undefined;
const loadK8s = () => (k8sModule ??= import('@kubernetes/client-node'));

async function kubeOf(ctx: StepContext): Promise<{ k8s: K8s; kc: KubeConfig; where: string }> {
  if (!ctx.providers.kube) throw new StepFailure('this run has no Kubernetes access: set KUBECONFIG, or pass --kubeconfig / --context');
  const [k8s, kc] = await Promise.all([loadK8s(), ctx.providers.kube.kubeConfig()]);
  const cluster = kc.getCurrentCluster();
  return { k8s, kc, where: `context ${kc.getCurrentContext()}${cluster ? `, cluster ${cluster.name} (${cluster.server})` : ''}` };
}

/** Per-call options: the step's signal with the request timeout, and the patch's content type. */
function options(k8s: K8s, signal: AbortSignal, contentType?: string): import('@kubernetes/client-node').ConfigurationOptions {
  return {
    middleware: [
      {
        pre: (c: import('@kubernetes/client-node').RequestContext) => {
          c.setSignal(signal);
          if (contentType) c.setHeaderParam('Content-Type', contentType);
          return new k8s.Observable(Promise.resolve(c));
        },
        post: (r: import('@kubernetes/client-node').ResponseContext) => new k8s.Observable(Promise.resolve(r)),
      },
    ],
    middlewareMergeStrategy: 'append',
  };
}

const signalOf = (ctx: StepContext, timeout: string) => AbortSignal.any([ctx.signal, AbortSignal.timeout(parseDuration(timeout))]);

/** An error of a call as facts: the API's own refusal (4xx) changed nothing; the rest may have. */
function failed(err: unknown, what: string, timeout: string, write: boolean): StepFailure {
  const code = (err as { code?: unknown } | null)?.code;
  const why = describeKubeError(err, timeout).message;
  if (typeof code === 'number' && code >= 400 && code < 500) return new StepFailure(`${what}: ${why}`, undefined, { applied: 'no' });
  const facts = failureFacts(err);
  return new StepFailure(`${what}: ${why}`, undefined, { applied: write ? facts.applied : 'no', transient: facts.transient || !(typeof code === 'number') });
}

const name = z.string().regex(/^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$/, { message: 'a Kubernetes name is lowercase letters, digits, - and .' });
const namespace = z.string().regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, { message: 'a namespace is lowercase letters, digits and -' });
const common = { request_timeout: duration.default('10s') };

// ── get ─────────────────────────────────────────────────────────────────────────────────────────

const RESOURCES = ['pods', 'nodes', 'deployments'] as const;

export const k8sGet = defineKind({
  name: 'k8s.get',
  effect: 'read',
  params: z
    .object({
      resource: z.enum(RESOURCES),
      namespace: namespace.default('default').describe('For pods and deployments'),
      name: name.optional().describe('One object; otherwise a list'),
      label_selector: z.string().max(1000).optional(),
      field_selector: z.string().max(1000).optional().describe('Pods: metadata.name, spec.nodeName, status.phase'),
      limit: z.number().int().min(1).max(1000).default(200),
      ...common,
    })
    .strict(),
  describe: (p) => ({
    summary: `get ${p.resource}${p.name ? ` ${p.name}` : ''}${p.resource === 'nodes' ? '' : ` in namespace ${p.namespace}`}${p.label_selector ? ` -l ${p.label_selector}` : ''}${p.field_selector ? ` --field-selector ${p.field_selector}` : ''}`,
    api: p.resource === 'nodes' ? 'GET /api/v1/nodes' : p.resource === 'pods' ? `GET /api/v1/namespaces/${p.namespace}/pods` : `GET /apis/apps/v1/namespaces/${p.namespace}/deployments`,
  }),
  async run(p, ctx) {
    const { k8s, kc, where } = await kubeOf(ctx);
    const opts = () => options(k8s, signalOf(ctx, p.request_timeout));
    const sel = { ...(p.label_selector ? { labelSelector: p.label_selector } : {}), ...(p.field_selector ? { fieldSelector: p.field_selector } : {}), limit: p.limit };
    let items: Record<string, unknown>[];
    try {
      if (p.resource === 'pods') {
        const core = kc.makeApiClient(k8s.CoreV1Api);
        const list = p.name ? [await core.readNamespacedPod({ name: p.name, namespace: p.namespace }, opts())] : (await core.listNamespacedPod({ namespace: p.namespace, ...sel }, opts())).items;
        items = list.map((pod) => {
          const statuses = pod.status?.containerStatuses ?? [];
          return {
            name: pod.metadata?.name ?? '',
            namespace: pod.metadata?.namespace ?? p.namespace,
            node: pod.spec?.nodeName ?? '',
            phase: pod.status?.phase ?? 'Unknown',
            ready: statuses.length > 0 && statuses.every((s) => s.ready),
            restarts: statuses.reduce((a, s) => a + (s.restartCount ?? 0), 0),
            waiting: statuses.map((s) => s.state?.waiting?.reason).filter(Boolean),
            labels: pod.metadata?.labels ?? {},
          };
        });
      } else if (p.resource === 'nodes') {
        const core = kc.makeApiClient(k8s.CoreV1Api);
        const list = p.name ? [await core.readNode({ name: p.name }, opts())] : (await core.listNode(sel, opts())).items;
        items = list.map((n) => ({
          name: n.metadata?.name ?? '',
          ready: n.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True',
          unschedulable: n.spec?.unschedulable === true,
          kubelet_version: n.status?.nodeInfo?.kubeletVersion ?? '',
          labels: n.metadata?.labels ?? {},
        }));
      } else {
        const apps = kc.makeApiClient(k8s.AppsV1Api);
        const list = p.name
          ? [await apps.readNamespacedDeployment({ name: p.name, namespace: p.namespace }, opts())]
          : (await apps.listNamespacedDeployment({ namespace: p.namespace, ...(p.label_selector ? { labelSelector: p.label_selector } : {}), limit: p.limit }, opts())).items;
        items = list.map((d) => ({
          name: d.metadata?.name ?? '',
          namespace: d.metadata?.namespace ?? p.namespace,
          replicas: d.spec?.replicas ?? 0,
          ready_replicas: d.status?.readyReplicas ?? 0,
          updated_replicas: d.status?.updatedReplicas ?? 0,
          restarted_at: d.spec?.template?.metadata?.annotations?.['kubectl.kubernetes.io/restartedAt'] ?? null,
          labels: d.metadata?.labels ?? {},
        }));
      }
    } catch (err) {
      throw failed(err, `get ${p.resource}${p.name ? ` ${p.name}` : ''} (${where})`, p.request_timeout, false);
    }
    for (const it of items.slice(0, 50)) ctx.log(`${p.resource} ${JSON.stringify(it)}`.slice(0, 300), 'log');
    return { result: { items, count: items.length, ...(p.name ? { item: items[0] ?? null } : {}) }, summary: `${items.length} ${p.resource} (${where})` };
  },
});

// ── changes ─────────────────────────────────────────────────────────────────────────────────────

const STRATEGIC = 'application/strategic-merge-patch+json';
const MERGE = 'application/merge-patch+json';

function cordonKind(kindName: 'k8s.cordon' | 'k8s.uncordon', unschedulable: boolean) {
  const patch = { spec: { unschedulable: unschedulable ? true : null } };
  return defineKind({
    name: kindName,
    effect: 'write',
    params: z.object({ node: name, ...common }).strict(),
    describe: (p) => ({
      summary: `${unschedulable ? 'cordon' : 'uncordon'} node ${p.node} (PATCH spec.unschedulable=${unschedulable})`,
      api: `PATCH /api/v1/nodes/${p.node} (${STRATEGIC})`,
      resources: [p.node],
      params: { ...p, patch },
    }),
    async run(p, ctx) {
      const { k8s, kc, where } = await kubeOf(ctx);
      const core = kc.makeApiClient(k8s.CoreV1Api);
      let before: boolean;
      try {
        before = (await core.readNode({ name: p.node }, options(k8s, signalOf(ctx, p.request_timeout)))).spec?.unschedulable === true;
      } catch (err) {
        throw failed(err, `read node ${p.node} (${where})`, p.request_timeout, false);
      }
      if (before === unschedulable) {
        return { result: { node: p.node, unschedulable, changed: false }, summary: `node ${p.node} was already ${unschedulable ? 'cordoned' : 'schedulable'} (${where})` };
      }
      ctx.log(`PATCH /api/v1/nodes/${p.node} ${JSON.stringify(patch)} (${where})`, 'log');
      try {
        await core.patchNode({ name: p.node, body: patch }, options(k8s, signalOf(ctx, p.request_timeout), STRATEGIC));
      } catch (err) {
        throw failed(err, `${unschedulable ? 'cordon' : 'uncordon'} node ${p.node} (${where})`, p.request_timeout, true);
      }
      return { result: { node: p.node, unschedulable, changed: true, was: before }, summary: `node ${p.node} ${unschedulable ? 'cordoned' : 'uncordoned'} (${where})` };
    },
  });
}

export const k8sCordon = cordonKind('k8s.cordon', true);
export const k8sUncordon = cordonKind('k8s.uncordon', false);

export const k8sDeletePod = defineKind({
  name: 'k8s.deletePod',
  effect: 'write',
  params: z.object({ namespace, pod: name, grace_period_seconds: z.number().int().min(0).max(3600).optional(), ...common }).strict(),
  destructive: () => true,
  describe: (p) => ({
    summary: `delete pod ${p.pod} in namespace ${p.namespace}${p.grace_period_seconds !== undefined ? ` (grace ${p.grace_period_seconds}s)` : ''}`,
    api: `DELETE /api/v1/namespaces/${p.namespace}/pods/${p.pod}`,
    resources: [p.pod],
  }),
  async run(p, ctx) {
    const { k8s, kc, where } = await kubeOf(ctx);
    const core = kc.makeApiClient(k8s.CoreV1Api);
    try {
      const pod = await core.deleteNamespacedPod(
        { name: p.pod, namespace: p.namespace, ...(p.grace_period_seconds !== undefined ? { gracePeriodSeconds: p.grace_period_seconds } : {}) },
        options(k8s, signalOf(ctx, p.request_timeout)),
      );
      return { result: { pod: p.pod, namespace: p.namespace, node: pod.spec?.nodeName ?? '', deleted: true }, summary: `pod ${p.namespace}/${p.pod} deleted (${where})` };
    } catch (err) {
      throw failed(err, `delete pod ${p.namespace}/${p.pod} (${where})`, p.request_timeout, true);
    }
  },
});

export const k8sScale = defineKind({
  name: 'k8s.scale',
  effect: 'write',
  params: z.object({ namespace, deployment: name, replicas: z.coerce.number().int().min(0).max(10_000), ...common }).strict(),
  destructive: (p) => p.replicas === 0,
  describe: (p) => ({
    summary: `scale deployment ${p.deployment} in namespace ${p.namespace} to ${p.replicas} replicas`,
    api: `PATCH /apis/apps/v1/namespaces/${p.namespace}/deployments/${p.deployment}/scale (${MERGE})`,
    resources: [p.deployment],
    params: { ...p, patch: { spec: { replicas: p.replicas } } },
  }),
  async run(p, ctx) {
    const { k8s, kc, where } = await kubeOf(ctx);
    const apps = kc.makeApiClient(k8s.AppsV1Api);
    let from: number;
    try {
      from = (await apps.readNamespacedDeployment({ name: p.deployment, namespace: p.namespace }, options(k8s, signalOf(ctx, p.request_timeout)))).spec?.replicas ?? 0;
    } catch (err) {
      throw failed(err, `read deployment ${p.namespace}/${p.deployment} (${where})`, p.request_timeout, false);
    }
    try {
      await apps.patchNamespacedDeploymentScale({ name: p.deployment, namespace: p.namespace, body: { spec: { replicas: p.replicas } } }, options(k8s, signalOf(ctx, p.request_timeout), MERGE));
    } catch (err) {
      throw failed(err, `scale deployment ${p.namespace}/${p.deployment} (${where})`, p.request_timeout, true);
    }
    return { result: { deployment: p.deployment, namespace: p.namespace, from, to: p.replicas }, summary: `deployment ${p.namespace}/${p.deployment} scaled ${from} → ${p.replicas} (${where})` };
  },
});

export const k8sRolloutRestart = defineKind({
  name: 'k8s.rolloutRestart',
  effect: 'write',
  params: z.object({ namespace, deployment: name, ...common }).strict(),
  describe: (p) => ({
    summary: `rollout restart deployment ${p.deployment} in namespace ${p.namespace} (restartedAt annotation on the pod template)`,
    api: `PATCH /apis/apps/v1/namespaces/${p.namespace}/deployments/${p.deployment} (${STRATEGIC})`,
    resources: [p.deployment],
    params: { ...p, patch: { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': '<the time of the step>' } } } } } },
  }),
  async run(p, ctx) {
    const { k8s, kc, where } = await kubeOf(ctx);
    const apps = kc.makeApiClient(k8s.AppsV1Api);
    const at = new Date(ctx.clock.now()).toISOString();
    const patch = { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': at } } } } };
    ctx.log(`PATCH /apis/apps/v1/namespaces/${p.namespace}/deployments/${p.deployment} ${JSON.stringify(patch)} (${where})`, 'log');
    try {
      await apps.patchNamespacedDeployment({ name: p.deployment, namespace: p.namespace, body: patch }, options(k8s, signalOf(ctx, p.request_timeout), STRATEGIC));
    } catch (err) {
      throw failed(err, `rollout restart ${p.namespace}/${p.deployment} (${where})`, p.request_timeout, true);
    }
    return { result: { deployment: p.deployment, namespace: p.namespace, restarted_at: at, patch }, summary: `deployment ${p.namespace}/${p.deployment} restarted at ${at} (${where})` };
  },
});

export const K8S_OPS_KINDS = [k8sGet, k8sCordon, k8sUncordon, k8sDeletePod, k8sScale, k8sRolloutRestart];
