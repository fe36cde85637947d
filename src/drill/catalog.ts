// Where drill scenarios are found: --scenarios dirs, $ONCALL_SCENARIO_PATH, the bundled examples.
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { packageRoot } from '../paths.js';
import { readYamlFileSync } from '../runbook/limits.js';
import { didYouMean } from '../runbook/suggest.js';

export function scenarioDirs(opts: { extra?: string[]; env?: NodeJS.ProcessEnv; cwd?: string } = {}): string[] {
  const cwd = opts.cwd ?? process.cwd();
  const dirs = [...(opts.extra ?? []).map((d) => resolve(cwd, d))];
  for (const d of (opts.env?.ONCALL_SCENARIO_PATH ?? '').split(':')) if (d) dirs.push(resolve(cwd, d));
  dirs.push(join(packageRoot(), 'examples', 'drills'));
  return [...new Set(dirs)];
}

export interface ScenarioRef {
  id: string;
  title: string;
  runbook: string;
  file: string;
}

/** Scenario files along the search path, first of each id wins; read shallowly (no validation). */
export function listScenarios(dirs: string[]): ScenarioRef[] {
  const out = new Map<string, ScenarioRef>();
  for (const dir of dirs) {
    let names: string[];
    try {
      names = readdirSync(dir).filter((n) => /\.ya?ml$/.test(n)).sort();
    } catch {
      continue;
    }
    for (const name of names) {
      const file = join(dir, name);
      // Unreadable or beyond YAML_LIMITS.bytes: not listed (loading it by path says why).
      const read = readYamlFileSync(file, 'scenario');
      if ('issue' in read) continue;
      const text = read.source;
      // Top-level `key: value` lines only, and short ones: the pattern backtracks over a line.
      const lines = text.split('\n').filter((l) => l.length <= 1024 && /^(id|title|runbook):/.test(l));
      const field = (k: string) => {
        const re = new RegExp(`^${k}:[ \\t]*(['"]?)(.*?)\\1[ \\t]*(?:#.*)?$`);
        for (const l of lines) {
          const m = re.exec(l.replace(/\r$/, ''));
          if (m) return m[2];
        }
        return undefined;
      };
      const id = field('id');
      if (id && !out.has(id)) out.set(id, { id, title: field('title') ?? '', runbook: field('runbook') ?? '', file });
    }
  }
  return [...out.values()];
}

/** A path is used as is; anything else is a scenario id. */
export function findScenario(idOrPath: string, dirs: string[], cwd: string): string {
  if (idOrPath.includes('/') || /\.ya?ml$/.test(idOrPath)) return resolve(cwd, idOrPath);
  const all = listScenarios(dirs);
  const hit = all.find((s) => s.id === idOrPath);
  if (hit) return hit.file;
  const near = didYouMean(
    idOrPath,
    all.map((s) => s.id),
  );
  throw Object.assign(new Error(`no drill scenario '${idOrPath}'${near ? ` — did you mean '${near}'?` : ''} (see oncall drill --list)`), { code: 'ENOENT' });
}
