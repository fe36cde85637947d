// Where each AWS service lives in the SDK. The imports are literal so the bundler turns each
// client package into its own chunk, loaded only when a step first needs that service.
import type { AwsClientConfig, AwsClients, AwsSdk, AwsService } from './sdk.js';

export interface AwsServiceInfo<S extends AwsService = AwsService> {
  /** The prefix of IAM actions, e.g. `elasticloadbalancing` for elbv2. */
  iamPrefix: string;
  /** How people name the service in messages. */
  label: string;
  /** The client package (imported once; Node caches the module). */
  load(): Promise<AwsSdk[S]>;
  /** A client of the package, e.g. `new m.EC2Client(config)`. */
  create(mod: AwsSdk[S], config: AwsClientConfig): AwsClients[S];
}

/**
 * The bundle turns a CommonJS package into a chunk whose only export is `default`
 * (module.exports); under Node or vitest the named exports are there too. Either way the value
 * has the package's exports, as its type says.
 */
export function cjs<T extends object>(m: T): T {
  const inner: unknown = (m as { default?: unknown }).default;
  return Object.keys(m).length === 1 && inner !== null && typeof inner === 'object' ? (inner as T) : m;
}

export const AWS_SERVICES: { readonly [S in AwsService]: AwsServiceInfo<S> } = {
  ec2: { iamPrefix: 'ec2', label: 'EC2', load: () => import('@aws-sdk/client-ec2').then(cjs), create: (m, config) => new m.EC2Client(config) },
  elbv2: {
    iamPrefix: 'elasticloadbalancing',
    label: 'Elastic Load Balancing',
    load: () => import('@aws-sdk/client-elastic-load-balancing-v2').then(cjs),
    create: (m, config) => new m.ElasticLoadBalancingV2Client(config),
  },
  elb: {
    iamPrefix: 'elasticloadbalancing',
    label: 'Classic Load Balancing',
    load: () => import('@aws-sdk/client-elastic-load-balancing').then(cjs),
    create: (m, config) => new m.ElasticLoadBalancingClient(config),
  },
  cloudwatch: {
    iamPrefix: 'cloudwatch',
    label: 'CloudWatch',
    load: () => import('@aws-sdk/client-cloudwatch').then(cjs),
    create: (m, config) => new m.CloudWatchClient(config),
  },
  s3: { iamPrefix: 's3', label: 'S3', load: () => import('@aws-sdk/client-s3').then(cjs), create: (m, config) => new m.S3Client(config) },
  secretsmanager: {
    iamPrefix: 'secretsmanager',
    label: 'Secrets Manager',
    load: () => import('@aws-sdk/client-secrets-manager').then(cjs),
    create: (m, config) => new m.SecretsManagerClient(config),
  },
  sts: { iamPrefix: 'sts', label: 'STS', load: () => import('@aws-sdk/client-sts').then(cjs), create: (m, config) => new m.STSClient(config) },
};

/** The client package of a service (imported once; Node caches the module). */
export function loadAwsModule<S extends AwsService>(service: S): Promise<AwsSdk[S]> {
  return AWS_SERVICES[service].load();
}

// Operations whose IAM action is not simply `<prefix>:<operation>`.
const IAM_ACTION_EXCEPTIONS: Record<string, string> = {
  's3:ListObjectsV2': 's3:ListBucket',
  's3:ListObjects': 's3:ListBucket',
  's3:HeadObject': 's3:GetObject',
  's3:HeadBucket': 's3:ListBucket',
};

/** The IAM action a call needs, e.g. `ec2:StopInstances` or `s3:ListBucket` for ListObjectsV2. */
export function iamAction(service: AwsService, operation: string): string {
  const action = `${AWS_SERVICES[service].iamPrefix}:${operation}`;
  return IAM_ACTION_EXCEPTIONS[action] ?? action;
}
