import { Box, Text } from 'ink';

export function BusyScreen({ message }: { message: string }) {
  return (
    <Box paddingX={1}>
      <Text dimColor>{message}</Text>
    </Box>
  );
}
