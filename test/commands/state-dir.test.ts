// --state-dir (and any directory oncall keeps files in) that cannot be made: refused at once,
// exit 2, saying why and what to do; never Node's recursive mkdir, which spins on /proc.
import { chmodSync, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { runCommand } from '../../src/commands/run.js';
import { makePrivateDir, makePrivateDirSync, StateDirError } from '../../src/paths.js';
import { noteRunbook, tempDir } from '../helpers/cli.js';
import { capture } from '../runbook/helpers.js';

describe('--state-dir that cannot be made', () => {
  const procOk = existsSync('/proc/self');

  test.skipIf(!procOk)('/proc/nope: refused at once, exit 2, with what to do (Node’s recursive mkdir spins there forever)', { timeout: 15_000 }, async () => {
    const io = capture();
    const t = performance.now();
    const code = await runCommand([noteRunbook(), '-i', 'note=x', '--yes', '--state-dir', '/proc/nope'], io);
    expect(performance.now() - t).toBeLessThan(5000);
    expect(code).toBe(2);
    expect(io.err()).toMatch(/^oncall: cannot create \/proc\/nope\/incidents\/inc-[^:]+: the file system does not take new directories there \(ENOENT, at \/proc\/nope\); choose a writable directory with --state-dir \(or \$ONCALL_STATE_DIR\)\n$/);
  });

  test('a file in the way, or a parent that is not writable, is named', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'file'), 'x');
    await expect(makePrivateDir(join(dir, 'file', 'a', 'b'))).rejects.toThrow(`${join(dir, 'file')} is a file, not a directory`);
    expect(() => makePrivateDirSync(join(dir, 'file', 'a'))).toThrow(StateDirError);
    if (process.getuid?.() !== 0) {
      mkdirSync(join(dir, 'ro'), { mode: 0o500 });
      await expect(makePrivateDir(join(dir, 'ro', 'x'))).rejects.toThrow(`${join(dir, 'ro')} is not writable by this user`);
      chmodSync(join(dir, 'ro'), 0o700);
    }
  });

  test('what can be made is made, 0700 at each level, and made only once', async () => {
    const dir = tempDir();
    const target = join(dir, 'a', 'b', 'c');
    expect(await makePrivateDir(target)).toEqual([join(dir, 'a'), join(dir, 'a', 'b'), target]);
    expect(statSync(join(dir, 'a', 'b')).mode & 0o777).toBe(0o700);
    expect(await makePrivateDir(target)).toEqual([]);
    expect(makePrivateDirSync(join(target, 'd'))).toEqual([join(target, 'd')]);
  });
});
