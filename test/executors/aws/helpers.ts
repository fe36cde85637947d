// A step context for running AWS kinds directly: a provider with static credentials (the client
// classes are mocked with aws-sdk-client-mock by each test file), a clock whose sleeps move time,
// and the streamed output collected.
import { expect } from 'vitest';
import type { Clock, StepContext, StepKind, StepResult } from '../../../src/core/step.js';
import { createAwsProvider, type AwsProvider } from '../../../src/providers/aws/provider.js';

export const START = Date.parse('2026-03-02T03:12:00Z');

export class TestClock implements Clock {
  slept: number[] = [];
  constructor(public t = START) {}
  now(): number {
    return this.t;
  }
  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw signal.reason;
    this.slept.push(ms);
    this.t += ms;
  }
  deadline(): Promise<void> {
    return new Promise(() => {});
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

export function provider(region = 'us-east-1'): AwsProvider {
  return createAwsProvider({ region, env: {}, clientConfig: { credentials: { accessKeyId: 'AKIDUNITTEST0000000', secretAccessKey: 'unit-test-secret' }, maxAttempts: 1 } });
}

export interface Harness {
  ctx: StepContext;
  clock: TestClock;
  lines: string[];
}

export function harness(aws: AwsProvider = provider(), clock = new TestClock()): Harness {
  const lines: string[] = [];
  const ctx: StepContext = {
    incidentId: 'inc-test',
    stepId: 'step',
    attempt: 1,
    signal: new AbortController().signal,
    clock,
    ports: {
      clock,
      confirm: async () => ({ approved: true, by: 'test' }),
      ask: async () => ({ value: '', by: 'test' }),
    },
    log: (text) => lines.push(text),
    secret: (v) => v,
    runKind: async () => {
      throw new Error('not in unit tests');
    },
    evaluate: () => undefined,
    providers: {
      exec: async () => ({ canceled: false, exitCode: 0 }),
      fetch: async () => new Response(''),
      aws,
    },
    mode: 'live',
  };
  return { ctx, clock, lines };
}

/** Parses the parameters as the engine would (zod), then runs the kind. */
export async function run<P>(kind: StepKind<P>, params: unknown, h: Harness = harness()): Promise<StepResult & { h: Harness }> {
  const parsed = kind.params.safeParse(params);
  expect(parsed.success, parsed.success ? '' : JSON.stringify(parsed.error.issues)).toBe(true);
  const out = await kind.run(parsed.data as P, h.ctx);
  // Results are what expressions and the journal see: plain JSON.
  expect(JSON.parse(JSON.stringify(out.result))).toEqual(out.result);
  return { ...out, h };
}

export async function failure(p: Promise<unknown>): Promise<Error & { code?: string; result?: Record<string, unknown> }> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a failure');
}

/** An SDK-shaped service error (name, $fault, $metadata), as the deserializer makes them. */
export function awsError(name: string, message: string, meta: { httpStatusCode?: number; attempts?: number; requestId?: string } = {}): Error {
  return Object.assign(new Error(message), { name, $fault: (meta.httpStatusCode ?? 400) >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: 400, requestId: 'req-test', attempts: 1, ...meta } });
}
