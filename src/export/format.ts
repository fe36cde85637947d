// Times and durations as people read them in a post-mortem; shared by every renderer.

/** 200 ms · 12.4 s · 15m 12s · 2h 03m · 1d 02h */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '-';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s < 10 ? s.toFixed(1).replace(/\.0$/, '') : Math.round(s)} s`;
  const total = Math.round(s);
  const d = Math.floor(total / 86400);
  const h = Math.floor((total % 86400) / 3600);
  const m = Math.floor((total % 3600) / 60);
  const sec = total % 60;
  const p = (n: number) => String(n).padStart(2, '0');
  if (d > 0) return `${d}d ${p(h)}h`;
  if (h > 0) return `${h}h ${p(m)}m`;
  return `${m}m ${p(sec)}s`;
}

/** Time since the incident opened: +HH:MM:SS (hours grow past 24 rather than wrap). */
export function formatElapsed(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const p = (n: number) => String(n).padStart(2, '0');
  return `+${p(Math.floor(total / 3600))}:${p(Math.floor((total % 3600) / 60))}:${p(total % 60)}`;
}

/** 2026-03-02 03:12:00 (UTC, to the second). */
export function formatUtc(iso: string | null | undefined): string {
  if (!iso) return '-';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  return new Date(t).toISOString().slice(0, 19).replace('T', ' ');
}

export function modeLabel(mode: 'live' | 'drill'): 'LIVE' | 'DRILL' {
  return mode === 'drill' ? 'DRILL' : 'LIVE';
}

/** A scalar as one line of text: strings as they are, anything else as JSON. */
export function text(v: unknown): string {
  if (v === null || v === undefined) return '';
  return typeof v === 'string' ? v : JSON.stringify(v);
}
