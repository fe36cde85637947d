// "Did you mean …?" for names people mistype: kinds, fields, step ids, inputs.
import { distance } from 'fastest-levenshtein';

/** The closest candidate when it is close enough to be a likely typo, else undefined. */
export function didYouMean(word: string, candidates: Iterable<string>): string | undefined {
  const lower = word.toLowerCase();
  const spelled = words(word);
  let best: string | undefined;
  let bestScore = Infinity;
  for (const c of candidates) {
    if (c === word) continue;
    const cl = c.toLowerCase();
    // Case slips, camelCase for snake_case (instanceId, instance_id) and swapped letters count as close.
    const d = cl === lower || words(c) === spelled ? 0 : swapped(lower, cl) ? 1 : distance(lower, cl);
    if (d < bestScore) {
      bestScore = d;
      best = c;
    }
  }
  if (best === undefined) return undefined;
  // One slip in three letters; very short names only match when just the case differs.
  const limit = word.length <= 2 ? 0 : Math.max(1, Math.floor(Math.max(word.length, best.length) / 3));
  if (bestScore <= limit) return best;
  // A unique candidate that contains the word (or the other way round) is also a good guess.
  const containing = [...candidates].filter((c) => c.toLowerCase().includes(lower) && lower.length >= 3);
  return containing.length === 1 ? containing[0] : undefined;
}

/**
 * A name in snake_case: `instanceId` → `instance_id`, `HTTPStatus` → `http_status`,
 * `Check Health` → `check_health`. `sep` joins the words ('-' for ids).
 */
export function snakeCase(name: string, sep = '_'): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean)
    .join(sep);
}

/** The words of a name, however it is written. */
function words(name: string): string {
  return snakeCase(name);
}

/** Two neighbouring letters swapped ('nmae' / 'name'): one slip, not two. */
function swapped(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return i < a.length - 1 && a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2);
}

/** ` — did you mean 'x'?` or '' */
export function suggestion(word: string, candidates: Iterable<string>): string {
  const s = didYouMean(word, candidates);
  return s === undefined ? '' : ` — did you mean '${s}'?`;
}

/** A short, readable list: `a, b, c` (capped, with "…" when long). */
export function listNames(names: Iterable<string>, max = 12): string {
  const all = [...names];
  return all.length > max ? `${all.slice(0, max).join(', ')}, …` : all.join(', ');
}
