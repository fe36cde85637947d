// One AWS call by name, as step kinds make them: the client package is imported on first use, the
// command is built from its name, and what comes back is the output plus the request metadata the
// journal keeps (request id, HTTP status, attempts). Failures become AwsStepError in plain words.
import { AwsStepError, toAwsStepError, type AwsErrorContext } from './errors.js';
import { AWS_SERVICES, loadAwsModule } from './modules.js';
import type { AwsProvider, AwsService } from './provider.js';

export interface AwsCallOptions {
  signal?: AbortSignal;
  /** Overrides the provider's region for this call. */
  region?: string;
  /** The resource ids the call is about, named in error messages when AWS's own text does not. */
  ids?: string[];
}

export interface AwsCallMeta {
  requestId?: string;
  httpStatusCode?: number;
  attempts?: number;
  totalRetryDelay?: number;
}

export interface AwsCallResult<T = any> {
  output: T;
  meta: AwsCallMeta;
}

export interface AwsPaginateOptions extends AwsCallOptions {
  /** Items per page (the operation's MaxResults/PageSize/MaxKeys), when set. */
  pageSize?: number;
  /** Stops after this many pages. */
  maxPages?: number;
}

export async function awsCall<T = any>(
  provider: AwsProvider,
  service: AwsService,
  commandName: string,
  input: Record<string, unknown>,
  opts: AwsCallOptions = {},
): Promise<AwsCallResult<T>> {
  const { client, mod } = await prepare(provider, service, opts);
  const Command = commandClass(mod, service, commandName);
  const command = new Command(input);
  const endpoint = recordEndpoint(command);
  try {
    const output = await client.send(command, sendOptions(opts));
    return { output, meta: metaOf(output?.$metadata) };
  } catch (err) {
    throw toAwsStepError(err, context(provider, service, commandName, opts, endpoint.url));
  }
}

/**
 * Walks every page of a listing. Uses the package's own `paginateX` helper (which knows the token
 * names); an operation without one is a single page.
 */
export async function* awsPaginate<T = any>(
  provider: AwsProvider,
  service: AwsService,
  commandName: string,
  input: Record<string, unknown>,
  opts: AwsPaginateOptions = {},
): AsyncGenerator<AwsCallResult<T>, void, undefined> {
  const { client, mod } = await prepare(provider, service, opts);
  const paginate = mod[`paginate${commandName}`];
  if (typeof paginate !== 'function') {
    commandClass(mod, service, commandName);
    yield await awsCall<T>(provider, service, commandName, input, opts);
    return;
  }
  const config = { client, ...(opts.pageSize ? { pageSize: opts.pageSize } : {}) };
  // The paginator writes its token into the input object; the caller's stays untouched.
  const pages: AsyncIterable<any> = paginate(config, { ...input }, sendOptions(opts));
  const iterator = pages[Symbol.asyncIterator]();
  let count = 0;
  try {
    while (true) {
      let next: IteratorResult<any>;
      try {
        next = await iterator.next();
      } catch (err) {
        throw toAwsStepError(err, context(provider, service, commandName, opts));
      }
      if (next.done) return;
      yield { output: next.value, meta: metaOf(next.value?.$metadata) };
      if (opts.maxPages && ++count >= opts.maxPages) return;
    }
  } finally {
    await iterator.return?.();
  }
}

async function prepare(provider: AwsProvider, service: AwsService, opts: AwsCallOptions) {
  try {
    const [client, mod] = await Promise.all([provider.client(service, opts.region), loadAwsModule(service)]);
    return { client, mod };
  } catch (err) {
    throw new AwsStepError(`Could not load the AWS SDK for ${AWS_SERVICES[service]?.label ?? service}: ${(err as Error).message}`, err, {
      service,
      operation: '(client)',
    });
  }
}

function commandClass(mod: Record<string, any>, service: AwsService, commandName: string): new (input: unknown) => any {
  const Command = mod[`${commandName}Command`];
  if (typeof Command !== 'function') {
    throw new TypeError(`the AWS SDK for ${AWS_SERVICES[service].label} has no operation '${commandName}' (expected ${commandName}Command)`);
  }
  return Command;
}

function sendOptions(opts: AwsCallOptions): { abortSignal: AbortSignal } | undefined {
  return opts.signal ? { abortSignal: opts.signal } : undefined;
}

function context(provider: AwsProvider, service: AwsService, operation: string, opts: AwsCallOptions, endpoint?: string): AwsErrorContext {
  return {
    service,
    operation,
    ...(opts.ids ? { ids: opts.ids } : {}),
    ...((opts.region ?? provider.region) ? { region: opts.region ?? provider.region } : {}),
    ...(provider.profile ? { profile: provider.profile } : {}),
    ...(endpoint ? { endpoint } : {}),
  };
}

/** Notes where the request is going, so a network error can name the endpoint. */
function recordEndpoint(command: any): { url?: string } {
  const seen: { url?: string } = {};
  command.middlewareStack?.add(
    (next: (args: any) => Promise<unknown>) => async (args: any) => {
      const r = args?.request;
      if (r?.hostname) seen.url = `${r.protocol ?? 'https:'}//${r.hostname}${r.port ? `:${r.port}` : ''}`;
      return next(args);
    },
    { step: 'build', name: 'oncallRecordEndpoint', priority: 'low' },
  );
  return seen;
}

function metaOf(m: any): AwsCallMeta {
  if (!m || typeof m !== 'object') return {};
  const out: AwsCallMeta = {};
  if (typeof m.requestId === 'string') out.requestId = m.requestId;
  if (typeof m.httpStatusCode === 'number') out.httpStatusCode = m.httpStatusCode;
  if (typeof m.attempts === 'number') out.attempts = m.attempts;
  if (typeof m.totalRetryDelay === 'number') out.totalRetryDelay = m.totalRetryDelay;
  return out;
}
