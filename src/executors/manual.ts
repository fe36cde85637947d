// `manual`: a person carries out an instruction and says so, optionally with a typed answer.
import { z } from 'zod';
import { defineKind } from '../core/kind.js';

const params = z
  .object({
    instruction: z.string().min(1).describe('What the person should do (markdown)'),
    answer: z
      .object({
        prompt: z.string(),
        pattern: z.string().optional(),
        required: z.boolean().default(true),
      })
      .strict()
      .optional()
      .describe('Ask for a typed answer, e.g. a ticket number'),
  })
  .strict();

export type ManualParams = z.infer<typeof params>;

export const manual = defineKind({
  name: 'manual',
  effect: 'human',
  params,
  // The summary is one line for lists; the instruction itself travels whole, for whoever carries it out.
  describe: (p) => ({ summary: `manual: ${firstLine(p.instruction)}`, detail: p.instruction }),
  async run(p, ctx) {
    const answer = await ctx.ports.ask({
      stepId: ctx.stepId,
      type: p.answer ? 'text' : 'manual',
      question: p.answer?.prompt ?? 'Done?',
      guidance: p.instruction,
      pattern: p.answer?.pattern,
      required: p.answer?.required,
    });
    const text = p.answer ? answer.value : undefined;
    return {
      result: { done: true, by: answer.by, ...(text !== undefined ? { answer: text } : {}) },
      summary: text !== undefined ? `${answer.by}: ${text}` : `done by ${answer.by}`,
    };
  },
});

function firstLine(s: string): string {
  const line = s.trim().split('\n')[0] ?? '';
  return line.length > 80 ? `${line.slice(0, 79)}…` : line;
}
