// `decision`: choose a branch by a rule over the evidence, or ask a human.
// The rule is templated like any parameter; an empty or unknown answer hands the choice to a person.
import { z } from 'zod';
import { defineKind } from '../core/kind.js';

const option = z
  .object({
    value: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, { message: 'option values are lowercase words, e.g. restart' }),
    label: z.string(),
    description: z.string().optional(),
  })
  .strict();

const params = z
  .object({
    question: z.string().min(1),
    options: z.array(option).min(1),
    rule: z.unknown().optional().describe('An expression that yields an option value; anything else asks the human'),
    suggest: z
      .unknown()
      .optional()
      .describe('An expression that yields the option the evidence points to: highlighted for the human, who still chooses (anything else suggests nothing)'),
    evidence: z.record(z.string(), z.unknown()).optional().describe('Shown beside the question'),
  })
  .strict();

export type DecisionParams = z.infer<typeof params>;

export const decision = defineKind({
  name: 'decision',
  effect: 'human',
  params,
  describe: (p) => ({ summary: `decide: ${p.question} (${p.options.map((o) => o.value).join(' | ')})` }),
  async run(p, ctx) {
    const byRule = typeof p.rule === 'string' ? p.options.find((o) => o.value === p.rule) : undefined;
    if (byRule) {
      ctx.log(`rule chose '${byRule.value}'`, 'log');
      return { result: { choice: byRule.value, decided_by: 'rule', by: 'rule' }, summary: `rule chose ${byRule.label}` };
    }
    const suggested = typeof p.suggest === 'string' ? p.options.find((o) => o.value === p.suggest)?.value : undefined;
    const answer = await ctx.ports.ask({
      stepId: ctx.stepId,
      type: 'choice',
      question: p.question,
      options: p.options,
      evidence: p.evidence,
      ...(suggested ? { suggested } : {}),
    });
    const chosen = p.options.find((o) => o.value === answer.value)!;
    return {
      result: { choice: chosen.value, decided_by: 'human', by: answer.by, ...(answer.text ? { text: answer.text } : {}) },
      summary: `${answer.by} chose ${chosen.label}`,
    };
  },
});
