// Layout by rows: the runner builds its panes as lists of one-line rows, so it knows exactly how
// many lines each takes and can give the output pane the rest of the screen.
//
// Ink measures every text node of every frame with string-width, whose ASCII path is fast and
// whose Unicode path (grapheme segmentation, emoji regexes) is not, for the whole string. So a
// row's glyph (✓ ▶ ◆ …) is its own tiny text node, apart from the (ASCII) text beside it.
import { Box, Text } from 'ink';
import { memo, type ReactNode } from 'react';
import { paint } from '../format.js';
import type { Color } from '../hooks.js';

export interface Row {
  key: string;
  /** The row's text: best a string pre-styled with `paint` (cheapest for Ink, and memoisable). */
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
        <RowView key={r.key} node={r.node} icon={r.icon?.text} color={r.icon?.color} bold={r.icon?.bold} width={width} />
      ))}
    </>
  );
}

/** Memoised: a row whose text is an unchanged string is not rendered again. */
const RowView = memo(function RowView({ node, icon, color, bold, width }: { node: ReactNode; icon?: string; color?: Color; bold?: boolean; width: number }) {
  return (
    <Box height={1} width={width} flexShrink={0}>
      {icon !== undefined ? <Text>{paint(`${icon} `, { color, bold })}</Text> : null}
      <Text wrap="truncate-end">{node}</Text>
    </Box>
  );
});

/** At most `max` rows; a last row says how many were left out. */
export function cap(rows: Row[], max: number, what = 'lines'): Row[] {
  if (rows.length <= max) return rows;
  if (max <= 0) return [];
  return [...rows.slice(0, max - 1), row(`cap-${what}`, paint(`... ${rows.length - max + 1} more ${what}`, { dim: true }))];
}
