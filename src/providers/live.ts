// The real world: processes through execa, HTTP through Node's fetch, Kubernetes through the
// operator's kubeconfig (loaded on first use).
import { createAwsProvider } from './aws/provider.js';
import { createKubeProvider, type KubeOptions } from './kube.js';
import type { ExecRequest, ExecResult, Providers } from './types.js';

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

export const liveProviders: Providers = {
  exec,
  fetch: (url, init) => fetch(url, init),
  kube: createKubeProvider(),
  // Nothing is imported or asked of AWS until a step calls it.
  aws: createAwsProvider(),
};

/** Live providers for the command line's `--profile`, `--region`, `--context` and `--kubeconfig`. */
export function liveProvidersFor(o: { profile?: string; region?: string; env?: NodeJS.ProcessEnv; kube?: KubeOptions; onWarning?: (message: string) => void }): Providers {
  return {
    exec,
    fetch: (url, init) => fetch(url, init),
    kube: createKubeProvider(o.kube ?? {}),
    aws: createAwsProvider({ profile: o.profile, region: o.region, env: o.env, onWarning: o.onWarning }),
  };
}

