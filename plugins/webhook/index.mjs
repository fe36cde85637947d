// An example write plugin: post an incident status update to a chat or status-page webhook.
// It is a write step, so oncall asks before it runs, refuses it in --read-only, journals the
// exact intent first, and redacts secrets (such as a token header) everywhere.
import { createHash } from 'node:crypto';
import { definePlugin, StepFailure, z } from 'oncall/plugin';

const post = {
  name: 'webhook.post',
  effect: 'write',
  params: z
    .object({
      url: z.string().regex(/^https?:\/\/[^\s]+$/, { message: 'must be an http:// or https:// URL' }),
      text: z.string().min(1).max(4000),
      status: z.enum(['investigating', 'identified', 'monitoring', 'resolved']).optional(),
      headers: z.record(z.string(), z.string()).default({}).describe('Extra headers, e.g. Authorization from a secret input'),
      timeout_ms: z.number().int().min(100).max(60_000).default(10_000),
    })
    .strict(),
  describe: (p) => ({
    summary: `post an incident update to ${new URL(p.url).host}${p.status ? ` (${p.status})` : ''}`,
    api: 'HTTP POST',
    resources: [new URL(p.url).origin],
    params: p,
  }),
  async run(p, ctx) {
    // The same update for the same step of the same incident carries the same key, so a receiver
    // that honours Idempotency-Key never posts it twice, even if a resume sends it again.
    const key = createHash('sha256').update(`${ctx.incidentId}|${ctx.stepId}|${p.text}`).digest('hex').slice(0, 32);
    const res = await ctx.providers.fetch(p.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': key, ...p.headers },
      body: JSON.stringify({ text: p.text, ...(p.status ? { status: p.status } : {}), incident: ctx.incidentId }),
      signal: AbortSignal.any([ctx.signal, AbortSignal.timeout(p.timeout_ms)]),
    });
    const body = (await res.text()).slice(0, 2000);
    if (!res.ok) throw new StepFailure(`the webhook answered HTTP ${res.status}`, { status: res.status, body });
    return { result: { status: res.status, idempotency_key: key, body }, summary: `posted (HTTP ${res.status})` };
  },
};

export default definePlugin({
  name: 'webhook',
  version: '1.0.0',
  stepKinds: [post],
  runbooks: ['runbooks'],
});
