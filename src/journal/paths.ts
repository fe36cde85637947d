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

/** proper-lockfile's lock (a directory, kept fresh by the holder). */
export function lockPath(root: string, id: string): string {
  return join(incidentDir(root, id), 'journal.lock');
}

/** Who holds the lock (pid, hostname, startedAt), for error messages only. */
export function ownerPath(root: string, id: string): string {
  return join(incidentDir(root, id), 'owner.json');
}
