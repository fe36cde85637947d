// `oncall list [--json] [--runbooks dir]`: the runbooks on the search path, one per line.
import type { KindRegistry } from '../engine/registry.js';
import { builtinRegistry } from '../executors/index.js';
import { loadCatalog, runbookDirs } from '../runbook/catalog.js';
import { formatIssue } from '../runbook/load.js';
import type { InputSpec } from '../runbook/schema.js';
import { display } from './validate.js';
import { isTTY, parseCommandArgs } from './io.js';
import type { CommandIO } from './io.js';

const USAGE = 'oncall list [--json] [--runbooks <dir>]';

export async function listCommand(args: string[], io: CommandIO, deps: { registry?: KindRegistry } = {}): Promise<number> {
  const parsed = parseCommandArgs(args, { json: { type: 'boolean' }, runbooks: { type: 'string', multiple: true } }, io, USAGE);
  if (!parsed) return 2;
  if (parsed.positionals.length) {
    io.stderr.write(`oncall list: unexpected argument '${parsed.positionals[0]}'\nusage: ${USAGE}\n`);
    return 2;
  }
  const opts = { extra: parsed.values.runbooks as string[] | undefined, env: io.env, cwd: io.cwd };
  const catalog = loadCatalog(deps.registry ?? builtinRegistry(), opts);

  // Broken runbooks don't hide the good ones; they are named on stderr with what is wrong first.
  for (const bad of catalog.invalid) {
    const first = bad.issues.find((i) => i.severity === 'error') ?? bad.issues[0];
    io.stderr.write(`oncall list: skipped invalid runbook ${display(bad.file, io.cwd)}\n${first ? `  ${formatIssue({ ...first, file: display(first.file, io.cwd) })}\n` : ''}`);
  }
  for (const s of catalog.shadowed) {
    io.stderr.write(`oncall list: ${display(s.file, io.cwd)} is hidden by ${display(s.by, io.cwd)} (same id '${s.id}')\n`);
  }

  const runbooks = catalog.runbooks.map((l) => l.runbook).sort((a, b) => a.id.localeCompare(b.id));
  if (parsed.values.json === true) {
    const out = catalog.runbooks
      .map(({ runbook: r, file }) => ({
        id: r.id,
        title: r.title,
        version: r.version,
        summary: r.summary,
        tags: r.tags,
        file,
        // A secret's default is a secret too.
        inputs: Object.fromEntries(Object.entries(r.inputs).map(([k, v]) => [k, v.secret ? { ...v, default: undefined } : v])),
      }))
      .sort((a, b) => a.id.localeCompare(b.id));
    io.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  } else if (!runbooks.length) {
    if (!catalog.invalid.length) io.stderr.write(`oncall list: no runbooks found in: ${runbookDirs(opts).join(', ')}\n`);
  } else {
    // One line per runbook whatever the YAML held: tabs and newlines in a cell become spaces.
    const rows = runbooks.map((r) => [r.id, r.title, r.tags.join(','), inputsText(r.inputs)].map((c) => c.replace(/[\t\r\n]+/g, ' ')));
    io.stdout.write(isTTY(io.stdout) ? aligned(['ID', 'TITLE', 'TAGS', 'INPUTS'], rows) : rows.map((r) => r.join('\t')).join('\n') + '\n');
  }
  return runbooks.length === 0 && catalog.invalid.length > 0 ? 2 : 0;
}

/** `instance_id*, region, api_token* (secret)`: * marks inputs the operator must give. */
function inputsText(inputs: Record<string, InputSpec>): string {
  return Object.entries(inputs)
    .map(([name, spec]) => `${name}${(spec.required ?? spec.default === undefined) ? '*' : ''}${spec.secret ? ' (secret)' : ''}`)
    .join(', ');
}

function aligned(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}
