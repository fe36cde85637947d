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
import { createAwsProvider, type AwsProvider, type AwsService } from '../../providers/aws/provider.js';
import { WorldError, errorResponse, type WireResponse } from './wire.js';
import type { AwsWorld } from './world.js';

const WIRE = Symbol('oncall.drill.wire');
const SMITHY_CONTEXT = '__smithy_context';

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

/** Attaches `world` to an SDK client of `service` (idempotent). */
export function attachWorld(client: any, service: AwsService, world: AwsWorld, clock: Clock = world.clock): void {
  const stack = client.middlewareStack;
  if (stack.identify().some((n: string) => n.startsWith('oncallDrillWorld'))) return;

  const answer = (next: (args: any) => Promise<any>, context: any) => async (args: any) => {
    const signal: AbortSignal | undefined = context[SMITHY_CONTEXT]?.abortSignal;
    if (signal?.aborted) throw abortError();
    const command = String(context.commandName ?? '').replace(/Command$/, '');
    const region = await resolveRegion(client);
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
    const attempt = Number(/attempt=(\d+)/.exec(String(args.request?.headers?.['amz-sdk-request'] ?? ''))?.[1] ?? 1);
    let wire: WireResponse;
    try {
      const reply = world.invoke(service, command, args.input ?? {}, { attempt });
      if ('output' in reply) {
        return {
          output: { ...reply.output, $metadata: { httpStatusCode: 200, requestId: reply.requestId } },
          response: { statusCode: 200, headers: { 'x-amzn-requestid': reply.requestId } },
        };
      }
      wire = reply.wire;
    } catch (err) {
      if (!(err instanceof WorldError)) throw err;
      wire = errorResponse(service, err, err.requestId ?? 'drill');
    }
    context[WIRE] = wire;
    return next(args);
  };

  const transport = (_next: unknown, context: any) => async () => {
    const wire: WireResponse | undefined = context[WIRE];
    delete context[WIRE];
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
export function drillAwsProvider(world: AwsWorld, clock: Clock = world.clock, opts: { clientConfig?: Record<string, unknown> } = {}): AwsProvider {
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

async function resolveRegion(client: any): Promise<string | undefined> {
  const r = client?.config?.region;
  try {
    return typeof r === 'function' ? await r() : r;
  } catch {
    return undefined;
  }
}

function abortError(): Error {
  const err = new Error('Request aborted');
  err.name = 'AbortError';
  return err;
}
