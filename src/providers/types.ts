// The world as step kinds see it. Live incidents get real processes, HTTP and cloud APIs; drills
// get a simulated world behind the very same interfaces. Step kinds never reach past these.
import type { AwsProvider } from './aws/provider.js';

export interface ExecRequest {
  file: string;
  args: string[];
  cwd?: string;
  /** Added to the inherited environment. */
  env?: Record<string, string>;
  input?: string;
  signal: AbortSignal;
  /** Each line of output as it arrives. */
  onLine(line: string, stream: 'stdout' | 'stderr'): void;
  /**
   * The process started, as the leader of its own process group: whatever it starts stays in the
   * group, so an abort or a timeout stops them all, and a resume can tell whether any still runs.
   */
  onStart?(proc: { pid: number; pgid: number }): void;
}

export interface ExecResult {
  /** Undefined when the process could not start or was killed by a signal. */
  exitCode?: number;
  signal?: string;
  /** The program does not exist (ENOENT). */
  notFound?: boolean;
  /** Why it could not run, when it could not. */
  startError?: string;
  canceled: boolean;
}

/** Kubernetes access through @kubernetes/client-node, loaded only when a step needs it. */
export interface KubeProvider {
  /** The kubeconfig context in use (from --context, or the kubeconfig's current-context). */
  readonly context?: string;
  /** The loaded KubeConfig: KUBECONFIG or ~/.kube/config live; a generated one in drills. */
  kubeConfig(): Promise<import('@kubernetes/client-node').KubeConfig>;
}

export interface Providers {
  /** Runs a program with an argument array (never a shell string). */
  exec(req: ExecRequest): Promise<ExecResult>;
  /** The WHATWG fetch used by HTTP probes. */
  fetch(url: string, init: RequestInit): Promise<Response>;
  /** Kubernetes, when the run has a cluster (live: kubeconfig; drills: a local simulated API). */
  kube?: KubeProvider;
  /** AWS clients and identity (live: the default credential chain; drills: the simulated account). */
  aws?: AwsProvider;
}
