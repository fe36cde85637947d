// Durations as runbooks write them: 250ms, 30s, 5m, 1h30m, 2d.
// Kept free of zod: the TUI reads step durations before the schema has loaded.

/** 30s, 5m, 1h30m, 250ms, 2d. */
export const DURATION_RE = /^(\d+(ms|s|m|h|d))+$/;

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const PART_RE = /(\d+)(ms|s|m|h|d)/g;

export function isDuration(text: string): boolean {
  return DURATION_RE.test(text);
}

/** Milliseconds in a duration string; throws a RangeError that says what a duration looks like. */
export function parseDuration(text: string): number {
  if (typeof text !== 'string' || !DURATION_RE.test(text)) {
    throw new RangeError(`'${String(text)}' is not a duration; write digits and a unit, like '30s', '5m' or '1h30m'`);
  }
  let ms = 0;
  for (const m of text.matchAll(PART_RE)) ms += Number(m[1]) * UNIT_MS[m[2]!]!;
  return ms;
}

/** The shortest exact form: 5400000 → '1h30m', 1500 → '1s500ms', 0 → '0s'. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  let rest = Math.round(Math.abs(ms));
  if (rest === 0) return '0s';
  let out = '';
  for (const unit of ['d', 'h', 'm', 's', 'ms']) {
    const size = UNIT_MS[unit]!;
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * size;
    }
  }
  return (ms < 0 ? '-' : '') + out;
}
