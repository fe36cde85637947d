import { describe, expect, it } from 'vitest';
import { Matcher, type Hit } from '../../src/journal/matcher.js';

/** Every occurrence of every pattern, the slow and obvious way. */
function brute(patterns: string[], text: string): Hit[] {
  const hits: Hit[] = [];
  for (let end = 1; end <= text.length; end++) {
    const found = new Set<string>();
    patterns.forEach((p, index) => {
      if (p === '' || found.has(p) || end < p.length || !text.startsWith(p, end - p.length)) return;
      found.add(p);
      hits.push({ start: end - p.length, end, index });
    });
  }
  return hits;
}

function scanAll(m: Matcher, text: string): Hit[] {
  const hits: Hit[] = [];
  m.scan(text, (h) => hits.push({ ...h }));
  return hits;
}

const key = (h: Hit) => `${h.start}:${h.end}`;

/** A small pseudo-random generator, so a failure can be replayed. */
function rng(seed: number): () => number {
  return () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
}

describe('Matcher', () => {
  it('finds every occurrence, overlapping and nested ones included', () => {
    const patterns = ['he', 'she', 'his', 'hers', 'e'];
    const m = new Matcher(patterns);
    const hits = scanAll(m, 'ushers');
    expect(hits.map((h) => `${patterns[h.index]}@${h.start}`).sort()).toEqual(['e@3', 'he@2', 'hers@2', 'she@1'].sort());
  });

  it('agrees with a brute-force search on random texts and patterns', () => {
    const next = rng(42);
    const alphabet = 'ab-c\u00e9\ud83d\ude00';
    const word = (n: number) => Array.from({ length: n }, () => alphabet[Math.floor(next() * alphabet.length)]).join('');
    for (let round = 0; round < 200; round++) {
      const patterns = Array.from({ length: 1 + Math.floor(next() * 8) }, () => word(1 + Math.floor(next() * 5)));
      const text = word(Math.floor(next() * 60));
      const m = new Matcher(patterns);
      const got = scanAll(m, text).map((h) => `${key(h)}=${patterns[h.index]}`);
      const want = brute(patterns, text).map((h) => `${key(h)}=${patterns[h.index]}`);
      expect(got.sort(), `${JSON.stringify(patterns)} in ${JSON.stringify(text)}`).toEqual(want.sort());
    }
  });

  it('tells which suffix of a text begins a pattern, longest first, with its flags', () => {
    const m = new Matcher(['CANARY-1', 'ANAL', 'NOPE'], [1, 2, 4]);
    const state = m.scan('xx CANA', () => undefined);
    expect([...m.partials(state)].map((p) => [p.length, p.flags, p.index])).toEqual([
      [4, 1, 0], // "CANA" begins CANARY-1
      [3, 2, 1], // "ANA" begins ANAL
      [1, 2, 1], // and so does "A"
    ]);
    expect([...m.partials(m.scan('plain', () => undefined))]).toEqual([]);
  });

  it('is empty without patterns, and ignores empty ones', () => {
    const m = new Matcher(['', '']);
    expect(scanAll(m, 'anything')).toEqual([]);
    expect(m.size).toBe(1);
  });
});
