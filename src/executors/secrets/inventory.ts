// `secrets.env.inventory`: what is in the .env files, without a single value. Per file: path,
// mode, owner, mtime, a keyed fingerprint, whether git tracks it or ever did. Per key: its class
// (secret or plain config) and why, where it is, and what about it a human should look at
// (duplicates, export, inline '#', quotes, multiline, empty, unterminated quotes, ignored lines).
import { basename, dirname } from 'node:path';
import { z } from 'zod';
import type { StepContext } from '../../core/step.js';
import { defineKind } from '../../core/kind.js';
import { fingerprint, fingerprintKeyId } from './crypto.js';
import type { LineFact } from './envfile.js';
import { fileList, loadMigration, resolveEnvPath, sourceSchema, targetSchema, type Migration } from './model.js';
import { fitResult, listText, logTable, plural, TABLE_ROWS } from './report.js';

const params = z
  .object({
    source: sourceSchema,
    target: targetSchema.optional().describe('Where the secrets will go (their names and tags are public, which decides what is redacted)'),
    git: z.boolean().default(true).describe('Ask git whether it tracks the files or ever did (a committed .env means the values are exposed)'),
  })
  .strict();

export type InventoryParams = z.infer<typeof params>;

const COUNTED: Record<string, LineFact['code'][]> = {
  duplicates: ['duplicate', 'duplicate-same'],
  exported: ['export'],
  inline_hash: ['hash-truncated', 'hash-empties'],
  multiline: ['multiline'],
  empty: ['empty', 'hash-empties'],
  unterminated_quotes: ['unterminated-quote', 'text-after-quote', 'swallowed-lines'],
  ignored_lines: ['ignored-line'],
};

export const inventory = defineKind({
  name: 'secrets.env.inventory',
  effect: 'read',
  params,
  describe: (p) => ({ summary: `inventory (key names and classes only) of ${fileList(p.source.files).join(', ')}`, resources: fileList(p.source.files) }),
  async run(p, ctx) {
    const m = await loadMigration(ctx, p.source, { ...(p.target ? { target: p.target } : {}), plan: false });
    const files = await Promise.all(m.files.map((f) => fileFacts(ctx, m, f, p.git)));

    logTable(
      ctx,
      ['FILE', 'MODE', 'LINES', 'KEYS', 'FINGERPRINT', 'GIT'],
      files.map((f) => [f.path, f.mode, String(f.lines), String(f.keys), f.fingerprint, gitText(f)]),
    );
    ctx.log('');
    logTable(
      ctx,
      ['KEY', 'CLASS', 'WHERE', 'WHY'],
      m.entries.map((e) => [e.key, e.class, `${basename(e.file)}:${e.line}`, e.reasons.join('; ')]),
      { what: 'keys' },
    );
    const attention = m.facts.filter((f) => f.severity !== 'info');
    if (attention.length) {
      ctx.log('');
      ctx.log(`${plural(attention.length, 'thing')} to look at:`);
      for (const f of attention.slice(0, TABLE_ROWS)) ctx.log(`${f.severity === 'human' ? '!' : '-'} ${basename(f.file)}:${f.line}: ${f.message}`);
      if (attention.length > TABLE_ROWS) ctx.log(`… and ${attention.length - TABLE_ROWS} more (all are counted in the result)`);
    }
    for (const o of m.unusedOverrides) ctx.log(`- reclassify names ${o}, which no file defines`);

    const count = (codes: LineFact['code'][]) => new Set(m.facts.filter((f) => codes.includes(f.code)).map((f) => `${f.file}:${f.key ?? f.line}`)).size;
    const secret = m.entries.filter((e) => e.class === 'secret').map((e) => e.key);
    const plain = m.entries.filter((e) => e.class === 'plain').map((e) => e.key);
    const needsHuman = m.facts.filter((f) => f.severity === 'human').length;
    const exposed = files.filter((f) => f.git_tracked === true || f.git_history === true).map((f) => f.path);
    const result = fitResult(
      {
        keys_total: m.entries.length,
        secret_count: secret.length,
        plain_count: plain.length,
        needs_human: needsHuman,
        warnings: m.facts.filter((f) => f.severity === 'warning').length,
        ...Object.fromEntries(Object.entries(COUNTED).map(([k, codes]) => [k, count(codes)])),
        exposed_in_git: exposed.length > 0,
        fingerprint_key_id: fingerprintKeyId(),
        files,
        secret,
        plain,
        attention: attention.map((f) => `${basename(f.file)}:${f.line}: ${f.message}`),
        keys: m.entries.map((e) => ({ key: e.key, class: e.class, why: e.reasons.join('; '), at: `${basename(e.file)}:${e.line}` })),
        unused_reclassify: m.unusedOverrides,
      },
      ['keys', 'attention', 'plain', 'secret', 'files'],
    );
    const summary =
      `${plural(m.entries.length, 'key')} in ${plural(files.length, 'file')}: ${secret.length} secret, ${plain.length} plain config` +
      (needsHuman ? `; ${plural(needsHuman, 'finding')} for a human` : '') +
      (exposed.length ? `; git has ${listText(exposed)}: treat its values as exposed` : '');
    return { result, summary };
  },
});

interface FileFacts {
  path: string;
  mode: string;
  owner_uid: number;
  modified: string;
  lines: number;
  keys: number;
  fingerprint: string;
  readable_by_others: boolean;
  git_tracked: boolean | null;
  git_history: boolean | null;
}

async function fileFacts(ctx: StepContext, m: Migration, f: Migration['files'][number], git: boolean): Promise<FileFacts> {
  const others = (f.mode & 0o077) !== 0;
  if (others) {
    m.facts.push({ file: f.path, line: 1, code: 'file-mode', severity: 'warning', message: `${f.path} is readable by group or others (mode ${octal(f.mode)}); the backup oncall makes is 0600` });
  }
  const g = git && ctx.mode === 'live' ? await gitFacts(ctx, resolveEnvPath(f.path, ctx.mode)) : { tracked: null, history: null };
  if (g.tracked || g.history) {
    m.facts.push({
      file: f.path,
      line: 1,
      code: 'git-exposed',
      severity: 'human',
      message: `${f.path} ${g.tracked ? 'is tracked by git' : 'was committed to git in the past'}: its values are exposed; rotate them after the migration, and remove the file from the history`,
    });
  }
  return {
    path: f.path,
    mode: octal(f.mode),
    owner_uid: f.uid,
    modified: f.mtime.toISOString(),
    lines: f.lines,
    keys: Object.keys(f.parsed).length,
    fingerprint: fingerprint(f.bytes),
    readable_by_others: others,
    git_tracked: g.tracked,
    git_history: g.history,
  };
}

/** A file mode as an operator writes it: 0600. */
export function octal(mode: number): string {
  return `0${(mode & 0o777).toString(8).padStart(3, '0')}`;
}

function gitText(f: FileFacts): string {
  if (f.git_tracked === null) return 'not checked';
  if (f.git_tracked) return 'TRACKED';
  return f.git_history ? 'IN HISTORY' : 'not tracked';
}

/** `git ls-files --error-unmatch` and `git log --all` on the file: paths only, never values. */
async function gitFacts(ctx: StepContext, resolved: string): Promise<{ tracked: boolean | null; history: boolean | null }> {
  const run = async (args: string[]) => {
    let out = 0;
    const r = await ctx.providers.exec({ file: 'git', args: ['-C', dirname(resolved), ...args], signal: ctx.signal, onLine: (_l, s) => void (s === 'stdout' && out++) });
    return { code: r.exitCode, lines: out, missing: r.notFound === true };
  };
  try {
    const ls = await run(['ls-files', '--error-unmatch', '--', basename(resolved)]);
    if (ls.missing || ls.code === undefined || ls.code > 1) return { tracked: null, history: null }; // no git, or not a work tree
    const log = await run(['log', '--all', '--format=%H', '-n', '1', '--', basename(resolved)]);
    return { tracked: ls.code === 0, history: log.code === 0 ? log.lines > 0 : null };
  } catch {
    return { tracked: null, history: null };
  }
}
