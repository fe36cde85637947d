// The .env files themselves, at the end of the migration, done in-process (no child process
// ever sees a path's contents, and none sees a value):
//   secrets.env.backup  copies each file beside itself as <file>.oncall-backup-<incident>, mode
//                       0600, created exclusively and fsync'ed ("training wheels" for a deploy cycle)
//   secrets.env.remove  destructive: overwrites the file with zeros and unlinks it, only when its
//                       backup exists and holds the same bytes (compared by keyed digest)
//   secrets.env.check   reads where things stand (the verify read of both, on a resume)
// In a drill the files are the scenario's fixtures: backup and remove check everything they would
// and say what they would do, but change nothing on disk.
import { constants } from 'node:fs';
import { open, readFile, stat, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import type { StepContext } from '../../core/step.js';
import { defineKind } from '../../core/kind.js';
import { StepFailure } from '../../core/failure.js';
import { sameValue } from './crypto.js';
import { octal } from './inventory.js';
import { backupPath, fileList, resolveEnvPath } from './model.js';
import { fitResult, plural } from './report.js';

const filesParam = z
  .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
  .describe('The .env file(s): a path, a comma-separated list, or a list');

async function bytesOf(path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new StepFailure(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
}

async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, constants.O_RDONLY).catch(() => undefined);
  if (!fh) return;
  await fh.sync().catch(() => undefined);
  await fh.close();
}

interface FileState {
  file: string;
  backup: string;
  exists: boolean;
  mode: string | null;
  backup_exists: boolean;
  backup_mode: string | null;
  backup_matches: boolean | null;
}

async function stateOf(ctx: StepContext, file: string): Promise<FileState> {
  const resolved = resolveEnvPath(file, ctx.mode);
  const backup = backupPath(resolved, ctx.incidentId);
  const [a, b] = await Promise.all([bytesOf(resolved), bytesOf(backup)]);
  const mode = async (p: string) => octal((await stat(p)).mode);
  return {
    file,
    backup,
    exists: a !== undefined,
    mode: a ? await mode(resolved) : null,
    backup_exists: b !== undefined,
    backup_mode: b ? await mode(backup) : null,
    backup_matches: a && b ? sameValue(a, b) : null,
  };
}

export const backup = defineKind({
  name: 'secrets.env.backup',
  effect: 'write',
  params: z.object({ files: filesParam }).strict(),
  describe: (p) => ({
    summary: `copy ${fileList(p.files).join(', ')} to <file>.oncall-backup-<incident> (mode 0600) before anything is removed`,
    resources: fileList(p.files),
  }),
  async run(p, ctx) {
    const out: { file: string; backup: string; action: 'created' | 'exists' | 'simulated' }[] = [];
    for (const file of fileList(p.files)) {
      const resolved = resolveEnvPath(file, ctx.mode);
      const target = backupPath(resolved, ctx.incidentId);
      const bytes = await bytesOf(resolved);
      if (!bytes) throw new StepFailure(`${file} does not exist; there is nothing to back up`);
      if (ctx.mode === 'drill') {
        ctx.log(`drill: would copy ${file} to ${target} (mode 0600); the scenario's files stay as they are`);
        out.push({ file, backup: target, action: 'simulated' });
        continue;
      }
      const existing = await bytesOf(target);
      if (existing) {
        if (!sameValue(existing, bytes)) throw new StepFailure(`${target} already exists and differs from ${file}; move it away and run the step again`);
        ctx.log(`${target} already holds the same bytes`);
        out.push({ file, backup: target, action: 'exists' });
        continue;
      }
      const fh = await open(target, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
      try {
        await fh.chmod(0o600); // whatever the umask
        await fh.writeFile(bytes);
        await fh.sync();
      } finally {
        await fh.close();
      }
      await syncDir(dirname(target));
      ctx.log(`copied ${file} to ${target} (0600)`);
      out.push({ file, backup: target, action: 'created' });
    }
    return {
      result: fitResult({ all_backed_up: true, simulated: ctx.mode === 'drill', backups: out }, ['backups']),
      summary: ctx.mode === 'drill' ? `drill: ${plural(out.length, 'backup')} checked, none written` : `${plural(out.length, 'file')} backed up (0600) beside the original`,
    };
  },
});

export const remove = defineKind({
  name: 'secrets.env.remove',
  effect: 'write',
  params: z.object({ files: filesParam }).strict(),
  destructive: () => true,
  describe: (p) => ({
    summary: `overwrite and delete ${fileList(p.files).join(', ')} (its 0600 backup from this incident stays)`,
    resources: [fileList(p.files).join(',')],
  }),
  async run(p, ctx) {
    const out: { file: string; backup: string; action: 'removed' | 'already-removed' | 'simulated' }[] = [];
    for (const file of fileList(p.files)) {
      const s = await stateOf(ctx, file);
      if (!s.exists) {
        if (!s.backup_exists) throw new StepFailure(`${file} does not exist, and this incident has no backup of it`);
        ctx.log(`${file} is already gone; its backup ${s.backup} is kept`);
        out.push({ file, backup: s.backup, action: 'already-removed' });
        continue;
      }
      if (ctx.mode === 'drill') {
        ctx.log(`drill: would overwrite and delete ${file} once its backup ${s.backup} matched; the scenario's files stay as they are`);
        out.push({ file, backup: s.backup, action: 'simulated' });
        continue;
      }
      if (!s.backup_exists) throw new StepFailure(`${file} has no backup from this incident (${s.backup}); run the backup step first`);
      if (!s.backup_matches) throw new StepFailure(`${file} changed since it was backed up (${s.backup} differs); back it up again before removing it`);
      const resolved = resolveEnvPath(file, ctx.mode);
      const size = (await stat(resolved)).size;
      // Best effort: on journaling or copy-on-write file systems, and on SSDs, old blocks may survive.
      const fh = await open(resolved, constants.O_WRONLY);
      try {
        await fh.write(Buffer.alloc(size), 0, size, 0);
        await fh.sync();
      } finally {
        await fh.close();
      }
      await unlink(resolved);
      await syncDir(dirname(resolved));
      ctx.log(`overwrote and deleted ${file}; the backup ${s.backup} (0600) remains until you delete it after a deploy cycle`);
      out.push({ file, backup: s.backup, action: 'removed' });
    }
    return {
      result: fitResult({ all_removed: true, simulated: ctx.mode === 'drill', removed: out }, ['removed']),
      summary: ctx.mode === 'drill' ? `drill: ${plural(out.length, 'removal')} checked, nothing deleted` : `${plural(out.length, 'file')} removed; backups kept`,
    };
  },
});

export const check = defineKind({
  name: 'secrets.env.check',
  effect: 'read',
  params: z.object({ files: filesParam }).strict(),
  describe: (p) => ({ summary: `look at ${fileList(p.files).join(', ')} and this incident's backups of them` }),
  async run(p, ctx) {
    const files = await Promise.all(fileList(p.files).map((f) => stateOf(ctx, f)));
    for (const f of files) {
      ctx.log(`${f.file}: ${f.exists ? `present (${f.mode})` : 'absent'}; backup ${f.backup_exists ? `present (${f.backup_mode})${f.backup_matches === false ? ', DIFFERS' : f.backup_matches ? ', same bytes' : ''}` : 'absent'}`);
    }
    return {
      result: {
        all_backed_up: files.every((f) => f.backup_exists && f.backup_matches !== false),
        all_removed: files.every((f) => !f.exists && f.backup_exists),
        files,
      },
      summary: files.map((f) => `${f.file} ${f.exists ? 'present' : 'absent'}, backup ${f.backup_exists ? 'present' : 'absent'}`).join('; '),
    };
  },
});
