// One line of typed text. Secrets are drawn as dots; long values show their end.
import { Text } from 'ink';
import { stringWidth } from '../width.js';

export function TextField({ value, focused, secret, placeholder, width }: { value: string; focused: boolean; secret?: boolean; placeholder?: string; width: number }) {
  let shown = secret ? '•'.repeat([...value].length) : value;
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
