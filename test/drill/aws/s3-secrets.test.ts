// S3 access logs stream back through the SDK's own body handling; Secrets Manager keeps its
// versioning and idempotency rules; recorded calls never hold secret values.
import { GetObjectCommand, ListObjectsV2Command, S3Client, paginateListObjectsV2 } from '@aws-sdk/client-s3';
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretsCommand,
  PutSecretValueCommand,
  RestoreSecretCommand,
  SecretsManagerClient,
  TagResourceCommand,
} from '@aws-sdk/client-secrets-manager';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { AwsSpecInput } from '../../../src/drill/aws/spec.js';
import { drill, forbidNetwork } from './helpers.js';

forbidNetwork();

const LOG = 'h2 2026-03-02T03:01:00.000000Z app/web/50dc6c495c0c9188 10.0.0.1:443 - -1 -1 -1 504 - 120 0 "GET https://web:443/report HTTP/2.0" "curl" - - arn "Root=1" "-" "-" 0 2026-03-02T03:00:00.000000Z "forward" "-" "-" "-" "-" "-" "-"';
const prefix = 'AWSLogs/123456789012/elasticloadbalancing/us-east-1/2026/03/02/';

const spec: AwsSpecInput = {
  s3: {
    objects: [
      { bucket: 'alb-logs', key: `${prefix}a.log.gz`, gzip_lines: [LOG, LOG.replace('504', '200')] },
      { bucket: 'alb-logs', key: `${prefix}b.log.gz`, gzip_lines: [LOG] },
      { bucket: 'alb-logs', key: `${prefix}c.log.gz`, gzip_lines: [] },
      { bucket: 'alb-logs', key: 'other/readme.txt', content: 'hello' },
    ],
  },
  secretsmanager: {
    secrets: [
      { name: 'prod/payments-api/app', value: { STRIPE_KEY: 'sk_live_existing' }, tags: { env: 'prod', app: 'payments-api' }, kms_key_id: 'alias/payments' },
      { name: 'staging/payments-api/app', value: 'old', tags: { env: 'staging' } },
    ],
  },
};

const TOKEN_A = '11111111-1111-4111-8111-111111111111';
const TOKEN_B = '22222222-2222-4222-8222-222222222222';

describe('S3 access logs', () => {
  it('GetObject of gzip content streams back; transformToByteArray works', async () => {
    const { aws } = drill(spec);
    const s3: S3Client = await aws.client('s3');
    const out = await s3.send(new GetObjectCommand({ Bucket: 'alb-logs', Key: `${prefix}a.log.gz` }));
    expect(out.ContentType).toBe('application/octet-stream');
    expect(out.ETag).toMatch(/^"[0-9a-f]{32}"$/);
    const bytes = await out.Body!.transformToByteArray();
    expect(out.ContentLength).toBe(bytes.byteLength);
    expect(gunzipSync(bytes).toString('utf8').split('\n').filter(Boolean)).toEqual([LOG, LOG.replace('504', '200')]);
    const text = await (await s3.send(new GetObjectCommand({ Bucket: 'alb-logs', Key: 'other/readme.txt' }))).Body!.transformToString();
    expect(text).toBe('hello');
  });

  it('ListObjectsV2 pages by prefix with continuation tokens', async () => {
    const { aws } = drill(spec);
    const client: S3Client = await aws.client('s3');
    const keys: string[] = [];
    let pages = 0;
    for await (const page of paginateListObjectsV2({ client, pageSize: 2 }, { Bucket: 'alb-logs', Prefix: prefix })) {
      pages++;
      keys.push(...(page.Contents ?? []).map((o) => o.Key!));
    }
    expect(pages).toBe(2);
    expect(keys).toEqual([`${prefix}a.log.gz`, `${prefix}b.log.gz`, `${prefix}c.log.gz`]);
    const none = await client.send(new ListObjectsV2Command({ Bucket: 'alb-logs', Prefix: 'nothing/' }));
    expect(none.Contents).toBeUndefined();
    expect(none.KeyCount).toBe(0);
    const top = await client.send(new ListObjectsV2Command({ Bucket: 'alb-logs', Delimiter: '/' }));
    expect(top.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['AWSLogs/', 'other/']);
  });
});

describe('Secrets Manager', () => {
  it('create → get → put a version → the same create again is a no-op; another value with that token is refused', async () => {
    const { aws } = drill(spec);
    const sm: SecretsManagerClient = await aws.client('secretsmanager');
    const create = { Name: 'prod/orders-api/app', SecretString: '{"DB_PASSWORD":"p1"}', ClientRequestToken: TOKEN_A, Tags: [{ Key: 'env', Value: 'prod' }] };
    const made = await sm.send(new CreateSecretCommand(create));
    expect(made).toMatchObject({ Name: 'prod/orders-api/app', VersionId: TOKEN_A });
    expect(made.ARN).toMatch(/^arn:aws:secretsmanager:us-east-1:123456789012:secret:prod\/orders-api\/app-[A-Za-z0-9]{6}$/);

    const got = await sm.send(new GetSecretValueCommand({ SecretId: made.ARN }));
    expect(got).toMatchObject({ SecretString: '{"DB_PASSWORD":"p1"}', VersionId: TOKEN_A, VersionStages: ['AWSCURRENT'] });

    const put = await sm.send(new PutSecretValueCommand({ SecretId: 'prod/orders-api/app', SecretString: '{"DB_PASSWORD":"p2"}', ClientRequestToken: TOKEN_B }));
    expect(put.VersionStages).toEqual(['AWSCURRENT']);
    const described = await sm.send(new DescribeSecretCommand({ SecretId: 'prod/orders-api/app' }));
    expect(described.VersionIdsToStages).toEqual({ [TOKEN_A]: ['AWSPREVIOUS'], [TOKEN_B]: ['AWSCURRENT'] });
    expect(described.KmsKeyId).toBeUndefined(); // the aws/secretsmanager key
    expect((await sm.send(new GetSecretValueCommand({ SecretId: 'prod/orders-api/app' }))).SecretString).toBe('{"DB_PASSWORD":"p2"}');
    expect((await sm.send(new GetSecretValueCommand({ SecretId: 'prod/orders-api/app', VersionStage: 'AWSPREVIOUS' }))).SecretString).toBe('{"DB_PASSWORD":"p1"}');

    const again = await sm.send(new CreateSecretCommand(create));
    expect(again).toMatchObject({ ARN: made.ARN, VersionId: TOKEN_A });
    await expect(sm.send(new CreateSecretCommand({ ...create, SecretString: '{"DB_PASSWORD":"other"}' }))).rejects.toMatchObject({ name: 'ResourceExistsException' });
    await expect(sm.send(new CreateSecretCommand({ ...create, ClientRequestToken: '33333333-3333-4333-8333-333333333333' }))).rejects.toMatchObject({
      name: 'ResourceExistsException',
      message: 'The operation failed because the secret prod/orders-api/app already exists.',
    });
    const repeatPut = await sm.send(new PutSecretValueCommand({ SecretId: 'prod/orders-api/app', SecretString: '{"DB_PASSWORD":"p2"}', ClientRequestToken: TOKEN_B }));
    expect(repeatPut.VersionId).toBe(TOKEN_B);
    await expect(sm.send(new PutSecretValueCommand({ SecretId: 'prod/orders-api/app', SecretString: 'different', ClientRequestToken: TOKEN_B }))).rejects.toMatchObject({
      name: 'ResourceExistsException',
    });
  });

  it('an empty value cannot be a secret (SecretString is at least 1 character)', async () => {
    const { aws } = drill(spec);
    const sm: SecretsManagerClient = await aws.client('secretsmanager');
    const err = await sm.send(new CreateSecretCommand({ Name: 'prod/x/EMPTY', SecretString: '', ClientRequestToken: TOKEN_A })).catch((e) => e);
    expect(err.name).toBe('ValidationException');
  });

  it('delete schedules with a recovery window; reads fail until it is restored; the name stays taken', async () => {
    const { aws, clock, world } = drill(spec);
    const sm: SecretsManagerClient = await aws.client('secretsmanager');
    const del = await sm.send(new DeleteSecretCommand({ SecretId: 'staging/payments-api/app', RecoveryWindowInDays: 7 }));
    expect(del.DeletionDate!.getTime() - clock.now()).toBe(7 * 86_400_000);
    await expect(sm.send(new GetSecretValueCommand({ SecretId: 'staging/payments-api/app' }))).rejects.toMatchObject({ name: 'InvalidRequestException' });
    await expect(sm.send(new CreateSecretCommand({ Name: 'staging/payments-api/app', SecretString: 'x', ClientRequestToken: TOKEN_A }))).rejects.toMatchObject({
      name: 'InvalidRequestException',
    });
    expect((await sm.send(new DescribeSecretCommand({ SecretId: 'staging/payments-api/app' }))).DeletedDate).toBeInstanceOf(Date);
    const listed = await sm.send(new ListSecretsCommand({}));
    expect(listed.SecretList!.map((s) => s.Name)).toEqual(['prod/payments-api/app']);
    await sm.send(new RestoreSecretCommand({ SecretId: 'staging/payments-api/app' }));
    expect((await sm.send(new GetSecretValueCommand({ SecretId: 'staging/payments-api/app' }))).SecretString).toBe('old');

    await sm.send(new DeleteSecretCommand({ SecretId: 'staging/payments-api/app', RecoveryWindowInDays: 7 }));
    clock.advance(8 * 86_400_000);
    await expect(sm.send(new DescribeSecretCommand({ SecretId: 'staging/payments-api/app' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    expect(world.secrets.secrets.map((s) => s.name)).toEqual(['prod/payments-api/app']);
  });

  it('ListSecrets filters by name prefix and tags; DescribeSecret shows the customer key and tags', async () => {
    const { aws } = drill(spec);
    const sm: SecretsManagerClient = await aws.client('secretsmanager');
    const names = async (Filters: { Key: 'name' | 'tag-key' | 'tag-value'; Values: string[] }[]) =>
      (await sm.send(new ListSecretsCommand({ Filters }))).SecretList!.map((s) => s.Name);
    expect(await names([{ Key: 'name', Values: ['prod/'] }])).toEqual(['prod/payments-api/app']);
    expect(await names([{ Key: 'tag-value', Values: ['staging'] }])).toEqual(['staging/payments-api/app']);
    expect(await names([{ Key: 'name', Values: ['!prod/'] }])).toEqual(['staging/payments-api/app']);
    await sm.send(new TagResourceCommand({ SecretId: 'prod/payments-api/app', Tags: [{ Key: 'owner', Value: 'payments' }] }));
    const d = await sm.send(new DescribeSecretCommand({ SecretId: 'prod/payments-api/app' }));
    expect(d.KmsKeyId).toBe('alias/payments');
    expect(d.Tags).toEqual([
      { Key: 'env', Value: 'prod' },
      { Key: 'app', Value: 'payments-api' },
      { Key: 'owner', Value: 'payments' },
    ]);
  });

  it('recorded calls never hold a secret value', async () => {
    const { aws, world } = drill(spec);
    const sm: SecretsManagerClient = await aws.client('secretsmanager');
    await sm.send(new CreateSecretCommand({ Name: 'prod/new/app', SecretString: 'hunter2-very-secret', ClientRequestToken: TOKEN_A }));
    await sm.send(new GetSecretValueCommand({ SecretId: 'prod/new/app' }));
    const recorded = JSON.stringify(world.calls);
    expect(recorded).not.toContain('hunter2');
    expect(recorded).not.toContain('sk_live_existing');
    expect(world.callsOf('secretsmanager', 'CreateSecret')[0]!.input).toMatchObject({ Name: 'prod/new/app', SecretString: '«redacted»' });
  });
});
