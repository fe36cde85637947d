// `aws.secrets.migrate`: writes the plan. For each planned secret:
//
//   absent                      → CreateSecret with the plan's ClientRequestToken
//   exists, created by this incident, or already holding this plan's version as AWSCURRENT
//                               → nothing: it is done (a resume after a crash lands here)
//   exists, same value          → nothing (compared by keyed digest, key by key)
//   exists, different value     → on_conflict: skip, new-version (PutSecretValue), or abort
//   scheduled for deletion      → refused, with what to do
//
// The token is derived from the name and the content, so a repeated request (an SDK retry, a
// rerun, a resume) is ignored by Secrets Manager instead of making a second version. The values
// come from re-reading the .env files; nothing secret is passed in or returned.
import { z } from 'zod';
import type { StepContext } from '../../core/step.js';
import { defineKind } from '../../core/kind.js';
import { AwsStepError } from '../../providers/aws/errors.js';
import { failureFacts, StepFailure } from '../../core/failure.js';
import { describeTarget, fileList, loadMigration, MIGRATION_TAG, sourceSchema, targetSchema, versionLabel, type PlannedSecret } from './model.js';
import { compareSecret, countsText, fitResult, plural } from './report.js';
import { describeSecret, pool, readSecret, sm, type Described } from './sm.js';

export const onConflict = z
  .enum(['skip', 'new-version', 'abort'])
  .default('abort')
  .describe('When a name exists with another value: keep it (skip), put a new version (new-version), or stop (abort)');

const params = z
  .object({
    source: sourceSchema,
    target: targetSchema,
    on_conflict: onConflict,
    concurrency: z.number().int().min(1).max(10).default(4).describe('Secrets written in parallel (keep it low: Secrets Manager throttles)'),
  })
  .strict();
export type MigrateParams = z.infer<typeof params>;

export type Action = 'created' | 'new-version' | 'unchanged' | 'kept-existing' | 'failed';

export interface Written {
  name: string;
  action: Action;
  arn?: string;
  version_id?: string;
  previous_version_id?: string;
  /** Found already done (this plan's version was there): a resume or a rerun. */
  confirmed?: boolean;
  error?: string;
  /** Failed in a way that does not say whether AWS acted on it (a broken connection, a 5xx). */
  in_doubt?: boolean;
}

export const migrate = defineKind({
  name: 'aws.secrets.migrate',
  effect: 'write',
  params,
  describe: (p) => ({
    summary: `secretsmanager:CreateSecret ${describeTarget(p.target)} from ${fileList(p.source.files).join(', ')} (values re-read from the file, never passed); on a conflict: ${p.on_conflict}`,
    api: 'secretsmanager:CreateSecret',
    resources: [describeTarget(p.target)],
  }),
  async run(p, ctx) {
    const m = await loadMigration(ctx, p.source, { target: p.target });
    if (m.problems.length) throw new StepFailure(`the plan cannot be carried out: ${m.problems.join('; ')}`);
    const written = await pool(m.secrets, p.concurrency, async (s) => {
      try {
        const w = await writeOne(ctx, s, p.on_conflict);
        ctx.log(lineFor(w));
        return w;
      } catch (err) {
        const w: Written = {
          name: s.name,
          action: 'failed',
          error: err instanceof Error ? err.message : String(err),
          ...(failureFacts(err).applied !== 'no' ? { in_doubt: true } : {}),
        };
        if (ctx.signal.aborted) throw err;
        ctx.log(lineFor(w), 'stderr');
        return w;
      }
    });
    const count = (a: Action) => written.filter((w) => w.action === a).length;
    const result = fitResult(
      {
        created: count('created'),
        new_versions: count('new-version'),
        unchanged: count('unchanged'),
        kept_existing: count('kept-existing'),
        failed: count('failed'),
        confirmed: written.filter((w) => w.confirmed).length,
        on_conflict: p.on_conflict,
        secrets: written,
      },
      ['secrets'],
    );
    const summary = `${count('created')} created, ${plural(count('new-version'), 'new version')}, ${count('unchanged')} unchanged, ${count('kept-existing')} kept as they were${failedText(written)}`;
    const failed = written.filter((w) => w.action === 'failed');
    if (failed.length) {
      // Definitely not applied only when every failure was refused and nothing else was written:
      // otherwise the engine settles the step with its verify read (a rerun is idempotent).
      const wrote = written.some((w) => (w.action === 'created' || w.action === 'new-version') && !w.confirmed);
      const doubt = failed.filter((w) => w.in_doubt);
      const applied = doubt.length || wrote ? 'unknown' : 'no';
      const what = doubt.length ? `${plural(doubt.length, 'secret')} may or may not have been written` : `${plural(failed.length, 'secret')} could not be written`;
      throw new StepFailure(`${what} (${summary}): ${failed.map((w) => `${w.name}: ${w.error}`).join('; ')}`, result, { applied });
    }
    return { result, summary };
  },
});

function failedText(written: Written[]): string {
  const doubt = written.filter((w) => w.action === 'failed' && w.in_doubt).length;
  const failed = written.filter((w) => w.action === 'failed').length - doubt;
  return `${failed ? `, ${failed} FAILED` : ''}${doubt ? `, ${doubt} IN DOUBT` : ''}`;
}

function lineFor(w: Written): string {
  switch (w.action) {
    case 'created':
      return `✓ ${w.confirmed ? 'already created (by this incident)' : 'created'} ${w.name} (version ${w.version_id ?? '?'})`;
    case 'new-version':
      return `✓ ${w.confirmed ? 'already holds this plan as a new version' : 'new version of'} ${w.name} (version ${w.version_id ?? '?'}; previous ${w.previous_version_id ?? 'none'})`;
    case 'unchanged':
      return w.confirmed ? `= ${w.name} already holds this plan's version (written by an earlier run)` : `= ${w.name} already holds the same value`;
    case 'kept-existing':
      return `↷ ${w.name} holds another value and was kept (on_conflict: skip)`;
    case 'failed':
      return w.in_doubt ? `? ${w.name}: outcome unknown: ${w.error}` : `✗ ${w.name}: ${w.error}`;
  }
}

async function writeOne(ctx: StepContext, s: PlannedSecret, policy: MigrateParams['on_conflict']): Promise<Written> {
  let d = await describeSecret(ctx, s.name);
  if (!d) {
    try {
      const { output } = await sm(
        ctx,
        (m) =>
          new m.CreateSecretCommand({
            Name: s.name,
            SecretString: s.content,
            ClientRequestToken: s.token,
            Description: s.description,
            Tags: s.tags,
            ...(s.kmsKeyId ? { KmsKeyId: s.kmsKeyId } : {}),
          }),
        s.name,
      );
      return { name: s.name, action: 'created', arn: output.ARN, version_id: output.VersionId };
    } catch (err) {
      // Someone (or an earlier attempt whose answer was lost) created it meanwhile: look again.
      if (!(err instanceof AwsStepError && err.code === 'ResourceExistsException')) throw err;
      d = await describeSecret(ctx, s.name);
      if (!d) throw err;
    }
  }
  return existing(ctx, s, d, policy);
}

async function existing(ctx: StepContext, s: PlannedSecret, d: Described, policy: MigrateParams['on_conflict']): Promise<Written> {
  if (d.deleted) {
    throw new StepFailure(
      `${s.name} is scheduled for deletion (since ${d.deleted.toISOString()}), so its name cannot be used: restore it (aws secretsmanager restore-secret --secret-id ${s.name}) or choose another name prefix`,
    );
  }
  if (d.owningService) throw new StepFailure(`${s.name} is managed by ${d.owningService}; oncall does not write to it`);
  const ours = d.tags[MIGRATION_TAG] === ctx.incidentId;
  const label = versionLabel(ctx.incidentId);
  if (d.currentVersion === s.token) {
    // This plan's exact version is current: an earlier attempt (before a crash) wrote it, or an
    // earlier run of the migration did.
    if (ours) return { name: s.name, action: 'created', arn: d.arn, version_id: s.token, confirmed: true };
    if (d.versions[s.token]?.includes(label)) {
      return { name: s.name, action: 'new-version', arn: d.arn, version_id: s.token, ...(d.previousVersion ? { previous_version_id: d.previousVersion } : {}), confirmed: true };
    }
    return { name: s.name, action: 'unchanged', arn: d.arn, version_id: s.token, confirmed: true };
  }
  const stored = await readSecret(ctx, d.arn, s.name);
  const cmp = compareSecret(s, stored);
  if (cmp.same) return { name: s.name, action: 'unchanged', arn: d.arn, version_id: stored.versionId };
  const why = cmp.problem ?? countsText(cmp.counts);
  if (policy === 'skip') return { name: s.name, action: 'kept-existing', arn: d.arn, version_id: stored.versionId };
  if (policy === 'abort') {
    throw new StepFailure(`${s.name} already exists with a different value (${why}); on_conflict is abort, so it was left alone`);
  }
  const { output } = await sm(ctx, (m) => new m.PutSecretValueCommand({ SecretId: d.arn, SecretString: s.content, ClientRequestToken: s.token, VersionStages: ['AWSCURRENT', label] }), s.name);
  return { name: s.name, action: 'new-version', arn: d.arn, version_id: output.VersionId, ...(d.currentVersion ? { previous_version_id: d.currentVersion } : {}) };
}
