// Puts the simulated world behind real SDK clients. Two middlewares on each client:
//
//   retryMiddleware (finalizeRequest, high)       ← the SDK's own retry strategy
//     oncallDrillWorld (before httpSigning)       ← answers from the world; retried like a real call
//     httpSigningMiddleware                       ← only reached for errors/S3 bodies (static fake keys)
//     deserializerMiddleware (deserialize)        ← the SDK's own parser builds the real exceptions
//       oncallDrillTransport (deserialize, low)   ← hands over the world's HTTP response; nothing is sent
//
// A success returns the output directly (already SDK-shaped). An AWS error, and S3 GetObject's
// streaming body, travel as an HTTP response through the SDK's deserializer, so exception classes,
// `name`, `$fault`, `$metadata`, retry classification and `Body.transformToString()` are the
// SDK's own. Everything after serialization runs locally; the request handler itself refuses.
import { Readable } from 'node:stream';
import type { Clock } from '../../core/step.js';
import { createAwsProvider, resolvedRegion, type AwsProvider } from '../../providers/aws/provider.js';
import type { AwsClient, AwsClientConfig, AwsService } from '../../providers/aws/sdk.js';
import { WorldError, errorResponse, type WireResponse } from './wire.js';
import type { AwsWorld } from './world.js';

/** Obviously fake keys: requests are signed locally and never sent. */
export const DRILL_CREDENTIALS = Object.freeze({ accessKeyId: 'AKIAIOSFODNN7DRILL00', secretAccessKey: 'drill/secret/not-a-real-key/never-sent' });

/** The last line of defence: if anything ever got past the middlewares, it stops here. */
const refusingHandler = {
  handle(): Promise<never> {
    return Promise.reject(new Error('the drill world answers every AWS call; no request may leave the machine'));
  },
  updateHttpClientConfig(): void {},
  httpHandlerConfigs(): Record<string, never> {
    return {};
  },
  destroy(): void {},
};

// The parts of smithy's middleware contract the drill uses, written out so that naming them
// needs no SDK package. Both middlewares are generic in the command's input and output, so one
// pair fits every client's stack.

/** What a middleware is called with: the command's input and (from serialization on) the HTTP request. */
interface HandlerArgs<I> {
  input: I;
  request: unknown;
}
/** What the rest of the stack resolves with: the parsed output and the HTTP response. */
interface HandlerOutput<O> {
  output: O;
  response: unknown;
}
type Handler<I, O> = (args: HandlerArgs<I>) => Promise<HandlerOutput<O>>;
/** Below the deserializer the output is not parsed yet. */
type DeserializeHandler<I, O> = (args: HandlerArgs<I>) => Promise<{ response: unknown; output?: O }>;
/** The execution context the SDK passes along a command's middlewares. */
interface DrillContext {
  commandName?: string;
  __smithy_context?: { abortSignal?: unknown };
}
type WorldMiddleware = <I extends object, O extends object>(next: Handler<I, O>, context: DrillContext) => Handler<I, O>;
type TransportMiddleware = <I extends object, O extends object>(next: DeserializeHandler<I, O>, context: DrillContext) => DeserializeHandler<I, O>;

/** The part of a client's middleware stack the drill uses. Every SDK client's stack is one. */
interface DrillStack {
  identify(): string[];
  addRelativeTo(middleware: WorldMiddleware, options: { relation: 'before'; toMiddleware: string; name: string; tags: string[] }): void;
  add(middleware: TransportMiddleware, options: { step: 'deserialize'; priority: 'low'; name: string; tags: string[] }): void;
}

/** Attaches `world` to an SDK client of `service` (idempotent). */
export function attachWorld(client: AwsClient, service: AwsService, world: AwsWorld, clock: Clock = world.clock): void {
  const stack: DrillStack = client.middlewareStack;
  if (stack.identify().some((n) => n.startsWith('oncallDrillWorld'))) return;
  // An error (or S3's streaming body) travels from the world middleware down to the transport as
  // the response to hand over, per request.
  const pending = new WeakMap<DrillContext, WireResponse>();

  const answer: WorldMiddleware = <I extends object, O extends object>(next: Handler<I, O>, context: DrillContext) => async (args: HandlerArgs<I>): Promise<HandlerOutput<O>> => {
    // The signal given to client.send(), which awsCall takes from the step.
    const signal = context.__smithy_context?.abortSignal as AbortSignal | undefined;
    if (signal?.aborted) throw abortError();
    const command = String(context.commandName ?? '').replace(/Command$/, '');
    const region = await resolvedRegion(client);
    if (region && region !== world.region) {
      throw new Error(`the drill world simulates ${world.region} only; this ${service}:${command} call asked for ${region}`);
    }
    if (world.spec.latency_ms > 0) {
      try {
        await clock.sleep(world.spec.latency_ms, signal);
      } catch {
        throw abortError();
      }
    }
    const attempt = Number(/attempt=(\d+)/.exec(String(headersOf(args.request)['amz-sdk-request'] ?? ''))?.[1] ?? 1);
    let wire: WireResponse;
    try {
      const reply = world.invoke(service, command, args.input, { attempt });
      if ('output' in reply) {
        // The world found the handler by this command's name, and the handler is typed with the
        // command's output (CommandHandlers): what it answered is this command's output.
        const output = { ...reply.output, $metadata: { httpStatusCode: 200, requestId: reply.requestId } } as O;
        return { output, response: { statusCode: 200, headers: { 'x-amzn-requestid': reply.requestId } } };
      }
      wire = reply.wire;
    } catch (err) {
      if (!(err instanceof WorldError)) throw err;
      wire = errorResponse(service, err, err.requestId ?? 'drill');
    }
    pending.set(context, wire);
    return next(args);
  };

  const transport: TransportMiddleware = (_next, context) => async () => {
    const wire = pending.get(context);
    pending.delete(context);
    if (!wire) throw new Error('the drill world has no response for this request; nothing is sent to AWS');
    // A fresh stream per attempt, as a real socket would give.
    return { response: { statusCode: wire.statusCode, headers: { ...wire.headers }, body: Readable.from([Buffer.from(wire.body)]) } };
  };

  stack.addRelativeTo(answer, { relation: 'before', toMiddleware: 'httpSigningMiddleware', name: 'oncallDrillWorld', tags: ['DRILL'] });
  stack.add(transport, { step: 'deserialize', priority: 'low', name: 'oncallDrillTransport', tags: ['DRILL'] });
}

/**
 * The AWS provider for a drill: real SDK clients with static fake credentials, the world's region,
 * no configured endpoints, no credential chain, and the world attached to every client.
 */
export function drillAwsProvider(world: AwsWorld, clock: Clock = world.clock, opts: { clientConfig?: AwsClientConfig } = {}): AwsProvider {
  return createAwsProvider({
    region: world.region,
    // The operator's AWS_PROFILE/AWS_REGION must not leak into a drill.
    env: {},
    clientConfig: {
      credentials: { ...DRILL_CREDENTIALS },
      // 'auto' would ask IMDS which environment it runs in.
      defaultsMode: 'standard',
      ignoreConfiguredEndpointUrls: true,
      // Fixed, so AWS_MAX_ATTEMPTS in the operator's shell cannot change how a drill scores.
      maxAttempts: 3,
      retryMode: 'standard',
      requestHandler: refusingHandler,
      ...opts.clientConfig,
    },
    decorate: (client, service) => attachWorld(client, service, world, clock),
  });
}

function headersOf(request: unknown): Record<string, unknown> {
  const headers: unknown = request !== null && typeof request === 'object' ? (request as { headers?: unknown }).headers : undefined;
  return headers !== null && typeof headers === 'object' ? (headers as Record<string, unknown>) : {};
}

function abortError(): Error {
  const err = new Error('Request aborted');
  err.name = 'AbortError';
  return err;
}
