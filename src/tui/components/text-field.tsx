// One line of typed text. Secrets are drawn as dots; long values show their end. The value is
// kept exact (it is what is submitted and journaled); what is drawn of it is made visible, so an
// escape sequence pasted or given as a default is shown, not obeyed.
import { Text } from 'ink';
import { oneLine } from '../format.js';
import { stringWidth } from '../width.js';

export function TextField({ value, focused, secret, placeholder, width }: { value: string; focused: boolean; secret?: boolean; placeholder?: string; width: number }) {
  let shown = secret ? '•'.repeat([...value].length) : oneLine(value);
  const room = Math.max(4, width - 1);
  if (stringWidth(shown) > room) shown = `…${[...shown].slice(-(room - 1)).join('')}`;
  return (
    <Text>
      {shown === '' && placeholder ? <Text dimColor>{focused ? '' : placeholder}</Text> : shown}
      {focused ? <Text inverse> </Text> : null}
      {shown === '' && placeholder && focused ? <Text dimColor> {placeholder}</Text> : null}
    </Text>
  );
}
