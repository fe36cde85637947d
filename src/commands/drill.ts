// `oncall drill`: practice a runbook on a simulated world. `--auto` plays the scenario's expected
// path headless (for CI and for checking scenarios) and exits 0 when the expected outcome is reached.
import { findScenario, listScenarios, scenarioDirs } from '../drill/catalog.js';
import { loadScenario } from '../drill/scenario.js';
import { formatScore } from '../drill/score.js';
import { startDrill } from '../drill/session.js';
import type { AnyEvent } from '../journal/events.js';
import { operatorName } from '../core/operator.js';
import { NeedsHumanError } from '../core/step.js';
import { pluginContext } from '../plugins/session.js';
import { headlessPorts } from '../headless/ports.js';
import { progressLine } from '../export/lines.js';
import { stateRoot } from '../paths.js';
import { RunbookError, formatIssue } from '../runbook/issues.js';
import { formatTable, parseCommandArgs, say, usageError } from './io.js';
import { display, isInteractive, isTTY, type CommandIO } from '../core/io.js';
import { jsonText } from '../core/terminal-text.js';

const USAGE = 'oncall drill [<scenario>] [--auto] [--pace <n>] [--list] [--json] [--scenarios <dir>] [--runbooks <dir>] [--plugin <path>] [--state-dir <dir>]';

export async function drillCommand(args: string[], io: CommandIO): Promise<number> {
  const parsed = parseCommandArgs(
    args,
    {
      auto: { type: 'boolean' },
      pace: { type: 'string' },
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
  if (positionals.length > 1) return usageError(io, 'name one scenario', USAGE);
  const flagDirs = (values.scenarios as string[] | undefined) ?? [];
  const searchPath = (pluginDirs: string[]) => scenarioDirs({ extra: [...flagDirs, ...pluginDirs], env: io.env, cwd: io.cwd });
  // While the drill waits on the operator, simulated time runs at `pace` × the wall clock (#20).
  let pace: number | undefined;
  if (values.pace !== undefined) {
    pace = Number(values.pace);
    if (!/^\d+(\.\d+)?$/.test(String(values.pace)) || !(pace > 0) || pace > 1000) return usageError(io, `--pace wants a number above 0 (1 is real time, 2 twice as fast), not '${String(values.pace)}'`, USAGE);
    if (values.auto) return usageError(io, '--pace is for a drill played by hand: --auto counts machine time only', USAGE);
  }
  const interactive = isInteractive(process.stdin, io.stdout as { isTTY?: boolean }, io.env);

  // By hand, at a terminal: the TUI in drill mode (plugins load inside it, after the first frame).
  if (!values.auto && !values.list && !values.json && interactive) {
    let scenario: string | undefined;
    if (positionals[0]) {
      try {
        scenario = findScenario(positionals[0], searchPath((await pluginContext(io, values.plugin as string[] | undefined)).scenarioDirs), io.cwd);
      } catch (err) {
        say(io, `oncall drill: ${(err as Error).message}\n`);
        return 2;
      }
    }
    const { drillTui } = await import('../tui/launch.js');
    return drillTui(
      {
        ...(scenario ? { scenario } : {}),
        scenarioDirs: searchPath,
        runbookDirs: values.runbooks as string[] | undefined,
        plugins: values.plugin as string[] | undefined,
        stateDir: values['state-dir'] as string | undefined,
        operator: operatorName(undefined, io.env),
        ...(pace !== undefined ? { pace } : {}),
      },
      io,
    );
  }

  const plugins = await pluginContext(io, values.plugin as string[] | undefined);
  const dirs = searchPath(plugins.scenarioDirs);
  if (values.list || (positionals.length === 0 && !values.auto)) {
    const all = listScenarios(dirs);
    if (values.json) io.stdout.write(`${jsonText(all, 2)}\n`);
    else io.stdout.write(formatTable(['SCENARIO', 'RUNBOOK', 'TITLE'], all.map((s) => [s.id, s.runbook, s.title]), isTTY(io.stdout)));
    if (positionals.length === 0 && !values.list && !values.json) {
      say(io, '\nplay one at a terminal with: oncall drill [<scenario>]   (headless: oncall drill <scenario> --auto)\n');
    }
    return 0;
  }
  if (positionals.length === 0) return usageError(io, 'name one scenario', USAGE);
  if (!values.auto) {
    say(io, 'oncall drill: playing a drill by hand needs a terminal (oncall drill <scenario> opens the UI there); add --auto to play the expected path headless\n');
    return 2;
  }

  // Progress until the run ends; the score is printed below, in full.
  let printing = true;
  const show = (ev: AnyEvent) => {
    if (!printing) return;
    if (values.json) io.stdout.write(`${jsonText(ev)}\n`);
    else if (!values.quiet) {
      const line = progressLine(ev);
      if (line) say(io, `${line}\n`);
    }
  };
  let session;
  try {
    const loaded = await loadScenario(findScenario(positionals[0]!, dirs, io.cwd));
    session = await startDrill({
      loaded,
      stateRoot: (values['state-dir'] as string | undefined) ?? stateRoot(io.env),
      registry: plugins.registry,
      // The expected path approves what the scenario expects, rollbacks included.
      ports: headlessPorts({ yes: true, rollback: true, answers: loaded.scenario.expect.answers, operator: 'drill-auto' }),
      operator: 'drill-auto',
      runbookDirs: values.runbooks as string[] | undefined,
      pluginRunbookDirs: plugins.runbookDirs,
      onRecord: show,
      // Answers come at once and no one is waiting: the score is machine time only, the same every run.
      pace: 0,
    });
  } catch (err) {
    if (err instanceof RunbookError) {
      for (const issue of err.issues) say(io, `${formatIssue({ ...issue, file: display(issue.file, io.cwd) })}\n`);
      return 2;
    }
    say(io, `oncall drill: ${(err as Error).message}\n`);
    return 2;
  }

  try {
    await session.incident.engine.run();
  } catch (err) {
    const why = err instanceof NeedsHumanError ? `${err.message} (the scenario's expect.answers has no answer for it)` : (err as Error).message;
    say(io, `oncall drill: ${why}\n`);
  }
  printing = false;
  const score = await session.finish();
  if (values.json) io.stdout.write(`${jsonText({ type: 'drill.scored', payload: score })}\n`);
  for (const line of formatScore(score)) say(io, `${line}\n`);
  return score.passed ? 0 : 1;
}
