// The S3 backend of the shared store: put-if-absent is PutObject with `If-None-Match: *` (412
// Precondition Failed: the key exists; 409 ConditionalRequestConflict: a concurrent write, retried
// as is), get is GetObject, list-after is ListObjectsV2 with StartAfter (and ContinuationToken to
// page). The client comes from the AWS provider, so the profile, region, credential chain and
// AWS_ENDPOINT_URL_S3 are the ones every other AWS call uses; the SDK loads only when sharing.
import { loadAwsModule } from '../providers/aws/modules.js';
import type { AwsProvider } from '../providers/aws/provider.js';
import { StoreError, StoreUnavailableError, type SharedStore } from './store.js';

export interface S3Location {
  bucket: string;
  /** Without leading or trailing slashes; '' for the bucket's root. */
  prefix: string;
}

/** `s3://bucket/some/prefix` → bucket and prefix; a plain-words error for anything else. */
export function parseS3Url(url: string): S3Location {
  const m = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(url.trim());
  if (!m) throw new StoreError(`'${url}' is not an S3 location: expected s3://bucket/prefix (a bucket name is 3–63 lowercase letters, digits, dots and hyphens)`);
  const prefix = (m[2] ?? '').replace(/^\/+|\/+$/g, '');
  return { bucket: m[1]!, prefix };
}

/** How many times a 409 ConditionalRequestConflict is retried before giving up. */
const CONFLICT_RETRIES = 10;
/** What a connection failure looks like, whatever the SDK wraps it in. */
const NETWORK = /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN|EPIPE|socket hang up|TimeoutError|RequestTimeout/i;

interface SdkError {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

export function createS3Store(provider: AwsProvider, url: string): SharedStore {
  const where = parseS3Url(url);
  const full = (key: string) => (where.prefix ? `${where.prefix}/${key}` : key);
  const strip = (key: string) => (where.prefix ? key.slice(where.prefix.length + 1) : key);
  const shown = `s3://${where.bucket}${where.prefix ? `/${where.prefix}` : ''}`;
  let requests = 0;
  const ready = Promise.all([provider.client('s3'), loadAwsModule('s3')]);
  ready.catch(() => undefined);

  const fail = (err: unknown, operation: string, key?: string): Error => {
    const e = err as SdkError;
    const status = e.$metadata?.httpStatusCode;
    const text = `${e.name ?? ''} ${e.code ?? ''} ${e.message ?? ''}`;
    if (status === undefined || status >= 500 || NETWORK.test(text)) {
      return new StoreUnavailableError(shown, `${operation}: ${status ? `HTTP ${status} ${e.name ?? ''}`.trim() : (e.code ?? e.message ?? String(err))}`, { cause: err });
    }
    const action = operation === 'ListObjectsV2' ? 's3:ListBucket' : `s3:${operation}`;
    if (status === 403) return new StoreError(`${shown}: access denied to ${operation}${key ? ` of ${key}` : ''}: the credentials in use need ${action} on this bucket and prefix (see the README, "Team incidents")`, { cause: err });
    if (e.name === 'NoSuchBucket') return new StoreError(`${shown}: the bucket ${where.bucket} does not exist (or is in another account): create it, or check --share`, { cause: err });
    return new StoreError(`${shown}: ${operation} failed: ${e.name ?? `HTTP ${status}`}: ${e.message ?? ''}`.trim(), { cause: err });
  };

  return {
    url: shown,
    get requests() {
      return requests;
    },
    async putIfAbsent(key, body) {
      const [client, m] = await ready;
      for (let attempt = 0; ; attempt++) {
        requests++;
        try {
          await client.send(new m.PutObjectCommand({ Bucket: where.bucket, Key: full(key), Body: body, IfNoneMatch: '*', ContentType: 'application/json' }));
          return 'created';
        } catch (err) {
          const e = err as SdkError;
          const status = e.$metadata?.httpStatusCode;
          if (status === 412 || e.name === 'PreconditionFailed') return 'exists';
          // A concurrent conditional write to the same key: not "exists", retried as it is.
          if ((status === 409 || e.name === 'ConditionalRequestConflict') && attempt < CONFLICT_RETRIES) {
            await new Promise((r) => setTimeout(r, Math.min(200, 5 * 2 ** attempt) * (0.5 + Math.random())));
            continue;
          }
          throw fail(err, 'PutObject', key);
        }
      }
    },
    async get(key) {
      const [client, m] = await ready;
      requests++;
      try {
        const out = await client.send(new m.GetObjectCommand({ Bucket: where.bucket, Key: full(key) }));
        return (await out.Body?.transformToString('utf8')) ?? '';
      } catch (err) {
        const e = err as SdkError;
        if (e.name === 'NoSuchKey' || e.$metadata?.httpStatusCode === 404) return undefined;
        throw fail(err, 'GetObject', key);
      }
    },
    async listAfter(prefix, startAfter, limit) {
      const [client, m] = await ready;
      const keys: string[] = [];
      let token: string | undefined;
      do {
        requests++;
        let out;
        try {
          out = await client.send(
            new m.ListObjectsV2Command({
              Bucket: where.bucket,
              Prefix: full(prefix),
              ...(token ? { ContinuationToken: token } : startAfter !== undefined ? { StartAfter: full(startAfter) } : {}),
              ...(limit !== undefined ? { MaxKeys: Math.min(1000, limit - keys.length) } : {}),
            }),
          );
        } catch (err) {
          throw fail(err, 'ListObjectsV2');
        }
        for (const o of out.Contents ?? []) if (o.Key) keys.push(strip(o.Key));
        token = out.IsTruncated ? out.NextContinuationToken : undefined;
      } while (token && (limit === undefined || keys.length < limit));
      return keys;
    },
  };
}
