// Opening and resuming incidents: the journal is created (or reopened under its lock), the
// incident's state is folded from it, and an Engine is handed back ready to run.
import { hostname, userInfo } from 'node:os';
import { newIncidentId, assertIncidentId } from '../journal/ids.js';
import { journalPath } from '../journal/paths.js';
import { readJournal } from '../journal/reader.js';
import { Redactor } from '../journal/redact.js';
import { JournalWriter } from '../journal/writer.js';
import { parseRunbook, type LoadedRunbook } from '../runbook/load.js';
import { liveProviders } from '../providers/live.js';
import type { Providers } from '../providers/types.js';
import { VERSION } from '../version.js';
import { Engine } from './engine.js';
import type { AnyEvent, EventPayloads, Mode } from '../journal/events.js';
import { journaledInputs, registerSecretDefaults, resolveInputs, type InputProblem } from './inputs.js';
import type { KindRegistry } from '../core/registry.js';
import { applyEvent, foldEvents, initialState } from './state.js';
import type { FlowPorts, Ports } from '../core/step.js';
import type { Runbook } from '../runbook/schema.js';

export class InputError extends Error {
  constructor(readonly problems: InputProblem[]) {
    super(problems.map((p) => `input '${p.input}': ${p.message}`).join('\n'));
    this.name = 'InputError';
  }
}

export interface OpenOptions {
  root: string;
  loaded: LoadedRunbook;
  registry: KindRegistry;
  ports: Ports & FlowPorts;
  /** Raw `name=value` inputs as the operator gave them. */
  inputs: Record<string, string>;
  title?: string;
  severity?: string;
  service?: string;
  mode?: Mode;
  readOnly?: boolean;
  operator?: string;
  id?: string;
  redactor?: Redactor;
  /** The world steps act on; live unless a drill gives its simulation. */
  providers?: Providers;
  /** Set on drills: the scenario, written into incident.opened. */
  drill?: EventPayloads['incident.opened']['drill'];
  /** Journal timestamps: the wall clock, or a drill's simulated time. */
  now?: () => number;
}

export interface OpenIncident {
  id: string;
  engine: Engine;
  journal: JournalWriter;
  redactor: Redactor;
  /** Records written while opening or resuming, before anyone could listen to the engine. */
  preamble: AnyEvent[];
  close(): Promise<void>;
}

export function operatorName(env: NodeJS.ProcessEnv = process.env): string {
  try {
    return env.ONCALL_OPERATOR || userInfo().username;
  } catch {
    return env.USER || 'operator';
  }
}

/** Opens a new incident for a runbook. Inputs are checked before anything is written. */
export async function openIncident(o: OpenOptions): Promise<OpenIncident> {
  const redactor = o.redactor ?? new Redactor();
  const runbook = o.loaded.runbook;
  const resolved = resolveInputs(runbook, o.inputs, redactor);
  if (!resolved.ok) throw new InputError(resolved.problems);
  const id = o.id ?? newIncidentId();
  const operator = o.operator ?? operatorName();
  const journal = await JournalWriter.create(o.root, id, { redactor, ...(o.now ? { clock: o.now } : {}) });
  const state = initialState(id);
  const preamble: AnyEvent[] = [];
  const write = async <T extends keyof EventPayloads>(type: T, payload: EventPayloads[T]) => {
    const record = (await journal.append(type, payload)) as unknown as AnyEvent;
    preamble.push(record);
    applyEvent(state, record);
  };
  try {
    await write('incident.opened', {
      title: o.title ?? runbook.title,
      severity: o.severity ?? 'SEV3',
      ...(o.service ? { service: o.service } : {}),
      mode: o.mode ?? 'live',
      read_only: o.readOnly ?? false,
      operator,
      host: hostname(),
      oncall_version: VERSION,
      ...(o.drill ? { drill: o.drill } : {}),
    });
    await write('runbook.attached', {
      id: runbook.id,
      version: runbook.version,
      hash: o.loaded.hash,
      file: o.loaded.file,
      source: o.loaded.source,
      inputs: journaledInputs(runbook, resolved.values),
      secret_inputs: Object.entries(runbook.inputs).filter(([, s]) => s.secret).map(([k]) => k),
    });
  } catch (err) {
    await journal.close();
    throw err;
  }
  registerSecretDefaults(runbook, o.inputs, redactor);
  const providers = o.providers ?? liveProviders;
  const ports = withAwsIdentity(runbook, o.ports, providers);
  const where = await describeIdentity(runbook, providers, ports !== o.ports);
  if (where) await write('identity.resolved', where);
  const engine = new Engine({ runbook, registry: o.registry, journal, redactor, ports, state, inputs: resolved.values, operator, providers });
  return { id, engine, journal, redactor, preamble, close: () => journal.close() };
}

export interface ResumeOptions {
  root: string;
  id: string;
  registry: KindRegistry;
  ports: Ports & FlowPorts;
  /** Secret inputs must be given again: the journal never held them. */
  inputs: Record<string, string>;
  operator?: string;
  redactor?: Redactor;
  providers?: Providers;
}

/**
 * Reopens an incident: takes the journal's lock, folds every record, and rebuilds the engine on
 * the exact runbook source the incident started with (it is in the journal).
 */
export async function resumeIncident(o: ResumeOptions): Promise<OpenIncident> {
  assertIncidentId(o.id);
  const redactor = o.redactor ?? new Redactor();
  const journal = await JournalWriter.open(o.root, o.id, { redactor });
  try {
    const { records } = await readJournal(journalPath(o.root, o.id));
    const state = foldEvents(o.id, records as unknown as AnyEvent[]);
    if (!state.runbook) throw new Error(`incident ${o.id} has no runbook attached; nothing to resume`);
    const parsed = parseRunbook(state.runbook.source, state.runbook.file, o.registry);
    if (!parsed.ok) {
      throw new Error(`the runbook journaled with incident ${o.id} no longer validates: ${parsed.issues[0]?.message ?? 'unknown problem'}`);
    }
    const runbook = parsed.value.runbook;
    // Journaled inputs, except secrets, which the operator supplies again.
    const given: Record<string, string> = {};
    for (const [k, v] of Object.entries(state.runbook.inputs)) {
      if (!runbook.inputs[k]?.secret) given[k] = String(v);
    }
    Object.assign(given, o.inputs);
    const resolved = resolveInputs(runbook, given, redactor);
    if (!resolved.ok) throw new InputError(resolved.problems);
    registerSecretDefaults(runbook, given, redactor);
    const operator = o.operator ?? operatorName();
    const preamble: AnyEvent[] = [];
    const write = async <T extends keyof EventPayloads>(type: T, payload: EventPayloads[T]) => {
      const record = (await journal.append(type, payload)) as unknown as AnyEvent;
      preamble.push(record);
      applyEvent(state, record);
    };
    if (journal.repaired) await write('journal.repaired', { dropped_bytes: journal.repaired.droppedBytes });
    if (!state.outcome) await write('incident.resumed', { operator, pid: process.pid });
    const providers = o.providers ?? liveProviders;
    const ports = withAwsIdentity(runbook, o.ports, providers);
    // Who resumes may be elsewhere (another profile, another kube context): journaled again.
    const where = state.outcome ? undefined : await describeIdentity(runbook, providers, ports !== o.ports);
    if (where) await write('identity.resolved', where);
    const engine = new Engine({ runbook, registry: o.registry, journal, redactor, ports, state, inputs: resolved.values, operator, providers });
    return { id: o.id, engine, journal, redactor, preamble, close: () => journal.close() };
  } catch (err) {
    await journal.close();
    throw err;
  }
}

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
function withAwsIdentity(runbook: Runbook, ports: Ports & FlowPorts, providers: Providers): Ports & FlowPorts {
  const aws = providers.aws;
  if (ports.identity || !aws || !usesAws(runbook)) return ports;
  return {
    ...ports,
    identity: async () => {
      try {
        const id = await aws.identity();
        return { account: id.account, region: id.region ?? aws.region };
      } catch {
        return undefined;
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
async function describeIdentity(runbook: Runbook, providers: Providers, aws: boolean): Promise<EventPayloads['identity.resolved'] | undefined> {
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
