// One AWS call, as step kinds make them: the client package is imported on first use, the step
// kind builds its command from it (typed: the package's types come through a type-only import),
// and what comes back is the output plus the request metadata the journal keeps (request id, HTTP
// status, attempts). Failures become AwsStepError in plain words.
import { AwsStepError, awsFailureFacts, toAwsStepError, type AwsErrorContext } from './errors.js';
import { AWS_SERVICES, loadAwsModule } from './modules.js';
import type { AwsProvider } from './provider.js';
import type { AwsClient, AwsClients, AwsCommand, AwsCommandBuilder, AwsOutput, AwsSdk, AwsService } from './sdk.js';

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

export interface AwsCallResult<T> {
  output: T;
  meta: AwsCallMeta;
  /** The operation called, e.g. `DescribeInstances` (the command's name in its package). */
  operation: string;
}

export interface AwsPaginateOptions extends AwsCallOptions {
  /** Items per page (the operation's MaxResults/PageSize/MaxKeys), when set. */
  pageSize?: number;
  /** Stops after this many pages. */
  maxPages?: number;
}

/**
 * One call: `awsCall(p, 'ec2', (m) => new m.DescribeInstancesCommand({ InstanceIds }))`. `m` is
 * the service's client package, typed through a type-only import and loaded here on first use, so
 * the command's input is checked and the output comes back typed.
 */
export async function awsCall<S extends AwsService, C extends AwsCommand>(
  provider: AwsProvider,
  service: S,
  build: AwsCommandBuilder<S, C>,
  opts: AwsCallOptions = {},
): Promise<AwsCallResult<AwsOutput<C>>> {
  const { client, mod } = await prepare(provider, service, opts);
  const command = build(mod);
  return send(client, command, operationOf(mod, service, command), provider, service, opts);
}

/**
 * Walks every page of a listing: `awsPaginate(p, 'ec2', (m) => new m.DescribeVolumeStatusCommand(input))`.
 * Uses the package's own `paginateX` helper for the command (it knows the token names); an
 * operation without one is a single page.
 */
export async function* awsPaginate<S extends AwsService, C extends AwsCommand>(
  provider: AwsProvider,
  service: S,
  build: AwsCommandBuilder<S, C>,
  opts: AwsPaginateOptions = {},
): AsyncGenerator<AwsCallResult<AwsOutput<C>>, void, undefined> {
  const { client, mod } = await prepare(provider, service, opts);
  const command = build(mod);
  const operation = operationOf(mod, service, command);
  const paginate = paginatorOf<AwsOutput<C>>(mod, operation);
  if (!paginate) {
    yield await send(client, command, operation, provider, service, opts);
    return;
  }
  const config = { client, ...(opts.pageSize ? { pageSize: opts.pageSize } : {}) };
  // The paginator writes its token into the input object; the command's stays untouched.
  const pages = paginate(config, { ...command.input }, sendOptions(opts));
  const iterator = pages[Symbol.asyncIterator]();
  let count = 0;
  try {
    while (true) {
      let next: IteratorResult<AwsOutput<C>>;
      try {
        next = await iterator.next();
      } catch (err) {
        throw toAwsStepError(err, context(provider, service, operation, opts));
      }
      if (next.done) return;
      yield { output: next.value, meta: metaOf(next.value), operation };
      if (opts.maxPages && ++count >= opts.maxPages) return;
    }
  } finally {
    await iterator.return?.();
  }
}

/** What awsCall needs of a client: every SDK client sends any of its package's commands. */
interface CommandSender {
  send(command: AwsCommand, options?: { abortSignal?: AbortSignal }): Promise<object>;
}

/** A package's `paginateX(config, input, ...additionalArguments)`. */
type Paginator<O> = (config: { client: AwsClient; pageSize?: number }, input: object, options?: { abortSignal: AbortSignal }) => AsyncIterable<O>;

async function send<S extends AwsService, C extends AwsCommand>(
  client: AwsClients[S],
  command: C,
  operation: string,
  provider: AwsProvider,
  service: S,
  opts: AwsCallOptions,
): Promise<AwsCallResult<AwsOutput<C>>> {
  const sender: CommandSender = client;
  const endpoint = recordEndpoint(command);
  if (!isRead(operation)) neverResendAfterDoubt(command);
  try {
    // The client resolves with the output of the command it was given (AwsOutput<C>).
    const output = (await sender.send(command, sendOptions(opts))) as AwsOutput<C>;
    return { output, meta: metaOf(output), operation };
  } catch (err) {
    throw toAwsStepError(err instanceof MayHaveHappened ? err.original : err, context(provider, service, operation, opts, endpoint.url));
  }
}

/**
 * Operations that only read, by AWS's own naming. Anything else is treated as a change: a new
 * operation a step kind starts using is a write until it is named here.
 */
const READ_OPERATION = /^(Describe|Get|List|Head|BatchGet|Lookup|Search)[A-Z]/;

function isRead(operation: string): boolean {
  return READ_OPERATION.test(operation);
}

/**
 * The SDK retries a broken connection or a 5xx of any call, writes included, so a StopInstances
 * whose first request reached EC2 would be sent again. For a change, only what AWS certainly did
 * not act on may be sent again (throttling, a refused connection); anything else leaves the call
 * in doubt, and the engine settles it with a read or a person. The SDK's retry middleware sees
 * this error as one it must not retry (no code, status or cause); `send` unwraps it.
 */
class MayHaveHappened extends Error {
  override readonly name = 'OncallMayHaveHappened';
  constructor(readonly original: unknown) {
    super('the request may have reached AWS; it is not sent again');
  }
}

function neverResendAfterDoubt(command: AwsCommand): void {
  command.middlewareStack.add(
    (next) => async (args) => {
      try {
        return await next(args);
      } catch (err) {
        if (awsFailureFacts(err).applied === 'no') throw err;
        throw new MayHaveHappened(err);
      }
    },
    // Inside the retry loop: finalizeRequest runs retry first (priority high), then each attempt.
    { step: 'finalizeRequest', name: 'oncallNeverResendAfterDoubt', priority: 'low' },
  );
}

async function prepare<S extends AwsService>(provider: AwsProvider, service: S, opts: AwsCallOptions): Promise<{ client: AwsClients[S]; mod: AwsSdk[S] }> {
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

const operations = new WeakMap<object, string>();

/**
 * The operation of a command, from the name its package exports its class under
 * (`DescribeInstancesCommand` → `DescribeInstances`): the public name, whatever a bundler calls
 * the class. A command of another package is a mistake in the step kind, said plainly.
 */
function operationOf(mod: object, service: AwsService, command: AwsCommand): string {
  const ctor: unknown = command.constructor;
  if (typeof ctor !== 'function') throw new TypeError(`awsCall for ${AWS_SERVICES[service].label} was given something that is not an SDK command`);
  let name = operations.get(ctor);
  if (name === undefined) {
    const exports = mod as Record<string, unknown>;
    const key = Object.keys(exports).find((k) => k.endsWith('Command') && exports[k] === ctor);
    if (!key) throw new TypeError(`${ctor.name || 'the command'} is not a command of the AWS SDK for ${AWS_SERVICES[service].label}`);
    name = key.slice(0, -'Command'.length);
    operations.set(ctor, name);
  }
  return name;
}

function paginatorOf<O>(mod: object, operation: string): Paginator<O> | undefined {
  const paginate = (mod as Record<string, unknown>)[`paginate${operation}`];
  return typeof paginate === 'function' ? (paginate as Paginator<O>) : undefined;
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
function recordEndpoint(command: AwsCommand): { url?: string } {
  const seen: { url?: string } = {};
  command.middlewareStack.add(
    (next) => (args) => {
      const r = args.request as { protocol?: unknown; hostname?: unknown; port?: unknown } | null | undefined;
      if (typeof r?.hostname === 'string' && r.hostname) seen.url = `${typeof r.protocol === 'string' ? r.protocol : 'https:'}//${r.hostname}${r.port ? `:${String(r.port)}` : ''}`;
      return next(args);
    },
    { step: 'build', name: 'oncallRecordEndpoint', priority: 'low' },
  );
  return seen;
}

/** The request metadata of an output (`$metadata`), as the journal keeps it. */
function metaOf(output: unknown): AwsCallMeta {
  const m: unknown = output !== null && typeof output === 'object' ? (output as { $metadata?: unknown }).$metadata : undefined;
  if (!m || typeof m !== 'object') return {};
  const { requestId, httpStatusCode, attempts, totalRetryDelay } = m as Record<string, unknown>;
  const out: AwsCallMeta = {};
  if (typeof requestId === 'string') out.requestId = requestId;
  if (typeof httpStatusCode === 'number') out.httpStatusCode = httpStatusCode;
  if (typeof attempts === 'number') out.attempts = attempts;
  if (typeof totalRetryDelay === 'number') out.totalRetryDelay = totalRetryDelay;
  return out;
}
