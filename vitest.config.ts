import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Plugins import the plugin API by its package name; in tests that is the source.
  resolve: { alias: { 'oncall/plugin': new URL('./src/plugins/api.ts', import.meta.url).pathname } },
  test: {
    include: ['test/**/*.test.{ts,tsx}', 'plugins/**/*.test.{ts,tsx}'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Ink renders differently under CI; tests want what people see.
    env: { FORCE_COLOR: '0' },
  },
});
