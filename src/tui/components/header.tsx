// The header, always visible: mode banner, incident id and title, severity, clock, AWS identity,
// kube context, and a gentle nudge when a step runs past its expected duration. Narrow terminals
// lose the least important segments instead of wrapping.
import { Box, Text } from 'ink';
import { memo } from 'react';
import { clock, fitSegments, paint, shortDuration, truncate, type Segment } from '../format.js';
import { stringWidth } from '../width.js';
import { useColor, useTuiShallow, type Color } from '../hooks.js';
import { overdueStep, type IdentityView } from '../store.js';

interface Seg extends Segment {
  color?: Color;
  bold?: boolean;
  inverse?: boolean;
  dim?: boolean;
}

// Memoised: it reads its own slices of the store, so the root re-rendering (an overlay opening or
// closing) is no reason to draw it again.
export const Header = memo(function Header() {
  const c = useColor();
  const s = useTuiShallow((st) => ({
    mode: st.mode,
    readOnly: st.readOnly || Boolean(st.incident?.readOnly),
    columns: st.size.columns,
    now: st.now,
    incident: st.incident,
    prompts: st.prompts,
    running: st.running,
    identity: st.identity,
    kube: st.kube,
  }));
  const inc = s.incident;
  const segs: Seg[] = [];
  const drill = (inc?.mode ?? s.mode) === 'drill';
  segs.push({ key: 'mode', text: drill ? ' DRILL ' : ' LIVE ', priority: 100, bold: true, inverse: true, color: drill ? 'yellow' : 'red' });
  if (s.readOnly) segs.push({ key: 'ro', text: ' READ-ONLY ', priority: 99, bold: true, inverse: true, color: 'blue' });
  if (inc?.id) {
    segs.push({ key: 'id', text: inc.id, priority: 90, bold: true });
    if (inc.severity) segs.push({ key: 'sev', text: inc.severity, priority: 85, bold: true, color: /SEV[01]/.test(inc.severity) ? 'red' : /SEV2/.test(inc.severity) ? 'yellow' : undefined });
    if (inc.openedAt) segs.push({ key: 'clock', text: `⏱ ${clock(s.now - Date.parse(inc.openedAt))}`, priority: 80 });
    const late = overdueStep(s);
    // Gentle: it shortens before anything else goes, and in its shortest form still outranks the clock.
    if (late) {
      const ran = shortDuration(late.ranMs);
      const overdue = `⏳ ${truncate(late.id, 24)} overdue (${ran})`;
      segs.push({
        key: 'nudge',
        text: `⏳ ${late.id} is past its usual ${shortDuration(late.expectedMs)} (${ran}) | Ctrl+C aborts`,
        priority: 55,
        shorter: [
          { text: `${overdue} | Ctrl+C aborts`, priority: 70 },
          { text: overdue, priority: 78 },
          { text: '⏳ overdue', priority: 81 },
        ],
        color: 'yellow',
      });
    }
  } else {
    segs.push({ key: 'app', text: 'oncall', priority: 90, bold: true });
  }
  segs.push(awsSegment(s.identity, drill));
  if (s.kube.context) segs.push({ key: 'kube', text: `kube ${s.kube.context}`, priority: 65, shorter: [{ text: `kube ${truncate(s.kube.context, 20)}`, priority: 75 }] });
  const TITLE_MAX = 40;
  if (inc?.title) segs.splice(segs.findIndex((x) => x.key === 'aws'), 0, { key: 'title', text: truncate(inc.title, TITLE_MAX), priority: 50 });
  const GAP = 2;
  let kept = fitSegments(segs, s.columns, GAP);
  // A dropped title still gets whatever room is left, truncated.
  if (inc?.title && !kept.some((x) => x.key === 'title')) {
    const used = kept.reduce((n, x) => n + stringWidth(x.text), 0) + kept.length * GAP;
    const room = s.columns - used;
    if (room >= 12) {
      const at = kept.findIndex((x) => x.key === 'aws' || x.key === 'kube');
      const title: Seg = { key: 'title', text: truncate(inc.title, Math.min(room, TITLE_MAX)), priority: 50 };
      kept = at < 0 ? [...kept, title] : [...kept.slice(0, at), title, ...kept.slice(at)];
    }
  }
  // Runs of ASCII segments share one plain text node of pre-styled text (see `paint`); a segment
  // with a glyph (the clock's) is a node of its own, so Ink's slow Unicode measuring stays on it.
  const runs: { key: string; text: string }[] = [];
  kept.forEach((seg, i) => {
    const text = paint(`${i > 0 ? '  ' : ''}${seg.text}`, { bold: seg.bold, inverse: seg.inverse, dim: seg.dim, color: seg.color ? c(seg.color) : undefined });
    const ascii = /^[\u0020-\u007e]*$/.test(seg.text);
    const last = runs.at(-1);
    if (ascii && last && !last.key.startsWith('u:')) last.text += text;
    else runs.push({ key: `${ascii ? 'a' : 'u'}:${seg.key}`, text });
  });
  return (
    <Box height={1} width={s.columns} overflow="hidden">
      {runs.map((run) => (
        <Text key={run.key}>{run.text}</Text>
      ))}
    </Box>
  );
});

/**
 * Where AWS commands would land. The full identity gives way to the account and region, then the
 * account alone, which outlasts the clock and the title: in LIVE mode it is what must stay on screen.
 */
function awsSegment(id: IdentityView, drill: boolean): Seg {
  const known = Boolean(id.profile || id.region || id.account || id.pending || id.error);
  if (!known) return { key: 'aws', text: drill ? 'aws simulated' : 'aws not configured', priority: 20, dim: true };
  const where = `${id.profile ?? 'default'}/${id.region ?? 'no region'}`;
  if (!id.account) {
    const state = id.pending ? 'identity pending' : id.error ? 'identity error' : 'identity unknown';
    return { key: 'aws', text: `aws ${where} ${state}`, priority: 60, shorter: [{ text: `aws ${state}`, priority: 82 }], dim: id.pending };
  }
  return {
    key: 'aws',
    text: `aws ${where} ${id.account}${id.principal ? ` ${shortPrincipal(id.principal)}` : ''}`,
    priority: 60,
    shorter: [
      { text: `aws ${id.account} ${id.region ?? 'no region'}`, priority: 82 },
      { text: `aws ${id.account}`, priority: 83 },
    ],
  };
}

/** arn:aws:sts::123:assumed-role/oncall/alice → oncall/alice; arn:aws:iam::123:user/bob → user/bob. */
function shortPrincipal(arn: string): string {
  const tail = arn.includes(':') ? arn.slice(arn.lastIndexOf(':') + 1) : arn;
  return truncate(tail.replace(/^assumed-role\//, ''), 32);
}

