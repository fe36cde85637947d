// Where plugins are: cheap to ask (directory reads only), so fast paths can decide whether they
// need to load any.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { configRoot, packageRoot } from '../paths.js';

export type PluginOrigin = 'project' | 'user' | 'flag';

export interface PluginCandidate {
  file: string;
  origin: PluginOrigin;
}

export interface PluginOptions {
  /** --plugin paths (files or plugin directories). */
  extra?: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/** Plugin modules, in load order: project, user, then --plugin. Reading directories only. */
export function pluginCandidates(opts: PluginOptions = {}): PluginCandidate[] {
  const cwd = opts.cwd ?? process.cwd();
  const out: PluginCandidate[] = [];
  const seen = new Set<string>();
  const add = (file: string | undefined, origin: PluginOrigin) => {
    if (file && !seen.has(file)) {
      seen.add(file);
      out.push({ file, origin });
    }
  };
  const projectDirs = [join(packageRoot(), 'plugins'), resolve(cwd, 'plugins')];
  for (const dir of new Set(projectDirs)) for (const f of modulesIn(dir)) add(f, 'project');
  for (const f of modulesIn(join(configRoot(opts.env), 'plugins'))) add(f, 'user');
  for (const p of opts.extra ?? []) add(entryOf(resolve(cwd, p)) ?? resolve(cwd, p), 'flag');
  return out;
}

/** Identifies the plugin files as they are now (paths, sizes, times), for caches. */
export function pluginFingerprint(candidates: PluginCandidate[]): string {
  return candidates
    .map((c) => {
      try {
        const st = statSync(c.file);
        return `${c.file}:${st.size}:${st.mtimeMs}`;
      } catch {
        return `${c.file}:missing`;
      }
    })
    .join('|');
}

/** `x.mjs` / `x.js` files and directories with an index module, skipping tests and hidden entries. */
function modulesIn(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const name of names) {
    if (name.startsWith('.') || name.startsWith('_') || /\.test\.|\.d\.ts$/.test(name)) continue;
    const entry = entryOf(join(dir, name));
    if (entry) out.push(entry);
  }
  return out;
}

function entryOf(path: string): string | undefined {
  try {
    const st = statSync(path);
    if (st.isFile()) return /\.(mjs|js)$/.test(path) ? path : undefined;
    if (st.isDirectory()) return ['index.mjs', 'index.js'].map((f) => join(path, f)).find((f) => existsSync(f));
  } catch {
    return undefined;
  }
  return undefined;
}

