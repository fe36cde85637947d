// One live writer per incident. The lock is a directory created atomically (mkdir) with the
// holder's identity inside it. It is never taken from a holder that may still be alive: on this
// host only when the holder's pid is gone, on another host only by an explicit --force-unlock.
// A timestamp that stopped moving proves nothing (a process paused with SIGSTOP, a laptop lid
// closed mid-incident), so staleness by age is not a reason to take over.
import { randomUUID } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { lockPath, ownerPath } from './paths.js';

export interface LockOwner {
  pid: number;
  hostname: string;
  startedAt: string;
  /** Unique to one acquisition: a holder knows its own lock by it. */
  token?: string;
}

export class JournalLockedError extends Error {
  readonly code = 'EJOURNALLOCKED';
  constructor(
    readonly incidentId: string,
    readonly owner: LockOwner | undefined,
    hint?: string,
  ) {
    const who = owner ? `pid ${owner.pid} on ${owner.hostname}, since ${owner.startedAt}` : 'an unknown process';
    super(`incident ${incidentId} is locked by ${who}: ${hint ?? 'another oncall is writing this incident; close it first (a paused or stopped one too: resume it with fg, or end it)'}`);
    this.name = 'JournalLockedError';
  }
}

export interface LockOptions {
  /**
   * Take the lock from a holder on another host, which cannot be checked from here. The caller
   * warns the operator, naming the holder it took it from.
   */
  forceUnlock?: boolean;
}

export interface Lock {
  readonly owner: LockOwner;
  /** Set when the lock was taken from a holder on another host (forceUnlock). */
  readonly tookOverFrom?: LockOwner;
  /** Still ours? Cheap (one stat): the writer asks before every write. Undefined when it is, else who holds it now. */
  lostTo(): { owner?: LockOwner } | undefined;
  release(): Promise<void>;
}

/** Holders whose owner file is not written yet: a process between its mkdir and its write. */
const OWNERLESS_GRACE_MS = 5_000;

function pidAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function parseOwner(text: string): LockOwner | undefined {
  try {
    const o = JSON.parse(text) as Partial<LockOwner>;
    if (typeof o.pid === 'number' && typeof o.hostname === 'string' && typeof o.startedAt === 'string') {
      return { pid: o.pid, hostname: o.hostname, startedAt: o.startedAt, ...(typeof o.token === 'string' ? { token: o.token } : {}) };
    }
  } catch {
    // half-written or missing
  }
  return undefined;
}

async function readOwner(root: string, id: string): Promise<LockOwner | undefined> {
  try {
    return parseOwner(await readFile(ownerPath(root, id), 'utf8'));
  } catch {
    return undefined;
  }
}

/** Takes the incident's lock, or throws JournalLockedError naming the holder and what to do. */
export async function acquireLock(root: string, id: string, opts: LockOptions = {}): Promise<Lock> {
  const dir = lockPath(root, id);
  let tookOverFrom: LockOwner | undefined;
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      await mkdir(dir, { mode: 0o700 });
      await chmod(dir, 0o700); // the umask may have taken bits away
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = await readOwner(root, id);
      if (!owner) {
        // Created but not yet claimed, or claimed by a process that died in between.
        let age: number;
        try {
          age = Date.now() - statSync(dir).mtimeMs;
        } catch {
          continue; // gone meanwhile: try again
        }
        if (age < OWNERLESS_GRACE_MS) throw new JournalLockedError(id, undefined, 'another oncall is opening this incident right now; try again in a few seconds');
      } else if (owner.hostname === hostname()) {
        if (pidAlive(owner.pid)) throw new JournalLockedError(id, owner);
      } else if (!opts.forceUnlock) {
        throw new JournalLockedError(
          id,
          owner,
          `oncall cannot tell from here whether that process is still writing. If it is gone for good (the machine is off, the session ended), take the incident over with --force-unlock; two writers would fork the journal`,
        );
      } else {
        tookOverFrom = owner;
      }
      // The holder is provably gone (or the operator said so): move its lock aside atomically, so
      // two processes taking over at once cannot both succeed, then try again.
      const aside = `${dir}.gone-${process.pid}-${randomUUID().slice(0, 8)}`;
      try {
        await rename(dir, aside);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e; // someone else moved it first
        continue;
      }
      await rm(aside, { recursive: true, force: true });
      continue;
    }
    const owner: LockOwner = { pid: process.pid, hostname: hostname(), startedAt: new Date().toISOString(), token: randomUUID() };
    const file = ownerPath(root, id);
    await writeFile(file, JSON.stringify(owner) + '\n', { mode: 0o600 });
    await chmod(file, 0o600);
    // The owner file as created: a new holder's file is a new file (a new inode, or a reused inode
    // number with a new change time), so one stat tells, without reading it.
    const ours = statSync(file, { bigint: true });
    const lock: Lock = {
      owner,
      ...(tookOverFrom ? { tookOverFrom } : {}),
      lostTo() {
        let now;
        try {
          now = statSync(file, { bigint: true });
        } catch {
          return { owner: undefined };
        }
        if (now.ino === ours.ino && now.dev === ours.dev && now.ctimeNs === ours.ctimeNs) return undefined;
        try {
          const holder = parseOwner(readFileSync(file, 'utf8'));
          return holder?.token === owner.token ? undefined : { owner: holder };
        } catch {
          return { owner: undefined };
        }
      },
      async release() {
        if (lock.lostTo()) return; // someone else's now: leave it alone
        await rm(dir, { recursive: true, force: true });
      },
    };
    return lock;
  }
  throw new JournalLockedError(id, await readOwner(root, id), 'the lock kept changing hands while oncall tried to take it; try again');
}
