// `oncall list [--json] [--runbooks dir]`: the runbooks on the search path, one per line.
import type { KindRegistry } from '../core/registry.js';
import { formatIssue } from '../runbook/issues.js';
import { listingPlugins } from '../plugins/session.js';
import { listRunbooks } from '../runbook/listing.js';
import { runbookDirs } from '../runbook/search-path.js';
import type { InputSpec } from '../runbook/schema.js';
import { formatTable, parseCommandArgs, say, usageError } from './io.js';
import { display, isTTY } from '../core/io.js';
import type { CommandIO } from '../core/io.js';
import { jsonText } from '../core/terminal-text.js';

const USAGE = 'oncall list [--json] [--runbooks <dir>] [--plugin <path>]';

export async function listCommand(args: string[], io: CommandIO, deps: { registry?: KindRegistry } = {}): Promise<number> {
  const parsed = parseCommandArgs(args, { json: { type: 'boolean' }, runbooks: { type: 'string', multiple: true }, plugin: { type: 'string', multiple: true } }, io, USAGE);
  if (!parsed) return 2;
  if (parsed.positionals.length) return usageError(io, `unexpected argument '${parsed.positionals[0]}'`, USAGE);
  const opts = { extra: parsed.values.runbooks as string[] | undefined, env: io.env, cwd: io.cwd };
  const registry = deps.registry;
  const plugins = registry
    ? { key: registry.names().join(','), load: async () => ({ registry, runbookDirs: [] }) }
    : listingPlugins(io, parsed.values.plugin as string[] | undefined);
  const catalog = await listRunbooks({ ...opts, ...(plugins ? { plugins } : {}) });

  // Broken runbooks don't hide the good ones; they are named on stderr with what is wrong first.
  for (const bad of catalog.invalid) {
    const first = bad.issues.find((i) => i.severity === 'error') ?? bad.issues[0];
    say(io, `oncall list: skipped invalid runbook ${display(bad.file, io.cwd)}\n${first ? `  ${formatIssue({ ...first, file: display(first.file, io.cwd) })}\n` : ''}`);
  }
  for (const s of catalog.shadowed) {
    say(io, `oncall list: ${display(s.file, io.cwd)} is hidden by ${display(s.by, io.cwd)} (same id '${s.id}')\n`);
  }

  const runbooks = catalog.runbooks;
  if (parsed.values.json === true) {
    io.stdout.write(`${jsonText(runbooks, 2)}\n`);
  } else if (!runbooks.length) {
    if (!catalog.invalid.length) say(io, `oncall list: no runbooks found in: ${runbookDirs(opts).join(', ')}\n`);
  } else {
    const rows = runbooks.map((r) => [r.id, r.title, r.tags.join(','), inputsText(r.inputs)]);
    io.stdout.write(formatTable(['ID', 'TITLE', 'TAGS', 'INPUTS'], rows, isTTY(io.stdout)));
  }
  return runbooks.length === 0 && catalog.invalid.length > 0 ? 2 : 0;
}

/** `instance_id*, region, api_token* (secret)`: * marks inputs the operator must give. */
function inputsText(inputs: Record<string, InputSpec>): string {
  return Object.entries(inputs)
    .map(([name, spec]) => `${name}${(spec.required ?? spec.default === undefined) ? '*' : ''}${spec.secret ? ' (secret)' : ''}`)
    .join(', ');
}
