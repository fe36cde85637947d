// `oncall run` and `oncall resume` without a terminal UI: progress on stderr, `--json` events on
// stdout, answers from flags. Exit codes: 0 done, 1 runbook failed, 2 usage or invalid input,
// 3 aborted, 4 a human is needed and no answer was given.
import { InputError, openSession, resumeSession, type IncidentSession, type RecordListener } from '../engine/session.js';
import { operatorName } from '../core/operator.js';
import { parsePairs } from '../engine/inputs.js';
import { NeedsHumanError } from '../core/step.js';
import type { AnyEvent } from '../journal/events.js';
import { pluginContext } from '../plugins/session.js';
import { liveProvidersFor } from '../providers/live.js';
import { progressLine } from '../export/lines.js';
import { headlessPorts } from '../headless/ports.js';
import { JournalLockedError } from '../journal/writer.js';
import { InvalidIncidentIdError } from '../journal/ids.js';
import { RunbookError, formatIssue } from '../runbook/load.js';
import { resolveRunbook } from '../runbook/catalog.js';
import { StateDirError, stateRoot } from '../paths.js';
import { LIVE_WORLD_FLAGS, liveWorld, parseCommandArgs, say, usageError } from './io.js';
import { type CommandIO } from '../core/io.js';

export const EXIT = { done: 0, failed: 1, usage: 2, aborted: 3, needsHuman: 4 } as const;

const common = {
  input: { type: 'string', short: 'i', multiple: true },
  answer: { type: 'string', short: 'a', multiple: true },
  yes: { type: 'boolean', short: 'y', default: false },
  json: { type: 'boolean', default: false },
  quiet: { type: 'boolean', short: 'q', default: false },
  'state-dir': { type: 'string' },
  operator: { type: 'string' },
  plugin: { type: 'string', multiple: true },
  ...LIVE_WORLD_FLAGS,
} as const;

export async function runCommand(args: string[], io: CommandIO): Promise<number> {
  const parsed = parseCommandArgs(args, {
    ...common,
    'read-only': { type: 'boolean', default: false },
    title: { type: 'string' },
    severity: { type: 'string' },
    service: { type: 'string' },
    runbooks: { type: 'string', multiple: true },
  }, io, 'oncall run <runbook-id|path> [--input k=v …] [--read-only] [--yes] [--answer step=value …] [--json]');
  if (!parsed) return EXIT.usage;
  const { values, positionals } = parsed;
  if (positionals.length !== 1) return usageError(io, 'name exactly one runbook (an id from `oncall list`, or a path)', 'oncall run <runbook-id|path> [--input k=v …]');
  const inputs = parsePairs(values.input as string[] | undefined, '--input');
  const answers = parsePairs(values.answer as string[] | undefined, '--answer');
  if (!inputs.ok) return usageError(io, inputs.message);
  if (!answers.ok) return usageError(io, answers.message);
  if (values.severity !== undefined && !/^SEV[0-5]$/i.test(String(values.severity))) return usageError(io, '--severity takes SEV0 … SEV5');

  const plugins = await pluginContext(io, values.plugin as string[] | undefined);
  const registry = plugins.registry;
  const operator = operatorName(values.operator as string | undefined, io.env);
  const out = printer(io, { json: Boolean(values.json), quiet: Boolean(values.quiet) });
  let incident: IncidentSession;
  try {
    const loaded = await resolveRunbook(positionals[0]!, registry, { extra: values.runbooks as string[] | undefined, pluginDirs: plugins.runbookDirs, env: io.env, cwd: io.cwd });
    incident = await openSession({
      root: (values['state-dir'] as string | undefined) ?? stateRoot(io.env),
      loaded,
      registry,
      ports: headlessPorts({ yes: Boolean(values.yes), answers: answers.values, operator }),
      inputs: inputs.values,
      title: values.title as string | undefined,
      severity: (values.severity as string | undefined)?.toUpperCase(),
      service: values.service as string | undefined,
      readOnly: Boolean(values['read-only']),
      operator,
      providers: providersFor(values, io),
      onRecord: out.show,
    });
  } catch (err) {
    return startFailure(io, err);
  }
  out.print(`journal: ${incident.journal.path}`);
  return drive(incident, io, out);
}

export async function resumeCommand(args: string[], io: CommandIO): Promise<number> {
  const parsed = parseCommandArgs(args, common, io, 'oncall resume <incident-id> [--input secret=v …] [--yes] [--answer step=value …] [--json]');
  if (!parsed) return EXIT.usage;
  const { values, positionals } = parsed;
  if (positionals.length !== 1) return usageError(io, 'name the incident to resume (see `oncall incidents`)');
  const inputs = parsePairs(values.input as string[] | undefined, '--input');
  const answers = parsePairs(values.answer as string[] | undefined, '--answer');
  if (!inputs.ok) return usageError(io, inputs.message);
  if (!answers.ok) return usageError(io, answers.message);
  const operator = operatorName(values.operator as string | undefined, io.env);
  const out = printer(io, { json: Boolean(values.json), quiet: Boolean(values.quiet) });
  let incident: IncidentSession;
  try {
    incident = await resumeSession({
      root: (values['state-dir'] as string | undefined) ?? stateRoot(io.env),
      id: positionals[0]!,
      registry: (await pluginContext(io, values.plugin as string[] | undefined)).registry,
      ports: headlessPorts({ yes: Boolean(values.yes), answers: answers.values, operator }),
      inputs: inputs.values,
      operator,
      providers: providersFor(values, io),
      // What was already in the journal is not news: only what resuming writes is shown.
      onRecord: (ev, replayed) => {
        if (!replayed) out.show(ev, false);
      },
    });
  } catch (err) {
    return startFailure(io, err);
  }
  if (incident.engine.state.outcome) {
    say(io, `incident ${incident.id} already finished (${incident.engine.state.outcome}); nothing to resume\n`);
    await incident.close();
    return incident.engine.state.outcome === 'completed' ? EXIT.done : EXIT.failed;
  }
  return drive(incident, io, out);
}

interface Printer {
  print(line: string | undefined): void;
  /** Shows a durable record: what a reader sees on stdout is in the journal. */
  show: RecordListener;
}

function printer(io: CommandIO, opts: { json: boolean; quiet: boolean }): Printer {
  const print = (line: string | undefined) => {
    if (line !== undefined && !opts.quiet) say(io, `${line}\n`);
  };
  return {
    print,
    show: (ev: AnyEvent) => {
      if (opts.json) io.stdout.write(`${JSON.stringify(ev)}\n`);
      print(progressLine(ev));
    },
  };
}

/** Runs the engine to an end, wiring Ctrl+C: the first aborts the running step, the second quits. */
async function drive(incident: IncidentSession, io: CommandIO, { print }: Printer): Promise<number> {
  const { engine } = incident;

  let interrupts = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    interrupts += 1;
    if (signal === 'SIGINT' && interrupts === 1 && engine.abortCurrent()) {
      print('aborting the running step (Ctrl+C again to quit; the incident stays resumable)');
      return;
    }
    print(`stopping; resume with: oncall resume ${incident.id}`);
    void incident.close().finally(() => process.exit(EXIT.aborted));
  };
  const handle = io.handleSignals ?? false;
  if (handle) {
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
  try {
    const result = await engine.run();
    if (result.outcome === 'completed') return EXIT.done;
    if (result.outcome === 'aborted') {
      print(`aborted; resume with: oncall resume ${incident.id}`);
      return EXIT.aborted;
    }
    return EXIT.failed;
  } catch (err) {
    if (err instanceof NeedsHumanError) {
      say(io, `${err.message}\nthe incident stays open; resume with: oncall resume ${incident.id} ${err.flag}\n`);
      return EXIT.needsHuman;
    }
    say(io, `oncall: ${err instanceof Error ? err.message : String(err)}\nthe journal is intact; resume with: oncall resume ${incident.id}\n`);
    return EXIT.failed;
  } finally {
    if (handle) {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
    await incident.close();
  }
}

function startFailure(io: CommandIO, err: unknown): number {
  if (err instanceof RunbookError) {
    for (const issue of err.issues) say(io, `${formatIssue(issue)}\n`);
    return EXIT.usage;
  }
  if (err instanceof InputError) {
    say(io, `${err.message}\n`);
    return EXIT.usage;
  }
  if (err instanceof JournalLockedError || err instanceof InvalidIncidentIdError || err instanceof StateDirError) {
    say(io, `oncall: ${err.message}\n`);
    return EXIT.usage;
  }
  if (err instanceof NeedsHumanError) {
    say(io, `${err.message}\n`);
    return EXIT.needsHuman;
  }
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'ENOENT') {
    say(io, `oncall: ${e.message}\n`);
    return EXIT.usage;
  }
  say(io, `oncall: ${e instanceof Error ? e.message : String(e)}\n`);
  return EXIT.failed;
}

/** The live world as the flags describe it: AWS profile and region, Kubernetes context and kubeconfig. */
function providersFor(values: Record<string, unknown>, io: CommandIO) {
  return liveProvidersFor({
    world: liveWorld(values, io.env),
    env: io.env,
    // The credential chain's own warnings go to stderr as progress lines, not raw console output.
    onWarning: (m) => say(io, `aws: ${m}\n`),
  });
}

