// Exports hold what the journal holds (intents, output, notes): written owner-only, like the
// journal, and never over an existing file unless asked. Synchronous: the renderers stream
// chunks into it, and a file of a few megabytes is written in milliseconds.
import { closeSync, fchmodSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import type { Write } from './sink.js';

export class ExportFileExistsError extends Error {
  readonly code = 'EEXIST';
  constructor(readonly file: string) {
    super(`${file} already exists: pass --force to overwrite it, or choose another --out`);
    this.name = 'ExportFileExistsError';
  }
}

type Content = string | ((write: Write) => void);

function writeNew(file: string, content: Content): void {
  // 'wx' = O_CREAT|O_EXCL: fails on any existing file, symlinks included.
  const fd = openSync(file, 'wx', 0o600);
  try {
    fchmodSync(fd, 0o600); // the umask can only take bits away, but be exact
    const write = (chunk: string) => {
      const buf = Buffer.from(chunk, 'utf8');
      for (let off = 0; off < buf.length; ) off += writeSync(fd, buf, off, buf.length - off);
    };
    if (typeof content === 'string') write(content);
    else content(write);
    closeSync(fd);
  } catch (err) {
    closeSync(fd);
    rmSync(file, { force: true }); // ours (O_EXCL): never leave half an export behind
    throw err;
  }
}

/** Writes `file` with mode 0600. With `force`, replaces an existing file atomically (a temp file renamed over it). */
export function writePrivateFile(file: string, content: Content, opts: { force?: boolean } = {}): void {
  if (!opts.force) {
    try {
      writeNew(file, content);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new ExportFileExistsError(file);
      throw err;
    }
    return;
  }
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  try {
    writeNew(tmp, content);
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}
