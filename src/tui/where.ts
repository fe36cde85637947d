// Where a confirmed change would land, in the words of the confirmation: the operator approves a
// write knowing the AWS account and region it acts in, or that it acts on this machine or over
// the network with no account involved. Kept out of the components so it is tested on its own.
import type { ConfirmRequest } from '../core/step.js';
import type { IdentityView } from './store.js';

export function confirmWhere(req: Pick<ConfirmRequest, 'account' | 'region' | 'intent'>, identity: IdentityView): string {
  const { intent } = req;
  // An HTTP call (a webhook, a probe) involves no AWS account: its URL is named in the intent.
  if (!req.account && !req.region && !intent.argv && intent.api?.startsWith('HTTP ')) {
    return 'where:     over the network from this machine (no AWS account involved)';
  }
  if (req.account || req.region || !intent.argv || identity.account) {
    const account = req.account ?? identity.account ?? (identity.pending ? 'pending' : 'unknown');
    const region = req.region ?? identity.region ?? 'none set';
    return `account:   ${account}   region: ${region}${identity.profile ? `   profile: ${identity.profile}` : ''}`;
  }
  // A process on this machine: no cloud account is involved unless the command itself picks one.
  const env = identity.profile || identity.region ? `; AWS_PROFILE ${identity.profile ?? '-'}, region ${identity.region ?? '-'}` : '';
  return `where:     this machine (a local process)${env}`;
}
