// Reading the config file and deciding each setting: a flag beats the environment, the environment
// beats the file, the file beats the default. Commands read flags and the environment as they
// always did; the CLI hands them an environment in which the file's values fill what is unset
// (withConfig), and `oncall config` shows where each value came from (settings).
import { existsSync, readFileSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { stateRoot } from '../paths.js';
import { checkWithSchema } from '../runbook/checks.js';
import type { RunbookIssue } from '../runbook/issues.js';
import { formatIssue } from '../runbook/issues.js';
import { sourceTooBig } from '../runbook/limits.js';
import { parseYamlWith } from '../runbook/yaml.js';
import { configFile } from './path.js';
import { configSchema, type Config } from './schema.js';

export { configFile };

export interface LoadedConfig {
  /** Where the file is (or would be). */
  file: string;
  exists: boolean;
  /** Set when the file is absent or valid. */
  config?: Config;
  issues: RunbookIssue[];
}

export function loadConfig(env: NodeJS.ProcessEnv): LoadedConfig {
  const file = configFile(env);
  if (!existsSync(file)) return { file, exists: false, config: {}, issues: [] };
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch (err) {
    const issue: RunbookIssue = { file, line: 1, col: 1, path: '', severity: 'error', message: `cannot read the config file: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, hint: 'check its permissions' };
    return { file, exists: true, issues: [issue] };
  }
  const big = sourceTooBig(source, file, 'config file');
  if (big) return { file, exists: true, issues: [big] };
  // An empty file (or one with only comments) is an empty config.
  if (!source.replace(/#.*$/gm, '').trim()) return { file, exists: true, config: {}, issues: [] };
  const r = parseYamlWith(source, file, (data) => checkWithSchema(data, configSchema, 'config file'), 'config file');
  if (!r.ok) return { file, exists: true, issues: r.issues };
  return { file, exists: true, config: r.value, issues: r.issues };
}

/** The issues, one per line, as compilers print them, and what to do. */
export function configProblem(loaded: LoadedConfig): string {
  return `${loaded.issues.map((i) => `oncall: ${formatIssue(i)}`).join('\n')}\noncall: fix ${loaded.file} (its schema is runbooks/config.schema.json), or set ONCALL_CONFIG=/dev/null to run without it\n`;
}

/** A path in the file: ~ is the home directory, a relative one is relative to the file. */
function filePath(p: string, file: string): string {
  if (p === '~' || p.startsWith('~/')) return join(homedir(), p.slice(1));
  return isAbsolute(p) ? p : resolve(dirname(file), p);
}

const set = (v: string | undefined): v is string => Boolean(v && v.trim() !== '');

/**
 * The environment a command sees: the file's values where the environment has none. Search paths
 * add up instead, the environment's first (the first match wins).
 */
export function withConfig(env: NodeJS.ProcessEnv, loaded: LoadedConfig): NodeJS.ProcessEnv {
  const c = loaded.config;
  if (!c) return env;
  const out: NodeJS.ProcessEnv = { ...env };
  if (c.operator && !set(env.ONCALL_OPERATOR)) out.ONCALL_OPERATOR = c.operator;
  if (c.profile && !set(env.AWS_PROFILE)) out.AWS_PROFILE = c.profile;
  if (c.region && !set(env.AWS_REGION) && !set(env.AWS_DEFAULT_REGION)) out.AWS_REGION = c.region;
  if (c.context && !set(env.ONCALL_CONTEXT)) out.ONCALL_CONTEXT = c.context;
  if (c.state_dir && !set(env.ONCALL_STATE_DIR)) out.ONCALL_STATE_DIR = filePath(c.state_dir, loaded.file);
  if (c.runbook_paths?.length) {
    out.ONCALL_RUNBOOK_PATH = [...(env.ONCALL_RUNBOOK_PATH ?? '').split(':').filter(Boolean), ...c.runbook_paths.map((p) => filePath(p, loaded.file))].join(':');
  }
  return out;
}

export type Source = 'flag' | 'environment' | 'file' | 'default';

export interface Setting {
  key: string;
  /** A string, a list (search paths), or undefined when nothing sets it. */
  value: string | string[] | Record<string, unknown> | undefined;
  source: Source;
  /** Which flag, variable, file line or rule. */
  from: string;
}

export interface ConfigFlags {
  profile?: string | undefined;
  region?: string | undefined;
  context?: string | undefined;
  operator?: string | undefined;
  stateDir?: string | undefined;
  runbooks?: string[] | undefined;
}

/** Every setting the file can hold, as a command given these flags would see it, and why. */
export function settings(flags: ConfigFlags, env: NodeJS.ProcessEnv, loaded: LoadedConfig): Setting[] {
  const c = loaded.config ?? {};
  const file = loaded.file;
  const pick = (key: string, flag: [string, string | undefined], vars: string[], fromFile: string | undefined, fallback: [string | undefined, string]): Setting => {
    if (set(flag[1])) return { key, value: flag[1], source: 'flag', from: flag[0] };
    for (const v of vars) if (set(env[v])) return { key, value: env[v], source: 'environment', from: `$${v}` };
    if (fromFile !== undefined) return { key, value: fromFile, source: 'file', from: file };
    return { key, value: fallback[0], source: 'default', from: fallback[1] };
  };
  let login: string;
  try {
    login = userInfo().username;
  } catch {
    login = env.USER || env.LOGNAME || 'operator';
  }
  const paths: string[] = [...(flags.runbooks ?? []), ...(env.ONCALL_RUNBOOK_PATH ?? '').split(':').filter(Boolean), ...(c.runbook_paths ?? []).map((p) => filePath(p, file))];
  const pathsFrom = [flags.runbooks?.length ? '--runbooks' : '', set(env.ONCALL_RUNBOOK_PATH) ? '$ONCALL_RUNBOOK_PATH' : '', c.runbook_paths?.length ? file : ''].filter(Boolean);
  const pathsSource: Source = flags.runbooks?.length ? 'flag' : set(env.ONCALL_RUNBOOK_PATH) ? 'environment' : c.runbook_paths?.length ? 'file' : 'default';
  return [
    pick('operator', ['--operator', flags.operator], ['ONCALL_OPERATOR'], c.operator, [login, 'your user name']),
    pick('profile', ['--profile', flags.profile], ['AWS_PROFILE'], c.profile, [undefined, "the AWS SDK's default credential chain"]),
    pick('region', ['--region', flags.region], ['AWS_REGION', 'AWS_DEFAULT_REGION'], c.region, [undefined, "the profile's region in ~/.aws/config"]),
    pick('context', ['--context', flags.context], ['ONCALL_CONTEXT'], c.context, [undefined, "the kubeconfig's current-context"]),
    pick('state_dir', ['--state-dir', flags.stateDir], ['ONCALL_STATE_DIR'], c.state_dir === undefined ? undefined : filePath(c.state_dir, file), [stateRoot({ ...env, ONCALL_STATE_DIR: '' }), '$XDG_STATE_HOME/oncall']),
    {
      key: 'runbook_paths',
      value: paths,
      source: pathsSource,
      from: pathsFrom.length ? `${pathsFrom.join(', ')} (then ./runbooks, plugins and the shipped runbooks)` : './runbooks, plugins and the shipped runbooks',
    },
    c.share ? { key: 'share.store', value: c.share.store, source: 'file', from: file } : { key: 'share.store', value: undefined, source: 'default', from: 'none: incidents stay on this machine' },
    c.profiles ? { key: 'profiles', value: c.profiles, source: 'file', from: file } : { key: 'profiles', value: undefined, source: 'default', from: 'no per-profile allowed accounts' },
  ];
}
