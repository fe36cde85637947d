// Where oncall's own files and the operator's state live.
import { accessSync, constants, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { access, mkdir, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
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

/** A directory oncall keeps its files in cannot be made; the message says why and what to do. */
export class StateDirError extends Error {
  readonly code = 'ESTATEDIR';
  constructor(
    readonly dir: string,
    why: string,
  ) {
    super(`cannot create ${dir}: ${why}; choose a writable directory with --state-dir (or $ONCALL_STATE_DIR)`);
    this.name = 'StateDirError';
  }
}

const WORDS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'the file system does not allow it',
  EROFS: 'the file system is read-only',
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
  ENOTDIR: 'a part of the path is a file, not a directory',
  ENOENT: 'the file system does not take new directories there',
  ELOOP: 'too many symbolic links',
  ENAMETOOLONG: 'the path is too long',
};

function why(err: unknown, at: string): string {
  const code = (err as NodeJS.ErrnoException).code ?? '';
  return `${WORDS[code] ?? (err as Error).message} (${code ? `${code}, ` : ''}at ${at})`;
}

/**
 * The missing directories of `dir`, outermost first, below its deepest existing ancestor; throws
 * StateDirError when that ancestor is not a directory, or not one this process can write in.
 */
function plan(dir: string, statOf: (p: string) => { isDirectory(): boolean } | undefined, writable: (p: string) => boolean): { missing: string[] } {
  const missing: string[] = [];
  let p = resolve(dir);
  let st = statOf(p);
  while (!st) {
    missing.unshift(p);
    const up = dirname(p);
    if (up === p) throw new StateDirError(dir, 'no part of the path exists');
    p = up;
    st = statOf(p);
  }
  if (!st.isDirectory()) throw new StateDirError(dir, `${p} is a file, not a directory`);
  if (missing.length && !writable(p)) throw new StateDirError(dir, `${p} is not writable by this user`);
  return { missing };
}

/**
 * Makes `dir` (and its missing parents) with mode 0700, one level at a time, and returns the
 * directories it made. Never a recursive mkdir: Node's spins forever on some file systems
 * (`--state-dir /proc/nope`). Throws StateDirError, in words, when it cannot.
 */
export async function makePrivateDir(dir: string): Promise<string[]> {
  const statuses = new Map<string, { isDirectory(): boolean } | undefined>();
  // Walk up with real stats (async), then plan from what was seen.
  let p = resolve(dir);
  for (;;) {
    const st = await stat(p).catch((err: NodeJS.ErrnoException) => {
      // ENOTDIR: a file further up; the walk finds it and says so.
      if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return undefined;
      throw new StateDirError(dir, why(err, p));
    });
    statuses.set(p, st);
    if (st || dirname(p) === p) break;
    p = dirname(p);
  }
  let writable = true;
  if (statuses.get(p)?.isDirectory()) writable = await access(p, constants.W_OK | constants.X_OK).then(() => true, () => false);
  const { missing } = plan(dir, (q) => statuses.get(q), () => writable);
  for (const m of missing) {
    await mkdir(m, { mode: 0o700 }).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') throw new StateDirError(dir, why(err, m));
    });
  }
  return missing;
}

/** makePrivateDir, blocking. */
export function makePrivateDirSync(dir: string): string[] {
  const statOf = (p: string) => {
    try {
      return statSync(p);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
      throw new StateDirError(dir, why(err, p));
    }
  };
  const writable = (p: string) => {
    try {
      accessSync(p, constants.W_OK | constants.X_OK);
      return true;
    } catch {
      return false;
    }
  };
  const { missing } = plan(dir, statOf, writable);
  for (const m of missing) {
    try {
      mkdirSync(m, { mode: 0o700 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new StateDirError(dir, why(err, m));
    }
  }
  return missing;
}
