// The runbook picker: a fuzzy filter (fzf) over id, title, tags and summary, the matches, and a
// preview of the highlighted runbook: summary, inputs and steps.
import { Box, Text } from 'ink';
import { paint, truncate, wrapText } from '../format.js';
import { useColor, useTuiShallow } from '../hooks.js';
import type { Match, Preview } from '../store.js';
import { TextField } from '../components/text-field.js';
import { cap, row, Rows, type Row } from '../components/rows.js';

export function PickerScreen({ rows }: { rows: number }) {
  const c = useColor();
  const s = useTuiShallow((st) => ({
    filter: st.filter,
    matches: st.matches,
    index: st.pickerIndex,
    runbooks: st.runbooks,
    previews: st.previews,
    columns: st.size.columns,
    draft: st.draft,
  }));
  const wide = s.columns >= 80;
  const listWidth = wide ? Math.min(48, Math.floor(s.columns * 0.45)) : s.columns - 2;
  const room = Math.max(1, wide ? rows - 4 : Math.min(rows - 4, 6));
  const first = Math.max(0, Math.min(s.index - Math.floor(room / 2), s.matches.length - room));
  const shown = s.matches.slice(first, first + room);
  const current = s.matches[s.index];
  const preview = current ? s.previews[current.item.file] : undefined;
  return (
    <Box flexDirection="column" paddingX={1}>
      <Box>
        <Text bold>Runbook </Text>
        <Text dimColor>for {s.draft.title ? `"${truncate(s.draft.title, 30)}"` : 'the new incident'} | filter: </Text>
        <TextField value={s.filter} focused width={30} placeholder="type to filter" />
        <Text dimColor>
          {'  '}
          {s.runbooks.loading ? 'loading...' : `${s.matches.length} of ${s.runbooks.list.length}`}
          {s.runbooks.invalid ? ` | ${s.runbooks.invalid} invalid (oncall validate)` : ''}
        </Text>
      </Box>
      <Text> </Text>
      <Box flexDirection={wide ? 'row' : 'column'}>
        <Box flexDirection="column" width={listWidth} flexShrink={0}>
          {s.runbooks.error ? <Text color={c('red')}>{s.runbooks.error}</Text> : null}
          {!s.runbooks.loading && !s.matches.length ? <Text dimColor>{s.runbooks.list.length ? 'Nothing matches.' : 'No runbooks found (see oncall list, --runbooks).'}</Text> : null}
          {shown.map((m, i) => (
            <MatchRow key={m.item.file} match={m} selected={first + i === s.index} width={listWidth} />
          ))}
        </Box>
        {current ? (
          <Box flexDirection="column" paddingLeft={wide ? 2 : 0} flexGrow={1}>
            <PreviewPane
              match={current}
              preview={preview}
              width={wide ? s.columns - listWidth - 5 : s.columns - 2}
              rows={wide ? rows - 3 : Math.max(1, rows - 4 - Math.min(room, s.matches.length) - 1)}
              compact={!wide}
            />
          </Box>
        ) : null}
      </Box>
    </Box>
  );
}

/** A list row: id and title, the filter's matched characters highlighted. */
export function MatchRow({ match, selected, width }: { match: Match<{ id: string; title: string }>; selected: boolean; width: number }) {
  const c = useColor();
  const text = truncate(`${match.item.id} ${match.item.title}`, width - 2);
  const hit = new Set(match.positions);
  const idLen = match.item.id.length;
  // Runs of characters styled alike, pre-styled in one string: one text node per row, not per character.
  const chars = [...text];
  let out = '';
  for (let i = 0; i < chars.length; ) {
    const style = (k: number) => `${k < idLen || hit.has(k) ? 'b' : ''}${hit.has(k) ? 'h' : ''}`;
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

/** The preview as rows, capped to the room it has (a long runbook never overflows the screen). */
function PreviewPane({ match, preview, width, rows, compact }: { match: Match; preview: Preview | undefined; width: number; rows: number; compact: boolean }) {
  const c = useColor();
  const rb = match.item;
  const inputs = Object.entries(rb.inputs);
  const head: Row[] = [
    row('title', (
      <Text bold>
        {rb.title} <Text dimColor>{`${rb.id}@${rb.version}`}</Text>
      </Text>
    )),
    ...wrapText(rb.summary, width)
      .slice(0, compact ? 2 : 4)
      .map((l, i) => row(`sum${i}`, <Text>{l}</Text>)),
  ];
  if (rb.tags.length) head.push(row('tags', <Text dimColor>tags: {rb.tags.join(', ')}</Text>));
  if (compact) return <Rows rows={cap(head, rows)} width={width} />;
  const inputRows: Row[] = inputs.length
    ? inputs.map(([name, spec]) =>
        row(`in-${name}`, (
          <Text>
            {'  '}
            <Text color={c('cyan')}>{name}</Text> <Text dimColor>{spec.type}</Text>
            {spec.secret ? <Text color={c('magenta')}> secret</Text> : null}
            {spec.default !== undefined && !spec.secret ? <Text dimColor> = {String(spec.default)}</Text> : null}
            {spec.description ? <Text> — {spec.description}</Text> : null}
          </Text>
        )),
      )
    : [row('in-none', <Text dimColor>  none</Text>)];
  const stepRows: Row[] =
    !preview || preview.loading
      ? [row('st-loading', <Text dimColor>  reading…</Text>)]
      : preview.error
        ? [row('st-error', <Text color={c('red')}>{`  ${preview.error}`}</Text>)]
        : (preview.steps ?? []).map((st, i) =>
            row(`st-${i}`, (
              <Text>
                {String(i + 1).padStart(3)}. {st.title} <Text dimColor>({st.id}, {st.kind})</Text>
              </Text>
            )),
          );
  // Inputs get up to a third of what is left, steps the rest.
  const left = Math.max(0, rows - head.length - 4);
  const inRoom = Math.min(inputRows.length, Math.max(2, Math.floor(left / 3)));
  const all = [
    ...head,
    row('gap1', <Text> </Text>),
    row('in-h', <Text bold>{`Inputs${inputs.length ? ` (${inputs.length})` : ''}`}</Text>),
    ...cap(inputRows, inRoom, 'inputs'),
    row('gap2', <Text> </Text>),
    row('st-h', <Text bold>{`Steps${preview?.steps ? ` (${preview.steps.length})` : ''}`}</Text>),
    ...stepRows,
  ];
  return <Rows rows={cap(all, rows, 'steps')} width={width} />;
}
