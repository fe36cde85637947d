// Overlays: help (every key, from the key table), the timeline, and the small panels for a note,
// a skip reason and a milestone.
import { Box, Text } from 'ink';
import { memo } from 'react';
import { helpSections, keyOf } from '../keys.js';
import { paint, relative, truncate } from '../format.js';
import { useColor, useTui, useTuiShallow, type Color } from '../hooks.js';
import { shownStep } from '../store.js';
import { Rows, row, type Row } from './rows.js';
import { TextField } from './text-field.js';

export const HelpOverlay = memo(function HelpOverlay({ rows, width }: { rows: number; width: number }) {
  const c = useColor();
  const scroll = useTui((s) => s.helpScroll);
  const all: Row[] = [];
  for (const sec of helpSections()) {
    all.push(row(`h-${sec.title}`, <Text bold color={c('cyan')}>{sec.title}</Text>));
    sec.rows.forEach((r, i) => all.push(row(`${sec.title}-${i}`, <Text>{`  ${r.keys.padEnd(16)} ${r.help}`}</Text>)));
  }
  const room = Math.max(1, rows - 2);
  const first = Math.min(scroll, Math.max(0, all.length - room));
  return (
    <Box flexDirection="column" paddingX={1}>
      <Text bold>Keys {all.length > room ? <Text dimColor>(up/down scroll)</Text> : null}</Text>
      <Text> </Text>
      <Rows rows={all.slice(first, first + room)} width={width - 2} />
    </Box>
  );
});

export const TimelineOverlay = memo(function TimelineOverlay({ rows, width }: { rows: number; width: number }) {
  const c = useColor();
  // The incident only for its id and start: a record arriving is no reason to redraw the overlay.
  const s = useTuiShallow((st) => ({ timeline: st.timeline, scroll: st.timelineScroll, id: st.incident?.id, start: st.incident?.openedAt }));
  const start = s.start;
  const room = Math.max(1, rows - 2);
  const end = Math.max(0, s.timeline.length - s.scroll);
  const from = Math.max(0, end - room);
  const shown = s.timeline.slice(from, end);
  const about = `${s.id ?? ''} | opened ${start ?? '?'} | ${s.timeline.length} entries${from > 0 ? ` | ${from} earlier (up/PgUp)` : ''}${s.scroll ? ` | ${s.scroll} later (End)` : ''}`;
  const tone = (type: string) =>
    type === 'note.added' ? c('blue') : type === 'milestone.marked' ? c('magenta') : type === 'confirm.given' || type === 'decision.made' ? c('yellow') : undefined;
  return (
    <Box flexDirection="column" paddingX={1}>
      <Box height={1}>
        <Text wrap="truncate-end">{paint('Timeline ', { bold: true }) + paint(truncate(about, Math.max(10, width - 12)), { dim: true })}</Text>
      </Box>
      <Box height={1} />
      {shown.map((e) => {
        const first = e.text.split('\n')[0] ?? '';
        const m = /^([^\u0020-\u007e]) (.*)$/u.exec(first);
        return (
          <TimelineRow
            key={`t${e.seq}`}
            when={`${relative(e.ts, start)} `}
            glyph={m ? `${m[1]} ` : ''}
            text={truncate(m ? m[2]! : first, Math.max(10, width - 2 - 10 - (m ? 2 : 0)))}
            tone={tone(e.type)}
            width={width - 2}
          />
        );
      })}
    </Box>
  );
});

/**
 * One timeline entry in two plain text nodes of pre-styled text (see `paint`): the time with the
 * entry's glyph (▶ ✓ ◆ ✎ ★ …), short, so Ink's slow Unicode measuring stays small, and the ASCII
 * rest. Memoised: scrolling re-renders only the entries that come into view.
 */
const TimelineRow = memo(function TimelineRow({ when, glyph, text, tone, width }: { when: string; glyph: string; text: string; tone: Color | undefined; width: number }) {
  return (
    <Box height={1} width={width} flexShrink={0}>
      <Text>{paint(when, { dim: true }) + paint(glyph, { color: tone })}</Text>
      <Text wrap="truncate-end">{paint(text, { color: tone })}</Text>
    </Box>
  );
});

/** The note, skip-reason and milestone panels, drawn under the runner. */
export const InputPanel = memo(function InputPanel({ width }: { width: number }) {
  const c = useColor();
  const s = useTuiShallow((st) => ({ overlay: st.overlay, text: st.overlayText, incident: st.incident, view: st.view, prompts: st.prompts, runbook: st.runbook }));
  const line = <Text> </Text>;
  if (s.overlay.kind === 'note') {
    return (
      <Box flexDirection="column">
        {line}
        <Text bold color={c('blue')}>
          ✎ Note for the journal
        </Text>
        <Text>
          {'  '}
          <TextField value={s.text} focused width={width - 4} placeholder="what you saw, did or decided" />
        </Text>
        <Text dimColor>{`  ${keyOf('note', 'submit')} save | ${keyOf('note', 'close')} cancel`}</Text>
      </Box>
    );
  }
  if (s.overlay.kind === 'skip') {
    const step = s.prompts[0]?.req.stepId ?? shownStep(s);
    return (
      <Box flexDirection="column">
        {line}
        <Text bold color={c('yellow')}>
          ↷ Skip {step}: why?
        </Text>
        <Text>
          {'  reason: '}
          <TextField value={s.text} focused width={width - 12} placeholder="required; it goes in the journal" />
        </Text>
        <Text dimColor>{`  ${keyOf('skip', 'submit')} skip the step | ${keyOf('skip', 'close')} back`}</Text>
      </Box>
    );
  }
  if (s.overlay.kind === 'reopen') {
    const at = s.incident?.stoppedAt;
    return (
      <Box flexDirection="column">
        {line}
        <Text bold color={c('yellow')}>
          ↺ Reopen{at ? ` at ${at}` : ''}: what was fixed?
        </Text>
        <Text>
          {'  '}
          <TextField value={s.text} focused width={width - 4} placeholder="required; journaled with your name (the step runs again)" />
        </Text>
        <Text dimColor>{`  ${keyOf('reopen', 'submit')} reopen | ${keyOf('reopen', 'close')} back`}</Text>
      </Box>
    );
  }
  if (s.overlay.kind === 'milestone') {
    const marked = new Set(s.incident?.milestones.map((m) => m.milestone));
    const opt = (key: string, m: 'detected' | 'mitigated' | 'resolved') => (
      <Text>
        {'  '}
        <Text bold color={c('cyan')}>
          {key}
        </Text>{' '}
        {m}
        {marked.has(m) ? <Text dimColor> (already marked)</Text> : null}
      </Text>
    );
    return (
      <Box flexDirection="column">
        {line}
        <Text bold color={c('magenta')}>
          ★ Mark a milestone
        </Text>
        {opt('d', 'detected')}
        {opt('m', 'mitigated')}
        {opt('r', 'resolved')}
        <Text dimColor>{`  ${keyOf('milestone', 'close')} cancel`}</Text>
      </Box>
    );
  }
  return null;
});

/** Rows the input panel takes (the runner gives them up). */
export function inputPanelRows(kind: string): number {
  return kind === 'milestone' ? 6 : kind === 'note' || kind === 'skip' || kind === 'reopen' ? 4 : 0;
}
