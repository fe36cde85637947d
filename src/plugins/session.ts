// Plugins as a command sees them: loaded once, failures reported by name on stderr, and the
// runbooks and scenarios they ship added to the search paths.
import { statSync } from 'node:fs';
import { dirname } from 'node:path';
import type { CommandIO } from '../core/io.js';
import { visible } from '../core/terminal-text.js';
import { pluginCandidates, pluginFingerprint } from './discover.js';
import type { PluginSet } from './loader.js';

export interface PluginContext extends PluginSet {
  runbookDirs: string[];
  scenarioDirs: string[];
}

export async function pluginContext(io: CommandIO, extra?: string[]): Promise<PluginContext> {
  const { loadPlugins } = await import('./loader.js');
  const set = await loadPlugins({ extra, env: io.env, cwd: io.cwd });
  for (const f of set.failures) io.stderr.write(visible(`oncall: plugin '${f.name}' was not loaded (${f.file}): ${f.error}\n`));
  return { ...set, runbookDirs: dirsOf(set.plugins.flatMap((p) => p.runbooks)), scenarioDirs: dirsOf(set.plugins.flatMap((p) => p.scenarios)) };
}

/** For `oncall list`: a key naming the plugin files as they are, and a loader used on cache misses. */
export function listingPlugins(io: CommandIO, extra?: string[]) {
  const candidates = pluginCandidates({ extra, env: io.env, cwd: io.cwd });
  if (!candidates.length) return undefined;
  return {
    key: pluginFingerprint(candidates),
    load: async () => {
      const ctx = await pluginContext(io, extra);
      return { registry: ctx.registry, runbookDirs: ctx.runbookDirs };
    },
  };
}

/** A listed path may be a file or a directory; the search paths hold directories. */
function dirsOf(paths: string[]): string[] {
  const dirs = paths.map((p) => {
    try {
      return statSync(p).isDirectory() ? p : dirname(p);
    } catch {
      return dirname(p);
    }
  });
  return [...new Set(dirs)];
}
