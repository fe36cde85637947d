// The scripted part of a drill's world: a few facts, values derived from them and from simulated
// time, HTTP services and commands that answer from those facts and change them. It sits behind
// the same Providers a live incident uses, so the runbook and its step kinds run unchanged.
import { exprLanguage } from '../runbook/expr.js';
import type { ExecRequest, ExecResult, Providers } from '../providers/types.js';
import type { VirtualClock } from './clock.js';
import type { WorldSpec } from './scenario.js';

/**
 * The names scenario expressions start from, besides the runbook's: the world's facts (`state`),
 * values derived from them (`derived`), the simulated time (`elapsed_s`), the command or request
 * being answered (`args`, `request`) and the simulated AWS account (`aws`: AwsWorld.snapshot()).
 * Only scenarios know them: runbooks cannot use them (the runbook checker allows only its own
 * roots), and the runbook's expressions are evaluated without them.
 */
export const WORLD_ROOTS = { state: 'map', derived: 'map', elapsed_s: 'int', args: 'list', request: 'map', aws: 'map' } as const;

/** The expression language of scenarios: the runbook's, over the world's names as well. */
export const worldExpr = exprLanguage(WORLD_ROOTS);

export interface WorldCall {
  at_ms: number;
  kind: 'exec' | 'http';
  what: string;
  matched: boolean;
}

export class ScriptedWorld {
  readonly state: Record<string, unknown>;
  readonly calls: WorldCall[] = [];
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly spec: WorldSpec,
    private readonly clock: VirtualClock,
  ) {
    this.state = structuredClone(spec.state);
  }

  /** Called after anything in the world may have changed (a command ran, time passed in a call). */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** What world expressions see: the state, derived values and the simulated time. */
  context(extra: Record<string, unknown> = {}): Record<string, unknown> {
    const elapsed_s = Math.floor(this.clock.elapsed / 1000);
    const derived: Record<string, unknown> = {};
    const ctx: Record<string, unknown> = { state: this.state, derived, elapsed_s, ...extra };
    for (const [name, expr] of Object.entries(this.spec.derive)) derived[name] = worldExpr.template(expr, ctx);
    return ctx;
  }

  evaluate(value: unknown, extra: Record<string, unknown> = {}): unknown {
    return worldExpr.template(value, this.context(extra));
  }

  async exec(req: ExecRequest): Promise<ExecResult> {
    const argv = [req.file, ...req.args];
    const cmd = this.spec.commands.find((c) => c.argv.length === argv.length && c.argv.every((a, i) => a === '*' || a === argv[i]));
    this.calls.push({ at_ms: this.clock.elapsed, kind: 'exec', what: argv.join(' '), matched: Boolean(cmd) });
    if (!cmd) {
      req.onLine(`the drill world has no answer for: ${argv.join(' ')}`, 'stderr');
      return { canceled: false, exitCode: 127 };
    }
    const extra = { args: argv };
    const out = {
      stdout: typeof cmd.stdout === 'object' && cmd.stdout !== null ? JSON.stringify(this.evaluate(cmd.stdout, extra)) : String(this.evaluate(cmd.stdout, extra) ?? ''),
      stderr: String(this.evaluate(cmd.stderr, extra) ?? ''),
      exitCode: Number(this.evaluate(cmd.exit_code, extra)),
      duration: Number(this.evaluate(cmd.duration_ms, extra)),
      set: Object.fromEntries(Object.entries(cmd.set ?? {}).map(([k, v]) => [k, this.evaluate(v, extra)])),
    };
    try {
      await this.clock.sleep(out.duration, req.signal);
    } catch {
      return { canceled: true };
    }
    Object.assign(this.state, out.set);
    for (const line of lines(out.stdout)) req.onLine(line, 'stdout');
    for (const line of lines(out.stderr)) req.onLine(line, 'stderr');
    this.changed();
    return { canceled: false, exitCode: out.exitCode };
  }

  async fetch(url: string, init: RequestInit): Promise<Response> {
    const method = (init.method ?? 'GET').toUpperCase();
    const route = this.spec.http.find((r) => r.url === url && r.method.toUpperCase() === method);
    this.calls.push({ at_ms: this.clock.elapsed, kind: 'http', what: `${method} ${url}`, matched: Boolean(route) });
    if (!route) {
      // Nothing in a drill ever reaches a real network: an unknown address is refused.
      throw new TypeError('fetch failed', { cause: Object.assign(new Error(`connect ECONNREFUSED (no simulated service at ${url})`), { code: 'ECONNREFUSED' }) });
    }
    const extra = { request: { method, url } };
    const status = Number(this.evaluate(route.status, extra));
    const latency = Number(this.evaluate(route.latency_ms, extra));
    const body = String(this.evaluate(route.body, extra) ?? '');
    await this.clock.sleep(latency, init.signal ?? undefined);
    this.changed();
    return new Response(status === 204 || status === 304 ? null : body, { status, headers: route.headers });
  }

  providers(): Providers {
    return { exec: (req) => this.exec(req), fetch: (url, init) => this.fetch(url, init) };
  }

  private changed(): void {
    for (const l of this.listeners) l();
  }
}

function lines(text: string): string[] {
  if (!text) return [];
  return text.replace(/\n$/, '').split('\n');
}
