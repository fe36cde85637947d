// `oncall config [--json] [flags]`: the effective settings and where each came from (flag,
// environment, file, default). Flags beat the environment, which beats the file.
import { configFile, loadConfig, settings, type Setting } from '../config/load.js';
import { formatIssue } from '../runbook/issues.js';
import type { CommandIO } from '../core/io.js';
import { isTTY } from '../core/io.js';
import { formatTable, parseCommandArgs, usageError } from './io.js';

const USAGE = 'oncall config [--json] [--path] [--profile p] [--region r] [--context c] [--operator name] [--state-dir dir] [--runbooks dir]';

export async function configCommand(args: string[], io: CommandIO): Promise<number> {
  const parsed = parseCommandArgs(
    args,
    {
      json: { type: 'boolean' },
      path: { type: 'boolean' },
      profile: { type: 'string' },
      region: { type: 'string' },
      context: { type: 'string' },
      kubeconfig: { type: 'string' },
      operator: { type: 'string' },
      'state-dir': { type: 'string' },
      runbooks: { type: 'string', multiple: true },
    },
    io,
    USAGE,
  );
  if (!parsed) return 2;
  if (parsed.positionals.length) return usageError(io, `unexpected argument '${parsed.positionals[0]}'`, USAGE);
  if (parsed.values.path) {
    io.stdout.write(`${configFile(io.env)}\n`);
    return 0;
  }
  const loaded = loadConfig(io.env);
  const str = (k: string) => (typeof parsed.values[k] === 'string' ? (parsed.values[k] as string) : undefined);
  const list = settings(
    { profile: str('profile'), region: str('region'), context: str('context'), operator: str('operator'), stateDir: str('state-dir'), runbooks: parsed.values.runbooks as string[] | undefined },
    io.env,
    loaded,
  );
  const errors = loaded.issues.filter((i) => i.severity === 'error');
  for (const i of loaded.issues) io.stderr.write(`oncall config: ${formatIssue(i)}\n`);
  if (parsed.values.json) {
    io.stdout.write(`${JSON.stringify({ file: loaded.file, exists: loaded.exists, valid: errors.length === 0, issues: loaded.issues, settings: list }, null, 2)}\n`);
  } else {
    const state = !loaded.exists ? 'not there (defaults apply; see runbooks/config.schema.json)' : errors.length ? 'INVALID: its values are ignored until it is fixed' : 'read';
    io.stdout.write(`config file: ${loaded.file} (${state})\n\n`);
    io.stdout.write(formatTable(['SETTING', 'VALUE', 'FROM'], list.map(row), isTTY(io.stdout)));
  }
  return errors.length ? 2 : 0;
}

function row(s: Setting): string[] {
  const value = s.value === undefined ? '-' : Array.isArray(s.value) ? s.value.join(':') || '-' : typeof s.value === 'object' ? JSON.stringify(s.value) : s.value;
  return [s.key, value, `${s.source}: ${s.from}`];
}
