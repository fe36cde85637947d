// Where an incident's files live. Every id is validated here, so a crafted id cannot escape <root>/incidents.
import { join } from 'node:path';
import { assertIncidentId } from './ids.js';

export function incidentsDir(root: string): string {
  return join(root, 'incidents');
}

export function incidentDir(root: string, id: string): string {
  assertIncidentId(id);
  return join(root, 'incidents', id);
}

export function journalPath(root: string, id: string): string {
  return join(incidentDir(root, id), 'journal.jsonl');
}

/** The incident lock: a directory created atomically by its one writer (lock.ts). */
export function lockPath(root: string, id: string): string {
  return join(incidentDir(root, id), 'journal.lock');
}

/** Who holds the lock (pid, hostname, startedAt, token), inside the lock directory. */
export function ownerPath(root: string, id: string): string {
  return join(lockPath(root, id), 'owner.json');
}
