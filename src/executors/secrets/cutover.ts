// `aws.secrets.cutover`: how the application reads its secrets from now on. An SDK snippet for
// its language (node, python, go, java), or the platform's own integration (ECS task definition
// `secrets`, an EKS SecretProviderClass, the Lambda extension), the runtime role's IAM policy
// scoped to exactly these secrets, and the plain configuration that still needs a home before the
// .env goes. Names and ARNs only; it never reads a value.
import { z } from 'zod';
import type { StepContext } from '../../core/step.js';
import { defineKind } from '../../core/kind.js';
import { describeTarget, loadMigration, sourceSchema, targetSchema, type PlannedSecret } from './model.js';
import { fitResult, listText } from './report.js';
import { awsOf, describeSecret, pool } from './sm.js';

const params = z
  .object({
    source: sourceSchema,
    target: targetSchema,
    language: z.enum(['node', 'python', 'go', 'java']).default('node').describe("The application's language, for the SDK snippet"),
    platform: z.enum(['none', 'ecs', 'eks', 'lambda']).default('none').describe('Use the platform integration instead of (or beside) the SDK'),
  })
  .strict();
export type CutoverParams = z.infer<typeof params>;

const q = (s: string) => JSON.stringify(s);

function sdkSnippet(lang: CutoverParams['language'], secrets: PlannedSecret[], json: boolean): string[] {
  const first = secrets[0]!;
  const keys = listText(first.keys, 6);
  switch (lang) {
    case 'node':
      return json
        ? [
            '// npm install @aws-sdk/client-secrets-manager',
            "import { SecretsManagerClient, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';",
            '',
            'const client = new SecretsManagerClient({});',
            'let cached = { at: 0, value: undefined };',
            'export async function secrets() {',
            '  if (cached.value && Date.now() - cached.at < 10 * 60_000) return cached.value;',
            `  const out = await client.send(new GetSecretValueCommand({ SecretId: ${q(first.name)} }));`,
            `  cached = { at: Date.now(), value: JSON.parse(out.SecretString) }; // ${keys}`,
            '  return cached.value;',
            '}',
          ]
        : [
            '// npm install @aws-sdk/client-secrets-manager',
            "import { SecretsManagerClient, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';",
            '',
            'const client = new SecretsManagerClient({});',
            'const cache = new Map();',
            `export async function secret(name) { // e.g. ${q(first.name)}`,
            '  const hit = cache.get(name);',
            '  if (hit && Date.now() - hit.at < 10 * 60_000) return hit.value;',
            '  const out = await client.send(new GetSecretValueCommand({ SecretId: name }));',
            '  cache.set(name, { at: Date.now(), value: out.SecretString });',
            '  return out.SecretString;',
            '}',
          ];
    case 'python':
      return [
        '# pip install boto3',
        'import json, time, boto3',
        '',
        '_client = boto3.client("secretsmanager")',
        '_cache = {}',
        '',
        `def secret(name=${q(first.name)}):`,
        '    hit = _cache.get(name)',
        '    if hit and time.time() - hit[0] < 600:',
        '        return hit[1]',
        '    out = _client.get_secret_value(SecretId=name)',
        `    value = ${json ? `json.loads(out["SecretString"])  # ${keys}` : 'out["SecretString"]'}`,
        '    _cache[name] = (time.time(), value)',
        '    return value',
      ];
    case 'go':
      return [
        '// go get github.com/aws/aws-sdk-go-v2/service/secretsmanager',
        'cfg, err := config.LoadDefaultConfig(ctx)',
        'if err != nil { return err }',
        'client := secretsmanager.NewFromConfig(cfg)',
        `out, err := client.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(${q(first.name)})})`,
        'if err != nil { return err }',
        ...(json ? [`var secrets map[string]string // ${keys}`, 'if err := json.Unmarshal([]byte(*out.SecretString), &secrets); err != nil { return err }'] : ['value := *out.SecretString']),
        '// keep it in memory; refresh every 5–15 minutes and after an auth failure',
      ];
    case 'java':
      return [
        '// software.amazon.awssdk:secretsmanager',
        'SecretsManagerClient client = SecretsManagerClient.create();',
        `String text = client.getSecretValue(GetSecretValueRequest.builder().secretId(${q(first.name)}).build()).secretString();`,
        ...(json ? [`Map<String, String> secrets = new ObjectMapper().readValue(text, new TypeReference<Map<String, String>>() {}); // ${keys}`] : []),
        '// keep it in memory; refresh every 5–15 minutes and after an auth failure',
      ];
  }
}

function platformSnippet(platform: CutoverParams['platform'], secrets: PlannedSecret[], arns: Map<string, string>, json: boolean, app: string): string[] {
  const arn = (s: PlannedSecret) => arns.get(s.name)!;
  switch (platform) {
    case 'none':
      return [];
    case 'ecs': {
      const entries = json ? secrets[0]!.keys.map((k) => ({ name: k, valueFrom: `${arn(secrets[0]!)}:${k}::` })) : secrets.map((s) => ({ name: s.keys[0]!, valueFrom: arn(s) }));
      return [
        '// ECS task definition, in the container definition (the task execution role needs GetSecretValue;',
        '// the JSON-key form needs Fargate platform 1.4.0+; values are fixed when the container starts):',
        `"secrets": ${JSON.stringify(entries, null, 2)}`,
      ];
    }
    case 'eks': {
      const objects = json
        ? [`  - objectName: ${q(arn(secrets[0]!))}`, '    objectType: "secretsmanager"', '    jmesPath:', ...secrets[0]!.keys.flatMap((k) => [`      - path: ${q(k)}`, `        objectAlias: ${q(k)}`])]
        : secrets.flatMap((s) => [`  - objectName: ${q(arn(s))}`, '    objectType: "secretsmanager"', `    objectAlias: ${q(s.keys[0]!)}`]);
      return [
        '# EKS: Secrets Store CSI Driver with the AWS provider (ASCP); the pod identity needs GetSecretValue',
        'apiVersion: secrets-store.csi.x-k8s.io/v1',
        'kind: SecretProviderClass',
        'metadata:',
        `  name: ${app}-secrets`,
        'spec:',
        '  provider: aws',
        '  parameters:',
        '    objects: |',
        ...objects.map((l) => `    ${l}`),
      ];
    }
    case 'lambda':
      return [
        '// Lambda: add the AWS Parameters and Secrets Lambda Extension layer, then (it caches for you):',
        'const port = process.env.PARAMETERS_SECRETS_EXTENSION_HTTP_PORT ?? 2773;',
        `const res = await fetch(\`http://localhost:\${port}/secretsmanager/get?secretId=\${encodeURIComponent(${q(secrets[0]!.name)})}\`, {`,
        "  headers: { 'X-Aws-Parameters-Secrets-Token': process.env.AWS_SESSION_TOKEN },",
        '});',
        `const ${json ? 'secrets = JSON.parse((await res.json()).SecretString)' : 'value = (await res.json()).SecretString'};`,
      ];
  }
}

export const cutover = defineKind({
  name: 'aws.secrets.cutover',
  effect: 'read',
  params,
  describe: (p) => ({ summary: `how ${p.target.app} reads ${describeTarget(p.target)} (${p.language}${p.platform !== 'none' ? `, ${p.platform}` : ''}); names and ARNs only` }),
  async run(p, ctx) {
    const m = await loadMigration(ctx, p.source, { target: p.target });
    const secrets = m.secrets;
    const plain = m.entries.filter((e) => e.class === 'plain').map((e) => e.key);
    if (secrets.length === 0) return { result: { secrets: [], plain_to_rehome: plain }, summary: 'no secrets were planned; nothing to cut over' };
    const arns = await exactArns(ctx, secrets);
    const json = p.target.layout === 'json';
    const kms = p.target.kms_key_id.trim();
    ctx.log(`# ${p.language} (${json ? `one JSON secret: ${secrets[0]!.name}` : `${secrets.length} secrets under ${m.prefix}/`})`);
    for (const l of sdkSnippet(p.language, secrets, json)) ctx.log(l);
    ctx.log('// Keep values in memory only: never write them back to disk, log them or dump the environment.');
    const platform = platformSnippet(p.platform, secrets, arns, json, p.target.app);
    if (platform.length) {
      ctx.log('');
      for (const l of platform.flatMap((x) => x.split('\n'))) ctx.log(l);
    }
    const resources = secrets.map((s) => exactPattern(arns.get(s.name)!));
    const policy = {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: resources },
        ...(kms ? [{ Effect: 'Allow', Action: 'kms:Decrypt', Resource: kms, Condition: { StringEquals: { 'kms:ViaService': `secretsmanager.${regionOf(arns) ?? '<region>'}.amazonaws.com` } } }] : []),
      ],
    };
    ctx.log('');
    ctx.log('# IAM policy for the runtime role (exactly these secrets; -?????? is the random ARN suffix):');
    for (const l of JSON.stringify(policy, null, 2).split('\n')) ctx.log(l);
    if (plain.length) {
      ctx.log('');
      ctx.log(`# Plain config that stays out of Secrets Manager and needs a home before the .env is removed: ${listText(plain, 30)}`);
    }
    const result = fitResult(
      {
        language: p.language,
        platform: p.platform,
        kms_key: kms || 'aws/secretsmanager',
        secrets: secrets.map((s) => ({ name: s.name, arn: arns.get(s.name)! })),
        iam_resources: resources,
        plain_to_rehome: plain,
      },
      ['secrets', 'iam_resources', 'plain_to_rehome'],
    );
    return { result, summary: `${p.language}${p.platform !== 'none' ? ` + ${p.platform}` : ''} snippet and the runtime role's policy for ${secrets.length === 1 ? secrets[0]!.name : `${secrets.length} secrets`}` };
  },
});

/** The secrets' ARNs (with the random suffix) when they exist; otherwise the exact-name pattern. */
async function exactArns(ctx: StepContext, secrets: PlannedSecret[]): Promise<Map<string, string>> {
  const aws = awsOf(ctx);
  const id = await aws.identity(ctx.signal).catch(() => undefined);
  const out = new Map<string, string>();
  await pool(secrets, 4, async (s) => {
    const d = await describeSecret(ctx, s.name).catch(() => undefined);
    out.set(s.name, d?.arn ?? `arn:aws:secretsmanager:${id?.region ?? aws.region ?? '<region>'}:${id?.account ?? '<account>'}:secret:${s.name}-??????`);
  });
  return out;
}

/** `…:secret:name-AbCdEf` → `…:secret:name-??????` (survives a delete and re-create of the same name). */
function exactPattern(arn: string): string {
  return arn.replace(/-[A-Za-z0-9]{6}$/, '-??????').replace(/-\?{6}-\?{6}$/, '-??????');
}

function regionOf(arns: Map<string, string>): string | undefined {
  const first = [...arns.values()][0];
  const r = first?.split(':')[3];
  return r && r !== '<region>' ? r : undefined;
}

