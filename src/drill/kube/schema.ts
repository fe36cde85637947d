// The `world.kube` section of a drill scenario: the simulated cluster's API. Every value may be
// a literal or a ${{ }} expression over the world (state, derived, elapsed_s), evaluated on each
// request, so the API follows what the responder does (readyz fails while etcd is stopped).
import { z } from 'zod';

const valueOrExpr = z.union([z.string(), z.number(), z.boolean(), z.null()]);

export const kubeWorldSchema = z
  .object({
    up: valueOrExpr.default(true).describe('Whether the API server answers at all; false drops every connection (kube-apiserver stopped)'),
    version: z.string().default('v1.30.4').describe('gitVersion the API reports'),
    readyz: z
      .record(z.string(), valueOrExpr)
      .default({ ping: true })
      .describe('The /readyz checks, name → ok (e.g. etcd: ${{ derived.etcd_up }}); ready when all hold'),
    nodes: z
      .array(
        z
          .object({
            name: z.string(),
            ready: valueOrExpr.default(true).describe("true, false or 'Unknown'"),
            kubelet_version: z.string().default('v1.30.4'),
            roles: z.array(z.string()).default([]).describe('e.g. [control-plane]'),
          })
          .strict(),
      )
      .default([]),
    pods: z
      .array(
        z
          .object({
            name: z.string(),
            namespace: z.string().default('kube-system'),
            labels: z.record(z.string(), z.string()).default({}).describe('e.g. {component: etcd, tier: control-plane}'),
            node: z.string().optional(),
            phase: valueOrExpr.default('Running'),
            ready: valueOrExpr.optional(),
            restarts: valueOrExpr.default(0),
          })
          .strict(),
      )
      .default([]),
    deployments: z
      .array(
        z
          .object({
            name: z.string(),
            namespace: z.string().default('default'),
            labels: z.record(z.string(), z.string()).default({}),
            replicas: z.number().int().min(0).default(1),
          })
          .strict(),
      )
      .default([])
      .describe('apps/v1 deployments: scaled and restarted by the k8s step kinds (ready replicas follow the replicas at once)'),
    leases: z
      .array(
        z
          .object({
            name: z.string(),
            namespace: z.string().default('kube-system'),
            holder: valueOrExpr.default(''),
            renewed_s_ago: valueOrExpr.default(2).describe('Seconds since the holder last renewed it'),
            duration_s: z.number().int().positive().default(15),
          })
          .strict(),
      )
      .default([]),
  })
  .strict();

export type KubeWorldSpec = z.infer<typeof kubeWorldSchema>;
