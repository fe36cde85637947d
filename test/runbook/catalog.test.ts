import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { builtinRegistry } from '../../src/executors/index.js';
import { findRunbookFiles, loadCatalog, resolveRunbook, RunbookNotFoundError, runbookDirs } from '../../src/runbook/catalog.js';
import { RunbookError } from '../../src/runbook/load.js';
import { packageRoot } from '../../src/paths.js';
import { minimalRunbook, tempDir, writeRunbooks } from './helpers.js';

const registry = builtinRegistry();

describe('runbookDirs', () => {
  test('--runbooks, then $ONCALL_RUNBOOK_PATH, then ./runbooks, then the config dir, then the bundled runbooks', () => {
    const cwd = tempDir();
    mkdirSync(join(cwd, 'runbooks'));
    const env = { ONCALL_RUNBOOK_PATH: '/a/one::/a/two', XDG_CONFIG_HOME: '/cfg' };
    expect(runbookDirs({ extra: ['mine', '/abs/x'], env, cwd })).toEqual([
      join(cwd, 'mine'),
      '/abs/x',
      '/a/one',
      '/a/two',
      join(cwd, 'runbooks'),
      '/cfg/oncall/runbooks',
      join(packageRoot(), 'runbooks'),
    ]);
  });

  test('./runbooks is skipped when missing, or when it is the package’s own', () => {
    const env = { XDG_CONFIG_HOME: '/cfg' };
    expect(runbookDirs({ env, cwd: tempDir() })).toEqual(['/cfg/oncall/runbooks', join(packageRoot(), 'runbooks')]);
    expect(runbookDirs({ env, cwd: packageRoot() })).toEqual(['/cfg/oncall/runbooks', join(packageRoot(), 'runbooks')]);
  });
});

describe('findRunbookFiles', () => {
  test('*.yaml and *.yml directly in each dir, in order; not below, not schemas; missing dirs are fine', () => {
    const a = writeRunbooks({ 'b.yaml': '', 'a.yml': '', 'runbook.schema.json': '{}', 'notes.md': '', 'sub/c.yaml': '' });
    const b = writeRunbooks({ 'z.yaml': '' });
    expect(findRunbookFiles([a, '/does/not/exist', b])).toEqual([join(a, 'a.yml'), join(a, 'b.yaml'), join(b, 'z.yaml')]);
  });
});

describe('resolveRunbook', () => {
  const first = writeRunbooks({ 'ec2.yaml': minimalRunbook('ec2-status-check-recovery'), 'broken.yaml': minimalRunbook('broken-one').replace('kind: shell', 'kind: shel') });
  const second = writeRunbooks({ 'other.yaml': minimalRunbook('ec2-status-check-recovery', 'tags: [second]\n'), 'elb.yaml': minimalRunbook('elb-504-triage') });
  const opts = { extra: [first, second], env: { XDG_CONFIG_HOME: tempDir() }, cwd: tempDir() };

  test('by id: the first along the search path wins', async () => {
    const loaded = await resolveRunbook('ec2-status-check-recovery', registry, opts);
    expect(loaded.file).toBe(join(first, 'ec2.yaml'));
    expect((await resolveRunbook('elb-504-triage', registry, opts)).runbook.id).toBe('elb-504-triage');
  });

  test('by path: loaded as is (relative to cwd)', async () => {
    const loaded = await resolveRunbook('other.yaml', registry, { ...opts, cwd: second });
    expect(loaded.runbook.tags).toEqual(['second']);
    expect((await resolveRunbook(join(second, 'elb.yaml'), registry, opts)).runbook.id).toBe('elb-504-triage');
  });

  test('an unknown id lists close ids and where it looked', async () => {
    const err = await resolveRunbook('elb-504-triag', registry, opts).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RunbookNotFoundError);
    expect((err as Error).message).toMatch(/^no runbook with id 'elb-504-triag' — did you mean 'elb-504-triage'\?\nlooked in: /);
    expect((err as Error).message).toContain(first);
  });

  test('an invalid runbook with that id says why, instead of "not found"', async () => {
    const err = await resolveRunbook('broken-one', registry, opts).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RunbookError);
    expect((err as RunbookError).issues[0]!.message).toContain("unknown step kind 'shel'");
  });
});

describe('loadCatalog', () => {
  test('valid runbooks, invalid ones with their issues, and ids hidden by an earlier directory', () => {
    const a = writeRunbooks({ 'x.yaml': minimalRunbook('x'), 'bad.yaml': 'id: [' });
    const b = writeRunbooks({ 'x.yaml': minimalRunbook('x'), 'y.yaml': minimalRunbook('y') });
    const c = loadCatalog(registry, { extra: [a, b], env: { XDG_CONFIG_HOME: tempDir() }, cwd: tempDir() });
    const mine = c.runbooks.filter((r) => r.file.startsWith(a) || r.file.startsWith(b));
    expect(mine.map((r) => r.file)).toEqual([join(a, 'x.yaml'), join(b, 'y.yaml')]);
    expect(c.invalid.filter((i) => i.file.startsWith(a)).map((i) => i.file)).toEqual([join(a, 'bad.yaml')]);
    expect(c.shadowed).toContainEqual({ file: join(b, 'x.yaml'), id: 'x', by: join(a, 'x.yaml') });
  });
});
