// `oncall list` through the built binary: the listing cache must never show a stale runbook.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { oncall, tempDir } from '../helpers/cli.js';

const runbook = (title: string) => `id: cached
title: ${title}
version: 1.0.0
summary: s
tags: [a]
inputs:
  token: { type: string, secret: true, default: not-for-your-eyes }
steps:
  - id: one
    title: one
    kind: manual
    with: { instruction: do it }
`;

describe('oncall list', () => {
  it('lists from its cache, and re-reads a runbook as soon as it changes', async () => {
    const dir = tempDir();
    const cache = tempDir();
    const env = { XDG_CACHE_HOME: cache };
    writeFileSync(join(dir, 'a.yaml'), runbook('First title'));
    const first = await oncall(['list', '--runbooks', dir, '--json'], { env });
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout).find((r: { id: string }) => r.id === 'cached')).toMatchObject({ title: 'First title', tags: ['a'] });
    expect(first.stdout).not.toContain('not-for-your-eyes');
    expect(existsSync(join(cache, 'oncall', 'runbook-listing.json'))).toBe(true);

    writeFileSync(join(dir, 'a.yaml'), runbook('Second title'));
    const second = await oncall(['list', '--runbooks', dir], { env });
    expect(second.stdout).toMatch(/cached\tSecond title\ta\ttoken \(secret\)/);

    writeFileSync(join(dir, 'a.yaml'), runbook('Third').replace('kind: manual', 'kind: manul'));
    const broken = await oncall(['list', '--runbooks', dir], { env });
    expect(broken.stdout).not.toMatch(/^cached/m);
    expect(broken.stderr).toMatch(/a\.yaml:\d+:\d+: error: step 'one': unknown step kind 'manul' — did you mean 'manual'\?/);
  });
});
