// The drill scenario format: which runbook it exercises, the page the engineer receives, the
// simulated world and how it reacts, and what a good response looks like. Validated by zod and
// emitted as JSON Schema beside the runbook schema, like runbooks.
import { z } from 'zod';
import { checkWithSchema } from '../runbook/checks.js';
import { RunbookError, type RunbookIssue } from '../runbook/issues.js';
import { readYamlFile } from '../runbook/limits.js';
import { parseYamlWith } from '../runbook/yaml.js';
import { EXPR_RE, ID_RE } from '../runbook/schema.js';
import { awsSpecSchema } from './aws/spec.js';
import { kubeWorldSchema } from './kube/schema.js';

const expression = z.string().regex(EXPR_RE, { message: 'must be an expression like ${{ state.ready }}' });
/** A literal, or an expression over the world (`state`, `derived`, `elapsed_s`, and `args` or `request`). */
const valueOrExpr = z.union([z.string(), z.number(), z.boolean(), z.null()]);

const httpRoute = z
  .object({
    method: z.string().default('GET'),
    url: z.string().describe('The exact URL a probe asks for'),
    status: valueOrExpr.describe('HTTP status, e.g. ${{ state.healthy ? 200 : 504 }}'),
    latency_ms: valueOrExpr.default(5).describe('Simulated time the answer takes'),
    body: valueOrExpr.default(''),
    headers: z.record(z.string(), z.string()).default({}),
  })
  .strict();

const command = z
  .object({
    argv: z.array(z.string()).min(1).describe("The argument vector to answer; '*' matches any one argument"),
    stdout: z
      .union([valueOrExpr, z.record(z.string(), z.unknown())])
      .default('')
      .describe('Text, or a mapping printed as JSON (each value may be an expression)'),
    stderr: valueOrExpr.default(''),
    exit_code: valueOrExpr.default(0),
    duration_ms: valueOrExpr.default(50).describe('Simulated time the command takes'),
    set: z.record(z.string(), valueOrExpr).optional().describe('World state changed by this command (evaluated before the change)'),
  })
  .strict();

export const worldSchema = z
  .object({
    state: z.record(z.string(), z.unknown()).default({}).describe('Facts of the simulated world; commands change them'),
    derive: z
      .record(z.string(), expression)
      .default({})
      .describe('Values computed from the state and the simulated time, in order, available as derived.<name>'),
    http: z.array(httpRoute).default([]),
    commands: z.array(command).default([]),
    aws: awsSpecSchema.optional().describe('The simulated AWS account (instances, load balancers, metrics, secrets)'),
    kube: kubeWorldSchema.optional().describe('The simulated Kubernetes API (nodes, pods, readyz, leases), served on 127.0.0.1 to client-node'),
  })
  .strict();

export const scenarioSchema = z
  .object({
    id: z.string().regex(ID_RE),
    title: z.string().min(1),
    runbook: z.string().describe('The runbook it exercises: an id on the search path, or a path relative to this file'),
    page: z
      .object({
        from: z.string().default('PagerDuty'),
        severity: z.string().regex(/^SEV[0-5]$/).default('SEV2'),
        text: z.string().min(1),
      })
      .strict()
      .describe('What the engineer receives'),
    starts_at: z.iso.datetime().default('2026-03-02T03:12:00Z').describe('Simulated wall-clock time when the drill starts'),
    inputs: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
    hints: z
      .array(
        z
          .object({
            text: z.string().min(1),
            step: z.string().optional().describe('Offered only while the runbook is at this step; without it, at any step'),
          })
          .strict(),
      )
      .default([])
      .describe('Hints the responder may reveal (h in the UI), in order: each is journaled as a note and counted in the score'),
    world: worldSchema.default({ state: {}, derive: {}, http: [], commands: [] }),
    expect: z
      .object({
        outcome: z.enum(['completed', 'failed']).default('completed').describe('How the runbook should end when played well'),
        answers: z.record(z.string(), z.string()).default({}).describe('The expected path, used by --auto: step id → answer'),
        mitigated: expression.optional().describe('Holds once the world is healthy again'),
        wrong_turns: z
          .array(z.object({ step: z.string(), choice: z.string().optional(), why: z.string() }).strict())
          .default([])
          .describe('Steps (or decision choices) that an experienced responder would not take here'),
        target_minutes: z.number().positive().default(30).describe('Simulated minutes a good response mitigates within'),
        diagnosis: z
          .object({ step: z.string(), choice: z.string().optional() })
          .strict()
          .optional()
          .describe(
            "The correct diagnosis: the decision (and choice) whose answer is the time to diagnose. Without it, the first choice that matches expect.answers",
          ),
        recovered_by: z
          .string()
          .optional()
          .describe('The step whose success verifies recovery (the time to recover). Without it, the runbook completing on a mitigated world'),
        targets: z
          .object({
            acknowledge_minutes: z.number().positive().optional().describe('From the page to the first action (default 5)'),
            diagnose_minutes: z.number().positive().optional().describe('From the page to the correct diagnosis (default half of target_minutes)'),
            recover_minutes: z.number().positive().optional().describe('From the page to verified recovery (default 1.5 × target_minutes)'),
          })
          .strict()
          .default({})
          .describe('Simulated minutes a good response reaches each phase within; target_minutes is the one for mitigation'),
      })
      .strict(),
  })
  .strict();

export type Scenario = z.infer<typeof scenarioSchema>;
export type WorldSpec = z.infer<typeof worldSchema>;

export interface LoadedScenario {
  scenario: Scenario;
  file: string;
}

export function parseScenario(source: string, file: string): { ok: true; value: LoadedScenario } | { ok: false; issues: RunbookIssue[] } {
  const r = parseYamlWith(source, file, (data) => checkWithSchema(data, scenarioSchema, 'scenario'), 'scenario');
  return r.ok ? { ok: true, value: { scenario: r.value, file } } : r;
}

export async function loadScenario(file: string): Promise<LoadedScenario> {
  const read = await readYamlFile(file, 'scenario');
  if ('issue' in read) throw new RunbookError(file, [read.issue]);
  const r = parseScenario(read.source, file);
  if (!r.ok) throw new RunbookError(file, r.issues);
  return r.value;
}
