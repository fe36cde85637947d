// A kubeconfig for a local API on plain HTTP. client-node 2 refuses http:// unless the cluster
// says insecure-skip-tls-verify, which is what a loopback test or drill server is.
import type { KubeProvider } from '../../providers/types.js';

export function kubeconfigYaml(server: string, name = 'drill'): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    `- name: ${name}`,
    '  cluster:',
    `    server: ${server}`,
    '    insecure-skip-tls-verify: true',
    'users:',
    `- name: ${name}`,
    '  user:',
    `    token: ${name}-token`,
    'contexts:',
    `- name: ${name}`,
    '  context:',
    `    cluster: ${name}`,
    `    user: ${name}`,
    '    namespace: default',
    `current-context: ${name}`,
    '',
  ].join('\n');
}

/** A KubeProvider over a generated kubeconfig (loaded by client-node's own parser). */
export function kubeProviderFor(server: string, name = 'drill'): KubeProvider {
  let kc: Promise<import('@kubernetes/client-node').KubeConfig> | undefined;
  return {
    context: name,
    kubeConfig() {
      kc ??= import('@kubernetes/client-node').then((k8s) => {
        const c = new k8s.KubeConfig();
        c.loadFromString(kubeconfigYaml(server, name));
        return c;
      });
      return kc;
    },
  };
}
