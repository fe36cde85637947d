// A form: the new incident's title/severity/service, a runbook's inputs, or the secrets a resume
// needs. Typed fields with their help, problems shown as you type, secrets masked. A long form
// scrolls with the focused field.
import { Box, Text } from 'ink';
import { oneLine, truncate, wrapText } from '../format.js';
import { useColor, useTuiShallow } from '../hooks.js';
import { TextField } from '../components/text-field.js';
import { row, Rows, type Row } from '../components/rows.js';

export function FormScreen({ rows }: { rows: number }) {
  const c = useColor();
  const { form, columns } = useTuiShallow((s) => ({ form: s.form, columns: s.size.columns }));
  if (!form) return null;
  const width = columns - 2;
  const labelWidth = Math.min(24, Math.max(...form.fields.map((f) => f.label.length), 8) + 2);
  const valueWidth = Math.max(10, width - labelWidth - 8);
  const focused = form.fields[form.focus];

  const head: Row[] = [row('title', <Text bold>{form.title}</Text>)];
  if (form.subtitle) head.push(row('sub', <Text dimColor>{form.subtitle}</Text>));
  head.push(row('gap', <Text> </Text>));
  if (!form.fields.length) head.push(row('none', <Text dimColor>No inputs: Enter starts.</Text>));

  const tail: Row[] = [row('gap2', <Text> </Text>)];
  if (focused) {
    const help = [focused.help, focused.secret ? 'secret: never shown or journaled' : ''].filter(Boolean).join(' | ');
    if (help) wrapText(`${focused.label}: ${help}`, width).slice(0, 2).forEach((l, i) => tail.push(row(`help${i}`, <Text dimColor>{l}</Text>)));
  }
  if (form.error) wrapText(form.error, width).slice(0, 3).forEach((l, i) => tail.push(row(`err${i}`, <Text color={c('red')}>{l}</Text>)));

  // Each field is its line, plus one for its problem; a window keeps the focused field in view.
  const blocks: { start: number; rows: Row[] }[] = [];
  const fieldRows: Row[] = [];
  form.fields.forEach((f, i) => {
    const isFocused = i === form.focus;
    const value = form.values[f.name] ?? '';
    const problem = form.problems[f.name];
    const choice = f.type === 'enum' || f.type === 'boolean';
    const own: Row[] = [
      row(`f-${f.name}`, (
        <Text>
          <Text color={isFocused ? c('cyan') : undefined} bold={isFocused}>
            {isFocused ? '> ' : '  '}
            {truncate(f.label, labelWidth - 1).padEnd(labelWidth)}
          </Text>
          {choice ? (
            <Text>
              {isFocused ? '< ' : '  '}
              {value === '' ? <Text dimColor>(choose with left/right)</Text> : <Text bold>{oneLine(value)}</Text>}
              {isFocused ? ' >' : ''}
              {f.type === 'enum' && isFocused ? <Text dimColor>{`  ${oneLine((f.values ?? []).join(' '))}`}</Text> : null}
            </Text>
          ) : (
            <Text>
              {'  '}
              <TextField value={value} focused={isFocused} secret={f.secret} placeholder={f.placeholder} width={valueWidth} />
            </Text>
          )}
          {problem ? null : value !== '' ? <Text color={c('green')}> ✓</Text> : null}
        </Text>
      )),
    ];
    if (problem) own.push(row(`p-${f.name}`, <Text color={c('red')}>{`  ${''.padEnd(labelWidth)}✗ ${problem}`}</Text>));
    blocks.push({ start: fieldRows.length, rows: own });
    fieldRows.push(...own);
  });
  const room = Math.max(1, rows - head.length - tail.length);
  let first = 0;
  const at = blocks[form.focus];
  if (at && fieldRows.length > room) first = Math.max(0, Math.min(at.start - Math.floor(room / 3), fieldRows.length - room));
  const shown = fieldRows.slice(first, first + room);
  if (first > 0) shown[0] = row('more-up', <Text dimColor>{`  ↑ ${blocks.filter((b) => b.start < first).length} more`}</Text>);
  if (first + room < fieldRows.length) shown[shown.length - 1] = row('more-down', <Text dimColor>{`  ↓ ${blocks.filter((b) => b.start >= first + room - 1).length} more`}</Text>);

  return (
    <Box flexDirection="column" paddingX={1}>
      <Rows rows={[...head, ...shown, ...tail]} width={width} />
    </Box>
  );
}
