// A drill's score, once it has ended: passed or not, each phase of the response (acknowledge,
// diagnose, mitigate, recover) against its target in simulated time (which counts the operator's
// own time, #20), and what cost points: wrong turns, skipped steps, declined confirmations.
// The same score is in the drill's journal (drill.scored) and its exports.
import { Box, Text } from 'ink';
import { clockNote, mitigation, phaseRows } from '../../drill/score.js';
import { wrapText } from '../format.js';
import { useColor, useTuiShallow } from '../hooks.js';
import { cap, row, Rows, type Row } from '../components/rows.js';

export function ScoreScreen({ rows }: { rows: number }) {
  const c = useColor();
  const s = useTuiShallow((st) => ({ score: st.incident?.drillScore, drill: st.incident?.drill, id: st.incidentId, columns: st.size.columns }));
  const width = s.columns - 2;
  const score = s.score;
  if (!score) {
    return (
      <Box paddingX={1}>
        <Text dimColor>The drill ended without a score (see the message line). Enter: another drill.</Text>
      </Box>
    );
  }
  // Scores journaled before #20 have no phases: time to mitigate alone.
  const phases = score.targets ? phaseRows(score) : [{ phase: 'mitigate', label: 'Time to mitigate', ...mitigation(score) }];
  const note = clockNote(score);
  const out: Row[] = [
    row('verdict', (
      <Text bold inverse color={score.passed ? c('green') : c('red')}>
        {score.passed ? ' DRILL PASSED ' : ' DRILL NOT PASSED '}
      </Text>
    )),
    row('what', <Text bold>{s.drill?.title ?? score.scenario}</Text>),
    row('ids', <Text dimColor>{`scenario ${score.scenario} | incident ${s.id ?? '?'}`}</Text>),
    row('gap0', <Text> </Text>),
    row('outcome', (
      <Text>
        {'Outcome              '}
        <Text color={score.outcome === score.expected_outcome ? c('green') : c('red')}>{score.outcome}</Text>
        <Text dimColor>{` (expected ${score.expected_outcome})`}</Text>
      </Text>
    )),
    ...phases.map((p) =>
      row(p.phase, (
        <Text>
          {p.label.padEnd(21)}
          <Text color={p.text.startsWith('not part') ? undefined : p.late ? c('red') : c('green')}>{p.text}</Text>
        </Text>
      )),
    ),
    row('sim', (
      <Text>
        {`Simulated time       ${score.simulated_minutes} min`}
        {note ? <Text dimColor>{` (${note})`}</Text> : null}
      </Text>
    )),
    row('skipped', <Text>{`Steps skipped        ${score.steps_skipped.length}`}</Text>),
    ...score.steps_skipped.map((x) => row(`sk-${x.step}`, <Text dimColor>{`  ${x.step}: ${x.reason}`}</Text>)),
    row('declined', <Text>{`Declined             ${score.confirmations_declined.length}${score.confirmations_declined.length ? ` (${score.confirmations_declined.join(', ')})` : ''}`}</Text>),
    ...(score.hints_offered ? [row('hints', <Text>{`Hints used           ${score.hints_used ?? 0} of ${score.hints_offered}`}</Text>)] : []),
    row('wrong', (
      <Text>
        {'Wrong turns          '}
        <Text color={score.wrong_turns.length ? c('red') : undefined}>{score.wrong_turns.length}</Text>
      </Text>
    )),
  ];
  for (const w of score.wrong_turns) {
    wrapText(`${w.step}${w.choice ? ` (${w.choice})` : ''}: ${w.why}`, width - 4).forEach((l, i) =>
      out.push(row(`wt-${w.step}-${w.choice ?? ''}-${i}`, <Text color={c('yellow')}>{`${i ? '    ' : '  - '}${l}`}</Text>)),
    );
  }
  out.push(row('gap1', <Text> </Text>));
  out.push(row('next', <Text dimColor>{`The score is in the drill's journal: oncall export ${s.id ?? '<incident>'} --drill`}</Text>));
  return (
    <Box flexDirection="column" paddingX={1}>
      <Rows rows={cap(out, rows)} width={width} />
    </Box>
  );
}
