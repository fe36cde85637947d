import { KindRegistry } from '../engine/registry.js';
import { decision } from './decision.js';
import { http } from './http.js';
import { manual } from './manual.js';
import { shell } from './shell.js';
import { wait } from './wait.js';

export const BUILTIN_KINDS = [shell, http, wait, decision, manual];

/** A registry holding the built-in step kinds; plugins add theirs to it. */
export function builtinRegistry(): KindRegistry {
  const registry = new KindRegistry();
  for (const kind of BUILTIN_KINDS) registry.register(kind);
  return registry;
}
