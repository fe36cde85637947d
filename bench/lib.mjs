// Shared by the benchmarks: time whole commands the way a person runs them, same Node, same run.
import { spawnSync } from 'node:child_process';

/** Median wall time in ms of `node ...args` over `runs` runs (after one warm-up). */
export function timeNode(args, { runs = 15, env = {}, cwd } = {}) {
  const once = () => {
    const t = performance.now();
    const r = spawnSync(process.execPath, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    const ms = performance.now() - t;
    if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
    return ms;
  };
  once();
  return median(Array.from({ length: runs }, once));
}

/** The middle value (the upper middle of an even count); the input is left as it was. */
export function median(xs) {
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
}

export function report(name, value, baseline, target) {
  const ratio = value / baseline;
  const ok = ratio <= target;
  console.log(`${name}: ${ratio.toFixed(2)}x baseline (${value.toFixed(1)} ms vs ${baseline.toFixed(1)} ms; target <= ${target}x) ${ok ? 'ok' : 'MISSED'}`);
  return ok;
}
