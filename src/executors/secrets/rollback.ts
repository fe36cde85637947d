// `aws.secrets.rollback`: undoes what this incident's migration wrote, and nothing else. It finds
// the secrets under the migration's name prefix (ListSecrets), so it needs no .env and no step
// result:
//   - a secret this incident created (tag migration-id = the incident) is deleted with a recovery
//     window (7–30 days, default 30): it can be restored until then. Force-deleting without
//     recovery happens only when asked for explicitly (and is then a destructive step).
//   - a secret whose current version this incident put (staging label oncall-<incident>) gets
//     AWSCURRENT moved back to the version it replaced (UpdateSecretVersionStage).
//   - anything else (pre-existing, unchanged, or changed by someone since) is left alone.
import { z } from 'zod';
import type { StepContext } from '../../core/step.js';
import { defineKind } from '../../core/kind.js';
import { awsPaginate } from '../../providers/aws/call.js';
import type { AwsSdk } from '../../providers/aws/sdk.js';
import { StepFailure } from '../../core/failure.js';
import { MIGRATION_TAG, prefixOf, targetSchema, versionLabel } from './model.js';
import { fitResult, logTable } from './report.js';
import { awsOf, pool, safeAwsError, sm } from './sm.js';

const params = z
  .object({
    target: targetSchema,
    recovery_window_days: z.number().int().min(7).max(30).default(30).describe('How long a deleted secret can still be restored (RestoreSecret)'),
    force_delete_without_recovery: z.boolean().default(false).describe('Delete at once, irreversibly. Never the default.'),
    concurrency: z.number().int().min(1).max(10).default(4),
  })
  .strict();
export type RollbackParams = z.infer<typeof params>;

interface Listed {
  arn: string;
  name: string;
  deleted: boolean;
  tags: Record<string, string>;
  versions: Record<string, string[]>;
}

interface Undone {
  name: string;
  action: 'deleted' | 'reverted' | 'untouched' | 'failed';
  detail: string;
  deletion_date?: string;
}

/** Every secret under `<prefix>/`, scheduled-for-deletion ones included. */
async function listUnder(ctx: StepContext, prefix: string): Promise<Listed[]> {
  const out: Listed[] = [];
  try {
    const list = (m: AwsSdk['secretsmanager']) => new m.ListSecretsCommand({ Filters: [{ Key: 'name', Values: [`${prefix}/`] }], IncludePlannedDeletion: true });
    for await (const page of awsPaginate(awsOf(ctx), 'secretsmanager', list, { signal: ctx.signal })) {
      for (const s of page.output.SecretList ?? []) {
        if (typeof s.Name !== 'string' || !s.Name.startsWith(`${prefix}/`)) continue;
        out.push({
          arn: s.ARN ?? '',
          name: s.Name,
          deleted: Boolean(s.DeletedDate),
          tags: Object.fromEntries((s.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? ''])),
          versions: s.SecretVersionsToStages ?? {},
        });
      }
    }
  } catch (err) {
    throw safeAwsError(err, 'ListSecrets', `${prefix}/*`);
  }
  return out;
}

async function undoOne(ctx: StepContext, s: Listed, p: RollbackParams): Promise<Undone> {
  if (s.deleted) return { name: s.name, action: 'untouched', detail: 'already scheduled for deletion' };
  if (s.tags[MIGRATION_TAG] === ctx.incidentId) {
    const input = p.force_delete_without_recovery ? { SecretId: s.arn, ForceDeleteWithoutRecovery: true } : { SecretId: s.arn, RecoveryWindowInDays: p.recovery_window_days };
    const { output } = await sm(ctx, (m) => new m.DeleteSecretCommand(input), s.name);
    const when = output.DeletionDate ? new Date(output.DeletionDate).toISOString() : undefined;
    return {
      name: s.name,
      action: 'deleted',
      detail: p.force_delete_without_recovery ? 'deleted without recovery' : `scheduled for deletion; restorable (RestoreSecret) until ${when ?? `${p.recovery_window_days} days from now`}`,
      ...(when ? { deletion_date: when } : {}),
    };
  }
  const label = versionLabel(ctx.incidentId);
  const current = Object.entries(s.versions).find(([, stages]) => stages.includes('AWSCURRENT'))?.[0];
  const previous = Object.entries(s.versions).find(([, stages]) => stages.includes('AWSPREVIOUS'))?.[0];
  if (current && s.versions[current]!.includes(label)) {
    if (!previous) return { name: s.name, action: 'untouched', detail: 'holds no earlier version to go back to' };
    await sm(ctx, (m) => new m.UpdateSecretVersionStageCommand({ SecretId: s.arn, VersionStage: 'AWSCURRENT', MoveToVersionId: previous, RemoveFromVersionId: current }), s.name);
    return { name: s.name, action: 'reverted', detail: `AWSCURRENT moved back to version ${previous}` };
  }
  if (Object.values(s.versions).some((stages) => stages.includes(label))) {
    return { name: s.name, action: 'untouched', detail: 'a version was added after this migration’s; left for a human' };
  }
  return { name: s.name, action: 'untouched', detail: 'not changed by this migration' };
}

export const rollback = defineKind({
  name: 'aws.secrets.rollback',
  effect: 'write',
  params,
  describe: (p) => ({
    summary: p.force_delete_without_recovery
      ? `secretsmanager:DeleteSecret ${prefixOf(p.target)}/* created by this incident, WITHOUT RECOVERY`
      : `secretsmanager:DeleteSecret ${prefixOf(p.target)}/* created by this incident (recovery window ${p.recovery_window_days} days); move AWSCURRENT back where this incident added a version`,
    api: 'secretsmanager:DeleteSecret',
    resources: [`${prefixOf(p.target)}/*`],
  }),
  destructive: (p) => p.force_delete_without_recovery,
  async run(p, ctx) {
    const listed = await listUnder(ctx, prefixOf(p.target));
    const done = await pool(listed, p.concurrency, async (s) => {
      try {
        return await undoOne(ctx, s, p);
      } catch (err) {
        if (ctx.signal.aborted) throw err;
        return { name: s.name, action: 'failed' as const, detail: err instanceof Error ? err.message : String(err) };
      }
    });
    logTable(ctx, ['SECRET', 'ACTION', 'DETAIL'], done.map((d) => [d.name, d.action, d.detail]), { what: 'secrets' });
    const count = (a: Undone['action']) => done.filter((d) => d.action === a).length;
    const result = fitResult({ deleted: count('deleted'), reverted: count('reverted'), untouched: count('untouched'), failed: count('failed'), secrets: done }, ['secrets']);
    const summary = `${count('deleted')} deleted (${p.force_delete_without_recovery ? 'without recovery' : `restorable for ${p.recovery_window_days} days`}), ${count('reverted')} reverted, ${count('untouched')} left alone`;
    if (count('failed')) throw new StepFailure(`rollback incomplete (${summary}): ${done.filter((d) => d.action === 'failed').map((d) => `${d.name}: ${d.detail}`).join('; ')}`, result);
    return { result, summary };
  },
});
