// `secrets.env.plan`: the dry run. Which secrets will exist, under which names, with which tags,
// KMS key and description, and each value's keyed fingerprint (never the value). Empty values and
// the 65,536-byte limit are explained here, not dropped silently; a plan that cannot be carried out
// fails with the reasons.
import { z } from 'zod';
import { defineKind } from '../../core/kind.js';
import { StepFailure } from '../../core/failure.js';
import { fingerprintKeyId } from './crypto.js';
import { describeTarget, fileList, loadMigration, sourceSchema, targetSchema } from './model.js';
import { fitResult, listText, logTable, plural } from './report.js';

const params = z.object({ source: sourceSchema, target: targetSchema }).strict();
export type PlanParams = z.infer<typeof params>;

export const plan = defineKind({
  name: 'secrets.env.plan',
  effect: 'read',
  params,
  describe: (p) => ({
    summary: `plan ${p.target.layout === 'json' ? 'one JSON secret' : 'one secret per key'} for ${fileList(p.source.files).join(', ')} → ${describeTarget(p.target)}`,
  }),
  async run(p, ctx) {
    const m = await loadMigration(ctx, p.source, { target: p.target });
    const t = p.target;
    const kms = t.kms_key_id.trim() || 'aws/secretsmanager (the default key: free, but it cannot be used from another account)';
    ctx.log(`layout: ${t.layout === 'json' ? 'one JSON secret per app and environment' : 'one secret per key'}`);
    ctx.log(`KMS key: ${kms}`);
    ctx.log(m.scrub(`tags: ${(m.tags ?? []).map((x) => `${x.Key}=${x.Value}`).join(', ')}`));
    ctx.log(m.scrub(`description: ${m.secrets[0]?.description ?? '(none)'}`));
    ctx.log(`fingerprints: HMAC-SHA256 under this run's key ${fingerprintKeyId()} (comparable within this run only; no value can be guessed from them)`);
    ctx.log('');
    const rows: string[][] = [];
    for (const s of m.secrets) {
      if (s.layout === 'json') {
        rows.push([m.scrub(s.name), `${plural(s.keys.length, 'key')} (JSON)`, s.fingerprint, s.token]);
        for (const k of s.keys) rows.push([`  .${k}`, '', s.fieldFingerprints[k]!, '']);
      } else {
        rows.push([m.scrub(s.name), s.keys[0]!, s.fingerprint, s.token]);
      }
    }
    logTable(ctx, ['SECRET', 'HOLDS', 'FINGERPRINT', 'CLIENT REQUEST TOKEN'], rows, { what: 'rows' });
    const plain = m.entries.filter((e) => e.class === 'plain').map((e) => e.key);
    if (plain.length) ctx.log(`plain config (stays out of Secrets Manager; give it a home in config or Parameter Store): ${listText(plain, 20)}`);
    for (const x of m.excluded) ctx.log(`- not migrated: ${x.key}: ${x.why}`);
    for (const n of m.notes) ctx.log(`- note: ${n}`);
    for (const x of m.problems) ctx.log(`✗ ${x}`);

    const result = fitResult(
      {
        layout: t.layout,
        prefix: m.prefix,
        secrets_total: m.secrets.length,
        keys_migrated: m.secrets.reduce((n, s) => n + s.keys.length, 0),
        plain_kept: plain.length,
        excluded_count: m.excluded.length,
        problems_count: m.problems.length,
        kms_key_id: t.kms_key_id.trim() || null,
        tags: Object.fromEntries((m.tags ?? []).map((x) => [m.scrub(x.Key), m.scrub(x.Value)])),
        description: m.secrets[0] ? m.scrub(m.secrets[0].description) : null,
        fingerprint_key_id: fingerprintKeyId(),
        names: m.secrets.map((s) => m.scrub(s.name)),
        excluded: m.excluded,
        notes: m.notes,
        problems: m.problems,
        secrets: m.secrets.map((s) => ({ name: m.scrub(s.name), keys: s.keys.length, fingerprint: s.fingerprint, token: s.token })),
      },
      ['secrets', 'names', 'excluded', 'notes', 'problems'],
    );
    if (m.problems.length) {
      throw new StepFailure(`the plan cannot be carried out: ${m.problems.join('; ')}`, result);
    }
    const keys = result.keys_migrated as number;
    return {
      result,
      summary:
        m.secrets.length === 0
          ? 'nothing to migrate: no key is classified as a secret'
          : `${plural(m.secrets.length, 'secret')} holding ${plural(keys, 'key')}${m.excluded.length ? `; ${m.excluded.length} not migrated (see why)` : ''}; ${plain.length} plain config kept out`,
    };
  },
});
