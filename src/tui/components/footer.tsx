// The message line and the key hints. Hints come from the key table, for the contexts in force,
// so the footer can never offer a key the dispatcher does not honour.
import { Box, Text } from 'ink';
import { footerFor } from '../keys.js';
import { truncate } from '../format.js';
import { useColor, useTuiShallow } from '../hooks.js';
import { activeContexts } from '../store.js';

export function MessageLine() {
  const c = useColor();
  const { message, columns } = useTuiShallow((s) => ({ message: s.message, columns: s.size.columns }));
  if (!message) return <Box height={1} />;
  const color = message.level === 'error' ? 'red' : message.level === 'warn' ? 'yellow' : 'cyan';
  return (
    <Box height={1}>
      <Text color={c(color)} wrap="truncate-end">
        {truncate(message.text.split('\n')[0] ?? '', columns)}
      </Text>
    </Box>
  );
}

export function Footer() {
  const c = useColor();
  const s = useTuiShallow((st) => ({
    overlay: st.overlay,
    screen: st.screen,
    prompts: st.prompts,
    running: st.running,
    incident: st.incident,
    result: st.result,
    columns: st.size.columns,
  }));
  const hints = footerFor(activeContexts(s));
  return (
    <Box height={1} width={s.columns} overflow="hidden">
      <Text wrap="truncate-end">
        {hints.map((h, i) => (
          <Text key={`${h.key}-${h.label}`}>
            {i > 0 ? '  ' : ''}
            <Text bold color={c('cyan')}>
              {h.key}
            </Text>
            {h.key ? ' ' : ''}
            <Text dimColor>{h.label}</Text>
          </Text>
        ))}
      </Text>
    </Box>
  );
}
