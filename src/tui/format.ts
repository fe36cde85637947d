// Small, pure formatting helpers for the TUI: durations, clocks, relative times, widths, colours.
// A leaf (it imports only width.ts and core/terminal-text.ts): the flows, the markdown renderer
// and the components all use it.
import { visible } from '../core/terminal-text.js';
import { stringWidth } from './width.js';

/** The colours the TUI draws with (Ink's names); NO_COLOR turns them all off (see useColor). */
export type Color = 'red' | 'green' | 'yellow' | 'blue' | 'cyan' | 'magenta' | 'gray' | 'white' | 'black';

/** 420 ms · 3.2 s · 2m05s · 1h02m */
export function shortDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '';
  const v = Math.max(0, Math.round(ms));
  if (v < 1000) return `${v} ms`;
  if (v < 60_000) return `${(v / 1000).toFixed(1)} s`;
  const s = Math.floor(v / 1000);
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** The incident clock: 00:12:05, or 1d 02:03:04 past a day. */
export function clock(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const d = Math.floor(s / 86_400);
  const hh = String(Math.floor((s % 86_400) / 3600)).padStart(2, '0');
  const mm = String(Math.floor((s % 3600) / 60)).padStart(2, '0');
  const ss = String(s % 60).padStart(2, '0');
  return `${d > 0 ? `${d}d ` : ''}${hh}:${mm}:${ss}`;
}

/** Time relative to the incident start, for the timeline: +00:00:12. */
export function relative(ts: string | undefined, start: string | undefined): string {
  if (!ts || !start) return '+--:--:--';
  const ms = Date.parse(ts) - Date.parse(start);
  return Number.isFinite(ms) ? `${ms < 0 ? '-' : '+'}${clock(Math.abs(ms))}` : '+--:--:--';
}

/** How long ago: 12s, 5m, 3h, 2d. */
export function age(ts: string | undefined, now: number): string {
  if (!ts) return '?';
  const s = Math.max(0, Math.floor((now - Date.parse(ts)) / 1000));
  if (!Number.isFinite(s)) return '?';
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86_400)}d`;
}

/**
 * Cuts to `width` terminal columns, ending in '...'. ASCII on purpose: Ink measures every line of
 * every frame, and one non-ASCII character sends a whole line down its slow (grapheme) path.
 */
export function truncate(text: string, width: number): string {
  if (width <= 0) return '';
  if (stringWidth(text) <= width) return text;
  if (width <= 3) return '.'.repeat(width);
  if (/^[\u0020-\u007e]*$/.test(text)) return `${text.slice(0, width - 3)}...`;
  let out = '';
  let used = 0;
  for (const ch of text) {
    const w = stringWidth(ch);
    if (used + w > width - 3) break;
    out += ch;
    used += w;
  }
  return `${out}...`;
}

/** One line: newlines shown as ⏎, escape sequences and control characters made visible (core/terminal-text.ts). */
export function oneLine(text: string): string {
  return visible(text).replace(/\n/g, ' ⏎ ');
}

/** A line of a step's output, made safe to draw: tabs expanded, escape sequences and control characters made visible. */
export function safeLine(text: string): string {
  return visible(text.replace(/\r$/, '')).replace(/\t/g, '  ');
}

/** An argv as a person would type it (display only: values never reach a shell). */
export function displayArgv(argv: string[]): string {
  return argv.map((a) => (a === '' ? "''" : /^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

/** A value for a captures/result line: strings bare, the rest as compact JSON, one line. */
export function showValue(v: unknown, max = 80): string {
  const s = typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v));
  return truncate(oneLine(s), max);
}

export interface Segment {
  key: string;
  text: string;
  /** Higher stays longer when the terminal is narrow. */
  priority: number;
  /**
   * Shorter forms, each with the priority at which it gives way in turn: a segment is shortened
   * rather than dropped, and what it says matters more once it is short (an account id and region
   * outlast the title even when the full identity does not).
   */
  shorter?: { text: string; priority: number }[];
}

/**
 * The segments that fit in `width` columns (joined by `gap`), keeping the original order: the one
 * with the lowest priority gives way first, to its next shorter form or, having none, altogether.
 * Narrow terminals lose detail instead of wrapping.
 */
export function fitSegments<T extends Segment>(segments: T[], width: number, gap = 3): T[] {
  const kept = segments.map((seg) => ({ seg, form: -1 }));
  const text = (k: (typeof kept)[number]) => (k.form < 0 ? k.seg.text : k.seg.shorter![k.form]!.text);
  const priority = (k: (typeof kept)[number]) => (k.form < 0 ? k.seg.priority : k.seg.shorter![k.form]!.priority);
  const total = () => kept.reduce((n, k) => n + stringWidth(text(k)), 0) + Math.max(0, kept.length - 1) * gap;
  while (total() > width) {
    let low = 0;
    for (let i = 1; i < kept.length; i++) if (priority(kept[i]!) < priority(kept[low]!)) low = i;
    const k = kept[low]!;
    if (k.form + 1 < (k.seg.shorter?.length ?? 0)) k.form += 1;
    else if (kept.length > 1) kept.splice(low, 1);
    else break;
  }
  return kept.map((k) => (k.form < 0 ? k.seg : { ...k.seg, text: text(k) }));
}

/** Word-wraps plain text to `width` columns (long words are cut); keeps blank lines. */
export function wrapText(text: string, width: number): string[] {
  const w = Math.max(4, width);
  const out: string[] = [];
  for (const para of text.replace(/\r/g, '').split('\n')) {
    if (para.trim() === '') {
      out.push('');
      continue;
    }
    let line = '';
    for (const word of para.split(/\s+/).filter(Boolean)) {
      let rest = word;
      while (stringWidth(rest) > w) {
        if (line) {
          out.push(line);
          line = '';
        }
        out.push(rest.slice(0, w));
        rest = rest.slice(w);
      }
      if (!line) line = rest;
      else if (stringWidth(line) + 1 + stringWidth(rest) <= w) line += ` ${rest}`;
      else {
        out.push(line);
        line = rest;
      }
    }
    if (line) out.push(line);
  }
  return out;
}

/** Text attributes for `paint` (the subset of Ink's <Text> props the hot rows use). */
export interface Paint {
  color?: Color;
  bold?: boolean;
  dim?: boolean;
  inverse?: boolean;
  underline?: boolean;
}

const FG: Record<Color, number> = { black: 30, red: 31, green: 32, yellow: 33, blue: 34, magenta: 35, cyan: 36, white: 37, gray: 90 };

/**
 * Text with its SGR codes already in it, for a plain <Text>. Ink re-styles a styled <Text> through
 * chalk on every frame and tokenizes its text twice (plain, then styled); a pre-styled string in a
 * plain <Text> is tokenized once. Rows on screen are redrawn on every key press, so this is their
 * cost per frame. Nested like Ink's own transform (dim innermost, inverse outermost); colour is
 * left to the caller's colour setting (NO_COLOR), attributes are kept, as in markdown.ts.
 */
export function paint(text: string, p: Paint): string {
  if (text === '') return text;
  let out = text;
  if (p.dim) out = `\u001b[2m${out}\u001b[22m`;
  const fg = p.color ? FG[p.color] : undefined;
  if (fg) out = `\u001b[${fg}m${out}\u001b[39m`;
  if (p.underline) out = `\u001b[4m${out}\u001b[24m`;
  if (p.bold) out = `\u001b[1m${out}\u001b[22m`;
  if (p.inverse) out = `\u001b[7m${out}\u001b[27m`;
  return out;
}
