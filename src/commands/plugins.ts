// `oncall plugins [--json] [--plugin <path>]`: what loaded, from where, with which step kinds;
// and what did not load, with its error. Exits 1 when any plugin failed, so CI notices.
import { pluginContext } from '../plugins/session.js';
import { formatTable, parseCommandArgs, say, usageError } from './io.js';
import { display, isTTY, type CommandIO } from '../core/io.js';
import { jsonText } from '../core/terminal-text.js';

const USAGE = 'oncall plugins [--json] [--plugin <path>]';

export async function pluginsCommand(args: string[], io: CommandIO): Promise<number> {
  const parsed = parseCommandArgs(args, { json: { type: 'boolean' }, plugin: { type: 'string', multiple: true } }, io, USAGE);
  if (!parsed) return 2;
  if (parsed.positionals.length) return usageError(io, `unexpected argument '${parsed.positionals[0]}'`, USAGE);
  // Failures are reported on stderr by pluginContext as they happen.
  const ctx = await pluginContext(io, parsed.values.plugin as string[] | undefined);
  if (parsed.values.json) {
    io.stdout.write(`${jsonText({ plugins: ctx.plugins, failures: ctx.failures }, 2)}\n`);
  } else if (!ctx.plugins.length && !ctx.failures.length) {
    say(io, 'no plugins found (looked in ./plugins, the oncall package plugins/, $XDG_CONFIG_HOME/oncall/plugins, and --plugin paths)\n');
  } else if (ctx.plugins.length) {
    const rows = ctx.plugins.map((p) => [p.name, p.version, p.origin, p.stepKinds.map((k) => `${k.name} (${k.effect})`).join(', '), display(p.file, io.cwd)]);
    io.stdout.write(formatTable(['PLUGIN', 'VERSION', 'FROM', 'STEP KINDS', 'FILE'], rows, isTTY(io.stdout)));
  }
  return ctx.failures.length ? 1 : 0;
}
