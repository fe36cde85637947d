// `oncall import`: a runbook a team already has (Markdown, an SSM Automation document) as an
// oncall runbook, written out as YAML and validated like any other, with what could not be mapped.
import { stringify } from 'yaml';
import type { KindCatalog } from '../runbook/kinds.js';
import { checkRunbook } from '../runbook/checks.js';
import { parseRunbook } from '../runbook/load.js';
import type { RunbookIssue } from '../runbook/issues.js';
import { readYamlValue } from '../runbook/yaml.js';
import { importMarkdown } from './markdown.js';
import { importSsm, isSsmDocument } from './ssm.js';
import type { ImportNote, ImportResult } from './types.js';

export type { ImportNote, ImportResult } from './types.js';

export type ImportFormat = 'markdown' | 'ssm';

/** The format of a file, by its name and (for YAML/JSON) its content. */
export function detectFormat(file: string, source: string): ImportFormat | undefined {
  if (/\.(md|markdown|mdx)$/i.test(file)) return 'markdown';
  if (/\.(ya?ml|json)$/i.test(file)) return isSsmDocument(readYamlValue(source)) ? 'ssm' : undefined;
  if (/^\s*(#|---)/.test(source)) return 'markdown';
  return isSsmDocument(readYamlValue(source)) ? 'ssm' : undefined;
}

export async function importRunbook(source: string, file: string, format: ImportFormat): Promise<ImportResult> {
  return format === 'markdown' ? importMarkdown(source, file) : importSsm(source, file);
}

/** The runbook as YAML, with a header saying where it came from and what to look at. */
export function toYaml(r: ImportResult, from: string): string {
  const review = r.notes.filter((n) => n.kind === 'review').length;
  const unmapped = r.notes.filter((n) => n.kind === 'unmapped').length;
  const header = [
    '# yaml-language-server: $schema=https://oncall.dev/runbook.schema.json',
    `# Imported by \`oncall import\` from ${from} (${r.format === 'ssm' ? 'SSM Automation document' : 'Markdown'}).`,
    `# ${review} thing${review === 1 ? '' : 's'} to review, ${unmapped} not mapped: see the report \`oncall import\` printed;`,
    '# steps to review say so in their guidance. Drill it before you trust it.',
  ].join('\n');
  return `${header}\n${stringify(r.runbook, { lineWidth: 0, aliasDuplicateObjects: false })}`;
}

/**
 * Validates the runbook as `oncall validate` would. The document is checked as it is (the YAML
 * written from it says the same); only when something is wrong is the YAML read again, so each
 * issue can name its line.
 */
export function validateImported(r: ImportResult, yaml: string, file: string, registry: KindCatalog): { ok: boolean; issues: RunbookIssue[] } {
  const checked = checkRunbook(r.runbook, registry);
  if (!checked.issues.length) return { ok: true, issues: [] };
  const parsed = parseRunbook(yaml, file, registry);
  return { ok: parsed.ok, issues: parsed.issues };
}

/** One line per note, for people: `file:line: review: …`. */
export function formatNote(n: ImportNote, file: string): string {
  return `${file}${n.line ? `:${n.line}` : ''}: ${n.kind === 'review' ? 'review' : 'not mapped'}: ${n.step ? `step '${n.step}': ` : ''}${n.message}`;
}
