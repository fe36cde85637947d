// Sharing an incident: where the store is (--share, else $ONCALL_SHARE, else the config file once
// #21 lands: see shareLocation), connecting to it (the backend for the URL's scheme, the author of
// this process's records, the conditional-write probe), and keeping a local mirror in step.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { AnyRecord, Author } from '../journal/record.js';
import { Redactor } from '../journal/redact.js';
import { IncidentNotFoundError, JournalWriter } from '../journal/writer.js';
import type { AwsProvider } from '../providers/aws/provider.js';
import { createS3Store } from './s3.js';
import { SharedJournal } from './journal.js';
import { StoreError, probeStore, type SharedStore } from './store.js';

/** What a backend needs to open a store. */
export interface StoreContext {
  aws?: AwsProvider;
}
export type StoreFactory = (url: string, ctx: StoreContext) => SharedStore;

/** Backends by URL scheme. S3 ships; a plugin adds another with registerStoreBackend. */
const backends = new Map<string, StoreFactory>([
  [
    's3',
    (url, ctx) => {
      if (!ctx.aws) throw new StoreError('sharing on S3 needs AWS credentials: none are configured for this run');
      return createS3Store(ctx.aws, url);
    },
  ],
]);

/** The plug-in point for other stores (put-if-absent, get, list-after): `registerStoreBackend('gs', …)`. */
export function registerStoreBackend(scheme: string, factory: StoreFactory): void {
  backends.set(scheme, factory);
}

/**
 * Where a shared incident lives: the flag, else $ONCALL_SHARE. The config file (#21) plugs in as
 * `configured`, consulted last. Undefined: the incident is not shared.
 */
export function shareLocation(flag: string | undefined, env: NodeJS.ProcessEnv, configured?: string): string | undefined {
  const v = flag ?? env.ONCALL_SHARE ?? configured;
  return v?.trim() ? v.trim() : undefined;
}

export function openStore(url: string, ctx: StoreContext): SharedStore {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//.exec(url)?.[1];
  const factory = scheme ? backends.get(scheme) : undefined;
  if (!factory) throw new StoreError(`'${url}' names no store oncall knows: use s3://bucket/prefix${backends.size > 1 ? ` (or ${[...backends.keys()].filter((k) => k !== 's3').map((k) => `${k}://…`).join(', ')})` : ''}`);
  return factory(url, ctx);
}

export interface Share {
  store: SharedStore;
  author: Author;
}

/**
 * Connects to the store: resolves who writes (operator, host, AWS principal from STS; the principal
 * is left out when STS cannot say), and unless `probe` is false checks that the store refuses a
 * second create of one key.
 */
export async function connectShare(o: { url: string; operator: string; aws?: AwsProvider; probe?: boolean }): Promise<Share> {
  const store = openStore(o.url, { ...(o.aws ? { aws: o.aws } : {}) });
  const [principal] = await Promise.all([
    o.aws?.identity().then(
      (id) => id.arn || undefined,
      () => undefined,
    ),
    o.probe === false ? undefined : probeStore(store, `probes/${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}.json`),
  ]);
  return { store, author: { operator: o.operator, host: hostname(), ...(principal ? { principal } : {}) } };
}

/**
 * Brings the local mirror of a shared incident up to date (creating it on a machine that never had
 * it), then lets go of it: what `join`, `follow` and a hand-off `resume` do before opening it.
 */
export async function syncMirror(root: string, id: string, share: Share): Promise<{ created: boolean; records: number }> {
  const redactor = new Redactor();
  let writer: JournalWriter;
  let created = false;
  try {
    writer = await JournalWriter.open(root, id, { redactor });
  } catch (err) {
    if (!(err instanceof IncidentNotFoundError)) throw err;
    const first = await share.store.listAfter(`incidents/${id}/records/`, undefined, 1);
    if (first.length === 0) throw new StoreError(`incident ${id} is not on ${share.store.url}: check the id and the store (--share, $ONCALL_SHARE)`);
    writer = await JournalWriter.create(root, id, { redactor });
    created = true;
  }
  try {
    const j = await SharedJournal.attach({ store: share.store, writer, redactor, author: share.author });
    await j.close();
    return { created, records: writer.lastSeq + 1 };
  } catch (err) {
    await writer.close().catch(() => undefined);
    throw err;
  }
}

/** The session hook (engine/session.ts `share`): makes the local journal the mirror of the shared one. */
export function shareHook(share: Share, opts: { follow?: boolean } = {}) {
  return async (writer: JournalWriter, redactor: Redactor, onRemote: (r: AnyRecord) => void): Promise<SharedJournal> => {
    const j = await SharedJournal.attach({ store: share.store, writer, redactor, author: share.author, onRemote });
    if (opts.follow !== false) j.follow();
    return j;
  };
}
