// `aws.secrets.precheck`: who and where (STS GetCallerIdentity through the provider), and for each
// planned name whether it exists, with which tags and KMS key, whether it is scheduled for
// deletion, and whether its value already matches (compared by keyed digest, key by key).
import { z } from 'zod';
import type { StepContext } from '../../core/step.js';
import { defineKind } from '../../core/kind.js';
import { AwsStepError } from '../../providers/aws/errors.js';
import { StepFailure } from '../../core/failure.js';
import { fingerprintKeyId } from './crypto.js';
import { describeTarget, loadMigration, MIGRATION_TAG, sourceSchema, targetSchema, type PlannedSecret } from './model.js';
import { compareSecret, countsText, fitResult, listText, logTable, plural } from './report.js';
import { awsOf, describeSecret, pool, readSecret } from './sm.js';

const params = z
  .object({
    source: sourceSchema,
    target: targetSchema,
    expected_account: z
      .string()
      .regex(/^(\d{12})?$/, { message: 'a 12-digit AWS account id, or empty' })
      .default('')
      .describe('Fail unless the credentials are for this account'),
    concurrency: z.number().int().min(1).max(10).default(4).describe('Secrets looked at in parallel (keep it low: Secrets Manager throttles)'),
  })
  .strict();
export type PrecheckParams = z.infer<typeof params>;

export type ExistingState = 'create' | 'unchanged' | 'conflict' | 'scheduled-for-deletion' | 'managed-elsewhere' | 'unreadable';

export interface Existing {
  name: string;
  state: ExistingState;
  detail: string;
  arn?: string;
  tags?: Record<string, string>;
  kms_key_id?: string | null;
  keys?: Record<string, number>;
  mismatched?: string[];
  missing?: string[];
  extra?: string[];
  /** This plan's exact version is already stored (an earlier run wrote it). */
  has_planned_version?: boolean;
}

/** What exists under one planned name, compared with the plan. Shared with the migrate kind. */
export async function examine(ctx: StepContext, s: PlannedSecret): Promise<Existing> {
  const d = await describeSecret(ctx, s.name);
  if (!d) return { name: s.name, state: 'create', detail: 'does not exist: will be created' };
  const base = { name: s.name, arn: d.arn, tags: d.tags, kms_key_id: d.kmsKeyId ?? null, has_planned_version: Object.hasOwn(d.versions, s.token) };
  if (d.deleted) {
    return {
      ...base,
      state: 'scheduled-for-deletion',
      detail: `scheduled for deletion since ${d.deleted.toISOString()}: its name cannot be reused until it is restored (RestoreSecret) or the recovery window ends`,
    };
  }
  if (d.owningService) return { ...base, state: 'managed-elsewhere', detail: `managed by ${d.owningService}; oncall will not write to it` };
  let stored;
  try {
    stored = await readSecret(ctx, d.arn, s.name);
  } catch (err) {
    if (err instanceof AwsStepError) return { ...base, state: 'unreadable', detail: `exists, but its value could not be read (${err.code ?? 'error'}): ${err.message}` };
    throw err;
  }
  const cmp = compareSecret(s, stored);
  const by = (st: string) => cmp.keys.filter((k) => k.status === st).map((k) => k.key);
  const owner = [d.tags.app && d.tags.app !== s.tags.find((t) => t.Key === 'app')?.Value ? `tagged for app ${d.tags.app}` : '', d.tags.env && d.tags.env !== s.tags.find((t) => t.Key === 'env')?.Value ? `tagged for env ${d.tags.env}` : '']
    .filter(Boolean)
    .join(', ');
  const mine = d.tags[MIGRATION_TAG] === ctx.incidentId ? ' (created by this incident)' : '';
  return {
    ...base,
    state: cmp.same ? 'unchanged' : 'conflict',
    detail: (cmp.problem ?? (cmp.same ? `exists with the same value${mine}` : `exists with a different value${mine}: ${countsText(cmp.counts)}`)) + (owner ? `; ${owner}` : ''),
    keys: cmp.counts,
    mismatched: by('MISMATCH'),
    missing: by('MISSING'),
    extra: by('EXTRA'),
  };
}

export const precheck = defineKind({
  name: 'aws.secrets.precheck',
  effect: 'read',
  params,
  describe: (p) => ({ summary: `secretsmanager:DescribeSecret/GetSecretValue ${describeTarget(p.target)} (compare by keyed digest)`, api: 'secretsmanager:DescribeSecret' }),
  async run(p, ctx) {
    const id = await awsOf(ctx).identity(ctx.signal);
    ctx.log(`identity: ${id.arn} (account ${id.account}) in ${id.region ?? 'no region'}${id.profile ? `, profile ${id.profile}` : ''}`);
    if (p.expected_account && id.account !== p.expected_account) {
      throw new StepFailure(`these credentials are for account ${id.account}, not ${p.expected_account}: use the right --profile`);
    }
    const m = await loadMigration(ctx, p.source, { target: p.target });
    if (m.problems.length) throw new StepFailure(`the plan cannot be carried out: ${m.problems.join('; ')}`);
    const kms = p.target.kms_key_id.trim();
    ctx.log(`KMS key: ${kms || 'aws/secretsmanager (default)'}`);

    const found = await pool(m.secrets, p.concurrency, (s) => examine(ctx, s));
    logTable(
      ctx,
      ['SECRET', 'STATE', 'DETAIL'],
      found.map((f) => [f.name, f.state, f.detail]),
      { what: 'secrets' },
    );
    for (const f of found) {
      if (f.extra?.length) ctx.log(`- ${f.name} has keys the .env does not: ${listText(f.extra)} (a new version would drop them)`);
      if (f.state !== 'create' && kms && f.kms_key_id !== kms) ctx.log(`- ${f.name} is encrypted with ${f.kms_key_id ?? 'aws/secretsmanager'}, not ${kms}; a new version keeps the secret's key`);
    }
    const names = (s: ExistingState[]) => found.filter((f) => s.includes(f.state)).map((f) => f.name);
    const conflicts = names(['conflict', 'unreadable']);
    const blocked = names(['scheduled-for-deletion', 'managed-elsewhere']);
    const result = fitResult(
      {
        account: id.account,
        arn: id.arn,
        principal: id.principal,
        region: id.region ?? null,
        kms_key: kms || 'aws/secretsmanager',
        to_create: names(['create']).length,
        unchanged: names(['unchanged']).length,
        conflicts: conflicts.length,
        blocked: blocked.length,
        fingerprint_key_id: fingerprintKeyId(),
        conflict_names: conflicts,
        blocked_names: blocked,
        existing: found.filter((f) => f.state !== 'create').map(({ name, state, detail, tags, kms_key_id, keys, extra }) => ({ name, state, detail, tags, kms_key_id, keys, extra })),
      },
      ['existing', 'conflict_names', 'blocked_names'],
    );
    return {
      result,
      summary: `account ${id.account} (${id.principal}) in ${id.region ?? '?'}: ${names(['create']).length} to create, ${names(['unchanged']).length} unchanged, ${plural(conflicts.length, 'conflict')}${blocked.length ? `, ${blocked.length} blocked` : ''}`,
    };
  },
});
