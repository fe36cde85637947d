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

describe('VirtualClock and the human (#20)', () => {
  it('runs with the wall clock while a human is awaited, at its pace; machine sleeps still jump', async () => {
    let wall = 50_000;
    const clock = new VirtualClock(0, { wall: () => wall });
    let answer!: (v: string) => void;
    const asked = clock.human(() => new Promise<string>((r) => (answer = r)));
    wall += 90_000;
    expect(clock.elapsed).toBe(90_000);
    answer('ok');
    await expect(asked).resolves.toBe('ok');
    wall += 60_000; // nobody is awaited: the wall passing moves nothing
    expect(clock.elapsed).toBe(90_000);
    await clock.sleep(600_000);
    expect(clock.elapsed).toBe(690_000);
    expect(clock.humanMs).toBe(90_000);
    expect(clock.wallElapsed).toBe(150_000);
  });

  it('pace scales the human time; pace 0 is machine time only; a deadline fires during a long wait', async () => {
    let wall = 0;
    const double = new VirtualClock(0, { wall: () => wall, pace: 2 });
    const fired: string[] = [];
    void double.deadline(30_000).then(() => fired.push('timeout'));
    let done!: () => void;
    const waiting = double.human(() => new Promise<void>((r) => (done = r)));
    wall += 20_000;
    double.advance(0);
    await Promise.resolve();
    expect(fired).toEqual(['timeout']);
    done();
    await waiting;
    expect(double.elapsed).toBe(40_000);

    const machine = new VirtualClock(0, { wall: () => wall, pace: 0 });
    await machine.human(async () => {
      wall += 90_000;
    });
    expect(machine.elapsed).toBe(0);
  });
});
