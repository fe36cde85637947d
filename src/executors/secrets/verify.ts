// `aws.secrets.verify`: reads every planned secret back (pinned to this plan's version when it
// is current) and compares it with the .env, key by key, by keyed digest: MATCH, MISMATCH,
// MISSING or EXTRA per key name. Also checks what DescribeSecret says: AWSCURRENT on the version,
// not scheduled for deletion, the planned KMS key and tags on secrets this incident created.
// It is the create step's `verify` read too: on a resume it decides whether the write happened.
import { z } from 'zod';
import type { StepContext } from '../../core/step.js';
import { defineKind } from '../../core/kind.js';
import { StepFailure } from '../../core/failure.js';
import { fingerprintKeyId } from './crypto.js';
import { onConflict } from './migrate.js';
import { describeTarget, loadMigration, MIGRATION_TAG, sourceSchema, targetSchema, versionLabel, type PlannedSecret } from './model.js';
import { compareSecret, countsText, fitResult, logTable, plural, type KeyStatus } from './report.js';
import { describeSecret, pool, readSecret } from './sm.js';

const params = z
  .object({
    source: sourceSchema,
    target: targetSchema,
    on_conflict: onConflict.describe('As given to the migrate step: with skip, a secret kept with its other value is not a failure'),
    concurrency: z.number().int().min(1).max(10).default(4),
  })
  .strict();
export type VerifyParams = z.infer<typeof params>;

type Status = 'match' | 'mismatch' | 'missing' | 'deleted' | 'kept-existing';

interface Checked {
  name: string;
  status: Status;
  version_id?: string;
  keys?: Record<KeyStatus, number>;
  created_by_this_incident?: boolean;
  new_version?: boolean;
  problems?: string[];
  per_key?: { key: string; status: KeyStatus }[];
}

async function checkOne(ctx: StepContext, s: PlannedSecret, policy: VerifyParams['on_conflict']): Promise<Checked> {
  const d = await describeSecret(ctx, s.name);
  if (!d) return { name: s.name, status: 'missing' };
  if (d.deleted) return { name: s.name, status: 'deleted', problems: [`scheduled for deletion since ${d.deleted.toISOString()}`] };
  const ours = d.tags[MIGRATION_TAG] === ctx.incidentId;
  const pinned = d.currentVersion === s.token;
  const stored = await readSecret(ctx, d.arn, s.name, pinned ? s.token : undefined);
  const cmp = compareSecret(s, stored);
  const problems: string[] = [];
  if (!stored.stages.includes('AWSCURRENT')) problems.push(`version ${stored.versionId} is not AWSCURRENT`);
  if (ours) {
    // Only what this incident created must carry the plan's key and tags.
    if (!sameKms(s.kmsKeyId, d.kmsKeyId)) {
      problems.push(`encrypted with ${d.kmsKeyId ?? 'aws/secretsmanager'}, planned ${s.kmsKeyId ?? 'aws/secretsmanager'}`);
    }
    for (const t of s.tags) if (d.tags[t.Key] !== t.Value) problems.push(`tag ${t.Key} is ${d.tags[t.Key] === undefined ? 'missing' : 'different'}`);
  }
  if (cmp.problem) problems.push(cmp.problem);
  let status: Status = cmp.same ? 'match' : 'mismatch';
  if (!cmp.same && policy === 'skip' && !ours && !pinned) status = 'kept-existing';
  return {
    name: s.name,
    status: problems.length && status === 'match' ? 'mismatch' : status,
    version_id: stored.versionId,
    keys: cmp.counts,
    created_by_this_incident: ours,
    new_version: pinned && !ours && (d.versions[s.token]?.includes(versionLabel(ctx.incidentId)) ?? false),
    ...(problems.length ? { problems } : {}),
    per_key: cmp.keys,
  };
}

/** The planned key (id, ARN or alias) against DescribeSecret's KmsKeyId (omitted for aws/secretsmanager). */
export function sameKms(planned: string | undefined, actual: string | undefined): boolean {
  const isDefault = (k: string | undefined) => k === undefined || k === '' || /(^|\/)aws\/secretsmanager$/.test(k);
  if (isDefault(planned)) return isDefault(actual);
  if (isDefault(actual)) return false;
  const tail = (k: string) => k.replace(/^arn:[^:]+:kms:[^:]*:\d*:/, '');
  return planned === actual || tail(planned!) === tail(actual!) || actual!.endsWith(`/${tail(planned!).replace(/^key\//, '')}`);
}

export const verify = defineKind({
  name: 'aws.secrets.verify',
  effect: 'read',
  params,
  describe: (p) => ({ summary: `secretsmanager:GetSecretValue ${describeTarget(p.target)} and compare each key with the .env by keyed digest`, api: 'secretsmanager:GetSecretValue' }),
  async run(p, ctx) {
    const m = await loadMigration(ctx, p.source, { target: p.target });
    if (m.problems.length) throw new StepFailure(`the plan cannot be carried out: ${m.problems.join('; ')}`);
    const checked = await pool(m.secrets, p.concurrency, (s) => checkOne(ctx, s, p.on_conflict));
    const rows: string[][] = [];
    for (const c of checked) {
      rows.push([c.name, c.status.toUpperCase(), c.keys ? countsText(c.keys) : '', (c.problems ?? []).join('; ')]);
      if (m.secrets.find((s) => s.name === c.name)?.layout === 'json') for (const k of c.per_key ?? []) rows.push([`  .${k.key}`, k.status, '', '']);
    }
    logTable(ctx, ['SECRET', 'STATUS', 'KEYS', 'PROBLEMS'], rows, { what: 'rows' });
    const count = (s: Status) => checked.filter((c) => c.status === s).length;
    const ok = checked.every((c) => c.status === 'match' || c.status === 'kept-existing');
    const result = fitResult(
      {
        all_match: ok,
        checked: checked.length,
        match: count('match'),
        mismatch: count('mismatch'),
        missing: count('missing') + count('deleted'),
        kept_existing: count('kept-existing'),
        // The same counts the migrate step reports, so a resume settled by this read reads alike.
        created: checked.filter((c) => c.created_by_this_incident && c.status === 'match').length,
        new_versions: checked.filter((c) => c.new_version && c.status === 'match').length,
        unchanged: checked.filter((c) => !c.created_by_this_incident && !c.new_version && c.status === 'match').length,
        fingerprint_key_id: fingerprintKeyId(),
        secrets: checked.map(({ per_key: _k, ...rest }) => rest),
      },
      ['secrets'],
    );
    const bad = checked.filter((c) => c.status !== 'match' && c.status !== 'kept-existing');
    return {
      result,
      summary: ok
        ? `${plural(count('match'), 'secret')} ${count('match') === 1 ? 'matches' : 'match'} the .env key by key${count('kept-existing') ? `; ${count('kept-existing')} kept with their own value` : ''}`
        : `${plural(bad.length, 'secret')} ${bad.length === 1 ? 'does' : 'do'} not match: ${bad.map((c) => `${c.name} ${c.status}`).join(', ')}`,
    };
  },
});
