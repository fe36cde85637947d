import { describe, expect, it } from 'vitest';
import { INCIDENT_ID_RE, InvalidIncidentIdError, newIncidentId } from '../../src/journal/ids.js';
import { incidentDir, journalPath } from '../../src/journal/paths.js';

describe('incident ids', () => {
  it('are inc-YYYYMMDD-HHMMSS-xxxx in UTC', () => {
    const id = newIncidentId(new Date(Date.UTC(2025, 0, 2, 3, 4, 5)));
    expect(id).toMatch(/^inc-20250102-030405-[a-z2-7]{4}$/);
    expect(INCIDENT_ID_RE.test(id)).toBe(true);
    expect(INCIDENT_ID_RE.test(newIncidentId())).toBe(true);
  });

  it('differ within the same second', () => {
    const now = new Date();
    const ids = new Set(Array.from({ length: 50 }, () => newIncidentId(now)));
    expect(ids.size).toBeGreaterThan(45);
  });

  it('reject path traversal and other shapes', () => {
    for (const bad of ['../etc', 'inc-20250102-030405-abcd/../../x', 'inc-20250102-030405-ABCD', '', 'inc-20250102-030405-abc1']) {
      expect(INCIDENT_ID_RE.test(bad)).toBe(false);
      expect(() => journalPath('/state', bad)).toThrow(InvalidIncidentIdError);
    }
    expect(incidentDir('/state', 'inc-20250102-030405-abcd')).toBe('/state/incidents/inc-20250102-030405-abcd');
    expect(journalPath('/state', 'inc-20250102-030405-abcd')).toBe('/state/incidents/inc-20250102-030405-abcd/journal.jsonl');
  });
});
