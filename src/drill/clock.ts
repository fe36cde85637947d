// Simulated time for drills. Machine waits (poll intervals, backoffs, a service's response time)
// move time forward at once; deadlines (step timeouts) fire when time passes them. A drill that
// spans twenty minutes of incident therefore runs in well under a second of machine time.
//
// The human is not fast-forwarded (#20): while the engine waits on the operator (a gate, a
// decision, a confirmation, a manual step, an input, a failure prompt) simulated time runs with
// the wall clock, times `pace` (1 by default; 0 plays machine time only, as --auto does). The
// drill wraps its ports in `human()`; the engine itself knows nothing of it.
import type { Clock } from '../core/step.js';

interface Deadline {
  due: number;
  resolve: () => void;
}

export interface VirtualClockOptions {
  /** Simulated milliseconds per wall millisecond while a human is awaited: 1 by default, 0 for machine time only. */
  pace?: number;
  /** The wall clock (Date.now by default; tests fake it). */
  wall?: () => number;
}

export class VirtualClock implements Clock {
  private current: number;
  private deadlines: Deadline[] = [];
  readonly pace: number;
  private readonly wall: () => number;
  /** How many human waits are open, and the wall time simulated time was last folded at. */
  private waiting = 0;
  private since: number | undefined;
  private ticker: ReturnType<typeof setInterval> | undefined;
  /** Wall milliseconds spent waiting on the human, in total. */
  private humanWallMs = 0;
  /** Wall time when the clock was made: the drill's wall start. */
  readonly wallStartedAt: number;

  constructor(
    readonly startedAt: number,
    o: VirtualClockOptions = {},
  ) {
    this.current = startedAt;
    this.pace = Math.max(0, o.pace ?? 1);
    this.wall = o.wall ?? (() => Date.now());
    this.wallStartedAt = this.wall();
  }

  now(): number {
    return this.current + this.live();
  }

  /** Simulated milliseconds since the drill started. */
  get elapsed(): number {
    return this.now() - this.startedAt;
  }

  /** Wall milliseconds since the clock was made. */
  get wallElapsed(): number {
    return this.wall() - this.wallStartedAt;
  }

  /** Wall milliseconds the drill has waited on the human so far. */
  get humanMs(): number {
    return this.humanWallMs + (this.since === undefined ? 0 : this.wall() - this.since);
  }

  /** True while a human wait is open. */
  get awaitingHuman(): boolean {
    return this.waiting > 0;
  }

  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw signal.reason;
    // Let whatever is already running catch up before time moves, as it would in real time.
    await new Promise((r) => setImmediate(r));
    if (signal?.aborted) throw signal.reason;
    this.advance(Math.max(0, ms));
  }

  deadline(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const entry: Deadline = { due: this.now() + ms, resolve };
      this.deadlines.push(entry);
      signal?.addEventListener(
        'abort',
        () => {
          this.deadlines = this.deadlines.filter((d) => d !== entry);
          reject(signal.reason);
        },
        { once: true },
      );
    });
  }

  /** Moves time forward and fires every deadline it passes, earliest first. */
  advance(ms: number): void {
    this.fold();
    this.current += ms;
    this.fire();
  }

  /**
   * Awaits what a human answers, with simulated time running at the wall clock's pace meanwhile.
   * Waits may overlap (a confirmation inside a gate); time runs once, not once per wait.
   */
  async human<T>(answer: () => Promise<T>): Promise<T> {
    if (this.waiting++ === 0) {
      this.since = this.wall();
      // Deadlines (a manual step's timeout) fire while the operator thinks, as they would live.
      if (this.pace > 0) {
        this.ticker = setInterval(() => this.advance(0), 250);
        this.ticker.unref?.();
      }
    }
    try {
      return await answer();
    } finally {
      if (--this.waiting === 0) {
        this.fold();
        this.since = undefined;
        if (this.ticker) clearInterval(this.ticker);
        this.ticker = undefined;
      }
    }
  }

  /** Simulated milliseconds the open human wait has added, not yet folded into the time. */
  private live(): number {
    return this.since === undefined ? 0 : Math.round((this.wall() - this.since) * this.pace);
  }

  private fold(): void {
    if (this.since === undefined) return;
    const w = this.wall();
    this.current += Math.round((w - this.since) * this.pace);
    this.humanWallMs += w - this.since;
    this.since = w;
  }

  private fire(): void {
    const due = this.deadlines.filter((d) => d.due <= this.current).sort((a, b) => a.due - b.due);
    this.deadlines = this.deadlines.filter((d) => d.due > this.current);
    for (const d of due) d.resolve();
  }
}
