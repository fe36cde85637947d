// Export = fold the journal into a Timeline, then render it. The journal is the only thing read:
// no runbook file, no config, no live lookups, so an export is reproducible from the journal
// alone (a copied journal.jsonl exports the same). Used by `oncall export` and the TUI.
import { stat } from 'node:fs/promises';
import { visibleDeep } from '../core/terminal-text.js';
import { journalPath } from '../journal/paths.js';
import { readJournalReporting, readJournalStream, type ChainReport } from '../journal/reader.js';
import { renderCsv } from './csv.js';
import { renderHtml } from './html.js';
import { renderJson } from './json.js';
import { renderMarkdown } from './markdown.js';
import { writePrivateFile } from './write.js';
import type { Timeline } from './schema.js';
import { collect, type Write } from './sink.js';
import { TimelineBuilder } from './timeline.js';

export type { Timeline, TimelineEvent, TimelineStep } from './schema.js';

export const EXPORT_FORMATS = ['md', 'html', 'json', 'csv'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export const FORMAT_INFO: Record<ExportFormat, { extension: string; mime: string }> = {
  md: { extension: '.md', mime: 'text/markdown; charset=utf-8' },
  html: { extension: '.html', mime: 'text/html; charset=utf-8' },
  json: { extension: '.json', mime: 'application/json' },
  csv: { extension: '.csv', mime: 'text/csv; charset=utf-8' },
};

export function isExportFormat(f: string): f is ExportFormat {
  return (EXPORT_FORMATS as readonly string[]).includes(f);
}


export class ExportNotFoundError extends Error {
  readonly code = 'EINCIDENTNOTFOUND';
  constructor(
    readonly incidentId: string,
    readonly file: string,
  ) {
    super(`no incident ${incidentId}: there is no journal at ${file}`);
    this.name = 'ExportNotFoundError';
  }
}

export interface BuildOptions {
  /**
   * Also check the hash chain (oncall verify); the result goes to timeline.journal.integrity.
   * Off by default: it reads and parses the journal a second time, which doubles the cost of
   * a large export.
   */
  verify?: boolean;
  /** generated_at (tests pin it). */
  now?: Date;
}

/** Folds one incident's journal, streamed, into a Timeline. */
export async function buildTimeline(root: string, id: string, opts: BuildOptions = {}): Promise<Timeline> {
  const file = journalPath(root, id); // validates the id: nothing outside <root>/incidents is read
  try {
    await stat(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new ExportNotFoundError(id, file);
    throw err;
  }
  const builder = new TimelineBuilder(id);
  if (!opts.verify) {
    for await (const rec of readJournalStream(file)) builder.add(rec);
    return builder.finish({ now: opts.now, integrity: null });
  }
  // One pass: the chain and the head are checked as the records are folded.
  const report: ChainReport = {};
  for await (const rec of readJournalReporting(file, report)) builder.add(rec);
  const integrity = report.problem ? { ok: false, torn_tail: false, problem: report.problem } : { ok: true, torn_tail: report.torn === true, problem: null };
  return builder.finish({ now: opts.now, integrity });
}

const RENDERERS: Record<ExportFormat, (tl: Timeline, write: Write) => void> = { md: renderMarkdown, html: renderHtml, json: renderJson, csv: renderCsv };

/**
 * The formats people read, in a browser, an editor, a spreadsheet or with `cat` on a terminal:
 * the journal's text (a step's output, an input, a note, an error) reaches them with its escape
 * sequences removed and its control characters shown (core/terminal-text.ts), before the renderer
 * escapes it for its format. JSON is data: it keeps the exact text, which JSON escapes.
 */
const FOR_PEOPLE: Record<ExportFormat, boolean> = { md: true, html: true, csv: true, json: false };

/** Writes the export in chunks of ~64 KiB through `write` (to a file, without holding it all). */
export function streamTimeline(tl: Timeline, format: ExportFormat, write: Write): void {
  RENDERERS[format](FOR_PEOPLE[format] ? visibleDeep(tl) : tl, write);
}

export function renderTimeline(tl: Timeline, format: ExportFormat): string {
  return collect((write) => streamTimeline(tl, format, write));
}

/**
 * The export the TUI's timeline view offers: the incident under `root` (a state root, or its
 * drills root for drills) rendered in `format`, as one string. To save it, prefer
 * `saveExport` (streams, mode 0600, no overwrite without force).
 */
export async function exportIncident(root: string, id: string, format: ExportFormat, opts: BuildOptions = {}): Promise<string> {
  return renderTimeline(await buildTimeline(root, id, opts), format);
}

/** A file name for an export: inc-…-xxxx.md, .html, … */
export function exportFileName(id: string, format: ExportFormat): string {
  return `${id}${FORMAT_INFO[format].extension}`;
}

/** Exports an incident straight to `file` (mode 0600; refuses to overwrite unless `force`). */
export async function saveExport(root: string, id: string, format: ExportFormat, file: string, opts: BuildOptions & { force?: boolean } = {}): Promise<Timeline> {
  const tl = await buildTimeline(root, id, opts);
  writePrivateFile(file, (write) => streamTimeline(tl, format, write), { force: opts.force });
  return tl;
}

export { ExportFileExistsError, writePrivateFile } from './write.js';
export type { Write } from './sink.js';
