// Where oncall's own files and the operator's state live.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

/** The package root (holds package.json, runbooks/, examples/), from the bundle or the sources. */
export function packageRoot(): string {
  if (root) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && JSON.parse(readFileSync(pkg, 'utf8')).name === 'oncall') return (root = dir);
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the oncall package root');
    dir = up;
  }
}

/**
 * Root of oncall's state: $ONCALL_STATE_DIR, else $XDG_STATE_HOME/oncall, else ~/.local/state/oncall.
 * Incident journals live in <root>/incidents/<id>/journal.jsonl.
 */
export function stateRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.ONCALL_STATE_DIR) return env.ONCALL_STATE_DIR;
  const xdg = env.XDG_STATE_HOME && env.XDG_STATE_HOME.startsWith('/') ? env.XDG_STATE_HOME : join(homedir(), '.local', 'state');
  return join(xdg, 'oncall');
}

/** $XDG_CONFIG_HOME/oncall, else ~/.config/oncall. */
/** Drill incidents live apart from live ones, below the state root. */
export function drillRoot(stateRoot: string): string {
  return join(stateRoot, 'drills');
}

export function configRoot(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_CONFIG_HOME && env.XDG_CONFIG_HOME.startsWith('/') ? env.XDG_CONFIG_HOME : join(homedir(), '.config');
  return join(xdg, 'oncall');
}

/** $XDG_CACHE_HOME/oncall, else ~/.cache/oncall: things oncall can rebuild at any time. */
export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_CACHE_HOME && env.XDG_CACHE_HOME.startsWith('/') ? env.XDG_CACHE_HOME : join(homedir(), '.cache');
  return join(xdg, 'oncall');
}
