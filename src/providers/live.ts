// The real world: processes through execa, HTTP through Node's fetch, Kubernetes through the
// operator's kubeconfig (loaded on first use).
import { createAwsProvider } from './aws/provider.js';
import { createKubeProvider } from './kube.js';
import type { ExecRequest, ExecResult, Providers } from './types.js';
import type { LiveWorld } from './world.js';

/** How long a process group has to stop after SIGTERM before it is killed. */
const KILL_GRACE_MS = 3000;

/** Signals a whole process group; quiet when it is already gone. */
function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // gone already
  }
}

async function exec(req: ExecRequest): Promise<ExecResult> {
  const { execa } = await import('execa');
  // A line transform that yields nothing: execa keeps no copy; the caller keeps a bounded one.
  const sink = (stream: 'stdout' | 'stderr') =>
    // eslint-disable-next-line require-yield
    function* (line: unknown) {
      req.onLine(String(line), stream);
    };
  if (req.signal.aborted) return { canceled: true };
  // Its own process group (detached): an abort or a timeout stops the grandchildren too, even one
  // that holds stdout open, and the group outlives oncall visibly if oncall is killed, so a resume
  // waits for it instead of running the step a second time beside it.
  const child = execa(req.file, req.args, {
    cwd: req.cwd,
    env: req.env,
    input: req.input,
    stdin: req.input === undefined ? 'ignore' : 'pipe',
    stdout: sink('stdout'),
    stderr: sink('stderr'),
    detached: true,
    reject: false,
    shell: false,
  });
  const pid = child.pid;
  let canceled = false;
  let grace: ReturnType<typeof setTimeout> | undefined;
  const onAbort = () => {
    if (pid === undefined) return;
    canceled = true;
    signalGroup(pid, 'SIGTERM');
    grace = setTimeout(() => signalGroup(pid, 'SIGKILL'), KILL_GRACE_MS);
    grace.unref?.();
  };
  if (pid !== undefined) {
    req.onStart?.({ pid, pgid: pid });
    req.signal.addEventListener('abort', onAbort, { once: true });
  }
  try {
    const res = await child;
    if (canceled) {
      // The leader is gone; make sure nothing it started lingers past the grace period.
      if (pid !== undefined) signalGroup(pid, 'SIGKILL');
      return { canceled: true };
    }
    if (res.failed && res.exitCode === undefined && !res.signal) {
      const notFound = (res.cause as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
      return { canceled: false, notFound, startError: res.shortMessage };
    }
    return { canceled: false, exitCode: res.exitCode, signal: res.signal };
  } finally {
    req.signal.removeEventListener('abort', onAbort);
    if (grace) clearTimeout(grace);
  }
}

/**
 * The live world's providers, for the place it was decided (resolveLiveWorld). There is no default
 * instance: whoever opens an incident must say which world its steps act on.
 */
export function liveProvidersFor(o: { world: LiveWorld; env?: NodeJS.ProcessEnv; onWarning?: (message: string) => void }): Providers {
  return {
    exec,
    fetch: (url, init) => fetch(url, init),
    kube: createKubeProvider(o.world.kube),
    aws: createAwsProvider({ profile: o.world.aws.profile, region: o.world.aws.region, env: o.env, onWarning: o.onWarning }),
  };
}
