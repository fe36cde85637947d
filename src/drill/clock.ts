// Simulated time for drills. Work sleeps (poll intervals, backoffs, a service's response time)
// move time forward at once; deadlines (step timeouts) fire when time passes them. A drill that
// spans twenty minutes of incident therefore runs in well under a second.
import type { Clock } from '../core/step.js';

interface Deadline {
  due: number;
  resolve: () => void;
}

export class VirtualClock implements Clock {
  private current: number;
  private deadlines: Deadline[] = [];

  constructor(readonly startedAt: number) {
    this.current = startedAt;
  }

  now(): number {
    return this.current;
  }

  /** Simulated milliseconds since the drill started. */
  get elapsed(): number {
    return this.current - this.startedAt;
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
      const entry: Deadline = { due: this.current + ms, resolve };
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
    this.current += ms;
    const due = this.deadlines.filter((d) => d.due <= this.current).sort((a, b) => a.due - b.due);
    this.deadlines = this.deadlines.filter((d) => d.due > this.current);
    for (const d of due) d.resolve();
  }
}
