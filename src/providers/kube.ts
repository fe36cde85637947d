// Live Kubernetes access: a KubeConfig loaded on first use the way kubectl does (KUBECONFIG, a
// colon-separated list; else ~/.kube/config; else the in-cluster service account), with an
// optional context. client-node itself is imported only when a step first needs the cluster.
import type { KubeConfig } from '@kubernetes/client-node';
import type { KubeProvider } from './types.js';

export interface KubeOptions {
  /** --context: a context of the kubeconfig; the kubeconfig's current-context when absent. */
  context?: string;
  /** An explicit kubeconfig file (instead of KUBECONFIG / ~/.kube/config). */
  kubeconfig?: string;
}

/** Why no cluster could be reached, for people. */
export class KubeConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KubeConfigError';
  }
}

export function createKubeProvider(opts: KubeOptions = {}): KubeProvider {
  let loaded: Promise<KubeConfig> | undefined;
  let current: string | undefined;
  return {
    get context() {
      return opts.context ?? current;
    },
    kubeConfig() {
      loaded ??= load(opts).then(
        (kc) => {
          current = kc.getCurrentContext();
          return kc;
        },
        (err: unknown) => {
          loaded = undefined; // fixed KUBECONFIG? the next step tries again
          throw err;
        },
      );
      return loaded;
    },
  };
}

async function load(opts: KubeOptions): Promise<KubeConfig> {
  const k8s = await import('@kubernetes/client-node');
  const kc = new k8s.KubeConfig();
  try {
    if (opts.kubeconfig) kc.loadFromFile(opts.kubeconfig);
    else kc.loadFromDefault();
  } catch (err) {
    const where = opts.kubeconfig ?? process.env.KUBECONFIG ?? '~/.kube/config';
    throw new KubeConfigError(`cannot load the kubeconfig (${where}): ${(err as Error).message}`);
  }
  // With nothing to load, client-node falls back to an unauthenticated http://localhost:8080.
  if (!opts.kubeconfig && kc.currentContext === 'loaded-context' && kc.getCurrentCluster()?.server === 'http://localhost:8080') {
    throw new KubeConfigError('no kubeconfig found: set KUBECONFIG (on a kubeadm control-plane node: KUBECONFIG=/etc/kubernetes/admin.conf), create ~/.kube/config, or run inside a cluster');
  }
  if (opts.context) {
    if (!kc.getContextObject(opts.context)) {
      const known = kc.getContexts().map((c) => c.name);
      throw new KubeConfigError(`the kubeconfig has no context '${opts.context}'${known.length ? ` (contexts: ${known.join(', ')})` : ''}`);
    }
    kc.setCurrentContext(opts.context);
  }
  if (!kc.getCurrentCluster()) throw new KubeConfigError(`the kubeconfig's context '${kc.getCurrentContext()}' names no cluster`);
  return kc;
}
