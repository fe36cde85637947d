// Argument parsing and usage errors shared by the commands, and the flags that name the live world.
import type { CommandIO } from '../core/io.js';
import { resolveLiveWorld, type LiveWorld } from '../providers/world.js';
import { parseArgs } from 'node:util';
import { clipLines } from '../runbook/limits.js';
import { visible } from '../core/terminal-text.js';
import type { ParseArgsConfig } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * Strict argument parsing; a mistake becomes "oncall <cmd>: <what> / usage: …" on stderr and
 * undefined (the caller exits 2), never a stack trace.
 */
export function parseCommandArgs(
  args: string[],
  options: Options,
  io: CommandIO,
  usage: string,
): { values: Record<string, string | boolean | string[] | boolean[] | undefined>; positionals: string[] } | undefined {
  try {
    const { values, positionals } = parseArgs({ args, options, allowPositionals: true, strict: true });
    return { values: values as Record<string, string | boolean | string[] | boolean[] | undefined>, positionals };
  } catch (err) {
    usageError(io, (err as Error).message.replace(/\. To specify a positional argument starting with a '-'.*$/s, ''), usage);
    return undefined;
  }
}

/**
 * Writes text for people to stderr, each line at most LINE_CHARS characters: a 1 MB value in a
 * progress line or an error is cut, saying where ("… 1,048,576 characters, cut at 4,096").
 * What the text quotes (a step's output, an input, an error) may carry escape sequences: they are
 * shown, never obeyed (core/terminal-text.ts). Machine output (--json on stdout) is never cut, and
 * JSON escapes control characters itself.
 */
export function say(io: CommandIO, text: string): void {
  io.stderr.write(clipLines(visible(text)));
}

/** A usage mistake: what was wrong and how the command is called, on stderr; returns exit code 2. */
export function usageError(io: CommandIO, message: string, usage?: string): 2 {
  say(io, `oncall: ${message}\n${usage ? `usage: ${usage}\n` : ''}`);
  return 2;
}

/** The flags that say which live world a command acts on, named as the AWS CLI and kubectl name them. */
export const LIVE_WORLD_FLAGS = {
  profile: { type: 'string' },
  region: { type: 'string' },
  context: { type: 'string' },
  kubeconfig: { type: 'string' },
} as const;

/** Where the run acts, from LIVE_WORLD_FLAGS and the environment (providers/world.ts); an empty value counts as not given. */
export function liveWorld(values: Record<string, unknown>, env: NodeJS.ProcessEnv): LiveWorld {
  const str = (k: keyof typeof LIVE_WORLD_FLAGS) => (typeof values[k] === 'string' ? values[k] : undefined);
  // $ONCALL_CONTEXT (also set from the config file's `context`) stands in for --context.
  return resolveLiveWorld({ profile: str('profile'), region: str('region'), context: str('context') ?? env.ONCALL_CONTEXT, kubeconfig: str('kubeconfig') }, env);
}

/** Aligned columns under a header for people; bare tab-separated rows for pipes. */
export function formatTable(header: string[], rows: string[][], tty: boolean): string {
  // One line per row whatever the data held, and no cell longer than a line: escape sequences are
  // shown, not obeyed, tabs and newlines become spaces, and a cell is cut at LINE_CHARS (saying so).
  const clean = rows.map((r) => r.map((c) => clipLines(visible(c).replace(/[\t\n]+/g, ' '))));
  if (!tty) return clean.map((r) => r.join('\t')).join('\n') + '\n';
  const widths = header.map((h, i) => Math.max(h.length, ...clean.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(header), ...clean.map(line)].join('\n') + '\n';
}
