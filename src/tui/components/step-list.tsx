// The runbook's steps with status icons and durations. Capped to the rows it has: a window that
// keeps the current (or viewed) step in sight, so a long runbook never grows the live region.
import { Box, Text } from 'ink';
import { memo } from 'react';
import { paint, shortDuration, truncate } from '../format.js';
import { useColor, useTuiShallow, type Color } from '../hooks.js';
import { stringWidth } from '../width.js';
import { currentStep, phaseOf, shownStep, stepOrder, stepRunning } from '../store.js';
import { stepIcon, stepTone } from './status.js';

export const StepList = memo(function StepList({ width, rows }: { width: number; rows: number }) {
  const c = useColor();
  // The clock matters here only while a step runs (its duration counts up); otherwise a tick is no reason to redraw.
  const s = useTuiShallow((st) => ({ runbook: st.runbook, incident: st.incident, view: st.view, prompts: st.prompts, now: stepRunning(st) ? st.now : 0, running: st.running }));
  const ids = stepOrder(s);
  const titles = new Map(s.runbook?.steps.map((x) => [x.id, x.title]) ?? []);
  const current = currentStep(s.incident);
  const shown = shownStep(s);
  const room = Math.max(1, rows - 1);
  const focus = Math.max(0, ids.indexOf(shown ?? current ?? ''));
  const first = Math.max(0, Math.min(focus - Math.floor(room / 2), ids.length - room));
  const visible = ids.slice(first, first + room);
  // Only the runbook's own steps count toward "done of total" (rollbacks are listed, not counted).
  const counted = titles.size ? ids.filter((id) => titles.has(id)) : ids;
  const done = counted.filter((id) => ['ok', 'skipped'].includes(phaseOf(s.incident?.steps[id], s))).length;
  return (
    <Box flexDirection="column" width={width} flexShrink={0}>
      <Text wrap="truncate-end">{paint('Steps ', { bold: true }) + paint(`${progress(s.incident?.outcome, done, s.runbook?.steps.length ?? ids.length)}${first > 0 ? ` ↑${first}` : ''}`, { bold: true, dim: true })}</Text>
      {visible.map((id) => {
        const st = s.incident?.steps[id];
        const phase = phaseOf(st, s);
        const dur = phase === 'running' && st?.startedAt ? shortDuration(s.now - Date.parse(st.startedAt)) : st?.durationMs !== undefined && phase !== 'pending' ? shortDuration(st.durationMs) : '';
        const isShown = id === shown;
        return (
          <StepRow
            key={id}
            mark={`${isShown ? '>' : ' '}${stepIcon(st, phase)} `}
            tone={c(stepTone(st, phase) ?? 'white')}
            label={truncate(titles.get(id) ?? id, Math.max(4, width - 4 - dur.length - 1))}
            dur={dur}
            current={id === current}
            skipped={phase === 'skipped'}
            picked={isShown && id !== current}
            width={width}
          />
        );
      })}
      {first + room < ids.length ? <Text>{paint(`  ↓${ids.length - first - room} more`, { dim: true })}</Text> : null}
    </Box>
  );
});

/**
 * One step in two plain text nodes of pre-styled text (see `paint`): the marker and icon (short, so
 * Ink's slow Unicode measuring stays small) and the title with its duration, padded here rather
 * than by a flex box. Memoised: moving the cursor re-renders only the rows it leaves and enters.
 */
const StepRow = memo(function StepRow(p: { mark: string; tone: Color | undefined; label: string; dur: string; current: boolean; skipped: boolean; picked: boolean; width: number }) {
  const label = paint(p.label, { bold: p.current, dim: p.skipped, inverse: p.picked });
  const dur = p.dur ? ' '.repeat(Math.max(0, p.width - stringWidth(p.mark) - stringWidth(p.label) - p.dur.length - 1)) + paint(` ${p.dur}`, { dim: true }) : '';
  return (
    <Box width={p.width} height={1}>
      <Text>{paint(p.mark, { color: p.tone, bold: p.current })}</Text>
      <Text wrap="truncate-end">{label + dur}</Text>
    </Box>
  );
});

/** One line for narrow terminals: the step count and an icon per step. */
export const StepStrip = memo(function StepStrip({ width }: { width: number }) {
  const c = useColor();
  const s = useTuiShallow((st) => ({ runbook: st.runbook, incident: st.incident, view: st.view, prompts: st.prompts, running: st.running }));
  const ids = stepOrder(s);
  const shown = shownStep(s);
  const i = ids.indexOf(shown ?? '');
  return (
    <Box height={1} width={width}>
      <Text wrap="truncate-end">
        <Text bold>{`Step ${i + 1}/${ids.length} `}</Text>
        {ids.map((id) => {
          const st = s.incident?.steps[id];
          const phase = phaseOf(st, s);
          return (
            <Text key={id} color={c(stepTone(st, phase) ?? 'white')} inverse={id === shown}>
              {stepIcon(st, phase)}
            </Text>
          );
        })}
      </Text>
    </Box>
  );
});

/** "3/7" while the run goes on; once it ended, how it ended (branches leave steps out: 6/7 is not unfinished). */
function progress(outcome: string | undefined, done: number, total: number): string {
  if (!outcome) return `${done}/${total}`;
  if (outcome !== 'completed') return `${done}/${total} ${outcome}`;
  const left = total - done;
  return `✓ all${left > 0 ? ` (${left} not taken)` : ''}`;
}
