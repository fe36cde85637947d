import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/drill/clock.js';

describe('VirtualClock', () => {
  it('moves time on work sleeps and fires deadlines as time passes them, earliest first', async () => {
    const clock = new VirtualClock(1_000);
    const fired: string[] = [];
    void clock.deadline(30_000).then(() => fired.push('30s'));
    void clock.deadline(10_000).then(() => fired.push('10s'));
    await clock.sleep(5_000);
    await Promise.resolve();
    expect(fired).toEqual([]);
    expect(clock.now()).toBe(6_000);
    await clock.sleep(40_000);
    await Promise.resolve();
    expect(fired).toEqual(['10s', '30s']);
    expect(clock.elapsed).toBe(45_000);
  });

  it('a cancelled deadline never fires, and an aborted sleep rejects with the reason', async () => {
    const clock = new VirtualClock(0);
    const cancel = new AbortController();
    const deadline = clock.deadline(1_000, cancel.signal);
    cancel.abort(new Error('step ended'));
    await expect(deadline).rejects.toThrow('step ended');
    const stop = new AbortController();
    stop.abort(new Error('aborted by the operator'));
    await expect(clock.sleep(1_000, stop.signal)).rejects.toThrow('aborted by the operator');
    expect(clock.now()).toBe(0);
  });
});
