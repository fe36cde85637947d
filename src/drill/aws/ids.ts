// Stable made-up identifiers: the same scenario always yields the same ARNs and request ids, so
// a drill's journal and its scoring are reproducible.
import { createHash } from 'node:crypto';

/** `n` hex digits derived from the parts. */
export function hexId(n: number, ...parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, n);
}

/** A UUID-shaped id derived from the parts. */
export function uuidFrom(...parts: string[]): string {
  const h = hexId(32, ...parts);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Six letters and digits, as Secrets Manager appends to secret ARNs. */
export function secretSuffix(...parts: string[]): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = createHash('sha256').update(parts.join('\u0000')).digest();
  let out = '';
  for (let i = 0; i < 6; i++) out += alphabet[bytes[i]! % alphabet.length];
  return out;
}

/** Opaque pagination tokens, as AWS hands them out. */
export function encodeToken(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

export function decodeToken(token: string): unknown {
  try {
    return JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}
