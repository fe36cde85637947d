// What `oncall list` (and later the TUI's picker) shows of each runbook on the search path.
// Parsing a runbook loads zod, CEL and YAML, which would triple the start-up of a command people
// type all day; so each file's listing is cached under its content hash and oncall's build id,
// and those libraries load only for files that changed.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KindRegistry } from '../engine/registry.js';
import { cacheRoot } from '../paths.js';
import type { RunbookIssue } from './issues.js';
import type { InputSpec } from './schema.js';
import { findRunbookFiles, runbookDirs, type CatalogOptions } from './search-path.js';

declare const __ONCALL_BUILD__: string | undefined;
/** Set by the bundler. Sources run by tests have none, and then nothing is cached. */
const BUILD_ID = typeof __ONCALL_BUILD__ === 'string' ? __ONCALL_BUILD__ : undefined;

export interface RunbookListing {
  id: string;
  title: string;
  version: string;
  summary: string;
  tags: string[];
  file: string;
  /** As declared, except that a secret input's default shows as a placeholder. */
  inputs: Record<string, InputSpec>;
}

type Outcome = { hash: string; listing: RunbookListing } | { hash: string; issues: RunbookIssue[] };

export interface Listing {
  runbooks: RunbookListing[];
  invalid: { file: string; issues: RunbookIssue[] }[];
  /** Files whose id an earlier directory already provides. */
  shadowed: { file: string; id: string; by: string }[];
}

export interface ListingOptions extends CatalogOptions {
  /** Plugins change which runbooks are valid: their registry must be given, with a key naming it. */
  registry?: { key: string; load: () => Promise<KindRegistry> };
}

export async function listRunbooks(opts: ListingOptions = {}): Promise<Listing> {
  const env = opts.env ?? process.env;
  const key = BUILD_ID ? `${BUILD_ID}|${opts.registry?.key ?? 'builtin'}` : undefined;
  const cacheFile = join(cacheRoot(env), 'runbook-listing.json');
  const cached = key ? readCache(cacheFile, key) : {};
  const fresh: Record<string, Outcome> = {};
  let parse: ((source: string, file: string, hash: string) => Outcome) | undefined;

  const out: Listing = { runbooks: [], invalid: [], shadowed: [] };
  const byId = new Map<string, string>();
  for (const file of findRunbookFiles(runbookDirs(opts))) {
    let source: string;
    try {
      source = readFileSync(file, 'utf8');
    } catch (err) {
      out.invalid.push({ file, issues: [{ file, line: 1, col: 1, path: '', severity: 'error', message: `cannot read: ${(err as Error).message}` }] });
      continue;
    }
    const hash = createHash('sha256').update(source).digest('hex');
    let outcome = cached[file]?.hash === hash ? cached[file] : undefined;
    if (!outcome) {
      parse ??= await parser(opts);
      outcome = parse(source, file, hash);
    }
    fresh[file] = outcome;
    if ('issues' in outcome) {
      out.invalid.push({ file, issues: outcome.issues });
      continue;
    }
    const by = byId.get(outcome.listing.id);
    if (by) out.shadowed.push({ file, id: outcome.listing.id, by });
    else {
      byId.set(outcome.listing.id, file);
      out.runbooks.push(outcome.listing);
    }
  }
  if (key && parse) writeCache(cacheFile, key, fresh);
  out.runbooks.sort((a, b) => a.id.localeCompare(b.id));
  return out;
}

/** Loads the full loader (and the registry) only when some file is not in the cache. */
async function parser(opts: ListingOptions): Promise<(source: string, file: string, hash: string) => Outcome> {
  const [{ parseRunbook }, registry] = await Promise.all([
    import('./load.js'),
    opts.registry ? opts.registry.load() : import('../executors/index.js').then((m) => m.builtinRegistry()),
  ]);
  return (source, file, hash) => {
    const r = parseRunbook(source, file, registry);
    if (!r.ok) return { hash, issues: r.issues };
    const rb = r.value.runbook;
    const inputs = Object.fromEntries(
      Object.entries(rb.inputs).map(([k, v]) => [k, v.secret && v.default !== undefined ? { ...v, default: `[redacted:${k}]` } : v]),
    );
    return { hash, listing: { id: rb.id, title: rb.title, version: rb.version, summary: rb.summary, tags: rb.tags, file, inputs } };
  };
}

function readCache(file: string, key: string): Record<string, Outcome> {
  try {
    const data = JSON.parse(readFileSync(file, 'utf8')) as { key?: string; files?: Record<string, Outcome> };
    return data.key === key && data.files ? data.files : {};
  } catch {
    return {};
  }
}

/** Best effort: a cache that cannot be written only costs speed next time. */
function writeCache(file: string, key: string, files: Record<string, Outcome>): void {
  try {
    mkdirSync(join(file, '..'), { recursive: true, mode: 0o700 });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify({ key, files }), { mode: 0o600 });
    renameSync(tmp, file);
  } catch {
    // ignored on purpose
  }
}
