// Where runbooks are found, and how `oncall run <id>` picks one.
import { resolve } from 'node:path';
import type { KindCatalog } from './kinds.js';
import { loadRunbook, parseRunbook } from './load.js';
import type { LoadedRunbook } from './load.js';
import type { RunbookIssue } from './issues.js';
import { readYamlFileSync } from './limits.js';
import { findRunbookFiles, readRunbookFiles, runbookDirs, type CatalogOptions } from './search-path.js';
import { didYouMean } from './suggest.js';

export { findRunbookFiles, runbookDirs, type CatalogOptions };

/** No runbook has the id asked for; the message lists where we looked and what is close. */
export class RunbookNotFoundError extends Error {
  /** Like a missing file, for callers that treat both the same (exit 2). */
  readonly code = 'ENOENT';

  constructor(
    readonly id: string,
    readonly dirs: string[],
    readonly known: string[],
  ) {
    const near = didYouMean(id, known);
    super(
      `no runbook with id '${id}'${near ? ` — did you mean '${near}'?` : ''}\n` +
        `looked in: ${dirs.join(', ')}\n` +
        (known.length ? `available: ${known.join(', ')}` : 'no runbooks found there; pass a file path, or --runbooks <dir>'),
    );
    this.name = 'RunbookNotFoundError';
  }
}

/**
 * A path (holds '/' or ends in .yaml/.yml) is loaded as is; anything else is a runbook id,
 * looked up along the search path. Throws RunbookError for an invalid runbook and
 * RunbookNotFoundError for an unknown id.
 */
export async function resolveRunbook(idOrPath: string, registry: KindCatalog, opts: CatalogOptions = {}): Promise<LoadedRunbook> {
  if (idOrPath.includes('/') || /\.ya?ml$/.test(idOrPath)) return loadRunbook(resolve(opts.cwd ?? process.cwd(), idOrPath), registry);
  const dirs = runbookDirs(opts);
  const known: string[] = [];
  for (const file of findRunbookFiles(dirs)) {
    const id = peekId(file);
    if (id === idOrPath) return loadRunbook(file, registry);
    if (id && !known.includes(id)) known.push(id);
  }
  throw new RunbookNotFoundError(idOrPath, dirs, known);
}

export interface Catalog {
  /** Valid runbooks, first of each id along the search path. */
  runbooks: LoadedRunbook[];
  invalid: { file: string; issues: RunbookIssue[] }[];
  /** Files whose id an earlier directory already provides. */
  shadowed: { file: string; id: string; by: string }[];
}

export function loadCatalog(registry: KindCatalog, opts: CatalogOptions = {}): Catalog {
  const out: Catalog = { runbooks: [], invalid: [], shadowed: [] };
  const byId = new Map<string, string>();
  for (const read of readRunbookFiles(runbookDirs(opts))) {
    const file = read.file;
    if ('unreadable' in read) {
      out.invalid.push({ file, issues: [read.unreadable] });
      continue;
    }
    const r = parseRunbook(read.source, file, registry);
    if (!r.ok) {
      out.invalid.push({ file, issues: r.issues });
      continue;
    }
    const id = r.value.runbook.id;
    const by = byId.get(id);
    if (by) out.shadowed.push({ file, id, by });
    else {
      byId.set(id, file);
      out.runbooks.push(r.value);
    }
  }
  return out;
}

/** The top-level `id:` of a runbook file without validating it (so `run <id>` stays quick). */
function peekId(file: string): string | undefined {
  const read = readYamlFileSync(file, 'runbook');
  if ('issue' in read) return undefined;
  return /^id:[ \t]*(['"]?)([^'"\s#]+)\1[ \t]*(?:#.*)?$/m.exec(read.source)?.[2];
}
