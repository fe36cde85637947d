// What the runbook loader needs to know of step kinds to check a runbook: their names and the
// schema of their parameters. The engine's KindCatalog (src/core/registry.ts) fits this shape, so
// the loader never depends on the layers that run steps.
import type { z } from 'zod';

export interface KindInfo {
  name: string;
  params: z.ZodType;
  /** Top-level parameters left untemplated until the step runs (not checked against the schema). */
  rawParams?: string[];
}

export interface KindCatalog {
  get(name: string): KindInfo | undefined;
  names(): string[];
}
