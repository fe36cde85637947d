// `oncall run` and `oncall resume` without a terminal UI: progress on stderr, `--json` events on
// stdout, answers from flags. Exit codes: 0 done, 1 runbook failed, 2 usage or invalid input,
// 3 aborted, 4 a human is needed and no answer was given, 5 blocked: policy refused a change the runbook needed.
import { readFile } from 'node:fs/promises';
import { resolve as resolvePath } from 'node:path';
import { InputError, loadSession, openSession, type IncidentSession, type RecordListener } from '../engine/session.js';
import type { Runbook } from '../runbook/schema.js';
import { didYouMean } from '../runbook/suggest.js';
import { operatorName } from '../core/operator.js';
import { parsePairs } from '../engine/inputs.js';
import { NeedsHumanError } from '../core/step.js';
import type { AnyEvent, Outcome } from '../journal/events.js';
import { pluginContext } from '../plugins/session.js';
import { liveProvidersFor } from '../providers/live.js';
import { progressLine } from '../export/lines.js';
import { headlessPorts } from '../headless/ports.js';
import { IncidentNotFoundError, JournalLockedError } from '../journal/writer.js';
import { InvalidIncidentIdError } from '../journal/ids.js';
import { RunbookError, formatIssue } from '../runbook/load.js';
import { resolveRunbook } from '../runbook/catalog.js';
import { StateDirError, stateRoot } from '../paths.js';
import { LIVE_WORLD_FLAGS, liveWorld, parseCommandArgs, say, usageError } from './io.js';
import { type CommandIO } from '../core/io.js';
import { SHARE_FLAG, shareForSession, sharing } from './share.js';
import { jsonText } from '../core/terminal-text.js';

export const EXIT = { done: 0, failed: 1, usage: 2, aborted: 3, needsHuman: 4, blocked: 5 } as const;

const common = {
  input: { type: 'string', short: 'i', multiple: true },
  'input-env': { type: 'string', multiple: true },
  'input-file': { type: 'string', multiple: true },
  'input-stdin': { type: 'string' },
  answer: { type: 'string', short: 'a', multiple: true },
  yes: { type: 'boolean', short: 'y', default: false },
  rollback: { type: 'boolean', default: false },
  json: { type: 'boolean', default: false },
  quiet: { type: 'boolean', short: 'q', default: false },
  'state-dir': { type: 'string' },
  operator: { type: 'string' },
  plugin: { type: 'string', multiple: true },
  ...LIVE_WORLD_FLAGS,
  // Team incidents (#19): the store the incident is shared on (else $ONCALL_SHARE).
  ...SHARE_FLAG,
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
  const inputs = await gatherInputs(values, io);
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
    const wrong = answersProblem(answers.values, loaded.runbook);
    if (wrong) return usageError(io, wrong);
    const providers = providersFor(values, io);
    const share = await shareForSession(await sharing(values, io, operator, providers.aws));
    incident = await openSession({
      ...(share ? { share } : {}),
      root: (values['state-dir'] as string | undefined) ?? stateRoot(io.env),
      loaded,
      registry,
      ports: headlessPorts({ yes: Boolean(values.yes), rollback: Boolean(values.rollback), answers: answers.values, operator }),
      inputs: inputs.values,
      title: values.title as string | undefined,
      severity: (values.severity as string | undefined)?.toUpperCase(),
      service: values.service as string | undefined,
      readOnly: Boolean(values['read-only']),
      operator,
      providers,
      onRecord: out.show,
    });
  } catch (err) {
    return startFailure(io, err);
  }
  out.print(`journal: ${incident.journal.path}`);
  return drive(incident, io, out, resumeHint(incident.id, values));
}

export async function resumeCommand(args: string[], io: CommandIO): Promise<number> {
  const parsed = parseCommandArgs(
    args,
    { ...common, 'force-unlock': { type: 'boolean', default: false }, reopen: { type: 'string' } },
    io,
    "oncall resume <incident-id> [--input secret=v …] [--yes] [--answer step=value …] [--json] [--force-unlock] [--reopen 'what was fixed']",
  );
  if (!parsed) return EXIT.usage;
  const { values, positionals } = parsed;
  if (positionals.length !== 1) return usageError(io, 'name the incident to resume (see `oncall incidents`)');
  const inputs = await gatherInputs(values, io);
  const answers = parsePairs(values.answer as string[] | undefined, '--answer');
  if (!inputs.ok) return usageError(io, inputs.message);
  if (!answers.ok) return usageError(io, answers.message);
  const operator = operatorName(values.operator as string | undefined, io.env);
  const out = printer(io, { json: Boolean(values.json), quiet: Boolean(values.quiet) });
  let incident: IncidentSession;
  try {
    const root = (values['state-dir'] as string | undefined) ?? stateRoot(io.env);
    const providers = providersFor(values, io);
    // A shared incident continues where the team is: its mirror here is brought up to date first.
    const share = await shareForSession(await sharing(values, io, operator, providers.aws), { root, id: positionals[0]! });
    const loaded = await loadSession({
      ...(share ? { share } : {}),
      forceUnlock: Boolean(values['force-unlock']),
      root,
      id: positionals[0]!,
      registry: (await pluginContext(io, values.plugin as string[] | undefined)).registry,
      ports: headlessPorts({ yes: Boolean(values.yes), rollback: Boolean(values.rollback), answers: answers.values, operator }),
      operator,
      providers,
      // What was already in the journal is not news: only what resuming writes is shown.
      onRecord: (ev, replayed) => {
        if (!replayed) out.show(ev, false);
      },
    });
    const wrong = answersProblem(answers.values, loaded.runbook);
    if (wrong) {
      await loaded.close();
      return usageError(io, wrong);
    }
    try {
      incident = await loaded.start(inputs.values);
    } catch (err) {
      await loaded.close().catch(() => undefined);
      throw err;
    }
  } catch (err) {
    return startFailure(io, err);
  }
  const from = incident.journal.tookOverFrom;
  if (from) say(io, `oncall: WARNING: took incident ${incident.id} over from pid ${from.pid} on ${from.hostname} (writing since ${from.startedAt}); if that process is still running, stop it now: two writers fork the journal\n`);
  const outcome = incident.engine.state.outcome;
  const reopen = values.reopen as string | undefined;
  if (outcome && reopen !== undefined) {
    try {
      await incident.engine.reopen(reopen);
    } catch (err) {
      await incident.close();
      return usageError(io, (err as Error).message);
    }
  } else if (outcome) {
    const again = outcome === 'failed' || outcome === 'blocked' ? `; once the cause is fixed, go on from where it stopped: ${resumeHint(incident.id, values)} --reopen 'what was fixed'` : '';
    say(io, `incident ${incident.id} already finished (${outcome}); nothing to resume${again}\n`);
    await incident.close();
    return exitFor(outcome);
  } else if (reopen !== undefined) {
    await incident.close();
    return usageError(io, `incident ${incident.id} is still open: resume it without --reopen`);
  }
  return drive(incident, io, out, resumeHint(incident.id, values));
}

/** How to pick the incident up again, with the flags that find it. */
function resumeHint(id: string, values: Record<string, unknown>): string {
  const dir = values['state-dir'];
  // Quoted for a POSIX shell when it needs to be, so the line can be pasted as it is.
  const quoted = (v: string) => (/^[\w@%+=:,./-]+$/.test(v) ? v : `'${v.replaceAll("'", "'\\''")}'`);
  return `oncall resume ${id}${typeof dir === 'string' ? ` --state-dir ${quoted(dir)}` : ''}`;
}

/**
 * --answer names steps of the runbook, `<step>.rollback` for one with a rollback, or
 * `<step>.outcome` (whether a change left in doubt happened): a mistyped one would otherwise be
 * ignored silently and the run would stop later asking for it.
 */
function answersProblem(answers: Record<string, string>, runbook: Runbook): string | undefined {
  const steps = runbook.steps.map((st) => st.id);
  const valid = new Set([...steps, ...steps.map((id) => `${id}.outcome`), ...runbook.steps.filter((st) => st.rollback?.kind).map((st) => `${st.id}.rollback`)]);
  for (const key of Object.keys(answers)) {
    if (valid.has(key)) continue;
    const near = didYouMean(key, valid);
    return `--answer ${key}=…: this runbook has no step '${key}'${near ? ` — did you mean '${near}'?` : ''} (steps: ${steps.join(', ')})`;
  }
  return undefined;
}

/**
 * The runbook inputs from every source: --input name=value, and for values that must not sit on a
 * command line (/proc/<pid>/cmdline is readable by every user): --input-env name=VAR,
 * --input-file name=path (a trailing newline is dropped) and --input-stdin name.
 */
async function gatherInputs(values: Record<string, unknown>, io: CommandIO): Promise<{ ok: true; values: Record<string, string> } | { ok: false; message: string }> {
  const given = parsePairs(values.input as string[] | undefined, '--input');
  if (!given.ok) return given;
  const out: Record<string, string> = { ...given.values };
  const add = (name: string, value: string, flag: string): string | undefined => {
    if (name in out) return `input '${name}' is given twice (${flag} and another --input flag)`;
    out[name] = value;
    return undefined;
  };
  const fromEnv = parsePairs(values['input-env'] as string[] | undefined, '--input-env');
  if (!fromEnv.ok) return fromEnv;
  for (const [name, variable] of Object.entries(fromEnv.values)) {
    const value = io.env[variable];
    if (value === undefined) return { ok: false, message: `--input-env ${name}=${variable}: the environment has no variable ${variable}` };
    const twice = add(name, value, '--input-env');
    if (twice) return { ok: false, message: twice };
  }
  const fromFile = parsePairs(values['input-file'] as string[] | undefined, '--input-file');
  if (!fromFile.ok) return fromFile;
  for (const [name, path] of Object.entries(fromFile.values)) {
    let text: string;
    try {
      text = await readFile(resolvePath(io.cwd, path), 'utf8');
    } catch (err) {
      return { ok: false, message: `--input-file ${name}=${path}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}` };
    }
    const twice = add(name, text.replace(/\r?\n$/, ''), '--input-file');
    if (twice) return { ok: false, message: twice };
  }
  const stdinName = values['input-stdin'];
  if (typeof stdinName === 'string') {
    if (process.stdin.isTTY) return { ok: false, message: `--input-stdin ${stdinName}: stdin is a terminal; pipe the value in (for example from a password manager)` };
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    const twice = add(stdinName, Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, ''), '--input-stdin');
    if (twice) return { ok: false, message: twice };
  }
  return { ok: true, values: out };
}

/** The exit code for how a run ended. */
function exitFor(outcome: Outcome): number {
  return outcome === 'completed' ? EXIT.done : outcome === 'blocked' ? EXIT.blocked : outcome === 'aborted' ? EXIT.aborted : EXIT.failed;
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
      if (opts.json) io.stdout.write(`${jsonText(ev)}\n`);
      print(progressLine(ev));
    },
  };
}

/** Runs the engine to an end, wiring Ctrl+C: the first aborts the running step, the second quits. */
async function drive(incident: IncidentSession, io: CommandIO, { print }: Printer, resume: string): Promise<number> {
  const { engine } = incident;

  let interrupts = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    interrupts += 1;
    if (signal === 'SIGINT' && interrupts === 1 && engine.abortCurrent()) {
      print('aborting the running step (Ctrl+C again to quit; the incident stays resumable)');
      return;
    }
    print(`stopping; resume with: ${resume}`);
    void incident.close().finally(() => process.exit(EXIT.aborted));
  };
  const handle = io.handleSignals ?? false;
  if (handle) {
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
  try {
    const result = await engine.run();
    if (result.outcome === 'blocked') {
      print(`blocked: ${result.error ?? ''}`);
      return EXIT.blocked;
    }
    if (result.outcome === 'completed') return EXIT.done;
    if (result.outcome === 'aborted') {
      print(`aborted; resume with: ${resume}`);
      return EXIT.aborted;
    }
    return EXIT.failed;
  } catch (err) {
    if (err instanceof NeedsHumanError) {
      say(io, `${err.message}\nthe incident stays open; resume with: ${resume} ${err.flag}\n`);
      return EXIT.needsHuman;
    }
    say(io, `oncall: ${err instanceof Error ? err.message : String(err)}\nthe journal is intact; resume with: ${resume}\n`);
    return EXIT.failed;
  } finally {
    if (handle) {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
    await incident.close();
    // The head, outside the file: kept in a ticket or a log, it proves this journal later.
    print(`journal head: record ${incident.journal.lastSeq}, sha256 ${incident.journal.head}`);
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
  if (err instanceof JournalLockedError || err instanceof InvalidIncidentIdError || err instanceof IncidentNotFoundError || err instanceof StateDirError) {
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

