// What plugin authors import: `import { definePlugin, defineKind, z, StepFailure } from 'oncall/plugin'`.
// A plugin's step kinds follow the same contract as the built-ins and run through the same
// engine: confirmations, read-only mode, allowed accounts, write-ahead journaling and redaction
// apply to them exactly as to built-in kinds.
import type { StepKind } from '../core/step.js';

export { z } from 'zod';
export { StepFailure } from '../core/failure.js';
// The same helper the built-in kinds are declared with: parameters typed by the kind's zod schema.
export { defineKind } from '../core/kind.js';
export type { Effect, Intent, StepContext, StepKind, StepResult } from '../core/step.js';

export interface PluginDefinition {
  /** Lowercase, e.g. `tls-expiry`; shown by `oncall plugins` and in every intent it journals. */
  name: string;
  /** Semantic version of the plugin. */
  version: string;
  /** Step kinds, named `<plugin-or-domain>.<action>` (e.g. `tls.certificate`); never a built-in's name. */
  stepKinds: StepKind[];
  /** Runbook files, relative to the plugin's module, added to the runbook search path. */
  runbooks?: string[];
  /** Drill scenario files, relative to the plugin's module. */
  scenarios?: string[];
}

/** Marks a plugin definition; oncall checks it when loading, so mistakes are reported by name. */
export function definePlugin(def: PluginDefinition): PluginDefinition {
  return def;
}
