// Finding and loading plugins: the project's plugins/ directory, $XDG_CONFIG_HOME/oncall/plugins/,
// and --plugin <path>. A plugin that fails to load, or whose names collide with a built-in or
// another plugin, is reported by name and left out; the rest of oncall keeps working.
import { existsSync } from 'node:fs';
import module from 'node:module';
import { basename, dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { KindRegistry } from '../core/registry.js';
import type { StepKind } from '../core/step.js';
import { builtinRegistry } from '../executors/index.js';
import { packageRoot } from '../paths.js';
import type { PluginDefinition } from './api.js';
import { pluginCandidates, type PluginOptions, type PluginOrigin } from './discover.js';

export type { PluginOptions, PluginOrigin };

export interface LoadedPlugin {
  name: string;
  version: string;
  file: string;
  origin: PluginOrigin;
  stepKinds: { name: string; effect: string }[];
  runbooks: string[];
  scenarios: string[];
}

export interface PluginFailure {
  /** The plugin's name when it got that far, else its file or directory name. */
  name: string;
  file: string;
  error: string;
}

export interface PluginSet {
  registry: KindRegistry;
  plugins: LoadedPlugin[];
  failures: PluginFailure[];
}

const NAME_RE = /^[a-z][a-z0-9-]{0,62}$/;
const KIND_RE = /^[a-z][a-z0-9-]*(\.[a-zA-Z][a-zA-Z0-9-]*)+$/;
const VERSION_RE = /^\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?$/;

/** Built-in step kinds plus every plugin that loads cleanly. */
export async function loadPlugins(opts: PluginOptions = {}): Promise<PluginSet> {
  const registry = builtinRegistry();
  const set: PluginSet = { registry, plugins: [], failures: [] };
  const candidates = pluginCandidates(opts);
  if (candidates.length) installResolver();
  for (const c of candidates) {
    const fallbackName = basename(c.file) === 'index.mjs' || basename(c.file) === 'index.js' ? basename(dirname(c.file)) : basename(c.file);
    let def: PluginDefinition;
    try {
      const mod = (await import(pathToFileURL(c.file).href)) as { default?: unknown };
      def = checkDefinition(mod.default, registry);
    } catch (err) {
      set.failures.push({ name: fallbackName, file: c.file, error: oneLine(err) });
      continue;
    }
    if (set.plugins.some((p) => p.name === def.name)) {
      set.failures.push({ name: def.name, file: c.file, error: `a plugin named '${def.name}' is already loaded` });
      continue;
    }
    for (const kind of def.stepKinds) registry.register(kind, { type: 'plugin', plugin: def.name, file: c.file });
    const base = dirname(c.file);
    set.plugins.push({
      name: def.name,
      version: def.version,
      file: c.file,
      origin: c.origin,
      stepKinds: def.stepKinds.map((k) => ({ name: k.name, effect: typeof k.effect === 'function' ? 'declared by parameters' : k.effect })),
      runbooks: (def.runbooks ?? []).map((r) => resolve(base, r)),
      scenarios: (def.scenarios ?? []).map((s) => resolve(base, s)),
    });
  }
  return set;
}

function collision(registry: KindRegistry, name: string): string | undefined {
  const source = registry.source(name);
  if (!source) return undefined;
  return source.type === 'builtin'
    ? `step kind '${name}' collides with a built-in step kind; rename it (e.g. '<plugin>.${name.split('.').pop()}')`
    : `step kind '${name}' is already defined by plugin '${source.plugin}'`;
}

/** Checks the default export so a mistake reads as a sentence naming the plugin, not a crash later. */
function checkDefinition(value: unknown, registry: KindRegistry): PluginDefinition {
  if (!value || typeof value !== 'object') throw new Error("the module's default export must be definePlugin({ name, version, stepKinds })");
  const def = value as Partial<PluginDefinition>;
  if (typeof def.name !== 'string' || !NAME_RE.test(def.name)) throw new Error(`plugin name ${JSON.stringify(def.name)} must be lowercase letters, digits and -`);
  if (typeof def.version !== 'string' || !VERSION_RE.test(def.version)) throw new Error(`plugin '${def.name}': version ${JSON.stringify(def.version)} must be semantic, like 1.0.0`);
  if (!Array.isArray(def.stepKinds)) throw new Error(`plugin '${def.name}': stepKinds must be an array`);
  const seen = new Set<string>();
  for (const k of def.stepKinds as Partial<StepKind>[]) {
    const where = `plugin '${def.name}', step kind ${JSON.stringify(k?.name)}`;
    const clash = typeof k?.name === 'string' ? collision(registry, k.name) : undefined;
    if (clash) throw new Error(clash);
    if (!k || typeof k.name !== 'string' || !KIND_RE.test(k.name)) throw new Error(`${where}: the name must be dotted, like 'tls.certificate'`);
    if (seen.has(k.name)) throw new Error(`${where}: defined twice`);
    seen.add(k.name);
    if (!(typeof k.effect === 'function' || k.effect === 'read' || k.effect === 'write' || k.effect === 'human')) throw new Error(`${where}: effect must be 'read', 'write', 'human' or a function of the parameters`);
    if (!k.params || typeof (k.params as { safeParse?: unknown }).safeParse !== 'function') throw new Error(`${where}: params must be a zod schema (import { z } from 'oncall/plugin')`);
    if (typeof k.describe !== 'function' || typeof k.run !== 'function') throw new Error(`${where}: describe(params) and run(params, ctx) are required`);
  }
  for (const field of ['runbooks', 'scenarios'] as const) {
    const v = def[field];
    if (v !== undefined && !(Array.isArray(v) && v.every((x) => typeof x === 'string'))) throw new Error(`plugin '${def.name}': ${field} must be a list of paths`);
  }
  return def as PluginDefinition;
}

let resolverInstalled = false;

/** Lets plugins anywhere `import … from 'oncall/plugin'` and get this very oncall's API. */
function installResolver(): void {
  if (resolverInstalled) return;
  resolverInstalled = true;
  const api = join(packageRoot(), 'dist', 'plugin.js');
  if (!existsSync(api) || typeof module.registerHooks !== 'function') return;
  const url = pathToFileURL(api).href;
  module.registerHooks({
    resolve: (specifier, context, next) => (specifier === 'oncall/plugin' ? { url, shortCircuit: true } : next(specifier, context)),
  });
}

function oneLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.split('\n')[0]!;
}
