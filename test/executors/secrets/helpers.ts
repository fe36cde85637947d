// A StepContext for running the secrets kinds outside the engine: a real Redactor (so a test can
// see what was registered), raw output lines (before any redaction, so a test can prove a kind
// never emits a value at all), and providers that record every process a kind tries to start.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StepContext, StepKind, StepResult } from '../../../src/core/step.js';
import { Redactor } from '../../../src/journal/redact.js';
import type { AwsProvider } from '../../../src/providers/aws/provider.js';
import type { ExecRequest } from '../../../src/providers/types.js';

export const INCIDENT = 'inc-20260302-031200-abcd';

export interface TestCtx {
  ctx: StepContext;
  redactor: Redactor;
  /** Output lines exactly as the kind wrote them (unredacted). */
  logs: string[];
  /** Every value registered with ctx.secret. */
  registered: string[];
  /** Every process a kind asked for. */
  execs: ExecRequest[];
}

export function testCtx(o: { aws?: AwsProvider; mode?: 'live' | 'drill'; incidentId?: string; redactor?: Redactor; stateRoot?: string } = {}): TestCtx {
  const redactor = o.redactor ?? new Redactor();
  const logs: string[] = [];
  const registered: string[] = [];
  const execs: ExecRequest[] = [];
  let now = Date.parse('2026-03-02T03:12:00Z');
  const ctx: StepContext = {
    incidentId: o.incidentId ?? INCIDENT,
    ...(o.stateRoot ? { stateRoot: o.stateRoot } : {}),
    stepId: 'test',
    attempt: 1,
    signal: new AbortController().signal,
    clock: {
      now: () => now,
      sleep: async (ms) => void (now += ms),
      deadline: () => new Promise(() => {}),
    },
    ports: {
      clock: { now: () => now, sleep: async () => {}, deadline: () => new Promise(() => {}) },
      confirm: async () => ({ approved: true, by: 'test' }),
      ask: async () => ({ value: 'done', by: 'test' }),
    },
    log: (text) => void logs.push(text),
    secret: (value, label) => {
      registered.push(value);
      redactor.add(value, label);
      return value;
    },
    runKind: () => Promise.reject(new Error('runKind is not available in this test')),
    evaluate: () => {
      throw new Error('evaluate is not available in this test');
    },
    providers: {
      exec: async (req) => {
        execs.push(req);
        return { canceled: false, notFound: true };
      },
      fetch: () => Promise.reject(new Error('no network in this test')),
      ...(o.aws ? { aws: o.aws } : {}),
    },
    mode: o.mode ?? 'live',
  };
  return { ctx, redactor, logs, registered, execs };
}

/** Runs a kind with raw parameters (parsed by its schema, as the engine does). */
export async function runKind<P>(kind: StepKind<P>, params: unknown, t: TestCtx): Promise<StepResult> {
  const parsed = kind.params.parse(params);
  return kind.run(parsed, t.ctx);
}

/** A .env file in a fresh temporary directory. */
export function envFile(text: string | Buffer, name = '.env'): string {
  const dir = mkdtempSync(join(tmpdir(), 'oncall-secrets-'));
  const file = join(dir, name);
  writeFileSync(file, text, { mode: 0o600 });
  return file;
}

/** Every string form a value could leak in. */
export function forms(value: string): string[] {
  return [value, JSON.stringify(value).slice(1, -1), Buffer.from(value).toString('base64'), encodeURIComponent(value)];
}

/** Fails with where a secret shows up in `text`. */
export function leaks(text: string, values: string[]): string[] {
  const found: string[] = [];
  for (const v of values) for (const f of forms(v)) if (f.length >= 6 && text.includes(f)) found.push(`${f} (from ${v.slice(0, 4)}…)`);
  return found;
}
