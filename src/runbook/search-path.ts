// The runbook search path. Kept free of the loader's dependencies so listing can start fast.
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { configRoot, packageRoot } from '../paths.js';
import type { RunbookIssue } from './issues.js';
import { readYamlFileSync } from './limits.js';

export interface CatalogOptions {
  /** --runbooks directories, searched first. */
  extra?: string[];
  /** Where loaded plugins keep their runbooks: after the operator's own, before the bundled ones. */
  pluginDirs?: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/**
 * The search path, first match wins: --runbooks dirs, $ONCALL_RUNBOOK_PATH (colon-separated),
 * ./runbooks (unless it is oncall's own), $XDG_CONFIG_HOME/oncall/runbooks, the bundled runbooks.
 */
export function runbookDirs(opts: CatalogOptions = {}): string[] {
  const env = opts.env ?? process.env;
  const cwd = opts.cwd ?? process.cwd();
  const own = resolve(packageRoot(), 'runbooks');
  const dirs: string[] = [];
  for (const d of opts.extra ?? []) dirs.push(resolve(cwd, d));
  for (const d of (env.ONCALL_RUNBOOK_PATH ?? '').split(':')) if (d) dirs.push(resolve(cwd, d));
  const local = resolve(cwd, 'runbooks');
  if (local !== own && isDir(local)) dirs.push(local);
  dirs.push(join(configRoot(env), 'runbooks'));
  dirs.push(...(opts.pluginDirs ?? []));
  dirs.push(own);
  return [...new Set(dirs)];
}

/** *.yaml / *.yml directly in each directory (not below), in search-path order; missing dirs are skipped. */
export function findRunbookFiles(dirs: string[]): string[] {
  const files: string[] = [];
  for (const dir of dirs) {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names.sort()) {
      if (!/\.ya?ml$/.test(name) || name.endsWith('.schema.json')) continue;
      const file = join(dir, name);
      if (isFile(file)) files.push(file);
    }
  }
  return files;
}

/** Each runbook file's text in search-path order; one that cannot be read comes with the issue to report instead. */
export function* readRunbookFiles(dirs: string[]): Generator<{ file: string; source: string } | { file: string; unreadable: RunbookIssue }> {
  for (const file of findRunbookFiles(dirs)) {
    // Within YAML_LIMITS.bytes: a huge file sitting on the search path is named, never read.
    const read = readYamlFileSync(file, 'runbook');
    yield 'issue' in read ? { file, unreadable: read.issue } : { file, source: read.source };
  }
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

