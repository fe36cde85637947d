// After a one-off burst of allocation (folding a journal of many thousands of records on resume),
// V8 keeps the grown heap committed for the life of the process. One full collection while the
// operator reads the screen lets it shrink. `gc` is not exposed without a flag; this is the
// standard way to reach it at run time, and it is used once, not on any key path.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let gc: (() => void) | undefined;

export function reclaim(): void {
  try {
    if (!gc) {
      setFlagsFromString('--expose_gc');
      gc = runInNewContext('gc') as () => void;
    }
    gc();
  } catch {
    // not available on this runtime: only memory is at stake
  }
}
