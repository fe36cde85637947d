// AWS errors in plain words: what was refused, which id, what to do next. Operators read these in
// the middle of an incident, so they name the IAM action, the missing resource or the login
// command, and keep the request id for an AWS support case. Nothing here repeats request inputs
// (a secret value must never reach an error message).
import { AWS_SERVICES, iamAction } from './modules.js';
import type { AwsService } from './sdk.js';

export interface AwsErrorContext {
  service: AwsService;
  operation: string;
  /** Resource ids the call was about (names them when AWS's message does not). */
  ids?: string[];
  region?: string;
  profile?: string;
  /** The endpoint the request went to, when known. */
  endpoint?: string;
}

/**
 * What a failed call says about the world. `applied: 'no'` only when AWS certainly did not act on
 * the request: it answered with a refusal (4xx, throttling included), or the request never left
 * (connection refused, no DNS, no credentials). A server error, a broken connection or a timeout
 * after sending leave it `'unknown'`: the change may have happened. `transient` failures (the
 * network, throttling, a server error) say nothing about the resource and may pass on their own.
 */
export interface AwsFailureFacts {
  applied: 'no' | 'unknown';
  transient: boolean;
}

/** A failed AWS call, with the plain explanation as its message and the SDK error as `cause`. */
export class AwsStepError extends Error {
  override readonly name = 'AwsStepError';
  /** The AWS error code (`err.name` of the SDK error), e.g. `InvalidInstanceID.NotFound`. */
  readonly code?: string;
  readonly requestId?: string;
  readonly httpStatusCode?: number;
  readonly attempts?: number;
  readonly service: AwsService;
  readonly operation: string;
  readonly applied: AwsFailureFacts['applied'];
  readonly transient: boolean;

  constructor(message: string, cause: unknown, context: AwsErrorContext) {
    super(message, { cause });
    ({ applied: this.applied, transient: this.transient } = awsFailureFacts(cause));
    const e = asRecord(cause);
    const meta = asRecord(e.$metadata);
    this.code = typeof e.name === 'string' ? e.name : undefined;
    this.requestId = str(meta.requestId) ?? str(e.RequestId);
    this.httpStatusCode = typeof meta.httpStatusCode === 'number' ? meta.httpStatusCode : undefined;
    this.attempts = typeof meta.attempts === 'number' ? meta.attempts : undefined;
    this.service = context.service;
    this.operation = context.operation;
  }
}

/** Wraps an SDK error; an abort passes through unchanged so cancellation still reads as one. */
export function toAwsStepError(err: unknown, context: AwsErrorContext): unknown {
  if (err instanceof AwsStepError || isAbort(err)) return err;
  return new AwsStepError(explainAwsError(err, context), err, context);
}

/** Network failures that happen before a request leaves this machine: AWS never saw it. */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'CERT_HAS_EXPIRED', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN']);

/** Classifies an SDK error (or an AwsStepError) by what it proves; see AwsFailureFacts. */
export function awsFailureFacts(err: unknown): AwsFailureFacts {
  if (err instanceof AwsStepError) return { applied: err.applied, transient: err.transient };
  const e = asRecord(err);
  const name = str(e.name) ?? '';
  const status = asRecord(e.$metadata).httpStatusCode;
  if (isAbort(err)) return { applied: 'unknown', transient: false };
  if (THROTTLING.has(name) || status === 429) return { applied: 'no', transient: true };
  if (e.$fault === 'server' || (typeof status === 'number' && status >= 500)) return { applied: 'unknown', transient: true };
  if (typeof status === 'number' && status >= 400) return { applied: 'no', transient: false };
  const code = networkCode(e);
  if (code) return { applied: NOT_SENT.has(code) ? 'no' : 'unknown', transient: true };
  if (name === 'TimeoutError' || name === 'RequestTimeout' || name === 'RequestTimeoutException') return { applied: 'unknown', transient: true };
  // Credentials and the region are resolved before anything is signed, let alone sent.
  if (name === 'CredentialsProviderError' || name === 'TokenProviderError' || /could not load credentials|region is missing/i.test(str(e.message) ?? '')) {
    return { applied: 'no', transient: false };
  }
  return { applied: 'unknown', transient: false };
}

const THROTTLING = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyRequestsException',
  'SlowDown',
  'EC2ThrottledException',
  'ProvisionedThroughputExceededException',
  'BandwidthLimitExceeded',
  'PriorRequestNotComplete',
]);
const ACCESS_DENIED = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'UnauthorizedAccess',
  'AuthorizationError',
  'AuthorizationErrorException',
  'Forbidden',
]);
const EXPIRED = new Set(['ExpiredToken', 'ExpiredTokenException', 'RequestExpired', 'TokenRefreshRequired']);
const REJECTED_CREDENTIALS = new Set([
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'AuthFailure',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'InvalidSignatureException',
  'IncompleteSignature',
  'MissingAuthenticationToken',
  'InvalidToken',
]);
/** Error code → what was not found. */
const NOT_FOUND: Record<string, string> = {
  'InvalidInstanceID.NotFound': 'instance',
  'InvalidVolume.NotFound': 'volume',
  'InvalidGroup.NotFound': 'security group',
  'InvalidNetworkAclID.NotFound': 'network ACL',
  'InvalidSubnetID.NotFound': 'subnet',
  'InvalidAllocationID.NotFound': 'Elastic IP allocation',
  LoadBalancerNotFound: 'load balancer',
  LoadBalancerNotFoundException: 'load balancer',
  AccessPointNotFound: 'load balancer',
  AccessPointNotFoundException: 'load balancer',
  TargetGroupNotFound: 'target group',
  TargetGroupNotFoundException: 'target group',
  ListenerNotFound: 'listener',
  ListenerNotFoundException: 'listener',
  NoSuchKey: 'object',
  NoSuchBucket: 'bucket',
  ResourceNotFound: 'resource',
  ResourceNotFoundException: 'resource',
};
const MALFORMED: Record<string, string> = {
  'InvalidInstanceID.Malformed': 'an instance id is i- followed by 8 or 17 hexadecimal digits',
  'InvalidVolumeID.Malformed': 'a volume id is vol- followed by 8 or 17 hexadecimal digits',
  'InvalidGroupId.Malformed': 'a security group id is sg- followed by 8 or 17 hexadecimal digits',
  'InvalidNetworkAclID.Malformed': 'a network ACL id is acl- followed by 8 or 17 hexadecimal digits',
};
const INVALID_INPUT = new Set([
  'ValidationError',
  'ValidationException',
  'InvalidParameterValue',
  'InvalidParameterValueException',
  'InvalidParameterException',
  'InvalidParameterCombination',
  'InvalidParameter',
  'MissingParameter',
  'InvalidRequestException',
  'InvalidConfigurationRequest',
  'InvalidConfigurationRequestException',
  'IncorrectInstanceState',
  'IncorrectState',
  'UnsupportedOperation',
]);
const NETWORK_CODES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host name not found',
  EAI_AGAIN: 'DNS lookup failed',
  ETIMEDOUT: 'connection timed out',
  ECONNRESET: 'connection reset',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EPIPE: 'connection closed',
  CERT_HAS_EXPIRED: 'TLS certificate expired',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'TLS certificate not trusted',
  SELF_SIGNED_CERT_IN_CHAIN: 'TLS certificate not trusted (a proxy?)',
};

/** One or two sentences an operator can act on. */
export function explainAwsError(err: unknown, context: AwsErrorContext): string {
  const e = asRecord(err);
  const name = str(e.name) ?? 'Error';
  const message = sanitize(str(e.message) ?? String(err));
  const meta = asRecord(e.$metadata);
  const attempts = typeof meta.attempts === 'number' ? meta.attempts : undefined;
  const api = `${context.service}:${context.operation}`;
  const label = AWS_SERVICES[context.service]?.label ?? context.service;
  const where = context.region ? ` in ${context.region}` : '';
  const text = explain();
  const requestId = str(meta.requestId) ?? str(e.RequestId);
  return requestId ? `${text} (request id ${requestId})` : text;

  function explain(): string {
    if (isAbort(err)) return `${api} was cancelled before AWS answered.`;
    const code = networkCode(e);
    if (code) {
      const endpoint = context.endpoint ?? endpointFromError(e);
      const tries = attempts && attempts > 1 ? ` after ${attempts} attempts` : '';
      const sent = NOT_SENT.has(code) ? ' Nothing was sent: AWS never received the request.' : ' The request may have reached AWS before the connection broke.';
      return (
        `Could not reach the ${label} endpoint${endpoint ? ` ${endpoint}` : ''}${tries} (${code}: ${NETWORK_CODES[code] ?? 'network error'}).${sent} ` +
        'Check the network, VPN or proxy, and any AWS_ENDPOINT_URL settings.'
      );
    }
    if (name === 'TimeoutError' || name === 'RequestTimeout' || name === 'RequestTimeoutException') {
      return `${api} timed out${attempts && attempts > 1 ? ` ${attempts} times` : ''} waiting for ${label}${context.endpoint ? ` at ${context.endpoint}` : ''}. Check the network and try again.`;
    }
    if (/region is missing/i.test(message)) {
      return `No AWS region is set for ${label}: pass --region, set AWS_REGION, or set region in ${context.profile ? `profile ${context.profile}` : 'your AWS profile'}.`;
    }
    if (name === 'CredentialsProviderError' || name === 'TokenProviderError' || /could not load credentials/i.test(message)) {
      if (/sso|token/i.test(message) && /expired|invalid|refresh/i.test(message)) {
        return `The AWS SSO session${context.profile ? ` for profile ${context.profile}` : ''} has expired. Log in again: ${loginHint(context.profile)}.`;
      }
      return `No AWS credentials were found${context.profile ? ` for profile ${context.profile}` : ''} to call ${api}. Log in: ${loginHint(context.profile)}${context.profile ? '' : ', or pass --profile'}.`;
    }
    if (EXPIRED.has(name)) {
      return `The AWS credentials have expired (${name}), so ${api} was refused. Log in again: ${loginHint(context.profile)}.`;
    }
    if (REJECTED_CREDENTIALS.has(name)) {
      return `AWS rejected the credentials (${name}) for ${api}: they are wrong, revoked or for another partition. Log in again: ${loginHint(context.profile)}.`;
    }
    if (name === 'DryRunOperation') {
      return `Dry run: ${iamAction(context.service, context.operation)} would have succeeded; you have permission.`;
    }
    if (ACCESS_DENIED.has(name)) return accessDenied();
    if (THROTTLING.has(name) || meta.httpStatusCode === 429) {
      const retried = attempts !== undefined ? ` The SDK retried it ${attempts - 1} time${attempts - 1 === 1 ? '' : 's'} (${attempts} attempts) and gave up.` : '';
      return `AWS throttled ${api} (${name}).${retried} Wait a minute before trying again, and keep parallel calls low.`;
    }
    if (name in MALFORMED) {
      const bad = quoted(message)[0] ?? context.ids?.join(', ');
      return `${bad ? `'${bad}' is` : 'An id is'} not a valid id for ${api}: ${MALFORMED[name]}.`;
    }
    if (name in NOT_FOUND) return notFound(NOT_FOUND[name]!);
    if (name === 'LimitExceededException' || name === 'ServiceQuotaExceededException') {
      return `${api} hit an AWS quota (${name}): ${message}`;
    }
    const status = typeof meta.httpStatusCode === 'number' ? meta.httpStatusCode : undefined;
    if (e.$fault === 'server' || (status !== undefined && status >= 500)) {
      const tries = attempts && attempts > 1 ? ` after ${attempts} attempts` : '';
      return `${label} had a server-side error on ${api} (${name})${tries}. It is usually temporary: try again in a minute.`;
    }
    if (INVALID_INPUT.has(name)) return `${api} refused the request (${name}): ${message}`;
    return `${api} failed (${name}): ${message}`;
  }

  function accessDenied(): string {
    // AWS names the exact action when it can: "... is not authorized to perform: ec2:StopInstances on resource: ..."
    const action = /not authorized to perform:?\s*([a-z0-9-]+:[A-Za-z0-9*]+)/i.exec(message)?.[1] ?? iamAction(context.service, context.operation);
    const who = /User:?\s*(arn:[^\s]+)/.exec(message)?.[1];
    const resource = /on resource:?\s*(\S+)/.exec(message)?.[1]?.replace(/[.,]$/, '');
    const target = resource ?? (context.ids?.length ? context.ids.join(', ') : undefined);
    let why = '';
    if (/service control polic/i.test(message)) why = ' An organization service control policy denies it explicitly.';
    else if (/permissions boundary/i.test(message)) why = ' A permissions boundary denies it.';
    else if (/explicit deny/i.test(message)) why = ' A policy denies it explicitly.';
    const decode = /encoded authorization failure message/i.test(message)
      ? ' `aws sts decode-authorization-message` on the encoded message in the error shows which policy refused it.'
      : '';
    return `Access denied: ${who ?? 'these credentials'} may not call ${action}${target ? ` on ${target}` : ''}${where}.${why} Ask for ${action} in the role's IAM policy, or use a profile that has it.${decode}`;
  }

  function notFound(what: string): string {
    const fromMessage = context.service === 'ec2' ? quoted(message).flatMap((q) => q.split(/,\s*/)) : [];
    const ids = fromMessage.length ? fromMessage : (context.ids ?? []);
    const noun = context.service === 'secretsmanager' && what === 'resource' ? 'secret' : what;
    const list = ids.length ? ` ${ids.join(', ')}` : '';
    const acct = context.service === 's3' ? '' : ` in this account${where}`;
    const plural = ids.length > 1 ? `${noun}s` : noun;
    return `${label} has no ${plural}${list}${acct} (${name}). Check the id, the --region and the --profile.`;
  }
}

function loginHint(profile: string | undefined): string {
  return profile
    ? `aws sso login --profile ${profile} (or refresh that profile's keys)`
    : 'aws sso login --profile <name> and pass --profile <name>, or export fresh AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN';
}

/** Removes what AWS echoes back of the request ("Value 'x' at 'secretString' …") and encoded blobs. */
function sanitize(message: string): string {
  const out = message
    .replace(/\bValue\s+'[^']*'/g, 'A value')
    .replace(/\bValue\s+"[^"]*"/g, 'A value')
    .replace(/(Encoded authorization failure message:)\s*\S+/i, '$1 …')
    .replace(/\s+/g, ' ')
    .trim();
  return out.length > 400 ? `${out.slice(0, 400)}…` : out;
}

function quoted(text: string): string[] {
  return [...text.matchAll(/'([^']+)'|"([^"]+)"/g)].map((m) => (m[1] ?? m[2])!);
}

function networkCode(e: Record<string, unknown>): string | undefined {
  for (let cur: Record<string, unknown> | undefined = e, depth = 0; cur && depth < 5; cur = asRecordOrUndefined(cur.cause), depth++) {
    const code = str(cur.code);
    if (code && code in NETWORK_CODES) return code;
  }
  return undefined;
}

function endpointFromError(e: Record<string, unknown>): string | undefined {
  const host = str(e.hostname) ?? str(e.address) ?? str(e.host);
  if (!host) return undefined;
  return e.port !== undefined ? `${host}:${String(e.port)}` : host;
}

function isAbort(err: unknown): boolean {
  const name = asRecord(err).name;
  return name === 'AbortError';
}

function asRecord(v: unknown): Record<string, unknown> {
  return v !== null && (typeof v === 'object' || typeof v === 'function') ? (v as Record<string, unknown>) : {};
}

function asRecordOrUndefined(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' ? (v as Record<string, unknown>) : undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}
