// Fuzzy filtering for the pickers, with fzf's extended syntax: space-separated terms must all
// match; 'exact ^prefix suffix$ !not. fzf is imported on first use (the first frame never waits).
import type { Match } from './store.js';

// fzf 0.5's declarations import their own files without extensions, which NodeNext cannot follow:
// `export * from "./matchers"` brings nothing, and what comes from "./finders" (the options, the
// results) is untyped. The matcher the pickers use is declared here as fzf's matchers.d.ts has it;
// the index and its results are typed by FuzzyIndex below.
declare module 'fzf' {
  /** The extended search syntax (fzf's own `--extended`), as a `match` option. */
  export function extendedMatch<U>(this: unknown, query: string): FzfHit<U>[];
}

/** One result: the item and the character positions of the text the selector gave that matched. */
export interface FzfHit<T> {
  item: T;
  positions: Set<number>;
}

/** An index over a list: the items that match a query, best first. */
export interface FuzzyIndex<T> {
  find(query: string): FzfHit<T>[];
}

export type FzfModule = typeof import('fzf');

/** An fzf index over a list, searching the text `selector` gives for each item, case-insensitively. */
export function fuzzyIndex<T>(fzf: FzfModule, list: readonly T[], selector: (item: T) => string): FuzzyIndex<T> {
  return new fzf.Fzf(list, { selector, casing: 'case-insensitive', match: fzf.extendedMatch });
}

/** The list filtered by the text, best first, with the matched positions inside `${id} ${title}` (what rows show). */
export function fuzzyFind<T extends { id: string; title: string }>(index: FuzzyIndex<T> | undefined, list: readonly T[], text: string): Match<T>[] {
  if (!index) return [];
  const query = text.trim();
  if (query === '') return list.map((item) => ({ item, positions: [] }));
  // A plain word matches letters close together, not scattered over a long title (`etcd` must
  // not find "EC2 ins*t*an*c*e ... *d*iagnose"): a filter filters.
  const plain = /^[\w.-]+$/.test(query) ? query.length : 0;
  return index
    .find(query)
    .filter((r) => !plain || span(r.positions) <= plain * 2)
    .map((r) => {
      const shown = r.item.id.length + 1 + r.item.title.length;
      return { item: r.item, positions: [...r.positions].filter((p) => p < shown).sort((a, b) => a - b) };
    });
}

function span(positions: Set<number>): number {
  let lo = Infinity;
  let hi = -Infinity;
  for (const p of positions) {
    lo = Math.min(lo, p);
    hi = Math.max(hi, p);
  }
  return positions.size ? hi - lo + 1 : 0;
}
