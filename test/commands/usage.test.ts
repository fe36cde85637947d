// Every command reports a usage mistake the same way: "oncall: <what>" and "usage: …" on stderr,
// nothing on stdout, exit 2, and never a stack trace. (The TUI's own flags: test/tui/launch.test.ts.)
import { describe, expect, it } from 'vitest';
import { drillCommand } from '../../src/commands/drill.js';
import { exportCommand } from '../../src/commands/export.js';
import { incidentsCommand, verifyCommand } from '../../src/commands/incidents.js';
import { listCommand } from '../../src/commands/list.js';
import { pluginsCommand } from '../../src/commands/plugins.js';
import { resumeCommand, runCommand } from '../../src/commands/run.js';
import { schemaCommand } from '../../src/commands/schema.js';
import { capture } from '../runbook/helpers.js';

type Command = (args: string[], io: ReturnType<typeof capture>) => Promise<number>;

const cases: [string, Command, string[], RegExp][] = [
  ['run, unknown flag', runCommand, ['example', '--yse'], /^oncall: Unknown option '--yse'\nusage: oncall run /],
  ['run, no runbook', runCommand, [], /^oncall: name exactly one runbook .*\nusage: oncall run /],
  ['run, bad severity', runCommand, ['example', '--severity', 'P1'], /^oncall: --severity takes SEV0 … SEV5\n$/],
  ['resume, no incident', resumeCommand, [], /^oncall: name the incident to resume/],
  ['incidents, stray argument', incidentsCommand, ['all'], /^oncall: unexpected argument 'all'\nusage: oncall incidents /],
  ['verify, two incidents', verifyCommand, ['a', 'b'], /^oncall: name one incident\nusage: oncall verify /],
  ['verify, a path for an id', verifyCommand, ['../etc'], /^oncall: .*\nusage: oncall verify /],
  ['list, stray argument', listCommand, ['all'], /^oncall: unexpected argument 'all'\nusage: oncall list/],
  ['plugins, stray argument', pluginsCommand, ['x'], /^oncall: unexpected argument 'x'\nusage: oncall plugins/],
  ['drill, two scenarios', drillCommand, ['a', 'b'], /^oncall: name one scenario\nusage: oncall drill/],
  ['schema, both modes', schemaCommand, ['--write', '--check'], /^oncall: choose one of --write and --check\nusage: oncall schema/],
  ['export, unknown flag', exportCommand, ['--fromat', 'html'], /^oncall: Unknown option '--fromat'\nusage: oncall export/],
];

describe('usage mistakes', () => {
  it.each(cases)('%s', async (_name, command, args, expected) => {
    const io = capture();
    expect(await command(args, io)).toBe(2);
    expect(io.err()).toMatch(expected);
    expect(io.err()).not.toMatch(/\n\s+at |node:internal/);
    expect(io.out()).toBe('');
  });
});
