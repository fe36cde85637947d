// Where the operator's commands would land: the AWS profile and region from the environment (the
// identity itself is looked up lazily by an injectable function, so the first frame never waits on
// the network), and the current kube context from the kubeconfig.
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

export interface AwsIdentity {
  account?: string;
  principal?: string;
  region?: string;
}

/** Profile and region as the AWS SDK's default chain would pick them from the environment. */
export function awsFromEnv(env: NodeJS.ProcessEnv): { profile?: string; region?: string } {
  return {
    profile: env.AWS_PROFILE || env.AWS_DEFAULT_PROFILE || undefined,
    region: env.AWS_REGION || env.AWS_DEFAULT_REGION || undefined,
  };
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
