// The runbook format. This zod schema is the single source of truth: the loader
// validates against it and `oncall schema --write` emits it as JSON Schema for editors.
import { z } from 'zod';
import { DURATION_RE } from './duration.js';

/** A string holding exactly one `${{ cel }}` expression (conditions, captures, assertions). */
export const EXPR_RE = /^\s*\$\{\{([\s\S]*)\}\}\s*$/;
const expression = z
  .string()
  .regex(EXPR_RE, { message: 'must be an expression like ${{ result.status == 200 }}' })
  .describe('A CEL expression inside ${{ }}');

export { DURATION_RE };
export const duration = z
  .string()
  .regex(DURATION_RE, { message: "must be a duration like '30s', '5m' or '1h30m'" })
  .describe("A duration: digits and a unit (ms, s, m, h, d), e.g. '90s' or '1h30m'");

export const ID_RE = /^[a-z0-9][a-z0-9_-]{0,62}$/;
const id = z
  .string()
  .regex(ID_RE, { message: 'must be lowercase letters, digits, - or _ (start with a letter or digit)' });

export const inputSchema = z
  .object({
    type: z.enum(['string', 'number', 'boolean', 'duration', 'enum']).describe('The value type'),
    description: z.string().optional().describe('Shown next to the field and in `oncall list`'),
    pattern: z.string().optional().describe('A regular expression the whole value must match, e.g. ^i-[0-9a-f]{8,17}$'),
    values: z.array(z.string()).min(1).optional().describe('The allowed values of an enum input'),
    min: z.number().optional().describe('Smallest allowed value of a number input'),
    max: z.number().optional().describe('Largest allowed value of a number input'),
    default: z.union([z.string(), z.number(), z.boolean()]).optional().describe('Used when the operator gives no value; must itself be valid'),
    required: z.boolean().optional().describe('Defaults to true unless a default is given'),
    secret: z.boolean().optional().describe('Never written or shown: the journal and the screen get a placeholder'),
  })
  .strict();

export const retrySchema = z
  .object({
    attempts: z.number().int().min(1).max(20).describe('Total attempts, including the first'),
    delay: duration.optional().describe('Delay before the second attempt (default 1s)'),
    backoff: z.number().min(1).max(10).optional().describe('Multiplier applied to the delay after each attempt (default 2)'),
    max_delay: duration.optional().describe('Upper bound for the delay between attempts'),
  })
  .strict();

export const confirmSchema = z
  .object({
    message: z.string().optional().describe('What the operator is asked, in addition to the exact intent'),
    destructive: z.boolean().optional().describe('The operator must type the resource id to go ahead'),
    resource: z.string().optional().describe('What the operator types for a destructive step (templated)'),
  })
  .strict();

const actionSchema = z
  .object({
    kind: z.string(),
    with: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

export const rollbackSchema = z
  .object({
    note: z.string().optional().describe('How to undo this step, in markdown; journaled and shown'),
    kind: z.string().optional().describe('A step kind that undoes this step when the run fails'),
    with: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

export const verifySchema = actionSchema
  .extend({
    done: expression.describe('True when the read shows the write already happened (over `result`)'),
  })
  .strict();

export const branchSchema = z
  .object({
    when: expression.optional().describe('Take this branch when the expression holds over `result`'),
    choice: z.string().optional().describe("Shorthand for when: ${{ result.choice == '<choice>' }}"),
    next: z.string().describe("The step to go to ('end' finishes the runbook)"),
  })
  .strict();

export const assertionSchema = z.union([
  expression,
  z.object({ that: expression, message: z.string().optional().describe('Shown when the assertion fails') }).strict(),
]);

export const stepSchema = z
  .object({
    id: id.describe('Unique within the runbook; other steps refer to it in next, branches and steps.<id>'),
    title: z.string().min(1).describe('One line shown in the TUI, the journal and the timeline'),
    kind: z.string().describe('The step kind: shell, http, wait, decision, manual, or an API kind such as aws.ec2.stopInstances'),
    with: z.record(z.string(), z.unknown()).optional().describe('Parameters of the step kind; strings may hold ${{ }}'),
    when: expression.optional().describe('Run the step only when this holds; otherwise it is skipped'),
    capture: z.record(z.string(), expression).optional().describe('Named values taken from `result`, available later as vars.<name>'),
    assert: z.array(assertionSchema).optional().describe('Each must hold over `result`, or the step fails'),
    retry: retrySchema.optional(),
    timeout: duration.optional(),
    expected_duration: duration.optional().describe('How long the step usually takes; the TUI nudges past it'),
    confirm: confirmSchema.optional(),
    rollback: rollbackSchema.optional(),
    verify: verifySchema.optional().describe('A read that tells whether this write already happened, used on resume'),
    next: z.string().optional().describe("The step to go to next ('end' finishes the runbook)"),
    branches: z.array(branchSchema).min(1).optional().describe('First matching branch wins; evaluated after the step'),
    guidance: z.string().optional().describe('Markdown shown to the human'),
  })
  .strict();

export const runbookSchema = z
  .object({
    id: id.describe('How `oncall run <id>` finds this runbook: lowercase letters, digits, - and _'),
    title: z.string().min(1).describe('A short human title'),
    version: z
      .string()
      .regex(/^\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?$/, { message: "must be a semantic version like '1.0.0'" })
      .describe("Semantic version of this runbook, e.g. '1.2.0'; journaled with every incident"),
    summary: z.string().min(1).describe('What the runbook is for and when to use it'),
    tags: z.array(z.string()).default([]).describe('Free-form labels, shown by `oncall list`'),
    allowed_accounts: z
      .array(z.string().regex(/^\d{12}$/, { message: 'must be a 12-digit AWS account id' }))
      .optional()
      .describe('Write steps run only in these AWS accounts'),
    inputs: z
      .record(z.string().regex(/^[a-z_][a-z0-9_]*$/, { message: 'input names are lowercase snake_case' }), inputSchema)
      .default({})
      .describe('Values the operator gives at the start, available as inputs.<name>'),
    steps: z.array(stepSchema).min(1).describe('Run in order unless next or branches say otherwise'),
  })
  .strict();

export type InputSpec = z.infer<typeof inputSchema>;
export type StepSpec = z.infer<typeof stepSchema>;
export type Runbook = z.infer<typeof runbookSchema>;
export type Assertion = z.infer<typeof assertionSchema>;
