// Node-local file operations for runbooks that change a host (static pod manifests, data
// directories), done with the host's own tools (test, mv, mkdir, ls) through ctx.providers.exec:
// an argument array each, never a shell string, so a drill's world can answer them and a live run
// leaves the same trail a person at the console would. `runProcess` is the helper the etcd kinds use too.
import { z } from 'zod';
import type { StepContext } from '../core/step.js';
import { defineKind } from '../core/kind.js';
import { BoundedText } from '../core/bounded.js';
import { StepFailure } from '../core/failure.js';
import { quoteForDisplay } from './shell.js';

// ── running a process ────────────────────────────────────────────────────────────────────────

export interface ProcResult {
  argv: string[];
  exitCode: number | null;
  signal?: string;
  stdout: string;
  stderr: string;
}

export interface ProcOptions {
  input?: string;
  /** Write each stdout line to the step's output (default: no; the kind reports what matters). */
  logStdout?: boolean;
  /** Write each stderr line to the step's output (default: yes: warnings belong in the journal). */
  logStderr?: boolean;
  /** Hint shown when the program is missing, e.g. "set the etcdutl input to its path". */
  missingHint?: string;
  /** Do not log the command line itself (used for many small checks). */
  quiet?: boolean;
}

const STDOUT_LIMIT = 4 * 1024 * 1024;
const STDERR_LIMIT = 64 * 1024;

/**
 * Runs one program and collects its output. A non-zero exit is returned, not thrown: the caller
 * says what it means. A missing program, a signal or an abort are thrown as errors for people.
 */
export async function runProcess(ctx: StepContext, argv: string[], opts: ProcOptions = {}): Promise<ProcResult> {
  const [file, ...args] = argv as [string, ...string[]];
  const out: string[] = [];
  let outSize = 0;
  const err = new BoundedText(STDERR_LIMIT);
  if (!opts.quiet) ctx.log(`$ ${argv.map(quoteForDisplay).join(' ')}`, 'log');
  const res = await ctx.providers.exec({
    file,
    args,
    input: opts.input,
    signal: ctx.signal,
    onLine: (line, stream) => {
      if (stream === 'stdout') {
        outSize += line.length + 1;
        if (outSize <= STDOUT_LIMIT) out.push(line);
        if (opts.logStdout) ctx.log(line, 'stdout');
      } else {
        err.push(line);
        if (opts.logStderr !== false) ctx.log(condenseLogLine(line), 'stderr');
      }
    },
  });
  if (res.canceled) throw ctx.signal.reason ?? new Error('aborted');
  if (res.exitCode === undefined && !res.signal) {
    if (res.notFound) throw new StepFailure(`command not found: ${file}${opts.missingHint ? ` (${opts.missingHint})` : ' (is it installed and on PATH?)'}`);
    throw new StepFailure(`could not run ${file}: ${res.startError ?? 'unknown error'}`);
  }
  if (outSize > STDOUT_LIMIT) throw new StepFailure(`${file} printed more than ${STDOUT_LIMIT} bytes; refusing to read it`);
  return { argv, exitCode: res.exitCode ?? null, signal: res.signal, stdout: out.join('\n'), stderr: err.text };
}

/**
 * etcd's tools log structured JSON on stderr; the journal gets one readable line per entry:
 * level, message, and the fields that say what and where (never values: etcd logs none).
 */
export function condenseLogLine(line: string): string {
  if (!line.startsWith('{"level"')) return line;
  try {
    const j = JSON.parse(line) as Record<string, unknown>;
    const skip = new Set(['level', 'ts', 'caller', 'msg', 'logger']);
    const fields = Object.entries(j)
      .filter(([k]) => !skip.has(k))
      .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
      .join(' ');
    const text = `${String(j.level)}: ${String(j.msg ?? '')}${fields ? ` (${fields})` : ''}`;
    return text.length > 300 ? `${text.slice(0, 299)}…` : text;
  } catch {
    return line;
  }
}

/** Like runProcess, but a non-zero exit is a failure with the program's last words. */
export async function mustRun(ctx: StepContext, argv: string[], what: string, opts: ProcOptions = {}): Promise<ProcResult> {
  const r = await runProcess(ctx, argv, opts);
  if (r.exitCode !== 0) throw new StepFailure(`${what} failed: ${whyFailed(r)}`);
  return r;
}

/** The exit status and the last meaningful line of stderr, for an error message. */
export function whyFailed(r: ProcResult): string {
  const status = r.signal ? `killed by ${r.signal}` : `exit ${r.exitCode}`;
  const last = lastErrorLine(r.stderr);
  return last ? `${last} (${status})` : `${r.argv[0]} ${status}`;
}

/** The last stderr line worth showing: plain `Error: …` lines win over structured log lines. */
export function lastErrorLine(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  const plain = lines.filter((l) => !l.startsWith('{'));
  const pick = plain.at(-1) ?? lines.at(-1) ?? '';
  if (pick.startsWith('{')) {
    try {
      const j = JSON.parse(pick) as { msg?: string; error?: string };
      return [j.msg, j.error].filter(Boolean).join(': ');
    } catch {
      return pick;
    }
  }
  return pick.length > 400 ? `${pick.slice(0, 399)}…` : pick;
}

/** `test -e path`: true when it exists. */
export async function pathExists(ctx: StepContext, path: string): Promise<boolean> {
  const r = await runProcess(ctx, ['test', '-e', path], { quiet: true, logStderr: false });
  if (r.exitCode === 0) return true;
  if (r.exitCode === 1) return false;
  throw new StepFailure(`could not check whether ${path} exists: ${whyFailed(r)}`);
}

// ── parameter shapes shared with the etcd kinds ─────────────────────────────────────────────

/** Absolute, normalised, and free of characters that have no business in a host path. */
export const ABS_PATH_RE = /^\/[\w@%+=:./-]*$/;
export const absPath = z
  .string()
  .regex(ABS_PATH_RE, { message: 'must be an absolute path of letters, digits and ._-/@%+=: (no spaces, commas or quotes)' })
  .refine((p) => !p.includes('//') && !/(^|\/)\.\.?(\/|$)/.test(p), { message: 'must be a plain absolute path (no . or .. parts, no //)' })
  .transform((p) => (p.length > 1 ? p.replace(/\/$/, '') : p));

/** A comma-separated string or a list, as runbook inputs give lists. */
/** A list given as a list or as comma-separated text: trimmed, empty entries dropped. */
export function splitList(v: string | string[]): string[] {
  return (Array.isArray(v) ? v : v.split(','))
    .map((s) => s.trim())
    .filter(Boolean);
}

export function listOf(item: z.ZodType<string, string>, min = 0) {
  return z
    .union([z.string(), z.array(z.string())])
    .transform(splitList)
    .pipe(z.array(item).min(min, { message: min === 1 ? 'must name at least one' : `must name at least ${min}` }));
}

const FILE_NAME = z.string().regex(/^[\w@%+=:.-]+$/, { message: 'must be a plain file name (no /)' }).refine((n) => n !== '.' && n !== '..', { message: 'must be a file name' });

/** `a` is `b` or lies inside it. */
export function isWithin(a: string, b: string): boolean {
  return a === b || a.startsWith(b === '/' ? '/' : `${b}/`);
}

// ── files.move ───────────────────────────────────────────────────────────────────────────────

const moveParams = z
  .object({
    from: absPath.describe('The directory the files are in now'),
    to: absPath.describe('The directory to move them to (created, mode 0700, when missing)'),
    files: listOf(FILE_NAME, 1).describe('File names (no paths), a list or comma-separated'),
    missing_ok: z.boolean().default(false).describe('A file that is in neither directory is reported, not an error'),
    watched: absPath.optional().describe("A directory kubelet loads every non-hidden file of (the static pod manifests): refuse when it holds a second copy of a moved file, such as etcd.yaml.bak"),
  })
  .strict()
  .superRefine((p, c) => {
    if (isWithin(p.to, p.from) || isWithin(p.from, p.to)) {
      c.addIssue({ code: 'custom', path: ['to'], message: `'${p.to}' and '${p.from}' must be separate directories, neither inside the other (a copy left inside a manifests directory runs as a second pod)` });
    }
  });

export type MoveParams = z.infer<typeof moveParams>;

export const filesMove = defineKind({
  name: 'files.move',
  effect: 'write',
  params: moveParams,
  describe: (p) => ({
    summary: `move ${p.files.join(', ')} from ${p.from} to ${p.to}`,
    argv: ['mv', '-n', '--', `${p.from}/${p.files[0]}`, `${p.to}/${p.files[0]}`],
    resources: p.files.map((f) => `${p.from}/${f}`),
  }),
  async run(p, ctx) {
    const plan: { file: string; action: 'move' | 'already' | 'missing' }[] = [];
    // Look before touching anything: every file is checked first, so a problem with the third
    // one does not leave the first two moved.
    for (const f of p.files) {
      const src = `${p.from}/${f}`;
      const dst = `${p.to}/${f}`;
      const [inSrc, inDst] = [await pathExists(ctx, src), await pathExists(ctx, dst)];
      if (inSrc && inDst) throw new StepFailure(`both ${src} and ${dst} exist; the runbook never overwrites a manifest. Compare them, keep one outside ${p.from}, and run the step again`);
      if (inSrc) plan.push({ file: f, action: 'move' });
      else if (inDst) plan.push({ file: f, action: 'already' });
      else if (p.missing_ok) plan.push({ file: f, action: 'missing' });
      else throw new StepFailure(`${f} is in neither ${p.from} nor ${p.to}; check the file name (inputs) and where it was moved by hand`);
    }
    if (p.watched) await refuseSecondCopies(ctx, p.watched, p.files);
    if (plan.some((x) => x.action === 'move')) await mustRun(ctx, ['mkdir', '-p', '-m', '0700', '--', p.to], `creating ${p.to}`);
    for (const x of plan) {
      if (x.action !== 'move') {
        ctx.log(x.action === 'already' ? `${x.file} is already in ${p.to}` : `${x.file} is in neither directory (not present on this node)`, 'log');
        continue;
      }
      const src = `${p.from}/${x.file}`;
      const dst = `${p.to}/${x.file}`;
      await mustRun(ctx, ['mv', '-n', '--', src, dst], `moving ${src}`);
      if ((await pathExists(ctx, src)) || !(await pathExists(ctx, dst))) {
        throw new StepFailure(`mv reported success but ${src} was not moved to ${dst} (another process raced it?); check both directories`);
      }
    }
    const pick = (a: string) => plan.filter((x) => x.action === a).map((x) => x.file);
    const moved = pick('move');
    const result = { from: p.from, to: p.to, moved, already: pick('already'), missing: pick('missing') };
    const parts = [moved.length ? `moved ${moved.join(', ')} to ${p.to}` : 'nothing to move'];
    if (result.already.length) parts.push(`already there: ${result.already.join(', ')}`);
    if (result.missing.length) parts.push(`not on this node: ${result.missing.join(', ')}`);
    return { result, summary: parts.join('; ') };
  },
});

/**
 * kubelet runs every non-hidden file in its manifests directory as a pod. A copy such as
 * etcd.yaml.bak or etcd-old.yaml beside etcd.yaml would keep a second etcd running after the
 * real one is moved out (or start one when it comes back).
 */
async function refuseSecondCopies(ctx: StepContext, dir: string, files: string[]): Promise<void> {
  const r = await runProcess(ctx, ['ls', '-A', '-1', '--', dir], { quiet: true });
  if (r.exitCode !== 0) {
    if (!(await pathExists(ctx, dir))) return;
    throw new StepFailure(`cannot list ${dir}: ${whyFailed(r)}`);
  }
  const names = new Set(files);
  const stems = files.map((f) => f.replace(/\.ya?ml$/, ''));
  const copies = r.stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((n) => n && !n.startsWith('.') && !names.has(n) && stems.some((s) => n.startsWith(s)));
  if (copies.length) {
    throw new StepFailure(
      `${dir} holds ${copies.join(', ')} beside ${files.join(', ')}: kubelet runs every non-hidden file there as a pod, so a copy would run a second one. ` +
        `Move ${copies.length > 1 ? 'them' : 'it'} out of ${dir} (not to another name inside it) and run the step again`,
    );
  }
}

// ── files.exist ──────────────────────────────────────────────────────────────────────────────

const existParams = z
  .object({
    paths: listOf(absPath, 1).describe('Absolute paths, a list or comma-separated'),
  })
  .strict();

export type ExistParams = z.infer<typeof existParams>;

export const filesExist = defineKind({
  name: 'files.exist',
  effect: 'read',
  params: existParams,
  describe: (p) => ({ summary: `check that ${p.paths.join(', ')} exist`, argv: ['test', '-e', p.paths[0]!] }),
  async run(p, ctx) {
    const exists: Record<string, boolean> = {};
    for (const path of p.paths) exists[path] = await pathExists(ctx, path);
    const present = p.paths.filter((x) => exists[x]);
    const absent = p.paths.filter((x) => !exists[x]);
    return {
      result: { exists, present, absent, all: absent.length === 0, none: present.length === 0 },
      summary: absent.length === 0 ? `all ${present.length} exist` : `${absent.length} of ${p.paths.length} missing: ${absent.join(', ')}`,
    };
  },
});

export const FILE_KINDS = [filesMove, filesExist];
