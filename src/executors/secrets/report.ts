// How the secrets kinds show things: fixed-width tables streamed as output lines, results kept
// small enough for the journal (the engine truncates a result over 16 KB into an excerpt, which
// expressions cannot read), and value comparisons that report only MATCH/MISMATCH/MISSING/EXTRA.
import type { StepContext } from '../../core/step.js';
import { sameValue } from './crypto.js';
import type { PlannedSecret } from './model.js';
import type { ReadValue } from './sm.js';

/** Rows beyond this are counted, not printed. */
export const TABLE_ROWS = 100;

/** Logs a table, one output line per row, columns padded to the widest cell (capped). */
export function logTable(ctx: Pick<StepContext, 'log'>, headers: string[], rows: string[][], opts: { max?: number; what?: string } = {}): void {
  const max = opts.max ?? TABLE_ROWS;
  const shown = rows.slice(0, max);
  const widths = headers.map((h, i) => Math.min(48, Math.max(h.length, ...shown.map((r) => (r[i] ?? '').length))));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  ctx.log(line(headers));
  for (const r of shown) ctx.log(line(r));
  if (rows.length > shown.length) ctx.log(`… and ${rows.length - shown.length} more ${opts.what ?? 'rows'}`);
}

/**
 * Trims the named lists of a result (longest first, halving) until the whole result serializes
 * under `limit` characters; a trimmed list gets `<name>_omitted` (how many were left out) beside
 * it. Counts and flags are never trimmed, so expressions over them always work.
 */
export function fitResult<T extends Record<string, unknown>>(result: T, lists: string[], limit = 12_000): T {
  const out: Record<string, unknown> = { ...result };
  const full = new Map(lists.filter((n) => Array.isArray(out[n])).map((n) => [n, (out[n] as unknown[]).length]));
  const rest = JSON.stringify(Object.fromEntries(Object.entries(out).filter(([k]) => !full.has(k)))).length;
  // Serialized size of each list item, measured once; trimming keeps a prefix of each list.
  const sizes = new Map([...full.keys()].map((n) => [n, (out[n] as unknown[]).map((x) => JSON.stringify(x)?.length ?? 4)]));
  const kept = new Map([...full].map(([n, len]) => [n, len]));
  const listSize = (n: string) => sizes.get(n)!.slice(0, kept.get(n)).reduce((a, b) => a + b + 1, 2 + n.length + 4);
  const total = () => rest + [...kept.keys()].reduce((a, n) => a + listSize(n) + (kept.get(n)! < full.get(n)! ? n.length + 20 : 0), 0);
  while (total() > limit) {
    const longest = [...kept.keys()].filter((n) => kept.get(n)! > 0).sort((a, b) => listSize(b) - listSize(a))[0];
    if (!longest) break;
    kept.set(longest, Math.floor(kept.get(longest)! / 2));
  }
  for (const [n, k] of kept) {
    if (k === full.get(n)) continue;
    out[n] = (out[n] as unknown[]).slice(0, k);
    out[`${n}_omitted`] = full.get(n)! - k;
  }
  return out as T;
}

export type KeyStatus = 'MATCH' | 'MISMATCH' | 'MISSING' | 'EXTRA';

export interface Comparison {
  same: boolean;
  keys: { key: string; status: KeyStatus }[];
  counts: Record<KeyStatus, number>;
  /** Why the stored value could not be compared key by key (fixed words). */
  problem?: string;
}

/** Compares what the plan would write with what Secrets Manager holds, by keyed digest only. */
export function compareSecret(planned: PlannedSecret, stored: ReadValue): Comparison {
  const keys: Comparison['keys'] = [];
  let problem: string | undefined;
  if (planned.layout === 'json') {
    if (stored.binary) problem = `${planned.name} holds a binary value, not a JSON object`;
    else if (!stored.fields) problem = `secret ${planned.name} is not valid JSON (or not a JSON object)`;
    const fields = stored.fields ?? {};
    for (const k of planned.keys) {
      if (!Object.hasOwn(fields, k)) keys.push({ key: k, status: 'MISSING' });
      else keys.push({ key: k, status: sameValue(planned.fields[k]!, fields[k]!) ? 'MATCH' : 'MISMATCH' });
    }
    for (const k of Object.keys(fields)) if (!Object.hasOwn(planned.fields, k)) keys.push({ key: k, status: 'EXTRA' });
  } else {
    const k = planned.keys[0]!;
    if (stored.binary) problem = `${planned.name} holds a binary value`;
    const same = stored.text !== undefined && sameValue(planned.content, stored.text);
    keys.push({ key: k, status: same ? 'MATCH' : 'MISMATCH' });
  }
  const counts: Record<KeyStatus, number> = { MATCH: 0, MISMATCH: 0, MISSING: 0, EXTRA: 0 };
  for (const k of keys) counts[k.status]++;
  return { same: !problem && counts.MATCH === keys.length, keys, counts, ...(problem ? { problem } : {}) };
}

/** `3 MATCH, 1 MISSING` */
export function countsText(c: Record<string, number>): string {
  const parts = Object.entries(c)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${n} ${k}`);
  return parts.length ? parts.join(', ') : 'nothing';
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** `a, b, c and 4 more` */
export function listText(items: string[], max = 8): string {
  if (items.length <= max) return items.join(', ');
  return `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}
