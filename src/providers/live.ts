// The real world: processes through execa, HTTP through Node's fetch, Kubernetes through the
// operator's kubeconfig (loaded on first use).
import { createAwsProvider } from './aws/provider.js';
import { createKubeProvider } from './kube.js';
import type { ExecRequest, ExecResult, Providers } from './types.js';
import type { LiveWorld } from './world.js';

async function exec(req: ExecRequest): Promise<ExecResult> {
  const { execa } = await import('execa');
  // A line transform that yields nothing: execa keeps no copy; the caller keeps a bounded one.
  const sink = (stream: 'stdout' | 'stderr') =>
    // eslint-disable-next-line require-yield
    function* (line: unknown) {
      req.onLine(String(line), stream);
    };
  const res = await execa(req.file, req.args, {
    cwd: req.cwd,
    env: req.env,
    input: req.input,
    stdin: req.input === undefined ? 'ignore' : 'pipe',
    stdout: sink('stdout'),
    stderr: sink('stderr'),
    cancelSignal: req.signal,
    forceKillAfterDelay: 3000,
    reject: false,
    shell: false,
  });
  if (res.isCanceled) return { canceled: true };
  if (res.failed && res.exitCode === undefined && !res.signal) {
    const notFound = (res.cause as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
    return { canceled: false, notFound, startError: res.shortMessage };
  }
  return { canceled: false, exitCode: res.exitCode, signal: res.signal };
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
