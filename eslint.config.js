import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// The layers of src/, top to bottom. A folder may import its own layer's files and anything below
// it, never above (../shared/design.md, "Layers"). Folders on one row do not import each other.
// The plain files at the top of src/ (paths.ts, version.ts) are leaves every layer may use; cli.ts
// and bin.ts are the top.
const LAYERS = [
  ['commands'],
  ['tui', 'headless'],
  ['export', 'drill', 'plugins', 'import', 'config'],
  ['engine'],
  // Team incidents (#19): the shared journal store. Below the session that injects it, above the
  // providers (the S3 client, STS) and the journal it mirrors into, which never imports it.
  ['share'],
  ['executors'],
  ['core'],
  ['providers'],
  ['runbook'],
  ['journal'],
];
// Allowed by the order above, refused all the same: the engine reaches step kinds only through the
// registry it is given, so it never imports them.
const EXTRA = { engine: ['executors'] };
const INK = { group: ['ink', 'ink/*', 'react', 'react/*', 'ink-testing-library'], message: 'only src/tui draws: the engine, drivers and step kinds know nothing of Ink' };

function layerRules(folder) {
  const row = LAYERS.findIndex((r) => r.includes(folder));
  const above = LAYERS.slice(0, row).flat();
  const siblings = LAYERS[row].filter((f) => f !== folder);
  const refused = [...above, ...siblings, ...(EXTRA[folder] ?? [])];
  const patterns = [
    { group: ['**/cli.js', '**/bin.js'], message: `${folder}/ is below the CLI: the CLI calls it, not the other way round` },
    ...refused.map((f) => ({
      group: [`**/${f}/**`],
      message: `${folder}/ may not import ${f}/: ${above.includes(f) ? 'it is a higher layer' : siblings.includes(f) ? 'they are on the same layer' : 'the engine reaches step kinds only through its registry'} (see the LAYERS list in eslint.config.js)`,
    })),
  ];
  if (folder !== 'tui') patterns.push(INK);
  return { files: [`src/${folder}/**`], rules: { 'no-restricted-imports': ['error', { patterns }] } };
}

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'test-artifacts/', 'test/fixtures/lint/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setImmediate: 'readonly', performance: 'readonly', AbortController: 'readonly', AbortSignal: 'readonly', fetch: 'readonly', Buffer: 'readonly' } },
    rules: {
      // `any` only where a comment says why (eslint-disable-next-line with the reason).
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Values must reach processes as argument arrays, never through a shell.
      'no-restricted-syntax': [
        'error',
        { selector: "Property[key.name='shell'][value.value=true]", message: 'never run commands through a shell: pass an argument array' },
        { selector: 'TSAsExpression > TSAsExpression[typeAnnotation.type="TSUnknownKeyword"]', message: 'no `as unknown as`: type the boundary (zod, a typed append, a type-only import)' },
      ],
    },
  },
  {
    // Root files and tests: no layer of their own, but still no Ink outside the TUI.
    files: ['src/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [INK] }] },
  },
  ...LAYERS.flat().map(layerRules),
  {
    files: ['test/**', 'bench/**', 'scripts/**', 'plugins/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', 'no-restricted-syntax': 'off' },
  },
);

export { LAYERS };
