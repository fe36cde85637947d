// S3 in a drill: buckets of objects, typically ALB access logs (gzip). GetObject goes back to the
// SDK as an HTTP response, so its own deserializer wraps the body and `Body.transformToString()`
// and friends behave exactly as with the real service.
import type { _Object } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { decodeToken, encodeToken } from './ids.js';
import type { AwsSpec } from './spec.js';
import { RawReply, WorldError, bodyResponse } from './wire.js';
import type { AwsWorld, CommandHandlers } from './world.js';

export interface SimObject {
  bucket: string;
  key: string;
  body: Buffer;
  contentType: string;
  lastModified: number;
  etag: string;
}

export class S3Model {
  readonly buckets = new Map<string, Map<string, SimObject>>();

  constructor(
    readonly world: AwsWorld,
    spec: AwsSpec['s3'],
  ) {
    for (const b of spec.buckets) this.bucket(b, true);
    for (const o of spec.objects) {
      const body = o.gzip_lines !== undefined ? gzipSync(Buffer.from(o.gzip_lines.map((l) => `${l}\n`).join(''), 'utf8')) : Buffer.from(o.content ?? '', 'utf8');
      this.put(o.bucket, o.key, body, o.content_type ?? (o.gzip_lines !== undefined ? 'application/octet-stream' : 'text/plain'), world.when(o.last_modified));
    }
  }

  /** Adds or replaces an object (also for scenario reactions: new log files arriving). */
  put(bucket: string, key: string, body: Buffer, contentType = 'application/octet-stream', at = this.world.now()): void {
    this.bucket(bucket, true)!.set(key, {
      bucket,
      key,
      body,
      contentType,
      lastModified: at,
      etag: `"${createHash('md5').update(body).digest('hex')}"`,
    });
  }

  bucket(name: string, create = false): Map<string, SimObject> {
    let b = this.buckets.get(name);
    if (!b && create) this.buckets.set(name, (b = new Map()));
    if (!b) throw new WorldError('NoSuchBucket', 'The specified bucket does not exist', 404, { BucketName: name });
    return b;
  }
}

export function s3Commands(model: S3Model): CommandHandlers<'s3'> {
  return {
    ListObjectsV2: (input) => {
      const objects = [...model.bucket(input.Bucket ?? '').values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      const prefix = input.Prefix ?? '';
      const max = input.MaxKeys ?? 1000;
      let after = input.StartAfter ?? '';
      if (input.ContinuationToken) {
        const t = decodeToken(input.ContinuationToken) as { k?: unknown } | undefined;
        if (!t || typeof t.k !== 'string') throw new WorldError('InvalidArgument', 'The continuation token provided is incorrect');
        after = t.k;
      }
      const contents: _Object[] = [];
      const common = new Set<string>();
      let last = '';
      let truncated = false;
      for (const o of objects) {
        if (!o.key.startsWith(prefix) || o.key <= after) continue;
        if (contents.length + common.size >= max) {
          truncated = true;
          break;
        }
        const rest = o.key.slice(prefix.length);
        const cut = input.Delimiter ? rest.indexOf(input.Delimiter) : -1;
        if (cut >= 0) {
          const cp = prefix + rest.slice(0, cut + input.Delimiter!.length);
          if (!common.has(cp)) common.add(cp);
          last = o.key;
          continue;
        }
        contents.push({ Key: o.key, LastModified: new Date(o.lastModified), ETag: o.etag, Size: o.body.byteLength, StorageClass: 'STANDARD' });
        last = o.key;
      }
      return {
        Name: input.Bucket,
        Prefix: prefix,
        MaxKeys: max,
        KeyCount: contents.length + common.size,
        IsTruncated: truncated,
        // S3 leaves Contents out when nothing matched.
        ...(contents.length ? { Contents: contents } : {}),
        ...(common.size ? { CommonPrefixes: [...common].map((Prefix) => ({ Prefix })) } : {}),
        ...(input.Delimiter ? { Delimiter: input.Delimiter } : {}),
        ...(input.ContinuationToken ? { ContinuationToken: input.ContinuationToken } : {}),
        ...(input.StartAfter ? { StartAfter: input.StartAfter } : {}),
        ...(truncated ? { NextContinuationToken: encodeToken({ k: last }) } : {}),
      };
    },

    GetObject: (input, { requestId }) => {
      const o = model.bucket(input.Bucket ?? '').get(input.Key ?? '');
      if (!o) throw new WorldError('NoSuchKey', 'The specified key does not exist.', 404, { Key: input.Key ?? '' });
      return new RawReply(
        bodyResponse(
          new Uint8Array(o.body),
          {
            'content-type': o.contentType,
            etag: o.etag,
            'last-modified': new Date(o.lastModified).toUTCString(),
            'accept-ranges': 'bytes',
          },
          requestId,
        ),
      );
    },
  };
}
