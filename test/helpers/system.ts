// Tests that need a system binary skip with a loud message when it is missing locally, and fail
// when CI=true (CI installs everything the tests need).
import { spawnSync } from 'node:child_process';

export function hasCommand(cmd: string, args: string[] = ['--version']): boolean {
  const r = spawnSync(cmd, args, { stdio: 'ignore' });
  return r.error === undefined && r.status === 0;
}

/** Returns true when the test may run; otherwise warns (locally) or throws (in CI). */
export function requireSystem(what: string, available: boolean): boolean {
  if (available) return true;
  if (process.env.CI === 'true') throw new Error(`${what} is required in CI but is not available; .ci/run must install it`);
  console.warn(`\n*** SKIPPING: ${what} is not available on this machine; CI runs this test. ***\n`);
  return false;
}
