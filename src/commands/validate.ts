// `oncall validate [paths…] [--json] [--runbooks dir]`: check runbooks, say exactly what is wrong
// and where. Exit 0 when there are no errors (warnings alone are fine), 2 otherwise.
import { readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { KindRegistry } from '../core/registry.js';
import { parseScenario } from '../drill/scenario.js';
import { pluginContext } from '../plugins/session.js';
import { findRunbookFiles, runbookDirs } from '../runbook/catalog.js';
import { formatIssue, parseRunbook } from '../runbook/load.js';
import type { RunbookIssue } from '../runbook/issues.js';
import { readYamlFileSync } from '../runbook/limits.js';
import { parseCommandArgs, say } from './io.js';
import { display } from '../core/io.js';
import { jsonText, visible } from '../core/terminal-text.js';
import type { CommandIO } from '../core/io.js';

const USAGE = 'oncall validate [paths…] [--json] [--watch] [--runbooks <dir>] [--plugin <path>]';

export interface FileReport {
  file: string;
  id?: string;
  /** Set for drill scenarios; runbooks are the default. */
  kind?: 'scenario';
  ok: boolean;
  issues: RunbookIssue[];
}

export async function validateCommand(args: string[], io: CommandIO, deps: { registry?: KindRegistry } = {}): Promise<number> {
  const parsed = parseCommandArgs(args, { json: { type: 'boolean' }, watch: { type: 'boolean' }, runbooks: { type: 'string', multiple: true }, plugin: { type: 'string', multiple: true } }, io, USAGE);
  if (!parsed) return 2;
  if (parsed.values.watch) return watch(args.filter((a) => a !== '--watch'), io, deps);
  const json = parsed.values.json === true;
  // Plugins define step kinds that runbooks may use, and ship runbooks of their own.
  const plugins = deps.registry ? undefined : await pluginContext(io, parsed.values.plugin as string[] | undefined);
  const registry = deps.registry ?? plugins!.registry;

  const problems: string[] = [];
  let files: string[];
  if (parsed.positionals.length) {
    files = [];
    for (const p of parsed.positionals) collect(resolve(io.cwd, p), p, files, problems);
  } else {
    const dirs = runbookDirs({ extra: parsed.values.runbooks as string[] | undefined, pluginDirs: plugins?.runbookDirs, env: io.env, cwd: io.cwd });
    files = findRunbookFiles(dirs);
    if (!files.length) problems.push(`no runbooks found in: ${dirs.join(', ')}`);
  }

  const reports = files.map((f) => check(f, display(f, io.cwd), registry));
  const all = reports.flatMap((r) => r.issues);
  const errors = all.filter((i) => i.severity === 'error').length + problems.length;
  const warnings = all.length - (errors - problems.length);

  for (const p of problems) say(io, `oncall validate: ${p}\n`);
  if (json) {
    io.stdout.write(`${jsonText({ files: reports, errors, warnings }, 2)}\n`);
  } else {
    // An issue may quote the file: what it quotes is shown, never obeyed by the terminal.
    for (const issue of all) io.stdout.write(`${visible(formatIssue(issue))}\n`);
    const scenarios = reports.filter((r) => r.kind === 'scenario').length;
    const what = scenarios ? `${plural(reports.length - scenarios, 'runbook')} and ${plural(scenarios, 'scenario')}` : plural(reports.length, 'runbook');
    io.stdout.write(`${what} checked, ${plural(errors, 'error')}, ${plural(warnings, 'warning')}\n`);
  }
  return errors > 0 ? 2 : 0;
}

/**
 * `--watch`: checks once, then again each time a runbook file (or a folder holding them) changes,
 * until Ctrl+C (exit 0). Saves arrive as bursts of events; one check follows each burst.
 */
async function watch(args: string[], io: CommandIO, deps: { registry?: KindRegistry }): Promise<number> {
  const { watch: watchPath } = await import('node:fs');
  const parsed = parseCommandArgs(args, { json: { type: 'boolean' }, runbooks: { type: 'string', multiple: true }, plugin: { type: 'string', multiple: true } }, io, USAGE)!;
  const targets = parsed.positionals.length
    ? parsed.positionals.map((p) => resolve(io.cwd, p))
    : runbookDirs({ extra: parsed.values.runbooks as string[] | undefined, env: io.env, cwd: io.cwd });
  const check = async () => {
    io.stdout.write(`\n── ${new Date().toLocaleTimeString('en-GB')} ──\n`);
    await validateCommand(args, io, deps);
  };
  await check();
  const watchers: import('node:fs').FSWatcher[] = [];
  for (const t of targets) {
    try {
      // Folders recursively. A file through its folder: editors (and sed -i) save by writing a new
      // file and renaming it over the old one, which a watch on the file itself would not follow.
      if (statSync(t).isDirectory()) watchers.push(watchPath(t, { recursive: true }, () => schedule()));
      else watchers.push(watchPath(dirname(t), (_event, name) => (name === null || name === basename(t) ? schedule() : undefined)));
    } catch (err) {
      io.stderr.write(`oncall validate: cannot watch ${display(t, io.cwd)}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}\n`);
    }
  }
  if (!watchers.length) return 2;
  io.stderr.write(`watching ${targets.map((t) => display(t, io.cwd)).join(', ')} (Ctrl+C stops)\n`);
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(() => {
      running = running.then(check);
    }, 100);
  }
  return new Promise((done) => {
    const stop = () => {
      clearTimeout(timer);
      for (const w of watchers) w.close();
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void running.then(() => done(0));
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

/** A drill scenario names its runbook and what a good response looks like, at the top level (linear: no backtracking). */
function isScenario(source: string): boolean {
  const at = source.search(/^runbook:/m);
  return at >= 0 && /^expect:/m.test(source.slice(at));
}

/** One file's report; whatever happens inside, the file gets its own located issue and the batch goes on. */
function check(file: string, shown: string, registry: KindRegistry): FileReport {
  try {
    return checkFile(file, shown, registry);
  } catch (err) {
    const message = `could not check this file: ${err instanceof Error ? err.message : String(err)}`;
    return { file: shown, ok: false, issues: [{ file: shown, line: 1, col: 1, path: '', severity: 'error', message, hint: 'this is a bug in oncall; please report it together with the file' }] };
  }
}

function checkFile(file: string, shown: string, registry: KindRegistry): FileReport {
  const read = readYamlFileSync(file, 'runbook', shown);
  if ('issue' in read) return { file: shown, ok: false, issues: [read.issue] };
  const source = read.source;
  // Drill scenarios sit beside runbooks (examples/drills); they are checked against their own schema.
  if (isScenario(source)) {
    const sc = parseScenario(source, shown);
    if (sc.ok) return { file: shown, id: sc.value.scenario.id, kind: 'scenario', ok: true, issues: [] };
    return { file: shown, kind: 'scenario', ok: false, issues: sc.issues };
  }
  const r = parseRunbook(source, shown, registry);
  if (r.ok) return { file: shown, id: r.value.runbook.id, ok: true, issues: r.issues };
  const id = /^id:[ \t]*(['"]?)([a-z0-9][a-z0-9_-]*)\1[ \t]*$/m.exec(source)?.[2];
  return { file: shown, ...(id ? { id } : {}), ok: false, issues: r.issues };
}

/** Files as given; directories searched recursively for *.yaml / *.yml. */
function collect(abs: string, given: string, out: string[], problems: string[]): void {
  let st;
  try {
    st = statSync(abs);
  } catch {
    problems.push(`'${given}': no such file or directory`);
    return;
  }
  if (st.isFile()) {
    out.push(abs);
    return;
  }
  if (!st.isDirectory()) {
    problems.push(`'${given}' is not a file or a directory; name runbook files, or directories holding them`);
    return;
  }
  const before = out.length;
  const walk = (dir: string) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch (err) {
      problems.push(`cannot read '${dir}': ${(err as NodeJS.ErrnoException).code}`);
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      if (e.name.startsWith('.') || e.name === 'node_modules') continue;
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && /\.ya?ml$/.test(e.name)) out.push(p);
    }
  };
  walk(abs);
  if (out.length === before) problems.push(`no runbooks in '${given}': it holds no *.yaml or *.yml files (subdirectories included)`);
}

/** Paths under the working directory are shown relative to it, like compilers do. */

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
