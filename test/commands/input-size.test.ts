// What one input value may cost: a value over 131,072 characters (128 KiB) is refused at input time, a long
// one is quoted cut, and no line oncall prints on a terminal is longer than 4,096 characters.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { runCommand } from '../../src/commands/run.js';
import { say } from '../../src/commands/io.js';
import { inputValueProblem } from '../../src/runbook/inputs.js';
import { clip, LINE_CHARS, MAX_INPUT_CHARS, quoted } from '../../src/runbook/limits.js';
import { noteRunbook, tempDir } from '../helpers/cli.js';
import { capture } from '../runbook/helpers.js';

describe('input values', () => {
  test('a value over 131,072 characters is refused, exit 2, without being echoed or journaled', async () => {
    const state = tempDir();
    const io = capture();
    const code = await runCommand([noteRunbook(), '-i', `note=${'x'.repeat(1_048_576)}`, '--yes', '--state-dir', state], io);
    expect(code).toBe(2);
    expect(io.err()).toBe("input 'note': the value is 1,048,576 characters long; an input takes at most 131,072 (for more, pass a file path and read it in a step)\n");
    expect(existsSync(join(state, 'incidents')) ? readdirSync(join(state, 'incidents')) : []).toEqual([]);
  });

  test('a long value that fails its pattern is quoted cut, saying where', () => {
    const problem = inputValueProblem({ type: 'string', pattern: '^i-[0-9a-f]{8,17}$' }, 'y'.repeat(10_000));
    expect(problem).toBe(`'${'y'.repeat(64)}…' (10,000 characters, cut at 64) does not match the pattern ^i-[0-9a-f]{8,17}$`);
    expect(inputValueProblem({ type: 'string' }, 'z'.repeat(MAX_INPUT_CHARS))).toBeUndefined();
    // A secret is never cut: callers replace the whole value by its placeholder.
    expect(inputValueProblem({ type: 'string', secret: true, pattern: '^a$' }, 's'.repeat(100))).toBe(`'${'s'.repeat(100)}' does not match the pattern ^a$`);
  });

  test('progress and errors: no line on the terminal is longer than 4,096 characters, and each cut says so', async () => {
    const state = tempDir();
    const io = capture();
    const note = 'n'.repeat(60_000);
    const code = await runCommand([noteRunbook(), '-i', `note=${note}`, '--state-dir', state], io);
    expect(code).toBe(0);
    const lines = io.err().split('\n');
    expect(io.err().length).toBeLessThan(30_000);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(LINE_CHARS + 60);
    expect(io.err()).toMatch(/… \(60,0\d\d characters, cut at 4,096\)/);
    // The unknown-input error quotes the name it was given: cut too.
    const io2 = capture();
    expect(await runCommand([noteRunbook(), '-i', `${'k'.repeat(50_000)}=1`, '-i', 'note=x', '--state-dir', state], io2)).toBe(2);
    expect(io2.err().length).toBeLessThan(LINE_CHARS + 200);
    expect(io2.err()).toMatch(/cut at 4,096\)/);
  });

  test('clip, quoted and say', () => {
    expect(clip('abc', 5)).toBe('abc');
    expect(clip('a'.repeat(1_048_576), 4096)).toBe(`${'a'.repeat(4096)}… (1,048,576 characters, cut at 4,096)`);
    expect(clip(`${'a'.repeat(3)}😀`, 4)).toBe('aaa… (5 characters, cut at 4)'); // never half a surrogate pair
    expect(quoted('b'.repeat(70))).toBe(`'${'b'.repeat(64)}…' (70 characters, cut at 64)`);
    const io = capture();
    say(io, `short\n${'x'.repeat(5000)}\n`);
    expect(io.err()).toBe(`short\n${'x'.repeat(4096)}… (5,000 characters, cut at 4,096)\n`);
  });
});
