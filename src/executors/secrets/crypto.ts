// Fingerprints and request tokens: the only things derived from secret values that may be shown.
//
// Fingerprints are keyed hashes (HMAC-SHA256, truncated) under a key made fresh for each run of
// oncall and held only in memory: two values can be compared within the run, and nobody can guess
// a short password from a fingerprint in a journal, an export or a screenshot, because the key is
// gone when the process ends. A plain SHA-256 of a short secret could be brute-forced offline.
//
// ClientRequestTokens must be the same on a rerun, so that Secrets Manager ignores a repeated
// write instead of making a second version. They are UUID-shaped and derived from the secret's
// name and content under a second key, kept in a 0600 file in oncall's state directory (never in
// the journal): a rerun on this machine sends the same token, and the token, which CloudTrail and
// VersionId show, cannot be brute-forced without that file. Drills use a fixed key (their values
// are fake and their journals should be reproducible).
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, closeSync, linkSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { makePrivateDirSync, stateRoot } from '../../paths.js';

let runKey: Buffer | undefined;
let runKeyId: string | undefined;

function key(): Buffer {
  return (runKey ??= randomBytes(32));
}

/** A random label for this run's fingerprint key: fingerprints with the same id are comparable. */
export function fingerprintKeyId(): string {
  key();
  return (runKeyId ??= randomBytes(4).toString('hex'));
}

function mac(value: string | Uint8Array): Buffer {
  return createHmac('sha256', key())
    .update(typeof value === 'string' ? Buffer.from(value, 'utf8') : value)
    .digest();
}

/** `hmac:` and 12 hex digits (48 bits) of HMAC-SHA256 under this run's key. */
export function fingerprint(value: string | Uint8Array): string {
  return `hmac:${mac(value).subarray(0, 6).toString('hex')}`;
}

/** Constant-time equality of two values, through their MACs. */
export function sameValue(a: string | Uint8Array, b: string | Uint8Array): boolean {
  return timingSafeEqual(mac(a), mac(b));
}

const DRILL_TOKEN_KEY = createHmac('sha256', 'oncall').update('drill token key: not a secret, drills hold fake values').digest();
const tokenKeys = new Map<string, Buffer>();

/**
 * Where the live token key lives: <state>/keys/secrets-migration.key (0600, in a 0700 directory),
 * under the state directory the run was given (--state-dir), else the default one.
 */
export function tokenKeyFile(root: string = stateRoot(process.env)): string {
  return join(root, 'keys', 'secrets-migration.key');
}

/** The token key: read, or made once (exclusive create, so two processes agree on one key). */
export function tokenKey(mode: 'live' | 'drill', file = tokenKeyFile()): Buffer {
  if (mode === 'drill') return DRILL_TOKEN_KEY;
  const cached = tokenKeys.get(file);
  if (cached) return cached;
  const k = Buffer.from(readOrMakeKey(file), 'hex');
  tokenKeys.set(file, k);
  return k;
}

function readOrMakeKey(file: string): string {
  const check = (hex: string): string => {
    if (!/^[0-9a-f]{64}$/.test(hex)) throw new Error(`${file} is not an oncall token key (64 hex digits); move it away and run again`);
    if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
    return hex;
  };
  try {
    return check(readFileSync(file, 'utf8').trim());
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  // One level at a time, checked (paths.ts): never a recursive mkdir, which spins on /proc.
  makePrivateDirSync(dirname(file));
  const hex = randomBytes(32).toString('hex');
  // Written aside, then linked into place: the key file appears whole or not at all, and if two
  // processes race, both end up with the one that was linked first.
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    writeSync(fd, `${hex}\n`);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(tmp, file);
    return hex;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return check(readFileSync(file, 'utf8').trim());
  } finally {
    unlinkSync(tmp);
  }
}

/**
 * A ClientRequestToken for writing `content` to secret `name`: a version-4-shaped UUID (36
 * characters, inside the API's 32–64) from HMAC-SHA256(token key, name, content).
 */
export function requestToken(tokenKeyBytes: Buffer, name: string, content: string): string {
  const h = createHmac('sha256', tokenKeyBytes).update('ClientRequestToken\u0000').update(name).update('\u0000').update(content, 'utf8').digest();
  h[6] = (h[6]! & 0x0f) | 0x40;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}
