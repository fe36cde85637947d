// The shared journal store: the narrow interface a team incident needs from wherever its records
// live (../../shared/design.md, "The journal store"). Three operations, each atomic on its own:
// create a key only if it is absent, read a key, and list keys after a key. S3 (conditional
// writes) is the shipped backend (s3.ts); another store comes through the plugin API by
// implementing this and nothing more. Keys are relative to the store's own prefix.

export interface SharedStore {
  /** Where it is, for messages: `s3://bucket/prefix`. */
  readonly url: string;
  /**
   * Creates `key` with `body` only if no object has that key. 'created' when this call made it,
   * 'exists' when the key was already there (S3's 412 Precondition Failed). A conflicting
   * concurrent write (S3's 409) is retried inside. Unreachable: StoreUnavailableError.
   */
  putIfAbsent(key: string, body: string): Promise<'created' | 'exists'>;
  /** The object's body, or undefined when there is no such key. */
  get(key: string): Promise<string | undefined>;
  /**
   * Keys that start with `prefix` and sort after `startAfter` (UTF-8 binary order), in order, at
   * most `limit` of them (all when omitted: the backend pages through).
   */
  listAfter(prefix: string, startAfter: string | undefined, limit?: number): Promise<string[]>;
  /** Requests made so far (following costs are measured with it). */
  readonly requests?: number;
}

/** The store cannot be reached (network down, endpoint gone, server errors after retries). */
export class StoreUnavailableError extends Error {
  readonly code = 'ESTOREUNAVAILABLE';
  constructor(
    readonly url: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`the shared store ${url} cannot be reached (${detail})`, options);
    this.name = 'StoreUnavailableError';
  }
}

/** The store answered, and said no: credentials, permissions, a missing bucket, a bad answer. */
export class StoreError extends Error {
  readonly code = 'ESTORE';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreError';
  }
}

/** The store accepted a second create of the same key: it would let two writers fork the chain. */
export class StoreIgnoresConditionsError extends Error {
  readonly code = 'ESTORECONDITIONS';
  constructor(readonly url: string) {
    super(
      `this store ignores conditional writes: ${url} accepted a second create of the same key (PutObject with If-None-Match: *), so two responders could overwrite each other's records. Use an S3 bucket (or an S3-compatible store) that answers 412 Precondition Failed, and check that no proxy in between drops the If-None-Match header`,
    );
    this.name = 'StoreIgnoresConditionsError';
  }
}

/**
 * Checks that the store honours put-if-absent before anything is shared through it: writes one
 * probe key twice and expects the second write to be refused. Probe keys are left in place (the
 * recommended bucket policy denies deletes); each costs two requests and a few bytes.
 */
export async function probeStore(store: SharedStore, key: string): Promise<void> {
  const body = JSON.stringify({ probe: true, at: new Date().toISOString() });
  const first = await store.putIfAbsent(key, body);
  if (first !== 'created') throw new StoreError(`the probe key ${key} on ${store.url} already existed; try again`);
  const second = await store.putIfAbsent(key, body);
  if (second !== 'exists') throw new StoreIgnoresConditionsError(store.url);
}
