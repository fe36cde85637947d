// The runner: the step list beside the step being looked at (stacked on narrow terminals).
import { Box } from 'ink';
import { memo } from 'react';
import { useTui } from '../hooks.js';
import { StepDetail } from '../components/step-detail.js';
import { StepList, StepStrip } from '../components/step-list.js';

// Memoised: it reads its own slices of the store, so the root re-rendering (an overlay opening or
// closing) is no reason to draw it again.
export const RunnerScreen = memo(function RunnerScreen({ rows }: { rows: number }) {
  const columns = useTui((s) => s.size.columns);
  if (columns >= 90) {
    const listWidth = Math.min(36, Math.floor(columns * 0.3));
    const detailWidth = columns - listWidth - 3;
    return (
      <Box flexDirection="row" height={rows} overflow="hidden">
        <StepList width={listWidth} rows={rows} />
        <Box width={2} flexShrink={0} />
        <Box flexDirection="column" width={detailWidth} height={rows} overflow="hidden">
          <StepDetail width={detailWidth} rows={rows} />
        </Box>
      </Box>
    );
  }
  return (
    <Box flexDirection="column" height={rows} overflow="hidden">
      <StepStrip width={columns} />
      <StepDetail width={columns - 1} rows={rows - 1} />
    </Box>
  );
});
