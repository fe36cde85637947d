import type { Clock } from './step.js';

function wallSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Wall-clock time, for live incidents. Drills provide a simulated clock instead. */
export const realClock: Clock = {
  now: () => Date.now(),
  sleep: wallSleep,
  deadline: wallSleep,
};
