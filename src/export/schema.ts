// The Timeline's one definition. The TypeScript types are inferred from it, the JSON export is
// the Timeline as is, and timeline.schema.json is emitted from it (test: the checked-in copy is
// current). Absent values are null, never missing, so consumers see every key on every record.
// Adding a field keeps TIMELINE_VERSION (the emitted schema leaves objects open, so consumers
// tolerate additions); removing, renaming or retyping one bumps it.
import { z } from 'zod';
import { TIMELINE_VERSION } from './timeline-version.js';

export { TIMELINE_VERSION };

const ts = z.string().describe('ISO-8601 UTC timestamp with milliseconds, as journaled');
const mode = z.enum(['live', 'drill']).describe("'drill': a practice run on a simulated world; nothing real was changed");

const intent = z
  .object({
    summary: z.string().describe('One line, e.g. `ec2:StopInstances i-0abc…` or `run etcdctl endpoint health`'),
    detail: z.string().nullable().describe('The whole text a person had to read to carry the step out (a manual step\'s instruction, a checklist): never cut'),
    api: z.string().nullable().describe('The API called, when the step calls one'),
    argv: z.array(z.string()).nullable().describe('The exact argument vector, when the step runs a process'),
    resources: z.array(z.string()).describe('Resource ids the step touches'),
    params: z.unknown().describe('The validated parameters, as journaled (already redacted)'),
  })
  .describe('Exactly what the step was about to do, journaled before it ran');

const milestoneName = z.enum(['detected', 'mitigated', 'resolved']);

export const timelineEventSchema = z
  .object({
    seq: z.number().int().nonnegative().describe('The journal record this event comes from'),
    occurred_at: ts,
    elapsed_ms: z.number().int().nonnegative().describe('Milliseconds since the incident was opened'),
    kind: z
      .string()
      .describe(
        'The journal record type: incident.opened, runbook.attached, identity.resolved, incident.resumed, step.started, step.finished, step.skipped, step.in_doubt, decision.made, confirm.given, note.added, milestone.marked, rollback.started, run.finished, journal.repaired, drill.scored; records from a newer oncall keep their own type. step.output lines are folded into their step, not listed here',
      ),
    title: z.string().describe("One line for a person, worded as oncall's progress output words the event, with the same leading mark (▶ started, ✓ ok, ✗ failed, ↷ skipped, ✔/✘ approved/declined, ◆ decision, ✎ note, ★ milestone, …)"),
    body: z.string().describe('Detail for a person (may span lines; may be empty)'),
    actor: z.string().describe("Who did it: the person who answered or confirmed; for the engine's records, the operator it acted for; 'oncall' for bookkeeping"),
    source: z.enum(['oncall', 'engine', 'human', 'drill']).describe("What produced it: oncall's own bookkeeping, the runbook engine, a person, or drill scoring"),
    step: z.string().nullable().describe('The runbook step it belongs to'),
    status: z.string().nullable().describe('Step status, approved/declined, milestone, outcome or pass/fail, where one applies'),
    idempotency_key: z.string().describe('Stable across exports: oncall:<incident id>:<seq>. Use it when pushing to an incident platform'),
  })
  .describe('One journal record, in time order');

export const timelineSchema = z
  .object({
    schema: z.literal('oncall.timeline'),
    version: z.literal(TIMELINE_VERSION),
    generated_at: ts,
    generator: z.object({ name: z.literal('oncall'), version: z.string() }),
    mode,
    incident: z.object({
      id: z.string(),
      title: z.string(),
      severity: z.string(),
      service: z.string().nullable(),
      mode,
      read_only: z.boolean(),
      status: z.enum(['open', 'completed', 'failed', 'aborted', 'blocked']).describe("'open' until the runbook finished; 'blocked' when policy refused a change it needed"),
      opened_at: ts.nullable(),
      last_activity_at: ts.nullable(),
      operator: z.string().describe('Who opened it'),
      operators: z.array(z.string()).describe('Everyone who opened, resumed, answered or confirmed, in order of appearance'),
      host: z.string().nullable(),
      oncall_version: z.string().nullable(),
      runbook: z
        .object({
          id: z.string(),
          version: z.string(),
          hash: z.string().describe('sha256 of the runbook source the incident ran'),
          file: z.string(),
          title: z.string().nullable(),
          inputs: z.record(z.string(), z.unknown()).describe('As journaled: secret inputs are placeholders'),
          secret_inputs: z.array(z.string()),
        })
        .nullable(),
      identity: z.object({
        aws: z.record(z.string(), z.unknown()).nullable().describe('As journaled by identity.resolved (account, arn, region, …)'),
        kube: z.record(z.string(), z.unknown()).nullable().describe('As journaled by identity.resolved (context, cluster, …)'),
      }),
      outcome_summary: z.string().nullable(),
      failed_step: z.string().nullable(),
      error: z.string().nullable(),
      drill: z
        .object({
          scenario: z.string(),
          title: z.string(),
          page: z.object({ from: z.string(), severity: z.string(), text: z.string() }),
          score: z
            .object({
              passed: z.boolean(),
              outcome: z.string(),
              expected_outcome: z.string(),
              time_to_mitigate_s: z.number().nullable(),
              target_minutes: z.number(),
              simulated_minutes: z.number(),
              steps_skipped: z.array(z.object({ step: z.string(), reason: z.string() })),
              wrong_turns: z.array(z.object({ step: z.string(), choice: z.string().nullable(), why: z.string() })),
              confirmations_declined: z.array(z.string()),
            })
            .nullable(),
        })
        .nullable(),
    }),
    milestones: z
      .array(
        z.object({
          milestone: milestoneName,
          at: ts,
          by: z.string().nullable(),
          source: z
            .enum(['marked', 'opened', 'drill-score', 'run-finished'])
            .describe("'marked' by a person (the last mark wins); otherwise inferred: detected = opened, mitigated = the drill's time to mitigate, resolved = the runbook completed"),
          seq: z.number().int().nullable(),
        }),
      )
      .describe('Known milestones, in the order detected, mitigated, resolved'),
    durations: z.object({
      detected_to_mitigated_ms: z.number().int().nullable(),
      detected_to_resolved_ms: z.number().int().nullable(),
      mitigated_to_resolved_ms: z.number().int().nullable(),
      total_ms: z.number().int().nullable().describe('Opened to last journal record'),
    }),
    steps: z
      .array(
        z.object({
          step: z.string(),
          title: z.string().nullable().describe("From the journaled runbook source; '<id>:rollback' steps undo <id>"),
          attempt: z.number().int(),
          kind: z.string().nullable(),
          effect: z.enum(['read', 'write', 'human']).nullable(),
          status: z
            .enum(['ok', 'failed', 'timeout', 'aborted', 'skipped', 'unfinished'])
            .describe("'unfinished': started with no recorded end (oncall stopped, or is still running it; see in_doubt)"),
          started_at: ts.nullable(),
          finished_at: ts.nullable(),
          duration_ms: z.number().int().nullable(),
          expected_ms: z.number().int().nullable(),
          write_ahead: z.boolean(),
          in_doubt: z.boolean().describe('A write that may or may not have happened'),
          reconciled: z.enum(['verified', 'human']).nullable(),
          retry_in_ms: z.number().int().nullable(),
          intent: intent.nullable(),
          summary: z.string().nullable(),
          error: z.string().nullable(),
          skip_reason: z.string().nullable(),
          assertions: z.array(z.object({ that: z.string(), ok: z.boolean(), message: z.string().nullable() })),
          captures: z.record(z.string(), z.unknown()),
          commands: z.array(z.string()).describe('Every command line the step ran, whole, in order (its `$ …` log lines), including those the output excerpt leaves out'),
          result_excerpt: z.string().nullable().describe('The result as JSON, cut to a few kilobytes'),
          output: z.object({
            lines: z.number().int().describe('Output lines journaled'),
            excerpt: z.array(z.string()).describe('The first and last lines, each whole'),
            omitted: z.number().int().describe('Lines left out of the excerpt, between its head and tail'),
          }),
        }),
      )
      .describe('One entry per attempt (and per skip), in start order'),
    decisions: z.array(
      z.object({
        seq: z.number().int(),
        at: ts,
        step: z.string(),
        attempt: z.number().int(),
        question: z.string(),
        value: z.string(),
        text: z.string().nullable(),
        by: z.string(),
        type: z.enum(['choice', 'text', 'manual']),
        options: z
          .array(z.object({ value: z.string(), label: z.string(), description: z.string().nullable() }))
          .nullable()
          .describe("The options offered, from the decision step's journaled parameters; null when the question had none (a text answer, an in-doubt write)"),
        evidence: z.record(z.string(), z.unknown()).nullable().describe('The evidence shown beside the question when it was answered, as journaled (already redacted)'),
        suggested: z.string().nullable().describe('The option the evidence pointed to, when the step suggested one'),
      }),
    ),
    confirmations: z.array(
      z.object({
        seq: z.number().int(),
        at: ts,
        step: z.string(),
        approved: z.boolean(),
        by: z.string(),
        typed: z.boolean(),
        reason: z.string().nullable(),
        purpose: z.enum(['action', 'rollback']),
      }),
    ),
    notes: z.array(z.object({ seq: z.number().int(), at: ts, text: z.string(), by: z.string() })),
    errors: z.array(
      z.object({
        seq: z.number().int(),
        at: ts,
        step: z.string().nullable(),
        kind: z.enum(['step', 'run', 'in_doubt', 'journal']),
        message: z.string(),
      }),
    ),
    events: z.array(timelineEventSchema),
    journal: z.object({
      records: z.number().int().describe('Records read, step.output included'),
      integrity: z
        .object({
          ok: z.boolean(),
          torn_tail: z.boolean().describe('A torn last line from a crash was ignored'),
          problem: z.string().nullable().describe('Where and how the chain is broken'),
        })
        .nullable()
        .describe('The hash chain check (oncall verify); null when not checked'),
    }),
  })
  .describe('An incident timeline folded from its journal by `oncall export`');

export type Timeline = z.infer<typeof timelineSchema>;
export type TimelineEvent = z.infer<typeof timelineEventSchema>;
export type TimelineStep = Timeline['steps'][number];
export type TimelineMilestone = Timeline['milestones'][number];
export type MilestoneName = z.infer<typeof milestoneName>;

/** The JSON Schema of the JSON export, exactly as checked in (2-space indent, trailing newline). */
export function timelineJsonSchemaText(): string {
  // 'input' leaves objects open (no additionalProperties: false): see the note at the top.
  const { $schema, ...rest } = z.toJSONSchema(timelineSchema, { target: 'draft-2020-12', io: 'input' }) as Record<string, unknown>;
  const doc = { $schema, $id: 'https://oncall.dev/schema/timeline.schema.json', title: 'oncall incident timeline', ...rest };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
