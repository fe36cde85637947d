// The layout both pickers share (runbooks, drill scenarios): a heading with the fuzzy filter and a
// count, the matches with the filter's hits highlighted, and a preview of the highlighted one,
// beside the list on wide terminals and under it on narrow ones.
import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import { paint, truncate } from '../format.js';
import { useColor } from '../hooks.js';
import type { Match } from '../store.js';
import { TextField } from './text-field.js';

interface Item {
  id: string;
  title: string;
  file: string;
}

export interface FilterListProps<T extends Item> {
  rows: number;
  columns: number;
  /** Bold first words, then dim words up to the filter ("Runbook ", "for … | filter: "). */
  heading: [string, string];
  filter: string;
  filterWidth: number;
  /** After the filter: "loading..." or "3 of 22", and anything else worth a word. */
  status: string;
  error?: string;
  /** Shown when nothing is listed and nothing is loading. */
  empty?: string;
  matches: Match<T>[];
  index: number;
  maxListWidth: number;
  preview: (item: T, room: { width: number; rows: number; compact: boolean }) => ReactNode;
}

export function FilterList<T extends Item>(p: FilterListProps<T>) {
  const c = useColor();
  const wide = p.columns >= 80;
  const listWidth = wide ? Math.min(p.maxListWidth, Math.floor(p.columns * 0.45)) : p.columns - 2;
  const room = Math.max(1, wide ? p.rows - 4 : Math.min(p.rows - 4, 6));
  // Keep the highlighted row in view, near the middle.
  const first = Math.max(0, Math.min(p.index - Math.floor(room / 2), p.matches.length - room));
  const shown = p.matches.slice(first, first + room);
  const current = p.matches[p.index]?.item;
  return (
    <Box flexDirection="column" paddingX={1}>
      <Box>
        <Text bold>{p.heading[0]}</Text>
        <Text dimColor>{p.heading[1]}</Text>
        <TextField value={p.filter} focused width={p.filterWidth} placeholder="type to filter" />
        <Text dimColor>{`  ${p.status}`}</Text>
      </Box>
      <Text> </Text>
      <Box flexDirection={wide ? 'row' : 'column'}>
        <Box flexDirection="column" width={listWidth} flexShrink={0}>
          {p.error ? <Text color={c('red')}>{p.error}</Text> : null}
          {p.empty ? <Text dimColor>{p.empty}</Text> : null}
          {shown.map((m, i) => (
            <MatchRow key={m.item.file} match={m} selected={first + i === p.index} width={listWidth} />
          ))}
        </Box>
        {current ? (
          <Box flexDirection="column" paddingLeft={wide ? 2 : 0} flexGrow={1}>
            {p.preview(current, {
              width: wide ? p.columns - listWidth - 5 : p.columns - 2,
              rows: wide ? p.rows - 3 : Math.max(1, p.rows - 4 - Math.min(room, p.matches.length) - 1),
              compact: !wide,
            })}
          </Box>
        ) : null}
      </Box>
    </Box>
  );
}

/** A list row: id and title, the filter's matched characters highlighted. */
function MatchRow({ match, selected, width }: { match: Match<Item>; selected: boolean; width: number }) {
  const c = useColor();
  const text = truncate(`${match.item.id} ${match.item.title}`, width - 2);
  const hit = new Set(match.positions);
  const idLen = match.item.id.length;
  // Runs of characters styled alike, pre-styled in one string: one text node per row, not per character.
  const style = (k: number) => `${k < idLen || hit.has(k) ? 'b' : ''}${hit.has(k) ? 'h' : ''}`;
  const chars = [...text];
  let out = '';
  for (let i = 0; i < chars.length; ) {
    const kind = style(i);
    let j = i;
    while (j < chars.length && style(j) === kind) j++;
    const hl = kind.includes('h');
    out += paint(chars.slice(i, j).join(''), { bold: kind.includes('b'), color: hl ? c('yellow') : undefined, underline: hl && !c('yellow') });
    i = j;
  }
  return (
    <Text inverse={selected} wrap="truncate-end">
      {selected ? '> ' : '  '}
      {out}
    </Text>
  );
}
