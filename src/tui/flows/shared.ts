// What the flows share: the options, the store, the clock, the incident attached to the runner,
// and the journal writes in flight. The controller owns one and hands it to every flow; nothing
// else holds state outside the store.
import type { IncidentSession } from '../../engine/session.js';
import type { KindRegistry } from '../../core/registry.js';
import type { Clock } from '../../core/step.js';
import type { Providers } from '../../providers/types.js';
import { realClock } from '../../core/clock.js';
import type { TuiOptions } from '../options.js';
import { createTuiStore, type TuiStore } from '../store.js';

export class Shared {
  readonly store: TuiStore;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  /** The engine's and the header's clock: a drill's simulated one while it plays. */
  clock: Clock;
  /** The incident attached to the runner (a drill's included), until it is closed. */
  open: IncidentSession | undefined;
  /** The last incident attached, for the timeline's export (it outlives a scored drill's journal). */
  last: { id: string; root: string } | undefined;
  /** Set once quitting starts: an incident that finishes opening after it is let go at once. */
  quitting = false;
  /** Journal writes the TUI started (notes, milestones, exports) that must land before closing. */
  private readonly writes = new Set<Promise<unknown>>();
  private registryP: Promise<KindRegistry> | undefined;

  constructor(readonly o: TuiOptions) {
    this.env = o.env ?? process.env;
    this.cwd = o.cwd ?? process.cwd();
    this.clock = o.clock ?? realClock;
    // Where the run acts is decided once, where the flags are read (commands/tui.ts), and handed
    // here: the header shows what the providers use. A drill's header never shows the operator's
    // real AWS profile: its account is the simulation's.
    const aws = o.mode === 'drill' ? {} : definedOnly(o.aws ?? {});
    this.store = createTuiStore({
      mode: o.mode,
      readOnly: o.readOnly,
      color: o.color,
      size: o.size ?? o.initialSize,
      now: this.clock.now(),
      batchMs: o.batchMs,
      outputCap: o.outputCap ?? 1000,
      identity: { ...aws, pending: Boolean(o.identity) },
    });
  }

  /** Who is acting: decided once where the flags are read (core/operator.ts) and handed down. */
  get operator(): string {
    return this.o.operator;
  }

  /** The live world the flags named (made on first use). Drills bring their own and never ask for it. */
  async providers(): Promise<Providers> {
    const p = this.o.providers;
    if (!p) throw new Error('this oncall was started without a world to act on (no providers): start it with `oncall`, or play a drill');
    return typeof p === 'function' ? await p() : p;
  }

  /** The step kinds, loaded once; plugins' problems go to the message line when they are known. */
  registry(): Promise<KindRegistry> {
    this.registryP ??= (this.o.registry ? this.o.registry() : import('../../executors/index.js').then((m) => m.builtinRegistry())).finally(() => this.showPluginNotes());
    return this.registryP;
  }

  showPluginNotes(): void {
    const notes = this.o.pluginNotes?.().filter(Boolean) ?? [];
    if (notes.length) this.store.getState().setMessage(notes.join(' | '), 'warn');
  }

  /** Keeps a journal write until it lands, so closing waits for it. */
  keep(write: Promise<unknown>): void {
    this.writes.add(write);
    void write.finally(() => this.writes.delete(write));
  }

  /** Waits for the writes in flight (each one settles on its own: a failure is already reported). */
  async writesLanded(): Promise<void> {
    await Promise.allSettled([...this.writes]);
  }
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== '')) as Partial<T>;
}
