// The runbook's steps with status icons and durations. Capped to the rows it has: a window that
// keeps the current (or viewed) step in sight, so a long runbook never grows the live region.
import { Box, Text } from 'ink';
import { shortDuration, truncate } from '../format.js';
import { useColor, useTuiShallow } from '../hooks.js';
import { currentStep, phaseOf, shownStep, stepOrder, stepRunning } from '../store.js';
import { ICON, TONE } from './status.js';

export function StepList({ width, rows }: { width: number; rows: number }) {
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
  const done = ids.filter((id) => ['ok', 'skipped'].includes(phaseOf(s.incident?.steps[id], s))).length;
  return (
    <Box flexDirection="column" width={width} flexShrink={0}>
      <Text bold wrap="truncate-end">
        Steps <Text dimColor>{`${done}/${s.runbook?.steps.length ?? ids.length}`}</Text>
        {first > 0 ? <Text dimColor>{` ↑${first}`}</Text> : null}
      </Text>
      {visible.map((id) => {
        const st = s.incident?.steps[id];
        const phase = phaseOf(st, s);
        const dur = phase === 'running' && st?.startedAt ? shortDuration(s.now - Date.parse(st.startedAt)) : st?.durationMs !== undefined && phase !== 'pending' ? shortDuration(st.durationMs) : '';
        const mark = st?.inDoubt ? '?' : ICON[phase];
        const label = truncate(titles.get(id) ?? id, Math.max(4, width - 4 - dur.length - 1));
        const isShown = id === shown;
        return (
          <Box key={id} width={width}>
            <Text color={c(st?.inDoubt ? 'yellow' : (TONE[phase] ?? 'white'))} bold={id === current}>
              {isShown ? '>' : ' '}
              {mark}{' '}
            </Text>
            <Box flexGrow={1}>
              <Text wrap="truncate-end" bold={id === current} dimColor={phase === 'skipped'} inverse={isShown && id !== current}>
                {label}
              </Text>
            </Box>
            {dur ? <Text dimColor> {dur}</Text> : null}
          </Box>
        );
      })}
      {first + room < ids.length ? <Text dimColor>{`  ↓${ids.length - first - room} more`}</Text> : null}
    </Box>
  );
}

/** One line for narrow terminals: the step count and an icon per step. */
export function StepStrip({ width }: { width: number }) {
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
            <Text key={id} color={c(TONE[phase] ?? 'white')} inverse={id === shown}>
              {st?.inDoubt ? '?' : ICON[phase]}
            </Text>
          );
        })}
      </Text>
    </Box>
  );
}
