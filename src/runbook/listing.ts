// What `oncall list` (and later the TUI's picker) shows of each runbook on the search path.
// Parsing a runbook loads zod, CEL and YAML, which would triple the start-up of a command people
// type all day; so each file's listing is cached under its content hash and oncall's build id,
// and those libraries load only for files that changed.
import { createHash } from 'node:crypto';
import { readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KindCatalog } from './kinds.js';
import { cacheRoot, makePrivateDirSync } from '../paths.js';
import type { RunbookIssue } from './issues.js';
import type { InputSpec } from './schema.js';
import { readRunbookFiles, runbookDirs, type CatalogOptions } from './search-path.js';

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
  /**
   * Plugins change which runbooks exist and which are valid. `key` names the plugin files as they
   * are; `load` loads them (only on a cache miss) and says where their runbooks are.
   */
  plugins?: { key: string; load: () => Promise<{ registry: KindCatalog; runbookDirs: string[] }> };
}

export async function listRunbooks(opts: ListingOptions = {}): Promise<Listing> {
  const env = opts.env ?? process.env;
  const key = BUILD_ID ? `${BUILD_ID}|${opts.plugins?.key ?? 'builtin'}` : undefined;
  const cacheFile = join(cacheRoot(env), 'runbook-listing.json');
  const cache = key ? readCache(cacheFile, key) : undefined;
  const cached = cache?.files ?? {};
  const fresh: Record<string, Outcome> = {};
  let parse: ((source: string, file: string, hash: string) => Outcome) | undefined;
  let loaded: Promise<{ registry: KindCatalog; runbookDirs: string[] }> | undefined;
  const loadPlugins = () => (loaded ??= opts.plugins ? opts.plugins.load() : import('../executors/index.js').then((m) => ({ registry: m.builtinRegistry(), runbookDirs: [] })));
  // Where plugins keep runbooks is known from the cache, or by loading them.
  const pluginDirs = cache?.pluginDirs ?? (opts.plugins ? (await loadPlugins()).runbookDirs : []);

  const out: Listing = { runbooks: [], invalid: [], shadowed: [] };
  const byId = new Map<string, string>();
  for (const read of readRunbookFiles(runbookDirs({ ...opts, pluginDirs }))) {
    const file = read.file;
    if ('unreadable' in read) {
      out.invalid.push({ file, issues: [read.unreadable] });
      continue;
    }
    const source = read.source;
    const hash = createHash('sha256').update(source).digest('hex');
    let outcome = cached[file]?.hash === hash ? cached[file] : undefined;
    if (!outcome) {
      parse ??= await parser((await loadPlugins()).registry);
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
  if (key && (parse || !cache)) writeCache(cacheFile, { key, pluginDirs, files: fresh });
  out.runbooks.sort((a, b) => a.id.localeCompare(b.id));
  return out;
}

/** Loads the full loader only when some file is not in the cache. */
async function parser(registry: KindCatalog): Promise<(source: string, file: string, hash: string) => Outcome> {
  const { parseRunbook } = await import('./load.js');
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

interface CacheData {
  key: string;
  pluginDirs: string[];
  files: Record<string, Outcome>;
}

/** A cache larger than this is not read (it holds a few hundred bytes per runbook). */
const MAX_CACHE_BYTES = 32 * 1024 * 1024;

function readCache(file: string, key: string): CacheData | undefined {
  try {
    if (statSync(file).size > MAX_CACHE_BYTES) return undefined;
    const data = JSON.parse(readFileSync(file, 'utf8')) as Partial<CacheData>;
    return data.key === key && data.files && Array.isArray(data.pluginDirs) ? (data as CacheData) : undefined;
  } catch {
    return undefined;
  }
}

/** Best effort: a cache that cannot be written only costs speed next time. */
function writeCache(file: string, data: CacheData): void {
  try {
    // Not a recursive mkdir: it spins forever on some file systems ($XDG_CACHE_HOME=/proc/x).
    makePrivateDirSync(join(file, '..'));
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(data), { mode: 0o600 });
    renameSync(tmp, file);
  } catch {
    // ignored on purpose
  }
}
