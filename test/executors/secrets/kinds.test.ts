// The secrets step kinds at the SDK's boundary, with aws-sdk-client-mock: what they send, what
// they decide, and that no value ever reaches an output line, a result, an error or a process.
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretsCommand,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { tokenKeyFile } from '../../../src/executors/secrets/crypto.js';
import { inventory } from '../../../src/executors/secrets/inventory.js';
import { migrate } from '../../../src/executors/secrets/migrate.js';
import { plan } from '../../../src/executors/secrets/plan.js';
import { precheck } from '../../../src/executors/secrets/precheck.js';
import { rollback } from '../../../src/executors/secrets/rollback.js';
import { verify } from '../../../src/executors/secrets/verify.js';
import { createAwsProvider } from '../../../src/providers/aws/provider.js';
import { tempDir } from '../../helpers/cli.js';
import { envFile, INCIDENT, leaks, runKind, testCtx, type TestCtx } from './helpers.js';

const CANARY_DB = 'CANARY-db-7f1c9b2e-pass';
const CANARY_API = 'CANARY-api-0d4e8a61-token';
const ENV = `NODE_ENV=production\nPORT=8080\nDB_PASSWORD=${CANARY_DB}\nAPI_TOKEN="${CANARY_API}"\nEMPTY_SECRET=\nPUBLIC_URL=https://example.com\n`;
const ARN = (name: string) => `arn:aws:secretsmanager:us-east-1:123456789012:secret:${name}-AbCdEf`;

const sm = mockClient(SecretsManagerClient);
const sts = mockClient(STSClient);

function provider() {
  return createAwsProvider({ region: 'us-east-1', env: {}, clientConfig: { credentials: { accessKeyId: 'AKIDUNITTEST00000000', secretAccessKey: 'unit' }, maxAttempts: 1 } });
}

function notFound() {
  return new ResourceNotFoundException({ message: "Secrets Manager can't find the specified secret.", $metadata: { httpStatusCode: 400, requestId: 'req-nf' } });
}

let file: string;
let t: TestCtx;
const source = () => ({ files: file });
const target = (layout: 'json' | 'per-key' = 'json') => ({ app: 'payments-api', env: 'prod', owner: 'team-payments', layout });

beforeEach(() => {
  sm.reset();
  sts.reset();
  vi.stubEnv('ONCALL_STATE_DIR', tempDir('oncall-secrets-state-'));
  sts.on(GetCallerIdentityCommand).resolves({ Account: '123456789012', Arn: 'arn:aws:sts::123456789012:assumed-role/Migrator/alice', UserId: 'AROAX:alice' });
  file = envFile(ENV);
  t = testCtx({ aws: provider() });
});
afterEach(() => vi.unstubAllEnvs());

/** Nothing a kind wrote, returned or threw holds a value. */
function assertClean(...extra: unknown[]) {
  const text = [...t.logs, ...extra.map((x) => (x instanceof Error ? x.message : JSON.stringify(x)))].join('\n');
  expect(leaks(text, [CANARY_DB, CANARY_API])).toEqual([]);
}

describe('inventory and plan', () => {
  it('registers every secret before anything is shown, and shows names, classes and fingerprints only', async () => {
    const inv = await runKind(inventory, { source: source(), target: target() }, t);
    expect(inv.result).toMatchObject({ keys_total: 6, secret_count: 3, plain_count: 3, secret: ['DB_PASSWORD', 'API_TOKEN', 'EMPTY_SECRET'], plain: ['NODE_ENV', 'PORT', 'PUBLIC_URL'] });
    expect(t.registered).toEqual(expect.arrayContaining([CANARY_DB, CANARY_API, 'https://example.com']));
    // Short plain config is not registered: a redacted "8080" would blank out numbers everywhere.
    expect(t.registered).not.toContain('8080');
    expect(t.registered).not.toContain('production');
    expect(t.execs.map((e) => [e.file, ...e.args].join(' '))).toEqual([expect.stringMatching(/^git -C \S+ ls-files --error-unmatch -- \.env$/)]);
    const p = await runKind(plan, { source: source(), target: target() }, t);
    expect(p.result).toMatchObject({ layout: 'json', secrets_total: 1, keys_migrated: 3, names: ['payments-api/prod/app'], tags: { app: 'payments-api', env: 'prod', owner: 'team-payments', source: 'dotenv-migration', 'source-file': '.env', 'migration-id': INCIDENT } });
    expect(t.logs.join('\n')).toMatch(/payments-api\/prod\/app +3 keys \(JSON\) +hmac:[0-9a-f]{12} +[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}/);
    expect(t.logs.join('\n')).toContain('EMPTY_SECRET is empty: kept as "" field of the JSON secret');
    assertClean(inv.result, p.result);
  });

  it('per key: an empty value is not migrated, and the plan says why', async () => {
    const p = await runKind(plan, { source: source(), target: target('per-key') }, t);
    expect(p.result.names).toEqual(['payments-api/prod/DB_PASSWORD', 'payments-api/prod/API_TOKEN']);
    expect(p.result.excluded).toEqual([{ key: 'EMPTY_SECRET', why: expect.stringMatching(/^empty: Secrets Manager needs at least 1 byte/) }]);
    expect(p.summary).toBe('2 secrets holding 2 keys; 1 not migrated (see why); 3 plain config kept out');
  });

  it('refuses a JSON secret over 65,536 bytes, and a secret value in a tag, with the reason', async () => {
    file = envFile(`CERT_PRIVATE_KEY="${'A'.repeat(70_000)}"\nTOKEN=${CANARY_API}\n`);
    const big = await runKind(plan, { source: source(), target: target() }, t).catch((e) => e);
    expect(big.message).toMatch(/the JSON secret payments-api\/prod\/app would be larger than Secrets Manager's 65,536-byte limit: use layout per-key/);
    const perKey = await runKind(plan, { source: source(), target: target('per-key') }, t).catch((e) => e);
    expect(perKey.message).toMatch(/CERT_PRIVATE_KEY is larger than Secrets Manager's 65,536-byte limit/);
    file = envFile(`API_TOKEN=${CANARY_API}\n`);
    const tagged = await runKind(plan, { source: source(), target: { ...target(), tags: { note: `copied ${CANARY_API}` } } }, t).catch((e) => e);
    expect(tagged.message).toContain('the value of API_TOKEN appears in the secret names, tags or description');
    assertClean(big, perKey, tagged);
  });

  it('keeps its key under the state directory the run was given (--state-dir), not the default one', async () => {
    const given = tempDir('oncall-given-state-');
    await runKind(plan, { source: source(), target: target() }, testCtx({ aws: provider(), stateRoot: given }));
    expect(statSync(join(given, 'keys', 'secrets-migration.key')).mode & 0o777).toBe(0o600);
    expect(statSync(join(given, 'keys')).mode & 0o777).toBe(0o700);
    expect(existsSync(tokenKeyFile())).toBe(false); // nothing under the default state dir
  });

  it('derives the same ClientRequestToken on every run from name and content, under a 0600 key file', async () => {
    const a = await runKind(plan, { source: source(), target: target() }, t);
    const b = await runKind(plan, { source: source(), target: target() }, testCtx({ aws: provider(), incidentId: 'inc-20260302-031300-wxyz' }));
    expect((a.result.secrets as any[])[0].token).toBe((b.result.secrets as any[])[0].token);
    expect(statSync(tokenKeyFile()).mode & 0o777).toBe(0o600);
    file = envFile(ENV.replace(CANARY_DB, `${CANARY_DB}-changed`));
    const c = await runKind(plan, { source: source(), target: target() }, t);
    expect((c.result.secrets as any[])[0].token).not.toBe((a.result.secrets as any[])[0].token);
  });
});

describe('migrate', () => {
  it('creates an absent secret with the plan’s token, tags and description; the value goes only into the SDK call', async () => {
    sm.on(DescribeSecretCommand).rejects(notFound());
    sm.on(CreateSecretCommand).resolves({ ARN: ARN('payments-api/prod/app'), Name: 'payments-api/prod/app', VersionId: 'v1' });
    const out = await runKind(migrate, { source: source(), target: target() }, t);
    expect(out.result).toMatchObject({ created: 1, new_versions: 0, unchanged: 0, failed: 0 });
    const input = sm.commandCalls(CreateSecretCommand)[0]!.args[0].input;
    expect(JSON.parse(input.SecretString!)).toEqual({ API_TOKEN: CANARY_API, DB_PASSWORD: CANARY_DB, EMPTY_SECRET: '' });
    expect(input.ClientRequestToken).toMatch(/^[0-9a-f-]{36}$/);
    expect(input.Tags).toContainEqual({ Key: 'migration-id', Value: INCIDENT });
    expect(input.KmsKeyId).toBeUndefined();
    // Nothing secret in the metadata CloudTrail records.
    expect(leaks(JSON.stringify([input.Name, input.Description, input.Tags, input.ClientRequestToken]), [CANARY_DB, CANARY_API])).toEqual([]);
    assertClean(out.result, out.summary);
  });

  it('leaves a secret with the same value alone, and puts a new version over a different one only when told', async () => {
    const same = JSON.stringify({ DB_PASSWORD: CANARY_DB, EMPTY_SECRET: '', API_TOKEN: CANARY_API }); // other key order: still the same
    sm.on(DescribeSecretCommand).resolves({ ARN: ARN('payments-api/prod/app'), Name: 'payments-api/prod/app', Tags: [], VersionIdsToStages: { old: ['AWSCURRENT'] } });
    sm.on(GetSecretValueCommand).resolves({ ARN: ARN('payments-api/prod/app'), SecretString: same, VersionId: 'old', VersionStages: ['AWSCURRENT'] });
    const unchanged = await runKind(migrate, { source: source(), target: target(), on_conflict: 'abort' }, t);
    expect(unchanged.result).toMatchObject({ unchanged: 1, created: 0, new_versions: 0 });
    expect(sm.commandCalls(CreateSecretCommand)).toHaveLength(0);
    expect(sm.commandCalls(PutSecretValueCommand)).toHaveLength(0);

    sm.on(GetSecretValueCommand).resolves({ ARN: ARN('payments-api/prod/app'), SecretString: JSON.stringify({ DB_PASSWORD: 'CANARY-stale-0000', EXTRA: 'CANARY-extra-1111' }), VersionId: 'old', VersionStages: ['AWSCURRENT'] });
    const aborted = await runKind(migrate, { source: source(), target: target(), on_conflict: 'abort' }, t).catch((e) => e);
    expect(aborted.message).toMatch(/payments-api\/prod\/app already exists with a different value \(1 MISMATCH, 2 MISSING, 1 EXTRA\); on_conflict is abort/);
    const skipped = await runKind(migrate, { source: source(), target: target(), on_conflict: 'skip' }, t);
    expect(skipped.result).toMatchObject({ kept_existing: 1 });
    sm.on(PutSecretValueCommand).resolves({ ARN: ARN('payments-api/prod/app'), VersionId: 'v2', VersionStages: ['AWSCURRENT'] });
    const put = await runKind(migrate, { source: source(), target: target(), on_conflict: 'new-version' }, t);
    expect(put.result).toMatchObject({ new_versions: 1, secrets: [{ name: 'payments-api/prod/app', action: 'new-version', version_id: 'v2', previous_version_id: 'old' }] });
    const putInput = sm.commandCalls(PutSecretValueCommand)[0]!.args[0].input;
    expect(putInput).toMatchObject({ SecretId: ARN('payments-api/prod/app'), ClientRequestToken: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    expect(t.registered).toEqual(expect.arrayContaining(['CANARY-stale-0000', 'CANARY-extra-1111']));
    assertClean(unchanged.result, aborted, skipped.result, put.result, 'CANARY-stale-0000');
    expect(leaks(JSON.stringify([aborted.message, skipped.result, t.logs]), ['CANARY-stale-0000', 'CANARY-extra-1111'])).toEqual([]);
  });

  it('a lost answer (ResourceExistsException on create) is looked at again, and a version of this plan counts as done', async () => {
    const p = await runKind(plan, { source: source(), target: target() }, t);
    const token = (p.result.secrets as any[])[0].token as string;
    sm.on(DescribeSecretCommand)
      .rejectsOnce(notFound())
      .resolves({ ARN: ARN('payments-api/prod/app'), Name: 'payments-api/prod/app', Tags: [{ Key: 'migration-id', Value: INCIDENT }], VersionIdsToStages: { [token]: ['AWSCURRENT'] } });
    sm.on(CreateSecretCommand).rejects(new ResourceExistsException({ message: 'The operation failed because the secret payments-api/prod/app already exists.', $metadata: { httpStatusCode: 400 } }));
    const out = await runKind(migrate, { source: source(), target: target() }, t);
    expect(out.result).toMatchObject({ created: 1, confirmed: 1 });
    expect(t.logs.join('\n')).toContain('✓ already created (by this incident) payments-api/prod/app');
    expect(sm.commandCalls(PutSecretValueCommand)).toHaveLength(0);
  });

  it('an AWS error that echoes the request is replaced by fixed words; the value is not repeated', async () => {
    sm.on(DescribeSecretCommand).rejects(notFound());
    const echo = Object.assign(new Error(`Invalid secret string near ${CANARY_DB.slice(0, 12)} in {"DB_PASSWORD":"${CANARY_DB}"}`), {
      name: 'InvalidParameterException',
      $fault: 'client',
      $metadata: { httpStatusCode: 400, requestId: 'req-echo' },
    });
    sm.on(CreateSecretCommand).rejects(echo);
    const err = await runKind(migrate, { source: source(), target: target() }, t).catch((e) => e);
    expect(err.message).toBe(
      "1 secret could not be written (0 created, 0 new versions, 0 unchanged, 0 kept as they were, 1 FAILED): payments-api/prod/app: Secrets Manager refused CreateSecret for payments-api/prod/app (InvalidParameterException): a parameter was not accepted (the name, tags, description, KMS key, or the size of the value). oncall does not repeat AWS's message, which can quote the request. (request id req-echo)",
    );
    expect(err.message).not.toContain(CANARY_DB.slice(0, 12));
    assertClean(err, err.result);
  });
});

describe('precheck, verify and rollback', () => {
  it('precheck: identity, and a stored value that is not JSON is said to be so, in fixed words', async () => {
    sm.on(DescribeSecretCommand).resolves({ ARN: ARN('payments-api/prod/app'), Name: 'payments-api/prod/app', Tags: [{ Key: 'app', Value: 'other-app' }], VersionIdsToStages: { v: ['AWSCURRENT'] } });
    sm.on(GetSecretValueCommand).resolves({ SecretString: `{"DB_PASSWORD": "${CANARY_DB}", broken`, VersionId: 'v', VersionStages: ['AWSCURRENT'] });
    const out = await runKind(precheck, { source: source(), target: target() }, t);
    expect(out.result).toMatchObject({ account: '123456789012', principal: 'Migrator', region: 'us-east-1', conflicts: 1, to_create: 0, conflict_names: ['payments-api/prod/app'] });
    expect((out.result.existing as any[])[0].detail).toBe('secret payments-api/prod/app is not valid JSON (or not a JSON object); tagged for app other-app');
    // V8's JSON.parse message quotes the input; it never surfaces.
    expect(t.logs.join('\n')).not.toMatch(/Unexpected token|SyntaxError|position/);
    expect(t.registered).toContain(`{"DB_PASSWORD": "${CANARY_DB}", broken`);
    assertClean(out.result);
    const wrong = await runKind(precheck, { source: source(), target: target(), expected_account: '999999999999' }, t).catch((e) => e);
    expect(wrong.message).toBe('these credentials are for account 123456789012, not 999999999999: use the right --profile');
  });

  it('verify: reads the plan’s own version back and compares key by key', async () => {
    const p = await runKind(plan, { source: source(), target: target() }, t);
    const token = (p.result.secrets as any[])[0].token as string;
    sm.on(DescribeSecretCommand).resolves({ ARN: ARN('payments-api/prod/app'), Name: 'payments-api/prod/app', Tags: (p.result.tags ? Object.entries(p.result.tags as object) : []).map(([Key, Value]) => ({ Key, Value })), VersionIdsToStages: { [token]: ['AWSCURRENT'] } });
    sm.on(GetSecretValueCommand, { SecretId: ARN('payments-api/prod/app'), VersionId: token }).resolves({ SecretString: JSON.stringify({ API_TOKEN: CANARY_API, DB_PASSWORD: CANARY_DB, EMPTY_SECRET: '' }), VersionId: token, VersionStages: ['AWSCURRENT'] });
    const ok = await runKind(verify, { source: source(), target: target() }, t);
    expect(ok.result).toMatchObject({ all_match: true, match: 1, created: 1 });
    expect(t.logs.join('\n')).toMatch(/\.DB_PASSWORD +MATCH/);
    sm.on(GetSecretValueCommand, { SecretId: ARN('payments-api/prod/app'), VersionId: token }).resolves({ SecretString: JSON.stringify({ API_TOKEN: 'CANARY-other-9999', DB_PASSWORD: CANARY_DB }), VersionId: token, VersionStages: ['AWSCURRENT'] });
    const bad = await runKind(verify, { source: source(), target: target() }, t);
    expect(bad.result).toMatchObject({ all_match: false, mismatch: 1, secrets: [expect.objectContaining({ keys: { MATCH: 1, MISMATCH: 1, MISSING: 1, EXTRA: 0 } })] });
    expect(bad.summary).toBe('1 secret does not match: payments-api/prod/app mismatch');
    assertClean(ok.result, bad.result);
  });

  it('rollback: deletes what this incident created with a recovery window, moves AWSCURRENT back where it added a version, leaves the rest', async () => {
    const label = `oncall-${INCIDENT}`;
    sm.on(ListSecretsCommand).resolves({
      SecretList: [
        { ARN: ARN('payments-api/prod/DB_PASSWORD'), Name: 'payments-api/prod/DB_PASSWORD', Tags: [{ Key: 'migration-id', Value: INCIDENT }], SecretVersionsToStages: { t1: ['AWSCURRENT'] } },
        { ARN: ARN('payments-api/prod/API_TOKEN'), Name: 'payments-api/prod/API_TOKEN', Tags: [{ Key: 'migration-id', Value: 'inc-20250101-000000-aaaa' }], SecretVersionsToStages: { t2: ['AWSCURRENT', label], before: ['AWSPREVIOUS'] } },
        { ARN: ARN('payments-api/prod/OTHER'), Name: 'payments-api/prod/OTHER', Tags: [], SecretVersionsToStages: { x: ['AWSCURRENT'] } },
        { ARN: ARN('payments-api/production/X'), Name: 'payments-api/production/X', Tags: [{ Key: 'migration-id', Value: INCIDENT }], SecretVersionsToStages: { x: ['AWSCURRENT'] } },
      ],
    });
    sm.on(DeleteSecretCommand).resolves({ ARN: ARN('payments-api/prod/DB_PASSWORD'), DeletionDate: new Date('2026-03-09T03:12:00Z') });
    sm.on(UpdateSecretVersionStageCommand).resolves({});
    const out = await runKind(rollback, { target: target('per-key'), recovery_window_days: 7 }, t);
    expect(out.result).toMatchObject({ deleted: 1, reverted: 1, untouched: 1 });
    expect(sm.commandCalls(ListSecretsCommand)[0]!.args[0].input).toMatchObject({ Filters: [{ Key: 'name', Values: ['payments-api/prod/'] }], IncludePlannedDeletion: true });
    expect(sm.commandCalls(DeleteSecretCommand).map((c) => c.args[0].input)).toEqual([{ SecretId: ARN('payments-api/prod/DB_PASSWORD'), RecoveryWindowInDays: 7 }]);
    expect(sm.commandCalls(UpdateSecretVersionStageCommand)[0]!.args[0].input).toEqual({ SecretId: ARN('payments-api/prod/API_TOKEN'), VersionStage: 'AWSCURRENT', MoveToVersionId: 'before', RemoveFromVersionId: 't2' });
    expect(out.summary).toBe('1 deleted (restorable for 7 days), 1 reverted, 1 left alone');
    expect(rollback.destructive!(rollback.params.parse({ target: target() }))).toBe(false);
    expect(rollback.destructive!(rollback.params.parse({ target: target(), force_delete_without_recovery: true }))).toBe(true);
  });
});
