// A drill: the scenario's world behind the providers, a simulated clock, the real runbook and
// engine, and a score at the end. Drill journals live apart from live incidents.
import { dirname, resolve } from 'node:path';
import { openSession, type IncidentSession, type RecordListener } from '../engine/session.js';
import type { KindRegistry } from '../core/registry.js';
import type { FlowPorts, Ports } from '../core/step.js';
import type { DrillScore } from '../journal/events.js';
import type { Redactor } from '../journal/redact.js';
import { drillRoot } from '../paths.js';
import { resolveRunbook } from '../runbook/catalog.js';
import type { Runbook } from '../runbook/schema.js';
import { VirtualClock } from './clock.js';
import { drillAwsProvider } from './aws/middleware.js';
import { AwsAccount } from './aws/account.js';
import { startDrillKube } from './kube/world.js';
import type { LoadedScenario } from './scenario.js';
import { diagnosisOf, scoreDrill, type PhaseTimes } from './score.js';
import { ScriptedWorld, worldExpr } from './world.js';


export interface DrillSession {
  incident: IncidentSession;
  /** The runbook being played, as loaded (and validated) for this drill. */
  runbook: Runbook;
  clock: VirtualClock;
  world: ScriptedWorld;
  /** The simulated AWS account, when the scenario has one. */
  aws?: AwsAccount;
  /** How many hints the scenario offers. */
  hints: number;
  /**
   * Reveals the scenario's next hint for the step the run is at (or any step), journaled as a
   * note by `drill` and counted in the score; undefined when none is left.
   */
  hint(step?: string): Promise<{ text: string; index: number; of: number } | undefined>;
  /** Scores the drill, writes the score to its journal, and closes the journal (once; later calls give the same score). */
  finish(): Promise<DrillScore>;
}

export async function startDrill(o: {
  loaded: LoadedScenario;
  stateRoot: string;
  registry: KindRegistry;
  /** Driver ports without a clock: the drill's simulated clock is used. */
  ports: Omit<Ports, 'clock'> & FlowPorts;
  operator: string;
  runbookDirs?: string[];
  pluginRunbookDirs?: string[];
  /** Shared with the driver's ports, so secrets a step registers are scrubbed from what is drawn too. */
  redactor?: Redactor;
  /** Every record of the drill's journal from the first one (engine/session.ts). */
  onRecord?: RecordListener;
  /** The incident id, when the caller needs it before the first record (the TUI's store). */
  id?: string;
  /**
   * Simulated time per wall time while the operator is awaited (a gate, a decision, a
   * confirmation, a failure prompt): 1 by default; 0 counts machine time only (--auto).
   */
  pace?: number;
}): Promise<DrillSession> {
  const s = o.loaded.scenario;
  const clock = new VirtualClock(Date.parse(s.starts_at), { pace: o.pace ?? 1 });
  const world = new ScriptedWorld(s.world, clock);
  const base = dirname(o.loaded.file);
  const ref = s.runbook.includes('/') || /\.ya?ml$/.test(s.runbook) ? resolve(base, s.runbook) : s.runbook;
  const loaded = await resolveRunbook(ref, o.registry, { extra: o.runbookDirs, pluginDirs: o.pluginRunbookDirs });

  // world.kube: a Kubernetes API on 127.0.0.1 answering from the world, reached through a generated kubeconfig.
  const kube = s.world.kube ? await startDrillKube(s.world.kube, world, clock) : undefined;
  // world.aws: the simulated account, answered by a middleware inside each real SDK client.
  const aws = s.world.aws ? new AwsAccount(s.world.aws, clock) : undefined;
  const providers = { ...world.providers(), ...(kube ? { kube: kube.provider } : {}), ...(aws ? { aws: drillAwsProvider(aws, clock) } : {}) };

  // When each phase was reached: simulated and wall milliseconds since the page.
  const phases: PhaseTimes = {};
  const reach = (phase: keyof PhaseTimes) => {
    phases[phase] ??= { sim: clock.elapsed, wall: clock.wallElapsed };
  };
  const check = () => {
    if (phases.mitigate !== undefined || !s.expect.mitigated) return;
    if (worldExpr.evalExpr(s.expect.mitigated, world.context(aws ? { aws: aws.snapshot() } : {})) === true) reach('mitigate');
  };
  check();
  world.onChange(check);
  // After each AWS call too, so the time to mitigate is when the world healed, not when the step ended.
  aws?.onCall(() => {
    try {
      check();
    } catch {
      // A broken expression is reported by the check at the end of the step, not inside an AWS call.
    }
  });

  // The engine waits on the operator only through these ports: while it does, simulated time runs
  // with the wall clock (VirtualClock.human). The first answer is the responder acknowledging the page.
  const human = <A extends unknown[], R>(f: (...a: A) => Promise<R>) => async (...a: A): Promise<R> => {
    const r = await clock.human(() => f(...a));
    reach('acknowledge');
    return r;
  };
  const { beforeStep, onFailure } = o.ports;
  const ports: Ports & FlowPorts = {
    ...o.ports,
    confirm: human((req) => o.ports.confirm(req)),
    ask: human((req) => o.ports.ask(req)),
    ...(beforeStep ? { beforeStep: human((req) => beforeStep.call(o.ports, req)) } : {}),
    ...(onFailure ? { onFailure: human((req) => onFailure.call(o.ports, req)) } : {}),
    clock,
  };

  const incident = await openSession({
    root: drillRoot(o.stateRoot),
    loaded,
    registry: o.registry,
    ports,
    providers,
    inputs: Object.fromEntries(Object.entries(s.inputs).map(([k, v]) => [k, String(v)])),
    title: s.title,
    severity: s.page.severity,
    mode: 'drill',
    operator: o.operator,
    drill: { scenario: s.id, title: s.title, page: s.page },
    now: () => clock.now(),
    ...(o.redactor ? { redactor: o.redactor } : {}),
    ...(o.onRecord ? { onRecord: o.onRecord } : {}),
    ...(o.id ? { id: o.id } : {}),
  }).catch(async (err: unknown) => {
    await kube?.close();
    throw err;
  });
  const declined: string[] = [];
  const diagnosis = diagnosisOf(s);
  incident.engine.on((ev) => {
    if (ev.type === 'confirm.given' && !ev.payload.approved) declined.push(ev.payload.step);
    if (ev.type === 'decision.made' && diagnosis(ev.payload)) reach('diagnose');
    if (ev.type === 'step.finished') {
      check();
      if (s.expect.recovered_by === ev.payload.step && ev.payload.status === 'ok') reach('recover');
    }
    // Without a verifying step named, recovery is the runbook completing on a healed world.
    if (ev.type === 'run.finished' && !s.expect.recovered_by && ev.payload.outcome === 'completed') {
      check();
      if (!s.expect.mitigated || phases.mitigate) reach('recover');
    }
  });

  // Hints, revealed in order among those that fit the step; each one a note in the journal.
  const revealed = new Set<number>();
  const hint = async (step?: string) => {
    const index = s.hints.findIndex((h, i) => !revealed.has(i) && (h.step === undefined || h.step === step));
    if (index < 0) return undefined;
    revealed.add(index);
    const text = s.hints[index]!.text;
    await incident.engine.note(`hint ${index + 1}/${s.hints.length}${step ? ` at ${step}` : ''}: ${text}`, 'drill');
    return { text, index: index + 1, of: s.hints.length };
  };

  let finished: Promise<DrillScore> | undefined;
  const finish = async () => {
    check();
    const score = scoreDrill(s, incident.engine.state, {
      phases,
      elapsedMs: clock.elapsed,
      declined,
      hints: { used: revealed.size, offered: s.hints.length },
      wall: { startedAt: clock.wallStartedAt, ms: clock.wallElapsed, humanMs: clock.humanMs, pace: clock.pace },
    });
    try {
      await incident.engine.recordScore(score);
    } finally {
      await incident.close();
      await kube?.close();
    }
    return score;
  };
  return {
    incident,
    runbook: loaded.runbook,
    clock,
    world,
    aws,
    hints: s.hints.length,
    hint,
    finish: () => (finished ??= finish()),
  };
}
