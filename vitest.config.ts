import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.{ts,tsx}', 'plugins/**/*.test.{ts,tsx}'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Ink renders differently under CI; tests want what people see.
    env: { FORCE_COLOR: '0' },
  },
});
