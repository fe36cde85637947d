// Start: a new incident, or one that can go on (open, or failed/blocked to reopen), newest first, with runbook, progress, age.
import { Box, Text } from 'ink';
import { age, truncate } from '../format.js';
import { useColor, useTuiShallow } from '../hooks.js';
import { resumableIncidents } from '../store.js';

export function StartScreen({ rows }: { rows: number }) {
  const c = useColor();
  const s = useTuiShallow((st) => ({ incidents: st.incidents, index: st.startIndex, now: st.now, columns: st.size.columns }));
  const open = resumableIncidents(s);
  const finished = s.incidents.list.length - open.length;
  // Keep the highlighted row in view.
  const room = Math.max(1, rows - 7);
  const first = Math.max(0, Math.min(s.index - 1 - Math.floor(room / 2), open.length - room));
  const shown = open.slice(Math.max(0, first), Math.max(0, first) + room);
  return (
    <Box flexDirection="column" paddingX={1}>
      <Text bold>Start</Text>
      <Text> </Text>
      <Text inverse={s.index === 0} color={c('green')} bold>
        {s.index === 0 ? '> ' : '  '}+ New incident
      </Text>
      <Text dimColor>{'  No incident? Practise on a simulated world: oncall drill'}</Text>
      <Text> </Text>
      <Text dimColor>
        {s.incidents.loading
          ? 'Looking for open incidents...'
          : s.incidents.error
            ? `Could not list incidents: ${s.incidents.error}`
            : open.length
              ? `Incidents to go on with, newest first (${open.length})${finished ? ` | ${finished} finished` : ''}${s.incidents.unreadable ? ` | ${s.incidents.unreadable} unreadable` : ''}`
              : `No open incidents${finished ? ` (${finished} finished)` : ''}.`}
      </Text>
      {shown.map((inc) => {
        const i = open.indexOf(inc) + 1;
        const selected = i === s.index;
        const line = [
          inc.id,
          inc.severity.padEnd(4),
          inc.mode === 'drill' ? 'DRILL' : '',
          inc.status === 'open' ? '' : `${inc.status.toUpperCase()} (reopen once fixed)`,
          truncate(inc.title, 36),
          inc.runbook ?? '(no runbook)',
          `${inc.stepsDone}/${inc.stepsTotal} steps`,
          `opened ${age(inc.openedAt, s.now)} ago`,
          inc.inDoubt ? `${inc.inDoubt} in doubt` : '',
        ]
          .filter(Boolean)
          .join('  ');
        return (
          <Text key={inc.id} inverse={selected} wrap="truncate-end">
            {selected ? '> ' : '  '}
            {line}
          </Text>
        );
      })}
    </Box>
  );
}
