// Secrets Manager calls for the migration kinds, through the provider's awsCall (the SDK loads on
// first use). Two rules hold everywhere here:
//   - a value read back is registered with the redactor before the call returns to its caller;
//   - an error never carries AWS's free text for requests that carry values or for codes whose
//     message may quote the request: it is replaced by a fixed explanation (AWS validation
//     messages can echo a SecretString, and errors.ts strips only the "Value '…'" form).
import type { StepContext } from '../../core/step.js';
import { awsCall, type AwsCallResult } from '../../providers/aws/call.js';
import { AwsStepError } from '../../providers/aws/errors.js';
import type { AwsProvider } from '../../providers/aws/provider.js';
import type { AwsCommand, AwsCommandBuilder, AwsOutput } from '../../providers/aws/sdk.js';
import { StepFailure } from '../../core/failure.js';
import { guardSecretString, guardValue, labelOf } from './model.js';

/** Codes whose explanation in errors.ts is built from structure, not from AWS's message text. */
const STRUCTURED = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'ExpiredToken',
  'ExpiredTokenException',
  'RequestExpired',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
  'IncompleteSignature',
  'MissingAuthenticationToken',
  'CredentialsProviderError',
  'TokenProviderError',
  'ResourceNotFoundException',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'InternalServiceError',
  'InternalFailure',
  'ServiceUnavailable',
]);

const HINTS: Record<string, string> = {
  ValidationException: 'a parameter was not accepted (the name, tags, description, KMS key, or the size of the value)',
  InvalidParameterException: 'a parameter was not accepted (the name, tags, description, KMS key, or the size of the value)',
  InvalidRequestException:
    'the secret may be scheduled for deletion (restore it with RestoreSecret, or choose another name) or be managed by another service',
  ResourceExistsException: 'a secret or version with this name or token already exists',
  LimitExceededException: 'a Secrets Manager quota was reached (too many secrets or versions; put a new version on one secret at most every 10 minutes)',
  EncryptionFailure: 'KMS could not encrypt: the key is disabled or pending deletion, or this principal may not use it (kms:GenerateDataKey)',
  DecryptionFailure: 'KMS could not decrypt: the key is disabled or pending deletion, or this principal may not use it (kms:Decrypt)',
  PreconditionNotMetException: 'a precondition of the request was not met',
  MalformedPolicyDocumentException: 'a resource policy was not accepted',
};

/**
 * Makes an AWS failure safe to show: kept when errors.ts explained it from structure (who, which
 * action, which id), replaced by fixed words when AWS's own message could quote the request.
 */
export function safeAwsError(err: unknown, operation: string, name: string): unknown {
  if (!(err instanceof AwsStepError)) return err;
  const code = err.code ?? 'Error';
  const server = (err.httpStatusCode ?? 0) >= 500;
  const network = err.message.startsWith('Could not reach') || err.message.startsWith('No AWS region') || err.message.startsWith('No AWS credentials');
  if (STRUCTURED.has(code) || server || network) return err;
  const hint = HINTS[code] ?? 'see the request id in CloudTrail for the details';
  const rid = err.requestId ? ` (request id ${err.requestId})` : '';
  const safe = new AwsStepError(`Secrets Manager refused ${operation} for ${name} (${code}): ${hint}. oncall does not repeat AWS's message, which can quote the request.${rid}`, err.cause, {
    service: 'secretsmanager',
    operation,
  });
  return safe;
}

export function awsOf(ctx: StepContext): AwsProvider {
  const aws = ctx.providers.aws;
  if (!aws) throw new StepFailure('this step needs AWS, and this run has no AWS provider');
  return aws;
}

/** One Secrets Manager call about secret `name`: `sm(ctx, (m) => new m.DescribeSecretCommand({ SecretId }), name)`. */
export async function sm<C extends AwsCommand>(ctx: StepContext, build: AwsCommandBuilder<'secretsmanager', C>, name: string): Promise<AwsCallResult<AwsOutput<C>>> {
  try {
    return await awsCall(awsOf(ctx), 'secretsmanager', build, { signal: ctx.signal, ids: [name] });
  } catch (err) {
    // The failed call's operation, as awsCall names it in its error.
    throw safeAwsError(err, err instanceof AwsStepError ? err.operation : 'the call', name);
  }
}

export interface Described {
  arn: string;
  name: string;
  deleted?: Date;
  kmsKeyId?: string;
  tags: Record<string, string>;
  /** VersionId → stages. */
  versions: Record<string, string[]>;
  currentVersion?: string;
  previousVersion?: string;
  lastAccessed?: Date;
  owningService?: string;
}

/** DescribeSecret, or undefined when there is no such secret. */
export async function describeSecret(ctx: StepContext, name: string): Promise<Described | undefined> {
  try {
    const { output: o } = await sm(ctx, (m) => new m.DescribeSecretCommand({ SecretId: name }), name);
    const versions: Record<string, string[]> = o.VersionIdsToStages ?? {};
    const find = (stage: string) => Object.entries(versions).find(([, st]) => st.includes(stage))?.[0];
    return {
      arn: o.ARN ?? '',
      name: o.Name ?? name,
      ...(o.DeletedDate ? { deleted: new Date(o.DeletedDate) } : {}),
      ...(o.KmsKeyId ? { kmsKeyId: o.KmsKeyId } : {}),
      tags: Object.fromEntries((o.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? ''])),
      versions,
      ...(find('AWSCURRENT') ? { currentVersion: find('AWSCURRENT') } : {}),
      ...(find('AWSPREVIOUS') ? { previousVersion: find('AWSPREVIOUS') } : {}),
      ...(o.LastAccessedDate ? { lastAccessed: new Date(o.LastAccessedDate) } : {}),
      ...(o.OwningService ? { owningService: o.OwningService } : {}),
    };
  } catch (err) {
    if (err instanceof AwsStepError && err.code === 'ResourceNotFoundException') return undefined;
    throw err;
  }
}

export interface ReadValue {
  versionId: string;
  stages: string[];
  /** In memory only; registered with the redactor before this returns. */
  text?: string;
  binary?: Uint8Array;
  /** The fields of a JSON object value (registered too), or undefined when it is not one. */
  fields?: Record<string, string>;
}

/** GetSecretValue (AWSCURRENT, or a pinned version); the value is registered before anything else. */
export async function readSecret(ctx: StepContext, id: string, name: string, versionId?: string): Promise<ReadValue> {
  const { output: o } = await sm(ctx, (m) => new m.GetSecretValueCommand({ SecretId: id, ...(versionId ? { VersionId: versionId } : {}) }), name);
  const out: ReadValue = { versionId: o.VersionId ?? '', stages: o.VersionStages ?? [] };
  if (typeof o.SecretString === 'string') {
    const fields = guardSecretString(ctx, name, o.SecretString);
    out.text = o.SecretString;
    if (fields) out.fields = fields;
  } else if (o.SecretBinary) {
    const bytes = new Uint8Array(o.SecretBinary);
    guardValue(ctx, Buffer.from(bytes).toString('base64'), labelOf(name), 'secret');
    guardValue(ctx, Buffer.from(bytes).toString('utf8'), labelOf(name), 'secret');
    out.binary = bytes;
  }
  return out;
}

/** Runs `fn` over `items` with at most `limit` at a time; results keep the items' order. */
export async function pool<T, R>(items: T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}
