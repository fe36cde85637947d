// The runbook picker: a fuzzy filter (fzf) over id, title, tags and summary, the matches, and a
// preview of the highlighted runbook: summary, inputs and steps.
import { Text } from 'ink';
import { oneLine, truncate, wrapText } from '../format.js';
import { useColor, useTuiShallow } from '../hooks.js';
import type { RunbookListing } from '../../runbook/listing.js';
import type { Preview } from '../store.js';
import { FilterList } from '../components/filter-list.js';
import { cap, row, Rows, type Row } from '../components/rows.js';

export function PickerScreen({ rows }: { rows: number }) {
  const s = useTuiShallow((st) => ({
    filter: st.filter,
    matches: st.matches,
    index: st.pickerIndex,
    runbooks: st.runbooks,
    previews: st.previews,
    columns: st.size.columns,
    draft: st.draft,
  }));
  return (
    <FilterList
      rows={rows}
      columns={s.columns}
      heading={['Runbook ', `for ${s.draft.title ? `"${truncate(oneLine(s.draft.title), 30)}"` : 'the new incident'} | filter: `]}
      filter={s.filter}
      filterWidth={30}
      status={`${s.runbooks.loading ? 'loading...' : `${s.matches.length} of ${s.runbooks.list.length}`}${s.runbooks.invalid ? ` | ${s.runbooks.invalid} invalid (oncall validate)` : ''}`}
      error={s.runbooks.error}
      empty={!s.runbooks.loading && !s.matches.length ? (s.runbooks.list.length ? 'Nothing matches. Runbooks elsewhere: --runbooks <dir> or $ONCALL_RUNBOOK_PATH (oncall list shows what is found).' : 'No runbooks found: --runbooks <dir> or $ONCALL_RUNBOOK_PATH (oncall list shows what is found).') : undefined}
      matches={s.matches}
      index={s.index}
      maxListWidth={48}
      preview={(item, room) => <PreviewPane item={item} preview={s.previews[item.file]} {...room} />}
    />
  );
}

/** The preview as rows, capped to the room it has (a long runbook never overflows the screen). */
function PreviewPane({ item, preview, width, rows, compact }: { item: RunbookListing; preview: Preview | undefined; width: number; rows: number; compact: boolean }) {
  const c = useColor();
  const rb = item;
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
            {spec.default !== undefined && !spec.secret ? <Text dimColor> = {oneLine(String(spec.default))}</Text> : null}
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
