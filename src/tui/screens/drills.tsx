// Drill mode's start: the scenarios to practise on, with a fuzzy filter (fzf), and a preview of
// the highlighted one: the page the engineer "receives", the runbook it exercises, the inputs and
// what the simulated world holds. Nothing here touches a real account.
import { Text } from 'ink';
import { wrapText } from '../format.js';
import { useColor, useTuiShallow } from '../hooks.js';
import type { ScenarioItem, ScenarioPreview } from '../store.js';
import { FilterList } from '../components/filter-list.js';
import { cap, row, Rows, type Row } from '../components/rows.js';

export function DrillsScreen({ rows }: { rows: number }) {
  const s = useTuiShallow((st) => ({
    filter: st.filter,
    matches: st.drillMatches,
    index: st.pickerIndex,
    scenarios: st.scenarios,
    previews: st.scenarioPreviews,
    columns: st.size.columns,
  }));
  return (
    <FilterList
      rows={rows}
      columns={s.columns}
      heading={['Practice drill ', 'on a simulated world, nothing leaves this machine | filter: ']}
      filter={s.filter}
      filterWidth={24}
      status={s.scenarios.loading ? 'loading...' : `${s.matches.length} of ${s.scenarios.list.length}`}
      error={s.scenarios.error}
      empty={!s.scenarios.loading && !s.matches.length ? (s.scenarios.list.length ? 'Nothing matches.' : 'No drill scenarios found (see oncall drill --list, --scenarios).') : undefined}
      matches={s.matches}
      index={s.index}
      maxListWidth={52}
      preview={(item, room) => <ScenarioPane item={item} preview={s.previews[item.file]} width={room.width} rows={room.rows} />}
    />
  );
}

function ScenarioPane({ item, preview, width, rows }: { item: ScenarioItem; preview: ScenarioPreview | undefined; width: number; rows: number }) {
  const c = useColor();
  const out: Row[] = wrapText(item.title, width)
    .slice(0, 2)
    .map((l, i) => row(`t${i}`, <Text bold>{l}</Text>));
  if (!preview || preview.loading) return <Rows rows={cap([...out, row('loading', <Text dimColor>reading…</Text>)], rows)} width={width} />;
  if (preview.error) {
    out.push(row('bad', <Text color={c('red')}>This scenario does not validate:</Text>));
    wrapText(preview.error, width).forEach((l, i) => out.push(row(`e${i}`, <Text color={c('red')}>{l}</Text>)));
    return <Rows rows={cap(out, rows)} width={width} />;
  }
  const page = preview.page;
  if (page) {
    out.push(row('gap0', <Text> </Text>));
    out.push(row('page-h', (
      <Text bold>
        The page <Text dimColor>from {page.from}</Text> <Text color={/SEV[01]/.test(page.severity) ? c('red') : c('yellow')}>{page.severity}</Text>
      </Text>
    )));
    wrapText(page.text, width - 2)
      .slice(0, 4)
      .forEach((l, i) => out.push(row(`p${i}`, <Text>{`  ${l}`}</Text>)));
  }
  out.push(row('gap1', <Text> </Text>));
  out.push(row('rb', (
    <Text>
      <Text bold>Runbook </Text>
      {runbookName(preview.runbook ?? item.runbook)}
    </Text>
  )));
  if (preview.targetMinutes) out.push(row('target', <Text dimColor>{`A good response mitigates within ${preview.targetMinutes} simulated minutes.`}</Text>));
  const inputs = Object.entries(preview.inputs ?? {});
  if (inputs.length) {
    out.push(row('in-h', <Text bold>Inputs</Text>));
    for (const [k, v] of inputs) out.push(row(`in-${k}`, <Text>{'  '}<Text color={c('cyan')}>{k}</Text> = {v}</Text>));
  }
  if (preview.world?.length) {
    out.push(row('w-h', <Text bold>Simulated</Text>));
    preview.world.forEach((w, i) => out.push(row(`w${i}`, <Text>{`  ${w}`}</Text>)));
  }
  return <Rows rows={cap(out, rows)} width={width} />;
}

/** A scenario names its runbook by id or by path: show the id either way. */
function runbookName(ref: string): string {
  return ref.includes('/') || /\.ya?ml$/.test(ref) ? ref.replace(/^.*\//, '').replace(/\.ya?ml$/, '') : ref;
}
