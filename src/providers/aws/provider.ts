// The AWS side of the world: SDK clients made on first use, one per service and region, with the
// default credential chain (env keys, SSO, profiles, web identity, IMDS) as the AWS CLI sees it.
// This file is on the start-up path, so the SDK itself is only ever loaded with `await import()`.
import { resolveLiveWorld } from '../world.js';
import { toAwsStepError } from './errors.js';
import { AWS_SERVICES, cjs } from './modules.js';
import type { AwsClient, AwsClientConfig, AwsClients, AwsService } from './sdk.js';

export type { AwsService } from './sdk.js';

export interface AwsIdentity {
  account: string;
  arn: string;
  userId: string;
  /** The role or user name from the ARN (`OnCall` for `…:assumed-role/OnCall/alice`). */
  principal: string;
  region?: string;
  profile?: string;
}

export interface AwsProvider {
  readonly profile?: string;
  readonly region?: string;
  /** Lazily imported (await import), created once per service and region, from the SDK's default credential chain. */
  client<S extends AwsService>(service: S, region?: string): Promise<AwsClients[S]>;
  /** STS GetCallerIdentity, resolved once and cached. */
  identity(signal?: AbortSignal): Promise<AwsIdentity>;
}

export interface AwsProviderOptions {
  /** `--profile`; wins over AWS_PROFILE. */
  profile?: string;
  /** `--region`; wins over AWS_REGION and AWS_DEFAULT_REGION. */
  region?: string;
  /**
   * Where AWS_PROFILE / AWS_REGION / AWS_DEFAULT_REGION are read (default: process.env). The SDK
   * itself still reads credentials, AWS_ENDPOINT_URL_* and config files from process.env.
   */
  env?: NodeJS.ProcessEnv;
  /** Called on each client right after it is created (drills attach the world here). */
  decorate?: (client: AwsClient, service: AwsService) => void;
  /**
   * Extra configuration for every client. Drills pass static credentials; when `credentials` is
   * given the default chain is not used at all.
   */
  clientConfig?: AwsClientConfig;
  /**
   * Receives the credential chain's warnings (e.g. both --profile and AWS_ACCESS_KEY_ID are set)
   * instead of console.warn, which would tear through a full-screen UI.
   */
  onWarning?: (message: string) => void;
}

export function createAwsProvider(opts: AwsProviderOptions = {}): AwsProvider {
  // The one rule for profile and region (providers/world.ts): given values win, then the environment.
  const { profile, region } = resolveLiveWorld({ profile: opts.profile, region: opts.region }, opts.env ?? process.env).aws;
  // Keyed by service and region, so each entry holds a client of the service its key names.
  const clients = new Map<string, Promise<AwsClient>>();
  let credentials: Promise<AwsClientConfig['credentials']> | undefined;
  let identity: Promise<AwsIdentity> | undefined;

  // One chain for every client, so an SSO session or an assumed role (perhaps with an MFA
  // prompt) is resolved once per run, not once per service. The SDK refreshes it before expiry.
  const sharedCredentials = () =>
    (credentials ??= import('@aws-sdk/credential-providers')
      // In the bundle a CommonJS package's chunk exports only `default` (module.exports).
      .then(cjs)
      .then((m) => m.fromNodeProviderChain({ ...(profile ? { profile } : {}), ...(opts.onWarning ? { logger: warningLogger(opts.onWarning) } : {}) })));

  const provider: AwsProvider = {
    profile,
    region,
    client<S extends AwsService>(service: S, wanted?: string): Promise<AwsClients[S]> {
      if (!Object.hasOwn(AWS_SERVICES, service)) return Promise.reject(new TypeError(`unknown AWS service '${String(service)}'`));
      const info = AWS_SERVICES[service];
      const where = (wanted?.trim() || undefined) ?? region;
      const key = `${service}@${where ?? ''}`;
      const cached = clients.get(key);
      if (cached) return cached as Promise<AwsClients[S]>;
      const made = (async () => {
        const mod = await info.load();
        const config: AwsClientConfig = { ...(profile ? { profile } : {}), ...opts.clientConfig };
        // Without a region here the SDK looks in the profile's config file, then fails with "Region is missing".
        if (where) config.region = where;
        if (config.credentials === undefined) config.credentials = await sharedCredentials();
        const client = info.create(mod, config);
        opts.decorate?.(client, service);
        return client;
      })();
      // A failed import or constructor is not cached: the next call tries again.
      made.catch(() => clients.delete(key));
      clients.set(key, made);
      return made;
    },
    identity(signal) {
      identity ??= (async () => {
        const [sts, mod] = await Promise.all([provider.client('sts'), AWS_SERVICES.sts.load()]);
        let out: { Account?: string; Arn?: string; UserId?: string };
        try {
          out = await sts.send(new mod.GetCallerIdentityCommand({}), signal ? { abortSignal: signal } : undefined);
        } catch (err) {
          throw toAwsStepError(err, { service: 'sts', operation: 'GetCallerIdentity', profile });
        }
        const arn = out.Arn ?? '';
        return {
          account: out.Account ?? '',
          arn,
          userId: out.UserId ?? '',
          principal: principalFromArn(arn),
          region: region ?? (await resolvedRegion(sts)),
          ...(profile ? { profile } : {}),
        };
      })();
      const pending = identity;
      // Cache only a success; a failure (expired login, abort) is asked again next time.
      pending.catch(() => {
        if (identity === pending) identity = undefined;
      });
      return pending;
    },
  };
  return provider;
}

/** The role or user name in an STS/IAM ARN. */
export function principalFromArn(arn: string): string {
  const resource = arn.split(':').slice(5).join(':');
  if (!resource) return '';
  if (resource === 'root') return 'root';
  const parts = resource.split('/');
  const kind = parts[0];
  // assumed-role/<role>/<session>; user/<path…>/<name>; federated-user/<name>; role/<path…>/<name>
  if (kind === 'assumed-role') return parts[1] ?? '';
  return parts[parts.length - 1] ?? '';
}

/** The region a client resolved (from the profile when none was given), or undefined. */
export async function resolvedRegion(client: AwsClient): Promise<string | undefined> {
  try {
    const r: unknown = client.config.region;
    const value: unknown = typeof r === 'function' ? await r() : r;
    return typeof value === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

function warningLogger(onWarning: (message: string) => void) {
  const quiet = () => {};
  return { trace: quiet, debug: quiet, info: quiet, warn: (...args: unknown[]) => onWarning(args.map(String).join(' ')), error: quiet };
}
