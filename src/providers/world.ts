// Where a live run acts, decided once from the flags and the environment, the way the AWS CLI and
// kubectl decide it, and passed down: the providers act on it, the journal records it and the
// header shows it, so they never disagree.

export interface LiveWorld {
  /** Profile and region as the AWS CLI picks them. AWS_DEFAULT_PROFILE is not read: the SDK ignores it. */
  aws: { profile?: string; region?: string };
  /** An explicit context and kubeconfig; otherwise the kubeconfig's current-context. */
  kube: { context?: string; kubeconfig?: string };
}

export interface LiveWorldFlags {
  profile?: string;
  region?: string;
  context?: string;
  kubeconfig?: string;
}

const given = (v: string | undefined): string | undefined => (v && v.trim() !== '' ? v : undefined);

/** Flags beat the environment; an empty value counts as not given. */
export function resolveLiveWorld(flags: LiveWorldFlags, env: NodeJS.ProcessEnv): LiveWorld {
  return {
    aws: {
      profile: given(flags.profile) ?? given(env.AWS_PROFILE),
      // The JS SDK reads AWS_REGION but not AWS_DEFAULT_REGION; the CLI reads both, so we do too.
      region: given(flags.region) ?? given(env.AWS_REGION) ?? given(env.AWS_DEFAULT_REGION),
    },
    // KUBECONFIG (a list of files) is left to client-node's own loading, as kubectl reads it.
    kube: { context: given(flags.context), kubeconfig: given(flags.kubeconfig) },
  };
}
