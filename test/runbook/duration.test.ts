import { expect, test } from 'vitest';
import { formatDuration, isDuration, parseDuration } from '../../src/runbook/duration.js';

test.each([
  ['250ms', 250],
  ['30s', 30_000],
  ['5m', 300_000],
  ['1h30m', 5_400_000],
  ['2d', 172_800_000],
  ['1m30s500ms', 90_500],
  ['0s', 0],
])('parseDuration(%s) = %d ms', (text, ms) => {
  expect(parseDuration(text)).toBe(ms);
  expect(isDuration(text)).toBe(true);
});

test.each(['5 minutes', '5', 'm5', '1.5h', '', ' 5m', '5M', '-5s'])('parseDuration(%j) says what a duration looks like', (text) => {
  expect(isDuration(text)).toBe(false);
  expect(() => parseDuration(text)).toThrow(/like '30s', '5m' or '1h30m'/);
});

test.each([
  [0, '0s'],
  [250, '250ms'],
  [30_000, '30s'],
  [90_500, '1m30s500ms'],
  [5_400_000, '1h30m'],
  [90_000_000, '1d1h'],
  [-5000, '-5s'],
])('formatDuration(%d) = %s, and it parses back', (ms, text) => {
  expect(formatDuration(ms)).toBe(text);
  if (ms >= 0) expect(parseDuration(text)).toBe(ms);
});
