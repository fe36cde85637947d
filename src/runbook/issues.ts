// What the loader reports: one issue per problem, pointing at the exact YAML node.

export type Severity = 'error' | 'warning';

export interface RunbookIssue {
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  col: number;
  stepId?: string;
  /** Where in the runbook, like `steps[2].kind`. */
  path: string;
  message: string;
  /** What would be right, when there is something useful to say. */
  hint?: string;
  severity: Severity;
}

/** `runbooks/x.yaml:12:11: error: step 'probe': unknown step kind 'shel' — did you mean 'shell'?` (+ hint line). */
export function formatIssue(issue: RunbookIssue): string {
  const step = issue.stepId ? `step '${issue.stepId}': ` : '';
  const head = `${issue.file}:${issue.line}:${issue.col}: ${issue.severity}: ${step}${issue.message}`;
  return issue.hint ? `${head}\n    hint: ${issue.hint.replace(/\n/g, '\n          ')}` : head;
}

export function countErrors(issues: readonly RunbookIssue[]): number {
  return issues.filter((i) => i.severity === 'error').length;
}

/** Thrown by loadRunbook; `message` is the formatted issues, ready for a terminal. */
export class RunbookError extends Error {
  constructor(
    readonly file: string,
    readonly issues: RunbookIssue[],
  ) {
    const errors = issues.filter((i) => i.severity === 'error');
    super(`${file}: invalid runbook\n${(errors.length ? errors : issues).map(formatIssue).join('\n')}`);
    this.name = 'RunbookError';
  }
}
