// `shell`: run a program with an argument array. Never a shell string: values reach the
// process as inert arguments, whatever they contain.
import { z } from 'zod';
import { defineKind } from '../core/kind.js';
import { BoundedText } from '../core/bounded.js';
import { StepFailure } from '../core/failure.js';

const OUTPUT_LIMIT = 64 * 1024;

const params = z
  .object({
    argv: z
      .array(z.union([z.string(), z.number(), z.boolean()]).transform(String))
      .min(1)
      .describe('The program and its arguments, one element each'),
    cwd: z.string().optional(),
    env: z.record(z.string(), z.string()).optional().describe('Added to the inherited environment'),
    stdin: z.string().optional().describe('Text written to the program on standard input'),
    effect: z.enum(['read', 'write']).default('write').describe("Declare 'read' for a command that changes nothing"),
    ok_exit_codes: z.array(z.number().int()).default([0]),
  })
  .strict();

export type ShellParams = z.infer<typeof params>;

export const shell = defineKind({
  name: 'shell',
  effect: (p) => p.effect,
  params,
  describe: (p) => ({ summary: `run ${p.argv.map(quoteForDisplay).join(' ')}`, argv: p.argv }),
  async run(p, ctx) {
    const stdout = new BoundedText(OUTPUT_LIMIT);
    const stderr = new BoundedText(OUTPUT_LIMIT);
    const started = ctx.clock.now();
    const [file, ...args] = p.argv as [string, ...string[]];
    const res = await ctx.providers.exec({
      file,
      args,
      cwd: p.cwd,
      env: p.env,
      input: p.stdin,
      signal: ctx.signal,
      onStart: (proc) => ctx.spawned?.(proc),
      onLine: (line, stream) => {
        (stream === 'stdout' ? stdout : stderr).push(line);
        ctx.log(line, stream);
      },
    });
    const duration_ms = Math.round(ctx.clock.now() - started);
    if (res.canceled) throw ctx.signal.reason ?? new Error('aborted');
    if (res.exitCode === undefined && !res.signal) {
      throw new StepFailure(res.notFound ? `command not found: ${file} (is it installed and on PATH?)` : `could not run ${file}: ${res.startError ?? 'unknown error'}`);
    }
    const out = stdout.text;
    const result: Record<string, unknown> = {
      exit_code: res.exitCode ?? null,
      stdout: out,
      stderr: stderr.text,
      duration_ms,
    };
    const json = tryJson(out);
    if (json !== undefined) result.json = json;
    if (!p.ok_exit_codes.includes(res.exitCode ?? -1)) {
      const why = res.signal ? `was killed by ${res.signal}` : `exited with code ${res.exitCode}`;
      throw new StepFailure(`${file} ${why}`, result);
    }
    return { result, summary: `exit ${res.exitCode} in ${duration_ms} ms` };
  },
});

function tryJson(text: string): unknown {
  const t = text.trim();
  if (!t || (t[0] !== '{' && t[0] !== '[') || t.length > 1_000_000) return undefined;
  try {
    return JSON.parse(t);
  } catch {
    return undefined;
  }
}

/** Shows an argument the way a person would type it; for display only, never executed. */
export function quoteForDisplay(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}
