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

/**
 * The journal's head as its writer last closed it: the seq and hash of its last record. Kept beside
 * the journal (and printed at every stop), so a chain rewritten and re-hashed after the fact no
 * longer matches it.
 */
export function headPath(root: string, id: string): string {
  return join(incidentDir(root, id), 'head.json');
}
