// Who and where a run acts, as the engine needs it: the AWS identity from STS (journaled at the
// start, shown in confirmations, checked against allowed accounts) and the kube context, cluster
// and API server. Names and endpoints only, never credentials.
import type { EventPayloads } from '../journal/events.js';
import type { Runbook } from '../runbook/schema.js';
import type { FlowPorts, Ports } from '../core/step.js';
import type { Providers } from '../providers/types.js';

/** A runbook acts on AWS when it calls AWS step kinds or limits the accounts its writes may touch. */
function usesAws(runbook: Runbook): boolean {
  const kinds = runbook.steps.flatMap((s) => [s.kind, s.rollback?.kind, s.verify?.kind]);
  return Boolean(runbook.allowed_accounts?.length) || kinds.some((k) => k?.startsWith('aws.'));
}

/**
 * For AWS runbooks, who and where we are comes from STS through the provider: it is journaled at
 * the start, shown in confirmations, and checked against allowed accounts. Other runbooks never
 * touch the credential chain.
 */
export function withAwsIdentity(runbook: Runbook, ports: Ports & FlowPorts, providers: Providers): Ports & FlowPorts {
  const aws = providers.aws;
  if (ports.identity || !aws || !usesAws(runbook)) return ports;
  return {
    ...ports,
    identity: async () => {
      try {
        const id = await aws.identity();
        return { account: id.account, region: id.region ?? aws.region };
      } catch (err) {
        return { region: aws.region, error: err instanceof Error ? err.message : String(err) };
      }
    },
  };
}

/** A runbook acts on a Kubernetes cluster when it calls k8s step kinds. */
function usesKube(runbook: Runbook): boolean {
  return runbook.steps.some((s) => [s.kind, s.rollback?.kind, s.verify?.kind].some((k) => k?.startsWith('k8s.')));
}

/**
 * Where the run acts, for the journal (and so the post-mortem): the AWS identity from STS when
 * `aws` is set, and the kube context, cluster and API server for a runbook that calls k8s kinds.
 * Undefined when the runbook touches neither. Never credentials: names and endpoints only.
 */
export async function describeIdentity(runbook: Runbook, providers: Providers, aws: boolean): Promise<EventPayloads['identity.resolved'] | undefined> {
  const out: EventPayloads['identity.resolved'] = {};
  if (aws && providers.aws) out.aws = await describeAws(providers.aws);
  if (providers.kube && usesKube(runbook)) out.kube = await describeKube(providers.kube);
  return out.aws || out.kube ? out : undefined;
}

async function describeAws(aws: NonNullable<Providers['aws']>): Promise<Record<string, unknown>> {
  try {
    const id = await aws.identity();
    return { account: id.account, arn: id.arn, principal: id.principal, region: id.region ?? aws.region ?? null, profile: id.profile ?? aws.profile ?? null };
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err), region: aws.region ?? null, profile: aws.profile ?? null };
  }
}

async function describeKube(kube: NonNullable<Providers['kube']>): Promise<Record<string, unknown>> {
  try {
    const kc = await kube.kubeConfig();
    const context = kube.context ?? kc.getCurrentContext();
    const ctx = kc.getContextObject(context);
    const cluster = ctx ? kc.getCluster(ctx.cluster) : null;
    return { context, cluster: ctx?.cluster ?? null, server: cluster?.server ?? null, user: ctx?.user ?? null, namespace: ctx?.namespace ?? null };
  } catch (err) {
    // The first k8s step reports it in full; the journal records that the cluster was not reachable.
    return { context: kube.context ?? null, error: err instanceof Error ? err.message : String(err) };
  }
}
