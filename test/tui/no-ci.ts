// Imported first by helpers.tsx: Ink decides when it loads whether it runs under CI (and then
// renders differently). These tests want what people see, so CI variables are hidden while Ink
// loads (restore-ci.ts puts them back, so tests that must fail under CI still see it).
const hidden: Record<string, string> = {};
for (const key of Object.keys(process.env)) {
  if (key === 'CI' || key === 'CONTINUOUS_INTEGRATION' || key.startsWith('CI_')) {
    hidden[key] = process.env[key]!;
    delete process.env[key];
  }
}
(globalThis as { __oncallHiddenCi?: Record<string, string> }).__oncallHiddenCi = hidden;
