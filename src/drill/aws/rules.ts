// Scenario rules for AWS operations the simulated account does not model (or answers differently):
// a drill of a runbook that uses `aws.call` can answer any operation of a shipped client.
//
//   world:
//     aws:
//       rules:
//         - service: ec2
//           operation: CreateTags
//           when: ${{ input.Resources[0].startsWith('i-') }}      # over `input` and `aws` (the snapshot)
//           output: {}
//         - service: ec2
//           operation: DescribeImages
//           output: { Images: [{ ImageId: ami-0abc, State: '${{ aws.ec2.instances.size() > 0 ? "available" : "pending" }}' }] }
//         - service: ec2
//           operation: DeleteSnapshot
//           error: { code: InvalidSnapshot.InUse, message: 'The snapshot is in use' }
//
// The first rule whose `when` holds answers; when none does, the account's own model answers as
// usual (or the operation is unsupported).
import { z } from 'zod';
import { exprLanguage } from '../../runbook/expr.js';

/** The rules' expression language: the runbook's, over the call's `input` and the account's `aws` snapshot. */
export const ruleExpr = exprLanguage({ input: 'map', aws: 'map' });

export const awsRuleSchema = z
  .object({
    service: z.enum(['ec2', 'elbv2', 'elb', 'cloudwatch', 's3', 'secretsmanager', 'sts']),
    operation: z.string().regex(/^[A-Z][A-Za-z0-9]+$/, { message: 'an operation is named as in the API reference, e.g. DescribeImages' }),
    when: z.string().optional().describe('A ${{ }} condition over `input` (the call) and `aws` (the account); default: always'),
    output: z.record(z.string(), z.unknown()).default({}).describe('The answer; strings may hold ${{ }} over input and aws'),
    error: z
      .object({ code: z.string(), message: z.string().optional(), status: z.number().int().min(400).max(599).optional() })
      .strict()
      .optional()
      .describe('Answer with this AWS error instead'),
  })
  .strict();

export type AwsRule = z.infer<typeof awsRuleSchema>;

export type RuleAnswer = { output: Record<string, unknown> } | { error: NonNullable<AwsRule['error']> };

/** The answer of the first rule for the call whose condition holds, if any. `aws` is read only when a rule needs it. */
export function answerByRule(rules: readonly AwsRule[], service: string, operation: string, input: object, aws: () => unknown): RuleAnswer | undefined {
  const mine = rules.filter((r) => r.service === service && r.operation === operation);
  if (!mine.length) return undefined;
  const ctx = { input: JSON.parse(JSON.stringify(input)) as unknown, aws: aws() };
  for (const r of mine) {
    if (r.when !== undefined) {
      const held = ruleExpr.template(r.when, ctx);
      if (held !== true) continue;
    }
    if (r.error) return { error: r.error };
    return { output: ruleExpr.template(r.output, ctx) as Record<string, unknown> };
  }
  return undefined;
}
