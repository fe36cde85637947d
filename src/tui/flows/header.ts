// Where commands would land, for the header: the AWS identity (an injectable lookup, so the first
// frame never waits on the network) and the kube context. The journaled ones (identity.resolved)
// win when they come first: they are what the engine uses.
import { kubeContextFromEnv } from '../context.js';
import { errorText, type Shared } from './shared.js';

export class HeaderFlow {
  constructor(private readonly tui: Shared) {}

  /** Looks both up in the background. */
  async resolve(): Promise<void> {
    const { o, env, store } = this.tui;
    const s = store.getState();
    const kube = o.kubeContextName ? Promise.resolve(o.kubeContextName) : (o.kubeContext ?? (() => kubeContextFromEnv(env)))();
    if (o.identity) {
      const identity = o.identity().catch((err) => {
        store.getState().setIdentity({ pending: false, error: errorText(err) });
        store.getState().setMessage(`aws identity: ${errorText(err)}`, 'warn');
        return undefined;
      });
      void identity.then((id) => {
        if (id) s.setIdentity({ pending: false, account: id.account, principal: id.principal, ...(id.region ? { region: id.region } : {}) });
        else store.getState().setIdentity({ pending: false });
      });
    }
    // The journaled context (identity.resolved) wins if it came first: it is what the engine uses.
    const context = await kube.catch(() => undefined);
    if (store.getState().kube.pending) s.setKube({ context, pending: false });
  }
}
