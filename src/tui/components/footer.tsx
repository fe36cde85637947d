// The message line and the key hints. Hints come from the key table, for the contexts in force,
// so the footer can never offer a key the dispatcher does not honour.
import { Box, Text } from 'ink';
import { memo } from 'react';
import { footerFor, type KeyContext } from '../keys.js';
import { paint, truncate } from '../format.js';
import { useColor, useTuiShallow } from '../hooks.js';
import { activeContexts } from '../store.js';

// Memoised: it reads its own slices of the store, so the root re-rendering (an overlay opening or
// closing) is no reason to draw it again.
export const MessageLine = memo(function MessageLine() {
  const c = useColor();
  const { message, columns } = useTuiShallow((s) => ({ message: s.message, columns: s.size.columns }));
  if (!message) return <Box height={1} />;
  const color = message.level === 'error' ? 'red' : message.level === 'warn' ? 'yellow' : 'cyan';
  return (
    <Box height={1}>
      <Text wrap="truncate-end">{paint(truncate(message.text.split('\n')[0] ?? '', columns), { color: c(color) })}</Text>
    </Box>
  );
});

export const Footer = memo(function Footer() {
  const c = useColor();
  // The contexts as one string: the footer redraws when they change, not on every record.
  const s = useTuiShallow((st) => ({ contexts: activeContexts(st).join(' '), columns: st.size.columns }));
  const hints = footerFor(s.contexts ? (s.contexts.split(' ') as KeyContext[]) : []);
  // One plain text node of pre-styled text (see `paint`): the footer is on every frame.
  const text = hints.map((h, i) => `${i > 0 ? '  ' : ''}${paint(h.key, { bold: true, color: c('cyan') })}${h.key ? ' ' : ''}${paint(h.label, { dim: true })}`).join('');
  return (
    <Box height={1} width={s.columns} overflow="hidden">
      <Text wrap="truncate-end">{text}</Text>
    </Box>
  );
});
