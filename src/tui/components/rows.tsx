// Layout by rows: the runner builds its panes as lists of one-line rows, so it knows exactly how
// many lines each takes and can give the output pane the rest of the screen.
//
// Ink measures every text node of every frame with string-width, whose ASCII path is fast and
// whose Unicode path (grapheme segmentation, emoji regexes) is not, for the whole string. So a
// row's glyph (✓ ▶ ◆ …) is its own tiny text node, apart from the (ASCII) text beside it.
import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import type { Color } from '../hooks.js';

export interface Row {
  key: string;
  node: ReactNode;
  /** A leading glyph drawn in its own text node (with a space after it). */
  icon?: { text: string; color?: Color; bold?: boolean };
}

export function row(key: string, node: ReactNode, icon?: Row['icon']): Row {
  return icon ? { key, node, icon } : { key, node };
}

export function Rows({ rows, width }: { rows: Row[]; width: number }) {
  return (
    <>
      {rows.map((r) => (
        <Box key={r.key} height={1} width={width} flexShrink={0}>
          {r.icon ? (
            <Text color={r.icon.color} bold={r.icon.bold}>
              {r.icon.text}{' '}
            </Text>
          ) : null}
          <Text wrap="truncate-end">{r.node}</Text>
        </Box>
      ))}
    </>
  );
}

/** At most `max` rows; a last row says how many were left out. */
export function cap(rows: Row[], max: number, what = 'lines'): Row[] {
  if (rows.length <= max) return rows;
  if (max <= 0) return [];
  return [...rows.slice(0, max - 1), row(`cap-${what}`, <Text dimColor>{`... ${rows.length - max + 1} more ${what}`}</Text>)];
}
