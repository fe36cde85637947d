// `oncall drill`: practice a runbook on a simulated world. `--auto` plays the scenario's expected
// path headless (for CI and for checking scenarios) and exits 0 when the expected outcome is reached.
import { findScenario, listScenarios, scenarioDirs } from '../drill/catalog.js';
import { loadScenario } from '../drill/scenario.js';
import { formatScore } from '../drill/score.js';
import { startDrill } from '../drill/session.js';
import type { AnyEvent } from '../engine/events.js';
import { NeedsHumanError } from '../engine/types.js';
import { pluginContext } from '../plugins/session.js';
import { headlessPorts } from '../headless/ports.js';
import { progressLine } from '../headless/progress.js';
import { stateRoot } from '../paths.js';
import { RunbookError, formatIssue } from '../runbook/issues.js';
import { display, formatTable, isTTY, parseCommandArgs, type CommandIO } from './io.js';

const USAGE = 'oncall drill [<scenario>] [--auto] [--list] [--json] [--scenarios <dir>] [--plugin <path>]';

export async function drillCommand(args: string[], io: CommandIO): Promise<number> {
  const parsed = parseCommandArgs(
    args,
    {
      auto: { type: 'boolean' },
      list: { type: 'boolean' },
      json: { type: 'boolean' },
      quiet: { type: 'boolean', short: 'q' },
      scenarios: { type: 'string', multiple: true },
      runbooks: { type: 'string', multiple: true },
      plugin: { type: 'string', multiple: true },
      'state-dir': { type: 'string' },
    },
    io,
    USAGE,
  );
  if (!parsed) return 2;
  const { values, positionals } = parsed;
  const plugins = await pluginContext(io, values.plugin as string[] | undefined);
  const dirs = scenarioDirs({ extra: [...((values.scenarios as string[] | undefined) ?? []), ...plugins.scenarioDirs], env: io.env, cwd: io.cwd });

  if (values.list || (positionals.length === 0 && !values.auto)) {
    const all = listScenarios(dirs);
    if (values.json) io.stdout.write(`${JSON.stringify(all, null, 2)}\n`);
    else io.stdout.write(formatTable(['SCENARIO', 'RUNBOOK', 'TITLE'], all.map((s) => [s.id, s.runbook, s.title]), isTTY(io.stdout)));
    if (positionals.length === 0 && !values.list && isTTY(io.stdout)) {
      io.stderr.write('\nplay one with: oncall drill <scenario> --auto   (the interactive drill picker arrives with the terminal UI)\n');
    }
    return 0;
  }
  if (positionals.length !== 1) {
    io.stderr.write(`oncall drill: name one scenario\nusage: ${USAGE}\n`);
    return 2;
  }
  if (!values.auto) {
    io.stderr.write("oncall drill: playing a drill by hand needs the terminal UI, which is not built yet; add --auto to watch the expected path\n");
    return 2;
  }

  let session;
  try {
    const loaded = await loadScenario(findScenario(positionals[0]!, dirs, io.cwd));
    session = await startDrill({
      loaded,
      stateRoot: (values['state-dir'] as string | undefined) ?? stateRoot(io.env),
      registry: plugins.registry,
      ports: headlessPorts({ yes: true, answers: loaded.scenario.expect.answers, operator: 'drill-auto' }),
      operator: 'drill-auto',
      runbookDirs: values.runbooks as string[] | undefined,
      pluginRunbookDirs: plugins.runbookDirs,
    });
  } catch (err) {
    if (err instanceof RunbookError) {
      for (const issue of err.issues) io.stderr.write(`${formatIssue({ ...issue, file: display(issue.file, io.cwd) })}\n`);
      return 2;
    }
    io.stderr.write(`oncall drill: ${(err as Error).message}\n`);
    return 2;
  }

  const show = (ev: AnyEvent) => {
    if (values.json) io.stdout.write(`${JSON.stringify(ev)}\n`);
    else if (!values.quiet) {
      const line = progressLine(ev);
      if (line) io.stderr.write(`${line}\n`);
    }
  };
  session.incident.preamble.forEach(show);
  session.incident.engine.on(show);
  try {
    await session.incident.engine.run();
  } catch (err) {
    const why = err instanceof NeedsHumanError ? `${err.message} (the scenario's expect.answers has no answer for it)` : (err as Error).message;
    io.stderr.write(`oncall drill: ${why}\n`);
  }
  const score = await session.finish();
  if (values.json) io.stdout.write(`${JSON.stringify({ type: 'drill.scored', payload: score })}\n`);
  for (const line of formatScore(score)) io.stderr.write(`${line}\n`);
  return score.passed ? 0 : 1;
}
