// Where the operator's commands would land, for the header: the AWS identity is looked up lazily by
// an injectable function (the first frame never waits on the network), and the current kube context
// is read from the kubeconfig. Profile and region come decided from the command line.
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

export interface AwsIdentity {
  account?: string;
  principal?: string;
  region?: string;
}

/** The current-context of the first kubeconfig file that names one ($KUBECONFIG, else ~/.kube/config). */
export async function kubeContextFromEnv(env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const files = env.KUBECONFIG ? env.KUBECONFIG.split(delimiter).filter(Boolean) : [join(env.HOME || homedir(), '.kube', 'config')];
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch {
      continue;
    }
    const m = /^current-context:[ \t]*["']?([^"'\s#]+)["']?[ \t]*(?:#.*)?$/m.exec(text);
    if (m) return m[1];
  }
  return undefined;
}
