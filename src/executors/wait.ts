// `wait`: for a fixed time, or until an expression over a repeated read holds.
// Time comes from the clock port, so drills pass simulated minutes in milliseconds.
import { z } from 'zod';
import type { StepResult } from '../core/step.js';
import { defineKind } from '../core/kind.js';
import { formatDuration, parseDuration } from '../runbook/duration.js';
import { duration } from '../runbook/schema.js';
import { StepFailure } from '../core/failure.js';

const params = z
  .object({
    for: duration.optional().describe('Wait this long'),
    until: z.string().optional().describe('A ${{ }} expression over `result` (the probe\'s result); evaluated after each probe'),
    probe: z.object({ kind: z.string(), with: z.record(z.string(), z.unknown()).optional() }).strict().optional(),
    interval: duration.default('5s'),
    max_wait: duration.default('5m'),
  })
  .strict()
  .refine((p) => (p.for ? !p.until && !p.probe : Boolean(p.until && p.probe)), {
    message: "give either 'for', or both 'until' and 'probe'",
  });

export type WaitParams = z.infer<typeof params>;

export const wait = defineKind({
  name: 'wait',
  effect: 'read',
  params,
  // `until` is evaluated by the step after each probe, not templated up front.
  rawParams: ['until'],
  describe: (p) => ({
    summary: p.for ? `wait ${p.for}` : `every ${p.interval}, ${p.probe!.kind} until ${p.until} (at most ${p.max_wait})`,
  }),
  async run(p, ctx): Promise<StepResult> {
    if (p.for) {
      const ms = parseDuration(p.for);
      await ctx.clock.sleep(ms, ctx.signal);
      return { result: { waited_ms: ms }, summary: `waited ${p.for}` };
    }
    const interval = parseDuration(p.interval);
    const limit = parseDuration(p.max_wait);
    const start = ctx.clock.now();
    let attempts = 0;
    let last: StepResult | undefined;
    for (;;) {
      attempts += 1;
      last = await ctx.runKind(p.probe!.kind, p.probe!.with ?? {});
      const met = Boolean(ctx.evaluate(p.until!, { result: last.result }));
      const elapsed_ms = ctx.clock.now() - start;
      ctx.log(`probe ${attempts}: ${last.summary ?? 'done'} → ${met ? 'condition holds' : 'not yet'}`, 'log');
      if (met) {
        return { result: { met: true, attempts, elapsed_ms, last: last.result }, summary: `condition held after ${attempts} probes (${formatDuration(elapsed_ms)})` };
      }
      if (elapsed_ms + interval > limit) {
        throw new StepFailure(`condition ${p.until} did not hold within ${p.max_wait} (${attempts} probes; last: ${last.summary ?? 'no summary'})`, {
          met: false,
          attempts,
          elapsed_ms,
          last: last.result,
        });
      }
      await ctx.clock.sleep(interval, ctx.signal);
    }
  },
});
