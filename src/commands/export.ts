// `oncall export <incident> [--format md|html|json|csv] [--out file] [--force] [--drill]`: the
// post-mortem timeline of an incident, folded from its journal. `--to webhook|slack [--dry-run]`
// pushes it instead (export/push.ts; where to comes from the environment only).
import { existsSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { buildTimeline, EXPORT_FORMATS, ExportFileExistsError, ExportNotFoundError, isExportFormat, streamTimeline, writePrivateFile, type ExportFormat } from '../export/index.js';
import { assertIncidentId } from '../journal/ids.js';
import { journalPath } from '../journal/paths.js';
import { JournalCorruptError } from '../journal/reader.js';
import { drillRoot, stateRoot } from '../paths.js';
import { parseCommandArgs, say, usageError } from './io.js';
import { display, type CommandIO } from '../core/io.js';
import { visible } from '../core/terminal-text.js';
import { isPushTarget, PUSH_TARGETS, PushConfigError, pushTimeline, TARGET_ENV } from '../export/push.js';

const USAGE = 'oncall export <incident> [--format md|html|json|csv] [--out file [--force]] [--to webhook|slack [--dry-run]] [--drill] [--no-verify] [--state-dir dir]';

const BY_EXTENSION: Record<string, ExportFormat> = { '.md': 'md', '.markdown': 'md', '.html': 'html', '.htm': 'html', '.json': 'json', '.csv': 'csv' };

export async function exportCommand(args: string[], io: CommandIO): Promise<number> {
  const parsed = parseCommandArgs(
    args,
    { format: { type: 'string', short: 'f' }, out: { type: 'string', short: 'o' }, force: { type: 'boolean' }, drill: { type: 'boolean' }, verify: { type: 'boolean' }, 'no-verify': { type: 'boolean' }, 'state-dir': { type: 'string' }, to: { type: 'string' }, 'dry-run': { type: 'boolean' } },
    io,
    USAGE,
  );
  if (!parsed) return 2;
  const usage = (why: string): number => usageError(io, why, USAGE);
  const { values, positionals } = parsed;
  if (positionals.length !== 1) return usage(positionals.length ? `one incident at a time (got ${positionals.length})` : 'name the incident to export (see `oncall incidents`)');
  const id = positionals[0]!;
  try {
    assertIncidentId(id);
  } catch (err) {
    return usage((err as Error).message);
  }
  const out = typeof values.out === 'string' ? resolve(io.cwd, values.out) : undefined;
  let format: ExportFormat = 'md';
  if (typeof values.format === 'string') {
    if (!isExportFormat(values.format)) return usage(`unknown format '${values.format}': use one of ${EXPORT_FORMATS.join(', ')}`);
    format = values.format;
  } else if (out) {
    format = BY_EXTENSION[extname(out).toLowerCase()] ?? 'md'; // --out timeline.html means HTML
  }
  if (values.force && !out) return usage('--force only applies with --out');
  const to = typeof values.to === 'string' ? values.to : undefined;
  if (to !== undefined && !isPushTarget(to)) return usage(`unknown target '${to}': use one of ${PUSH_TARGETS.join(', ')}`);
  if (to && (out || values.format)) return usage('--to pushes the timeline: it takes no --out or --format');
  if (values['dry-run'] && !to) return usage('--dry-run only applies with --to');

  const base = typeof values['state-dir'] === 'string' ? resolve(io.cwd, values['state-dir']) : stateRoot(io.env);
  const root = values.drill ? drillRoot(base) : base;
  let timeline;
  try {
    // The chain is checked by default, in the same pass as the fold; --no-verify skips it (--verify is kept for old scripts).
    timeline = await buildTimeline(root, id, { verify: !values['no-verify'] });
  } catch (err) {
    if (err instanceof ExportNotFoundError) {
      const other = values.drill ? base : drillRoot(base);
      const hint = existsSync(journalPath(other, id))
        ? values.drill
          ? `it is a live incident: drop --drill`
          : `it is a drill: add --drill`
        : `list incidents with \`oncall incidents${typeof values['state-dir'] === 'string' ? ` --state-dir ${values['state-dir']}` : ''}\`${values.drill ? '' : ', or add --drill for a practice drill'}`;
      say(io, `oncall export: no incident ${id} under ${root} (looked for ${err.file}); ${hint}\n`);
      return 2;
    }
    if (err instanceof JournalCorruptError) {
      say(io, `oncall export: cannot read the journal of ${id}: ${err.message}; check it with \`oncall verify ${id}\`\n`);
      return 2;
    }
    throw err;
  }
  const integrity = timeline.journal.integrity;
  if (integrity && !integrity.ok) say(io, `oncall export: warning: the journal's hash chain is broken (${integrity.problem}); the export says so\n`);
  if (to && isPushTarget(to)) {
    let results;
    try {
      results = await pushTimeline(root, timeline, to, {
        env: io.env,
        dryRun: Boolean(values['dry-run']),
        report: (r) => io.stdout.write(`${r.ok ? '✓' : '✗'} ${visible(r.label)}: ${r.detail}\n`),
      });
    } catch (err) {
      if (err instanceof PushConfigError) {
        say(io, `oncall export: ${err.message}\n`);
        return 2;
      }
      throw err;
    }
    const count = (d: string) => results.filter((r) => r.detail === d).length;
    const failed = results.filter((r) => !r.ok).length;
    const where = io.env[TARGET_ENV[to].url] ? to : `${to} (${TARGET_ENV[to].url} is not set)`;
    say(io, values['dry-run'] ? `dry run: would send ${count('dry run: would send')} to ${where}, ${count('already sent')} already sent; nothing was sent\n` : `pushed to ${to}: ${count('sent')} sent, ${count('already sent')} already sent, ${failed} not sent\n`);
    return failed ? 1 : 0;
  }
  if (!out) {
    streamTimeline(timeline, format, (chunk) => io.stdout.write(chunk));
    return 0;
  }
  try {
    writePrivateFile(out, (write) => streamTimeline(timeline, format, write), { force: Boolean(values.force) });
  } catch (err) {
    if (err instanceof ExportFileExistsError) {
      say(io, `oncall export: ${display(out, io.cwd)} already exists: pass --force to overwrite it, or choose another --out\n`);
      return 2;
    }
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR' || code === 'ENOTDIR') {
      say(io, `oncall export: cannot write ${display(out, io.cwd)}: ${(err as Error).message}\n`);
      return 2;
    }
    throw err;
  }
  const mode = timeline.mode === 'drill' ? ' (DRILL)' : '';
  say(io, `wrote ${display(out, io.cwd)}: ${format}, ${timeline.events.length} events, ${timeline.steps.length} step attempts${mode}\n`);
  return 0;
}
