// Shared by the drill AWS tests: a simple simulated clock and a guard that fails the file if any
// socket is opened or any host name looked up while it runs.
import dns from 'node:dns';
import net from 'node:net';
import { afterAll, beforeAll, expect } from 'vitest';
import type { Clock } from '../../../src/core/step.js';
import type { AwsSpecInput } from '../../../src/drill/aws/spec.js';
import { AwsAccount } from '../../../src/drill/aws/account.js';
import { drillAwsProvider } from '../../../src/drill/aws/middleware.js';

export const START = Date.parse('2026-03-02T03:12:00Z');

/** Time moves only when work sleeps or the test advances it. */
export class TestClock implements Clock {
  constructor(public t = START) {}
  now(): number {
    return this.t;
  }
  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw signal.reason;
    this.t += Math.max(0, ms);
  }
  deadline(): Promise<void> {
    return new Promise(() => {});
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

export function drill(spec: AwsSpecInput, opts: { clientConfig?: Record<string, unknown> } = {}) {
  const clock = new TestClock();
  const world = new AwsAccount(spec, clock);
  const aws = drillAwsProvider(world, clock, opts);
  return { clock, world, aws };
}

/** Fails the test file if anything tries to reach the network while it runs. */
export function forbidNetwork(): void {
  const attempts: string[] = [];
  const originalConnect = net.Socket.prototype.connect;
  const originalLookup = dns.lookup;
  const originalPromisesLookup = dns.promises.lookup;
  beforeAll(() => {
    net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]) {
      attempts.push(`connect ${JSON.stringify(args[0])}`);
      throw new Error('a drill test opened a socket');
    } as typeof net.Socket.prototype.connect;
    (dns as { lookup: unknown }).lookup = (host: string) => {
      attempts.push(`lookup ${host}`);
      throw new Error('a drill test looked up a host name');
    };
    (dns.promises as { lookup: unknown }).lookup = async (host: string) => {
      attempts.push(`lookup ${host}`);
      throw new Error('a drill test looked up a host name');
    };
  });
  afterAll(() => {
    net.Socket.prototype.connect = originalConnect;
    (dns as { lookup: unknown }).lookup = originalLookup;
    (dns.promises as { lookup: unknown }).lookup = originalPromisesLookup;
    expect(attempts, 'network use during a drill').toEqual([]);
  });
}
