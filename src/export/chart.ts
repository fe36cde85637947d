// The HTML export's visual timeline, as inline SVG: one lane per step, a bar per attempt on a
// time axis, milestones as vertical lines, failures in red with a cross. No script: tooltips are
// SVG <title>s. Bars closer than a pixel with the same status merge, so a step retried
// thousands of times stays a handful of rectangles.
import { formatDuration, formatUtc } from './format.js';
import { decisionLine, milestoneSource, noteLine } from './text.js';
import type { Timeline, TimelineStep } from './schema.js';

export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const W = 1200;
const GUTTER = 210;
const RIGHT = 40;
const PLOT = W - GUTTER - RIGHT;
const AXIS_Y = 46;
const LANE = 22;
const BAR = 14;
const TICKS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800].map((s) => s * 1000);

/** +30s · +5m · +1h 30m · +2d */
function shortRel(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `+${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `+${m}m${s % 60 ? ` ${s % 60}s` : ''}`;
  const h = Math.floor(m / 60);
  if (h < 48) return `+${h}h${m % 60 ? ` ${m % 60}m` : ''}`;
  return `+${Math.floor(h / 24)}d${h % 24 ? ` ${h % 24}h` : ''}`;
}

const FAILED = new Set(['failed', 'timeout']);

interface Bar {
  x1: number;
  x2: number;
  status: TimelineStep['status'];
  inDoubt: boolean;
  first: TimelineStep;
  count: number;
}

export function renderChart(tl: Timeline): string {
  const times = tl.events.map((e) => Date.parse(e.occurred_at));
  const t0 = tl.incident.opened_at ? Date.parse(tl.incident.opened_at) : (times[0] ?? 0);
  let tEnd = Math.max(t0, times[times.length - 1] ?? t0, ...tl.milestones.map((m) => Date.parse(m.at)));
  const span = Math.max(tEnd - t0, 1000);
  tEnd = t0 + span;
  const x = (t: number) => GUTTER + ((t - t0) / span) * PLOT;
  const px = (n: number) => n.toFixed(1);

  const lanes: string[] = [];
  const laneOf = new Map<string, number>();
  const titles = new Map<string, string | null>();
  for (const s of tl.steps) {
    if (!laneOf.has(s.step)) {
      laneOf.set(s.step, lanes.length);
      lanes.push(s.step);
      titles.set(s.step, s.title);
    }
  }
  const notesLane = tl.notes.length || tl.decisions.length ? lanes.length : -1;
  const laneCount = lanes.length + (notesLane >= 0 ? 1 : 0);
  // Milestone labels sit under the lanes; close ones are staggered onto extra rows.
  const labelRow = new Map<number, number>();
  let prev = -Infinity;
  let row = 0;
  let rows = 1;
  [...tl.milestones.keys()]
    .sort((a, b) => Date.parse(tl.milestones[a]!.at) - Date.parse(tl.milestones[b]!.at))
    .forEach((i) => {
      const mx = GUTTER + ((Date.parse(tl.milestones[i]!.at) - t0) / span) * PLOT;
      row = mx - prev < 80 ? row + 1 : 0;
      prev = mx;
      rows = Math.max(rows, row + 1);
      labelRow.set(i, row);
    });
  const top = AXIS_Y + 8;
  const lanesEnd = top + Math.max(1, laneCount) * LANE;
  const height = lanesEnd + 10 + rows * 14;
  const laneY = (i: number) => top + i * LANE;
  const parts: string[] = [];

  // Lanes and their labels.
  lanes.forEach((id, i) => {
    const y = laneY(i);
    const title = titles.get(id);
    const label = id.length > 28 ? `${id.slice(0, 27)}…` : id;
    parts.push(`<rect class="lane${i % 2 ? ' odd' : ''}" x="0" y="${y}" width="${W}" height="${LANE}"/>`);
    parts.push(`<text class="lane-label" x="${GUTTER - 8}" y="${y + LANE / 2 + 4}" text-anchor="end"><title>${esc(title ? `${id}: ${title}` : id)}</title>${esc(label)}</text>`);
  });
  if (notesLane >= 0) {
    const y = laneY(notesLane);
    parts.push(`<rect class="lane notes-lane" x="0" y="${y}" width="${W}" height="${LANE}"/>`);
    parts.push(`<text class="lane-label" x="${GUTTER - 8}" y="${y + LANE / 2 + 4}" text-anchor="end">notes &amp; decisions</text>`);
  }

  // Time axis with round ticks.
  const step = TICKS.find((t) => span / t <= 8) ?? TICKS[TICKS.length - 1]!;
  parts.push(`<line class="axis" x1="${GUTTER}" y1="${AXIS_Y}" x2="${GUTTER + PLOT}" y2="${AXIS_Y}"/>`);
  for (let t = 0; t <= span; t += step) {
    const tx = px(x(t0 + t));
    parts.push(`<line class="tick" x1="${tx}" y1="${AXIS_Y - 4}" x2="${tx}" y2="${lanesEnd}"/>`);
    parts.push(`<text class="tick-label" x="${tx}" y="${AXIS_Y - 8}" text-anchor="middle">${shortRel(t)}</text>`);
  }

  // Bars: one per attempt, merged when they would overlap at this scale.
  const bars = new Map<number, Bar[]>();
  for (const s of tl.steps) {
    const lane = laneOf.get(s.step)!;
    const start = Date.parse(s.started_at ?? s.finished_at ?? tl.incident.opened_at ?? '');
    if (Number.isNaN(start)) continue;
    const end = s.status === 'unfinished' ? tEnd : s.duration_ms !== null && s.started_at ? start + s.duration_ms : Date.parse(s.finished_at ?? '') || start;
    const x1 = x(start);
    const x2 = Math.max(x(end), x1 + 3);
    const list = bars.get(lane) ?? [];
    const last = list[list.length - 1];
    if (last && last.status === s.status && x1 <= last.x2 + 1 && !s.in_doubt && !last.inDoubt) {
      last.x2 = Math.max(last.x2, x2);
      last.count++;
    } else list.push({ x1, x2, status: s.status, inDoubt: s.in_doubt, first: s, count: 1 });
    bars.set(lane, list);
  }
  for (const [lane, list] of bars) {
    const y = laneY(lane) + (LANE - BAR) / 2;
    for (const b of list) {
      const s = b.first;
      const tip = [
        `${s.step}${s.title ? ` — ${s.title}` : ''}: ${s.status}${s.in_doubt ? ' (in doubt)' : ''}${b.count > 1 ? ` (${b.count} attempts)` : ''}`,
        `${formatUtc(s.started_at ?? s.finished_at)} UTC${s.duration_ms !== null ? `, ${formatDuration(s.duration_ms)}` : ''}`,
        s.intent?.summary ?? '',
        s.error ?? s.summary ?? s.skip_reason ?? '',
      ]
        .filter(Boolean)
        .join('\n');
      const cls = `bar status-${b.status}${b.inDoubt ? ' in-doubt' : ''}`;
      if (b.status === 'skipped') {
        const cx = b.x1 + 1.5;
        const cy = y + BAR / 2;
        parts.push(`<path class="${cls}" d="M${px(cx)} ${px(cy - 6)}L${px(cx + 6)} ${px(cy)}L${px(cx)} ${px(cy + 6)}L${px(cx - 6)} ${px(cy)}Z"><title>${esc(tip)}</title></path>`);
        continue;
      }
      parts.push(`<rect class="${cls}" x="${px(b.x1)}" y="${y}" width="${px(b.x2 - b.x1)}" height="${BAR}" rx="2"><title>${esc(tip)}</title></rect>`);
      if (FAILED.has(b.status) || b.inDoubt) {
        parts.push(`<text class="fail-mark" x="${px(b.x2 + 3)}" y="${y + BAR - 2}">${b.inDoubt ? '?' : '✕'}</text>`);
      }
    }
  }

  // Notes and decisions as ticks on their own lane.
  if (notesLane >= 0) {
    const y = laneY(notesLane) + LANE / 2;
    const marks = [
      ...tl.notes.map((n) => ({ at: n.at, cls: 'note-mark', tip: noteLine(n.by, n.text) })),
      ...tl.decisions.map((d) => ({ at: d.at, cls: 'decision-mark', tip: `${decisionLine(d.step, d.by, d.value)}\n${d.question}` })),
    ];
    let lastX = -10;
    let lastCls = '';
    for (const m of marks.sort((a, b) => (a.at < b.at ? -1 : 1))) {
      const mx = x(Date.parse(m.at));
      if (mx - lastX < 2 && m.cls === lastCls) continue; // at this scale they would draw over each other
      lastX = mx;
      lastCls = m.cls;
      parts.push(`<circle class="${m.cls}" cx="${px(mx)}" cy="${y}" r="4"><title>${esc(`${formatUtc(m.at)} UTC: ${m.tip}`)}</title></circle>`);
    }
  }

  // Milestones last, over the bars.
  tl.milestones.forEach((m, i) => {
    const mx = px(x(Date.parse(m.at)));
    const ly = lanesEnd + 14 + (labelRow.get(i) ?? 0) * 14;
    parts.push(
      `<g class="milestone m-${m.milestone}${m.source === 'marked' ? '' : ' inferred'}"><title>${esc(`${m.milestone} at ${formatUtc(m.at)} UTC, ${milestoneSource(m)}`)}</title>` +
        `<line x1="${mx}" y1="${AXIS_Y - 2}" x2="${mx}" y2="${ly - 10}"/>` +
        `<text x="${mx}" y="${ly}" text-anchor="middle">${esc(m.milestone)}</text></g>`,
    );
  });

  const label = `Timeline of ${tl.steps.length} step attempts over ${formatDuration(span)}, with ${tl.milestones.length} milestones`;
  return (
    `<svg id="timeline-chart" class="chart" viewBox="0 0 ${W} ${height}" width="${W}" height="${height}" role="img" aria-label="${esc(label)}">` +
    `<defs><pattern id="unfinished-stripes" width="8" height="8" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="8" height="8" fill="#fde68a"/><rect width="4" height="8" fill="#f59e0b"/></pattern></defs>` +
    parts.join('') +
    `</svg>`
  );
}
