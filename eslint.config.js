import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'test-artifacts/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setImmediate: 'readonly', performance: 'readonly', AbortController: 'readonly', AbortSignal: 'readonly', fetch: 'readonly', Buffer: 'readonly' } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Values must reach processes as argument arrays, never through a shell.
      'no-restricted-syntax': [
        'error',
        { selector: "Property[key.name='shell'][value.value=true]", message: 'never run commands through a shell: pass an argument array' },
      ],
      'no-restricted-imports': ['error', { patterns: [{ group: ['ink', 'react', '**/tui/**'], message: 'the engine knows nothing of Ink' }] }],
    },
  },
  {
    // Only the TUI may import Ink and React.
    files: ['src/tui/**', 'test/tui/**'],
    rules: { 'no-restricted-imports': 'off' },
  },
);
