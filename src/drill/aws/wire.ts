// What a simulated AWS error looks like on the wire. The drill middleware hands these responses
// to the SDK's own deserializer, so errors come out exactly as from the real service: the same
// exception classes (`instanceof`), `name`, `$fault`, `$metadata` and retry classification.
import type { AwsService } from '../../providers/aws/provider.js';

/** An AWS error the world raises: the code the service sends, its message and HTTP status. */
export class WorldError extends Error {
  /** Set by the world once the call is numbered. */
  requestId?: string;

  constructor(
    readonly code: string,
    message: string,
    readonly status: number = defaultStatus(code),
    /** Extra fields some protocols carry (S3 adds Key or BucketName). */
    readonly fields: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'WorldError';
  }
}

/** A command the world does not simulate (not an AWS error: nothing retries it). */
export class DrillUnsupportedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DrillUnsupportedError';
  }
}

/** An HTTP response as the SDK's deserializers read it (a plain object passes `HttpResponse.isInstance`). */
export interface WireResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: Uint8Array;
}

const THROTTLE_CODES = new Set(['Throttling', 'ThrottlingException', 'RequestLimitExceeded', 'TooManyRequestsException', 'SlowDown', 'RequestThrottled']);

/** The HTTP status AWS uses for a code (EC2 and S3 throttle with 503, the others with 400). */
export function defaultStatus(code: string): number {
  if (code === 'RequestLimitExceeded' || code === 'SlowDown') return 503;
  if (THROTTLE_CODES.has(code)) return 400;
  if (/^Internal(Error|Failure|ServiceError)?/.test(code)) return 500;
  if (/Unavailable/.test(code)) return 503;
  if (code === 'DryRunOperation') return 412;
  if (code === 'NoSuchKey' || code === 'NoSuchBucket') return 404;
  if (code === 'UnauthorizedOperation' || code === 'AccessDenied' || code === 'AuthFailure') return 403;
  return 400;
}

/** The error response `service` would send for `err`. */
export function errorResponse(service: AwsService, err: WorldError, requestId: string): WireResponse {
  const xmlHeaders = { 'content-type': 'text/xml;charset=UTF-8', 'x-amzn-requestid': requestId };
  switch (service) {
    case 'ec2':
      return respond(err.status, xmlHeaders, xml('Response', { Errors: { Error: { Code: err.code, Message: err.message } }, RequestID: requestId }));
    case 'sts':
    case 'elb':
    case 'elbv2':
      return respond(
        err.status,
        xmlHeaders,
        xml('ErrorResponse', { Error: { Type: err.status >= 500 ? 'Receiver' : 'Sender', Code: err.code, Message: err.message }, RequestId: requestId }),
      );
    case 's3':
      return respond(
        err.status,
        { 'content-type': 'application/xml', 'x-amz-request-id': requestId, 'x-amz-id-2': `drill/${requestId}` },
        xml('Error', { Code: err.code, Message: err.message, ...err.fields, RequestId: requestId }),
      );
    case 'cloudwatch':
      // awsJson1_0 with the awsQueryCompatible trait: the query-era code travels in a header.
      return respond(
        err.status,
        {
          'content-type': 'application/x-amz-json-1.0',
          'x-amzn-requestid': requestId,
          'x-amzn-query-error': `${err.code};${err.status >= 500 ? 'Receiver' : 'Sender'}`,
        },
        JSON.stringify({ __type: err.code, message: err.message }),
      );
    case 'secretsmanager':
      return respond(err.status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': requestId }, JSON.stringify({ __type: err.code, Message: err.message }));
  }
}

/** A reply that must go through the SDK's deserializer as HTTP (S3 GetObject's streaming body). */
export class RawReply {
  constructor(readonly wire: WireResponse) {}
}

/** A successful response with a raw body (S3 GetObject), read by the SDK's deserializer. */
export function bodyResponse(body: Uint8Array, headers: Record<string, string>, requestId: string): WireResponse {
  return { statusCode: 200, headers: { ...headers, 'content-length': String(body.byteLength), 'x-amz-request-id': requestId }, body };
}

function respond(statusCode: number, headers: Record<string, string>, body: string): WireResponse {
  const bytes = Buffer.from(body, 'utf8');
  return { statusCode, headers: { ...headers, 'content-length': String(bytes.byteLength) }, body: bytes };
}

type XmlValue = string | { [k: string]: XmlValue };

function xml(root: string, value: Record<string, XmlValue>): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${element(root, value)}`;
}

function element(name: string, value: XmlValue): string {
  if (typeof value === 'string') return `<${name}>${escapeXml(value)}</${name}>`;
  return `<${name}>${Object.entries(value)
    .map(([k, v]) => element(k, v))
    .join('')}</${name}>`;
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}
