// `oncall import <file> [--out runbook.yaml [--force]] [--format markdown|ssm] [--json]`: a runbook
// a team already has (Markdown with fenced shell blocks, or an SSM Automation document) as an
// oncall runbook. The YAML goes to --out (or stdout); what could not be mapped, and what a person
// should look at, is reported on stderr (or in --json), never dropped. The result is validated as
// `oncall validate` would: exit 0 when it is a valid runbook, 2 when it is not (or on usage errors).
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { KindRegistry } from '../core/registry.js';
import { builtinRegistry } from '../executors/index.js';
import { detectFormat, formatNote, importRunbook, toYaml, validateImported, type ImportFormat } from '../import/index.js';
import { formatIssue } from '../runbook/load.js';
import { parseCommandArgs, say, usageError } from './io.js';
import { display, type CommandIO } from '../core/io.js';

const USAGE = 'oncall import <file.md|ssm-document.yaml|.json> [--out runbook.yaml [--force]] [--format markdown|ssm] [--json]';
const MAX_BYTES = 2_000_000;

export async function importCommand(args: string[], io: CommandIO, deps: { registry?: KindRegistry } = {}): Promise<number> {
  const parsed = parseCommandArgs(args, { out: { type: 'string', short: 'o' }, force: { type: 'boolean' }, format: { type: 'string' }, json: { type: 'boolean' } }, io, USAGE);
  if (!parsed) return 2;
  const { values, positionals } = parsed;
  if (positionals.length !== 1) return usageError(io, positionals.length ? `one file at a time (got ${positionals.length})` : 'name the runbook to import', USAGE);
  const file = resolve(io.cwd, positionals[0]!);
  const shown = display(file, io.cwd);
  let source: string;
  try {
    const size = statSync(file).size;
    if (size > MAX_BYTES) return usageError(io, `${shown} is ${size.toLocaleString('en-US')} bytes; oncall imports files up to ${MAX_BYTES.toLocaleString('en-US')}`);
    source = readFileSync(file, 'utf8');
  } catch (err) {
    return usageError(io, `cannot read ${shown}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`, USAGE);
  }
  let format: ImportFormat | undefined;
  if (typeof values.format === 'string') {
    if (values.format !== 'markdown' && values.format !== 'ssm') return usageError(io, `unknown format '${values.format}': markdown or ssm`, USAGE);
    format = values.format;
  } else format = detectFormat(file, source);
  if (!format) return usageError(io, `${shown} is neither Markdown nor an SSM Automation document (schemaVersion '0.3' with mainSteps); say which with --format`, USAGE);

  const out = typeof values.out === 'string' ? resolve(io.cwd, values.out) : undefined;
  if (out && existsSync(out) && values.force !== true) return usageError(io, `${display(out, io.cwd)} exists; pass --force to replace it`, USAGE);

  let result;
  try {
    result = await importRunbook(source, shown, format);
  } catch (err) {
    say(io, `oncall import: ${(err as Error).message}\n`);
    return 2;
  }
  const yaml = toYaml(result, shown);
  const target = out ? display(out, io.cwd) : `${result.runbook.id}.yaml`;
  const checked = validateImported(result, yaml, target, deps.registry ?? builtinRegistry());

  if (out) writeFileSync(out, yaml, { mode: 0o644 });
  if (values.json === true) {
    io.stdout.write(`${JSON.stringify({ file: shown, format, out: out ? display(out, io.cwd) : null, valid: checked.ok, notes: result.notes, issues: checked.issues, ...(out ? {} : { runbook: yaml }) }, null, 2)}\n`);
  } else {
    if (!out) io.stdout.write(yaml);
    for (const n of result.notes) say(io, `${formatNote(n, shown)}\n`);
    for (const i of checked.issues) say(io, `${formatIssue(i)}\n`);
    const review = result.notes.filter((n) => n.kind === 'review').length;
    const unmapped = result.notes.length - review;
    say(
      io,
      `${shown} → ${out ? display(out, io.cwd) : 'stdout'}: ${result.runbook.steps.length} steps, ${Object.keys(result.runbook.inputs).length} inputs; ${review} to review, ${unmapped} not mapped; ${checked.ok ? 'valid' : 'NOT valid (see above)'}\n`,
    );
  }
  return checked.ok ? 0 : 2;
}
