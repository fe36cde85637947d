// One incident session: the single path by which every driver (headless run and resume, the TUI,
// drills, plugins) opens or resumes an incident. Listeners are given up front, so they see every
// record from the first one; a resume reads the journal once, as a stream, under the lock, and
// hands back the folded state. The world the steps act on is always passed in: nothing here can
// fall back to live providers, so a drill that forgot its own cannot reach a real account.
import { hostname } from 'node:os';
import { asAnyEvent, type AnyEvent, type EventPayloads, type EventType, type Mode } from '../journal/events.js';
import { newIncidentId, assertIncidentId } from '../journal/ids.js';
import { Redactor } from '../journal/redact.js';
import { JournalWriter, type LockOwner } from '../journal/writer.js';
import type { AnyRecord } from '../journal/record.js';
import { parseRunbook, sourceHash, type LoadedRunbook } from '../runbook/load.js';
import type { Runbook } from '../runbook/schema.js';
import type { KindRegistry } from '../core/registry.js';
import type { FlowPorts, Ports } from '../core/step.js';
import type { Providers } from '../providers/types.js';
import { VERSION } from '../version.js';
import { Engine, type Journal } from './engine.js';
import { journaledInputs, registerSecretDefaults, resolveInputs, type InputProblem } from './inputs.js';
import { describeIdentity, withAwsIdentity } from './identity.js';
import { applyEvent, initialState, type IncidentState } from './state.js';

export class InputError extends Error {
  constructor(readonly problems: InputProblem[]) {
    super(problems.map((p) => `input '${p.input}': ${p.message}`).join('\n'));
    this.name = 'InputError';
  }
}

/**
 * Called with every record of the incident, in journal order, once it is durable: on resume first
 * the records already in the journal (`replayed`), then each one as it is written.
 */
export type RecordListener = (record: AnyEvent, replayed: boolean) => void;

export interface SessionOptions {
  /** The state root (live incidents, or drills) under which the incident's journal lives. */
  root: string;
  registry: KindRegistry;
  ports: Ports & FlowPorts;
  /** The world steps act on: the live one the flags name, or a drill's simulation. Never a default. */
  providers: Providers;
  /** Who is acting, decided once by the caller (core/operator.ts). */
  operator: string;
  /** Shared with the driver, so what a step registers as secret is scrubbed from the screen too. */
  redactor?: Redactor;
  /** Journal timestamps: the wall clock, or a drill's simulated time. */
  now?: () => number;
  onRecord?: RecordListener;
  /** Team incidents (src/share): makes the local journal the mirror of a shared one. */
  share?: ShareHook;
}

/** What a session writes through: the local journal, or for a team incident the shared one it mirrors. */
export interface SessionJournal extends Journal {
  readonly path: string;
  readonly dir: string;
  readonly lastSeq: number;
  readonly head: string;
  readonly tookOverFrom: LockOwner | undefined;
  close(): Promise<void>;
}

/**
 * The injection point for team incidents (#19): given the local journal just opened (or created),
 * returns the journal the session writes through. `onRemote` is told each record another responder
 * wrote, in order, once it is in the local mirror; the session folds it like its own.
 */
export type ShareHook = (writer: JournalWriter, redactor: Redactor, onRemote: (record: AnyRecord) => void) => Promise<SessionJournal>;

/** Folds a record another responder wrote (team incidents) and tells the listener. */
function remote(state: IncidentState, onRecord: RecordListener | undefined) {
  return (record: AnyRecord): void => {
    applyEvent(state, record);
    onRecord?.(record, false);
  };
}

/** The local journal, or the shared one it mirrors when the session shares the incident. */
async function shared(writer: JournalWriter, o: SessionOptions, redactor: Redactor, state: IncidentState): Promise<SessionJournal> {
  if (!o.share) return writer;
  try {
    return await o.share(writer, redactor, remote(state, o.onRecord));
  } catch (err) {
    await writer.close().catch(() => undefined);
    throw err;
  }
}

export interface NewIncident {
  loaded: LoadedRunbook;
  /** Raw `name=value` inputs as the operator gave them. */
  inputs: Record<string, string>;
  title?: string;
  severity?: string;
  service?: string;
  mode?: Mode;
  readOnly?: boolean;
  id?: string;
  /** Set on drills: the scenario, written into incident.opened. */
  drill?: EventPayloads['incident.opened']['drill'];
}

export interface IncidentSession {
  id: string;
  engine: Engine;
  journal: SessionJournal;
  redactor: Redactor;
  runbook: Runbook;
  close(): Promise<void>;
}

/** Appends through the journal, folds into the state, then tells the listener: the one way a session writes. */
function recorder(journal: SessionJournal, state: IncidentState, onRecord: RecordListener | undefined) {
  return async <T extends EventType>(type: T, payload: EventPayloads[T]): Promise<void> => {
    const record = asAnyEvent(await journal.append(type, payload));
    applyEvent(state, record);
    onRecord?.(record, false);
  };
}

/** Opens a new incident for a runbook. Inputs are checked before anything is written. */
export async function openSession(o: SessionOptions & NewIncident): Promise<IncidentSession> {
  const redactor = o.redactor ?? new Redactor();
  const runbook = o.loaded.runbook;
  const resolved = resolveInputs(runbook, o.inputs, redactor, o.loaded.source);
  if (!resolved.ok) throw new InputError(resolved.problems);
  const id = o.id ?? newIncidentId();
  const state = initialState(id);
  const journal = await shared(await JournalWriter.create(o.root, id, { redactor, ...(o.now ? { clock: o.now } : {}) }), o, redactor, state);
  const write = recorder(journal, state, o.onRecord);
  try {
    await write('incident.opened', {
      title: o.title ?? runbook.title,
      severity: o.severity ?? 'SEV3',
      ...(o.service ? { service: o.service } : {}),
      mode: o.mode ?? 'live',
      read_only: o.readOnly ?? false,
      operator: o.operator,
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
      secret_inputs: Object.entries(runbook.inputs)
        .filter(([, s]) => s.secret)
        .map(([k]) => k),
    });
    registerSecretDefaults(runbook, o.inputs, redactor);
    // Warnings about secret inputs (never their values), where every driver and the export show them.
    for (const w of resolved.warnings) await write('note.added', { text: w.message, by: 'oncall' });
    const ports = withAwsIdentity(runbook, o.ports, o.providers);
    const where = await describeIdentity(runbook, o.providers, ports !== o.ports);
    if (where) await write('identity.resolved', where);
    const engine = new Engine({ runbook, registry: o.registry, journal, redactor, ports, state, inputs: resolved.values, operator: o.operator, providers: o.providers, stateRoot: o.root });
    if (o.onRecord) engine.on((r) => o.onRecord!(r, false));
    return { id, engine, journal, redactor, runbook, close: () => journal.close() };
  } catch (err) {
    await journal.close().catch(() => undefined);
    throw err;
  }
}

/** An incident read back from its journal, under its lock, ready to continue once its secrets are given. */
export interface LoadedIncident {
  id: string;
  /** The incident as its journal tells it. */
  state: IncidentState;
  /** The exact runbook the incident started with (its source is in the journal). */
  runbook: Runbook;
  /**
   * Inputs to give again: the secret ones (the journal never held them), and any other whose
   * journaled value held a secret and so was redacted.
   */
  secretInputs: string[];
  /**
   * Continues the incident with the secret inputs. An InputError leaves it loaded (and locked) so
   * the operator can try again; anything else closes it.
   */
  start(inputs: Record<string, string>): Promise<IncidentSession>;
  /** Lets go of the journal without continuing. */
  close(): Promise<void>;
}

/**
 * Reads an incident back: takes its lock and streams its journal once, checking every record and
 * folding it (the listener sees each one, marked replayed), then parses the runbook the incident
 * started with.
 */
export async function loadSession(o: SessionOptions & { id: string; forceUnlock?: boolean }): Promise<LoadedIncident> {
  assertIncidentId(o.id);
  const redactor = o.redactor ?? new Redactor();
  const state = initialState(o.id);
  const local = await JournalWriter.open(o.root, o.id, {
    redactor,
    ...(o.forceUnlock ? { forceUnlock: true } : {}),
    ...(o.now ? { clock: o.now } : {}),
    onRecord: (record) => {
      applyEvent(state, record);
      o.onRecord?.(record, true);
    },
  });
  const journal = await shared(local, o, redactor, state);
  let runbook: Runbook;
  try {
    if (!state.runbook) throw new Error(`incident ${o.id} has no runbook attached; nothing to resume`);
    // The chain was checked as the journal was read; the runbook it carries must also be the one
    // its hash names, or resume would run steps nobody started the incident with.
    if (sourceHash(state.runbook.source) !== state.runbook.hash) {
      throw new Error(`incident ${o.id}: the runbook journaled with it does not match its recorded hash (${state.runbook.hash.slice(0, 12)}…): the journal was edited; nothing was run. Check it with oncall verify ${o.id}`);
    }
    const parsed = parseRunbook(state.runbook.source, state.runbook.file, o.registry);
    if (!parsed.ok) throw new Error(`the runbook journaled with incident ${o.id} no longer validates: ${parsed.issues[0]?.message ?? 'unknown problem'}`);
    runbook = parsed.value.runbook;
  } catch (err) {
    await journal.close().catch(() => undefined);
    throw err;
  }
  const journaled = state.runbook;
  // A plain input whose value held a secret was journaled with a placeholder: it is asked again.
  const redacted = (v: unknown) => typeof v === 'string' && v.includes('[redacted:');
  const secretInputs = [
    ...journaled.secretInputs.filter((k) => runbook.inputs[k]),
    ...Object.keys(journaled.inputs).filter((k) => runbook.inputs[k] && !runbook.inputs[k].secret && redacted(journaled.inputs[k])),
  ];
  let started = false;
  const start = async (inputs: Record<string, string>): Promise<IncidentSession> => {
    if (started) throw new Error(`incident ${o.id} is already resumed`);
    // Journaled inputs, except secrets, which the operator supplies again.
    const given: Record<string, string> = {};
    for (const [k, v] of Object.entries(journaled.inputs)) if (!runbook.inputs[k]?.secret && !redacted(v)) given[k] = String(v);
    Object.assign(given, inputs);
    const resolved = resolveInputs(runbook, given, redactor, journaled.source);
    if (!resolved.ok) throw new InputError(resolved.problems);
    started = true;
    try {
      registerSecretDefaults(runbook, given, redactor);
      const write = recorder(journal, state, o.onRecord);
      if (local.repaired) await write('journal.repaired', { dropped_bytes: local.repaired.droppedBytes });
      if (!state.outcome) await write('incident.resumed', { operator: o.operator, pid: process.pid });
      if (!state.outcome) for (const w of resolved.warnings) await write('note.added', { text: w.message, by: 'oncall' });
      const ports = withAwsIdentity(runbook, o.ports, o.providers);
      // Who resumes may be elsewhere (another profile, another kube context): journaled again.
      const where = state.outcome ? undefined : await describeIdentity(runbook, o.providers, ports !== o.ports);
      if (where) await write('identity.resolved', where);
      const engine = new Engine({ runbook, registry: o.registry, journal, redactor, ports, state, inputs: resolved.values, operator: o.operator, providers: o.providers, stateRoot: o.root });
      if (o.onRecord) engine.on((r) => o.onRecord!(r, false));
      return { id: o.id, engine, journal, redactor, runbook, close: () => journal.close() };
    } catch (err) {
      await journal.close().catch(() => undefined);
      throw err;
    }
  };
  return { id: o.id, state, runbook, secretInputs, start, close: () => journal.close() };
}

/** Reads an incident back and continues it at once: `loadSession` then `start`, closing it on any failure. */
export async function resumeSession(o: SessionOptions & { id: string; inputs: Record<string, string>; forceUnlock?: boolean }): Promise<IncidentSession> {
  const loaded = await loadSession(o);
  try {
    return await loaded.start(o.inputs);
  } catch (err) {
    await loaded.close().catch(() => undefined);
    throw err;
  }
}
