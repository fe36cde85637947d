// Runbook files → validated Runbook, or issues that point at file:line:col.
// The YAML itself is read within YAML_LIMITS by yaml.ts, the one YAML reader.
import { createHash } from 'node:crypto';
import type { KindCatalog } from './kinds.js';
import type { Runbook } from './schema.js';
import { checkRunbook } from './checks.js';
import { RunbookError, formatIssue } from './issues.js';
import type { RunbookIssue } from './issues.js';
import { readYamlFile } from './limits.js';
import { parseYamlWith } from './yaml.js';

export { RunbookError, formatIssue, parseYamlWith };
export type { RunbookIssue };

export interface LoadedRunbook {
  runbook: Runbook;
  file: string;
  /** sha256 (hex) of the source bytes: the journal records which runbook text ran. */
  hash: string;
  source: string;
}

/** `issues` on success holds warnings only. */
export type ParseResult = { ok: true; value: LoadedRunbook; issues: RunbookIssue[] } | { ok: false; issues: RunbookIssue[] };

export function parseRunbook(source: string, file: string, registry: KindCatalog): ParseResult {
  try {
    return parse(source, file, registry);
  } catch (err) {
    // Whatever went wrong inside, the operator gets a sentence, not a stack trace.
    return {
      ok: false,
      issues: [
        {
          file,
          line: 1,
          col: 1,
          path: '',
          severity: 'error',
          message: `could not check this runbook: ${err instanceof Error ? err.message : String(err)}`,
          hint: 'this is a bug in oncall; please report it together with the runbook',
        },
      ],
    };
  }
}

/** Reads and validates a runbook; throws RunbookError (with `.issues`) when it is not valid. */
export async function loadRunbook(file: string, registry: KindCatalog): Promise<LoadedRunbook> {
  const read = await readYamlFile(file, 'runbook');
  if ('issue' in read) throw new RunbookError(file, [read.issue]);
  const r = parseRunbook(read.source, file, registry);
  if (!r.ok) throw new RunbookError(file, r.issues);
  return r.value;
}

export function sourceHash(source: string): string {
  return createHash('sha256').update(source, 'utf8').digest('hex');
}

function parse(source: string, file: string, registry: KindCatalog): ParseResult {
  const r = parseYamlWith(source, file, (data) => {
    const { issues, runbook } = checkRunbook(data, registry);
    return { issues, value: runbook };
  });
  return r.ok ? { ok: true, value: { runbook: r.value, file, hash: sourceHash(source), source }, issues: r.issues } : r;
}
