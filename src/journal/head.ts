// The head anchor: the seq and hash of a journal's last record, written beside it each time its
// writer closes it. The chain proves that no record was changed unless every later one was
// re-hashed too; the head kept outside the file (here, in the stop message, and in a team's shared
// store later) proves the re-hashing did not happen, as far as the head itself was not replaced.
import { readFileSync } from 'node:fs';
import { open, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

export interface Head {
  seq: number;
  hash: string;
}

export const HEAD_FILE = 'head.json';

/** The head recorded beside a journal file, if any (a journal that was never closed has none). */
export function readHead(journalFile: string): Head | undefined {
  let text: string;
  try {
    text = readFileSync(join(dirname(journalFile), HEAD_FILE), 'utf8');
  } catch {
    return undefined;
  }
  try {
    const h = JSON.parse(text) as Partial<Head>;
    if (typeof h.seq === 'number' && Number.isInteger(h.seq) && typeof h.hash === 'string' && /^[0-9a-f]{64}$/.test(h.hash)) return { seq: h.seq, hash: h.hash };
  } catch {
    // unreadable: reported below like a wrong one
  }
  return { seq: -1, hash: 'unreadable' };
}

/** Writes the head atomically and durably (a crash leaves the old head or the new one). */
export async function writeHead(journalFile: string, head: Head): Promise<void> {
  const dir = dirname(journalFile);
  const file = join(dir, HEAD_FILE);
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(head) + '\n', { mode: 0o600 });
  const fh = await open(tmp, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, file);
}

/** What is wrong with a journal given its recorded head; undefined when it agrees (or there is none). */
export class HeadCheck {
  #matched = false;
  constructor(readonly head: Head | undefined) {}

  /** Called with each record's seq and line hash, in order. */
  see(seq: number, hash: string): string | undefined {
    const h = this.head;
    if (!h || seq !== h.seq) return undefined;
    if (hash !== h.hash) return `record ${seq} is not the one the journal's writer closed it on (head ${h.hash.slice(0, 12)}…, the journal's ${hash.slice(0, 12)}…): the journal was rewritten after it was closed`;
    this.#matched = true;
    return undefined;
  }

  /** After the last record: a journal shorter than its head was cut; a closed one without a head lost it. */
  end(lastSeq: number, closed: boolean): string | undefined {
    const h = this.head;
    if (!h) return closed ? `the journal was closed by its writer, but its head file (${HEAD_FILE}) is missing: it was removed, or the journal was copied without it; restore it to go on` : undefined;
    if (this.#matched) return undefined;
    if (h.seq < 0) return `the journal's head file (${HEAD_FILE}) is unreadable: restore it, or check the journal by other means`;
    return `the journal ends at record ${lastSeq}, but its writer closed it at record ${h.seq} (head ${h.hash.slice(0, 12)}…): records were removed from its end`;
  }
}
