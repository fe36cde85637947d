// Incident ids: sortable by creation time, short enough to type, and safe to use as a directory name.
import { randomInt } from 'node:crypto';

/** `inc-YYYYMMDD-HHMMSS-xxxx` (UTC, 4 lowercase base32 chars). Also the guard against path traversal. */
export const INCIDENT_ID_RE = /^inc-\d{8}-\d{6}-[a-z2-7]{4}$/;

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

export function newIncidentId(now: Date = new Date()): string {
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  const date = `${p(now.getUTCFullYear(), 4)}${p(now.getUTCMonth() + 1)}${p(now.getUTCDate())}`;
  const time = `${p(now.getUTCHours())}${p(now.getUTCMinutes())}${p(now.getUTCSeconds())}`;
  let rand = '';
  for (let i = 0; i < 4; i++) rand += BASE32[randomInt(32)];
  return `inc-${date}-${time}-${rand}`;
}

export function isIncidentId(id: string): boolean {
  return INCIDENT_ID_RE.test(id);
}

export class InvalidIncidentIdError extends Error {
  readonly code = 'EINCIDENTID';
  constructor(readonly id: string) {
    super(`"${id}" is not an incident id: expected the shape inc-YYYYMMDD-HHMMSS-xxxx (see \`oncall incidents\`)`);
    this.name = 'InvalidIncidentIdError';
  }
}

export function assertIncidentId(id: string): void {
  if (!INCIDENT_ID_RE.test(id)) throw new InvalidIncidentIdError(id);
}
