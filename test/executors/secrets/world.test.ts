// The kinds against the simulated Secrets Manager (real SDK clients, the drill world behind them):
// reruns and resumes create nothing twice, conflicts become new versions only when told, and a
// rollback deletes only what this incident created and moves AWSCURRENT back where it added a version.
import { GetSecretValueCommand, SecretsManagerClient, UpdateSecretVersionStageCommand } from '@aws-sdk/client-secrets-manager';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { migrate } from '../../../src/executors/secrets/migrate.js';
import { plan } from '../../../src/executors/secrets/plan.js';
import { precheck } from '../../../src/executors/secrets/precheck.js';
import { rollback } from '../../../src/executors/secrets/rollback.js';
import { verify } from '../../../src/executors/secrets/verify.js';
import { drill, forbidNetwork } from '../../drill/aws/helpers.js';
import { tempDir } from '../../helpers/cli.js';
import { envFile, leaks, runKind, testCtx } from './helpers.js';

forbidNetwork();

const OLD = 'CANARY-old-stripe-key-00000000';
const NEW = 'CANARY-new-stripe-key-11111111';
const DB = 'CANARY-db-password-22222222';
const ENV = `STRIPE_SECRET_KEY=${NEW}\nDB_PASSWORD=${DB}\nMAIL_TOKEN=CANARY-mail-token-33333333\nPORT=8080\n`;
const A = 'inc-20260302-031200-aaaa';
const B = 'inc-20260302-041200-bbbb';

function world() {
  return drill({
    secretsmanager: {
      secrets: [
        { name: 'orders/prod/STRIPE_SECRET_KEY', value: OLD, tags: { app: 'orders' } },
        { name: 'orders/prod/DB_PASSWORD', value: DB },
        { name: 'orders/prod/UNRELATED', value: 'CANARY-unrelated-44444444' },
      ],
    },
  });
}

let file: string;
const target = { app: 'orders', env: 'prod', layout: 'per-key' as const, owner: 'team-orders' };
beforeEach(() => {
  vi.stubEnv('ONCALL_STATE_DIR', tempDir('oncall-secrets-state-'));
  file = envFile(ENV);
});

describe('against the simulated Secrets Manager', () => {
  it('migrates, verifies, and a rerun by another incident creates nothing twice', async () => {
    const { aws, world: w } = world();
    const a = testCtx({ aws, incidentId: A, mode: 'drill' });
    const pre = await runKind(precheck, { source: { files: file }, target }, a);
    expect(pre.result).toMatchObject({ to_create: 1, unchanged: 1, conflicts: 1, conflict_names: ['orders/prod/STRIPE_SECRET_KEY'] });
    const first = await runKind(migrate, { source: { files: file }, target, on_conflict: 'new-version' }, a);
    expect(first.result).toMatchObject({ created: 1, new_versions: 1, unchanged: 1 });
    const v = await runKind(verify, { source: { files: file }, target, on_conflict: 'new-version' }, a);
    expect(v.result).toMatchObject({ all_match: true, match: 3, created: 1, new_versions: 1, unchanged: 1 });

    // The same incident again (a resume): everything is recognised as done.
    const again = await runKind(migrate, { source: { files: file }, target, on_conflict: 'new-version' }, a);
    expect(again.result).toMatchObject({ created: 1, new_versions: 1, unchanged: 1, confirmed: 2 });
    // Another incident (a rerun): nothing to do, and nothing is claimed.
    const b = testCtx({ aws, incidentId: B, mode: 'drill' });
    const rerun = await runKind(migrate, { source: { files: file }, target, on_conflict: 'new-version' }, b);
    expect(rerun.result).toMatchObject({ created: 0, new_versions: 0, unchanged: 3 });
    expect(w.callsOf('secretsmanager', 'CreateSecret').filter((c) => c.ok)).toHaveLength(1);
    expect(w.callsOf('secretsmanager', 'PutSecretValue').filter((c) => c.ok)).toHaveLength(1);
    expect(Object.fromEntries(w.secrets.secrets.map((s) => [s.name, s.versions.size]))).toEqual({
      'orders/prod/STRIPE_SECRET_KEY': 2,
      'orders/prod/DB_PASSWORD': 1,
      'orders/prod/UNRELATED': 1,
      'orders/prod/MAIL_TOKEN': 1,
    });
    // Recorded calls hold no values.
    expect(leaks(JSON.stringify(w.calls), [NEW, DB, OLD])).toEqual([]);
    expect(leaks([...a.logs, ...b.logs, JSON.stringify([pre, first, v, again, rerun])].join('\n'), [NEW, DB, OLD, 'CANARY-mail-token-33333333'])).toEqual([]);
  });

  it('the rollback of the rerun touches nothing; the first incident’s rollback undoes exactly its own writes', async () => {
    const { aws, world: w, clock } = world();
    const a = testCtx({ aws, incidentId: A, mode: 'drill' });
    await runKind(migrate, { source: { files: file }, target, on_conflict: 'new-version' }, a);
    const b = testCtx({ aws, incidentId: B, mode: 'drill' });
    await runKind(migrate, { source: { files: file }, target, on_conflict: 'new-version' }, b);
    const none = await runKind(rollback, { target }, b);
    expect(none.result).toMatchObject({ deleted: 0, reverted: 0, untouched: 4 });

    const undo = await runKind(rollback, { target, recovery_window_days: 7 }, a);
    expect(undo.result).toMatchObject({ deleted: 1, reverted: 1, untouched: 2 });
    const mail = w.secrets.secrets.find((s) => s.name === 'orders/prod/MAIL_TOKEN')!;
    expect(mail.deletionDate! - clock.now()).toBe(7 * 86_400_000);
    const sm: SecretsManagerClient = await aws.client('secretsmanager');
    expect((await sm.send(new GetSecretValueCommand({ SecretId: 'orders/prod/STRIPE_SECRET_KEY' }))).SecretString).toBe(OLD);
    const stripe = w.secrets.secrets.find((s) => s.name === 'orders/prod/STRIPE_SECRET_KEY')!;
    expect([...stripe.versions.values()].map((v) => [...v.stages].sort())).toEqual([['AWSCURRENT'], ['AWSPREVIOUS', `oncall-${A}`]]);
    // Twice is harmless.
    const twice = await runKind(rollback, { target, recovery_window_days: 7 }, a);
    expect(twice.result).toMatchObject({ deleted: 0, reverted: 0 });
  });

  it('a crash after CreateSecret reached AWS: the retry with the same token is a no-op, the step sees it done', async () => {
    const { aws, world: w } = world();
    const a = testCtx({ aws, incidentId: A, mode: 'drill' });
    const p = await runKind(plan, { source: { files: file }, target }, a);
    const mail = (p.result.secrets as { name: string; token: string }[]).find((s) => s.name === 'orders/prod/MAIL_TOKEN')!;
    // What the lost attempt did: the create went through, the answer never arrived.
    w.invoke('secretsmanager', 'CreateSecret', { Name: mail.name, SecretString: 'CANARY-mail-token-33333333', ClientRequestToken: mail.token, Tags: [{ Key: 'migration-id', Value: A }] });
    const out = await runKind(migrate, { source: { files: file }, target, on_conflict: 'new-version' }, a);
    expect(out.result).toMatchObject({ created: 1, confirmed: 1 });
    expect(w.secrets.secrets.find((s) => s.name === mail.name)!.versions.size).toBe(1);
  });
});

describe('the simulation’s UpdateSecretVersionStage', () => {
  it('moves a label only from where RemoveFromVersionId says it is; AWSCURRENT leaves AWSPREVIOUS behind', async () => {
    const { aws, world: w } = drill({ secretsmanager: { secrets: [{ name: 's', value: 'one-one-one' }] } });
    w.invoke('secretsmanager', 'PutSecretValue', { SecretId: 's', SecretString: 'two-two-two', ClientRequestToken: '22222222-2222-4222-8222-222222222222' });
    const sm: SecretsManagerClient = await aws.client('secretsmanager');
    const first = [...w.secrets.secrets[0]!.versions.keys()][0]!;
    await expect(sm.send(new UpdateSecretVersionStageCommand({ SecretId: 's', VersionStage: 'AWSCURRENT', MoveToVersionId: first }))).rejects.toMatchObject({ name: 'InvalidParameterException' });
    await expect(sm.send(new UpdateSecretVersionStageCommand({ SecretId: 's', VersionStage: 'AWSCURRENT', MoveToVersionId: first, RemoveFromVersionId: first }))).rejects.toMatchObject({
      name: 'InvalidParameterException',
    });
    await sm.send(new UpdateSecretVersionStageCommand({ SecretId: 's', VersionStage: 'AWSCURRENT', MoveToVersionId: first, RemoveFromVersionId: '22222222-2222-4222-8222-222222222222' }));
    expect((await sm.send(new GetSecretValueCommand({ SecretId: 's' }))).SecretString).toBe('one-one-one');
    expect((await sm.send(new GetSecretValueCommand({ SecretId: 's', VersionStage: 'AWSPREVIOUS' }))).SecretString).toBe('two-two-two');
    await expect(sm.send(new UpdateSecretVersionStageCommand({ SecretId: 's', VersionStage: 'AWSCURRENT', RemoveFromVersionId: first }))).rejects.toMatchObject({ name: 'InvalidParameterException' });
    await sm.send(new UpdateSecretVersionStageCommand({ SecretId: 's', VersionStage: 'CUSTOM', MoveToVersionId: first }));
    await sm.send(new UpdateSecretVersionStageCommand({ SecretId: 's', VersionStage: 'CUSTOM', RemoveFromVersionId: first }));
    expect([...w.secrets.secrets[0]!.versions.get(first)!.stages]).toEqual(['AWSCURRENT']);
  });
});
