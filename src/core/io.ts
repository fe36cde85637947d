// What every command and driver gets from the CLI: streams, environment and working directory, so
// tests can call commands directly with captured streams. Neutral: commands, the TUI and plugins use it.
import { isAbsolute, relative } from 'node:path';

export interface CommandIO {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Install SIGINT/SIGTERM handlers (the real CLI does; tests don't). */
  handleSignals?: boolean;
}

export function isTTY(stream: NodeJS.WritableStream): boolean {
  return Boolean((stream as { isTTY?: boolean }).isTTY);
}

export const NEEDS_TERMINAL =
  "oncall: the interactive UI needs a terminal. For scripts and CI use 'oncall run <runbook> …' (see oncall --help).\n";

/** Interactive only when a person can answer: stdin and stdout are terminals, and this is not CI. */
export function isInteractive(stdin: { isTTY?: boolean }, stdout: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  return Boolean(stdin.isTTY && stdout.isTTY) && !env.CI;
}

/** A path relative to the working directory when it is below it, else as given. */
export function display(file: string, cwd: string): string {
  const rel = relative(cwd, file);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}
