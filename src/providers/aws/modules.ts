// Where each AWS service lives in the SDK. The imports are literal so the bundler turns each
// client package into its own chunk, loaded only when a step first needs that service.
import type { AwsService } from './provider.js';

export interface AwsServiceInfo {
  /** The exported client class, e.g. `EC2Client`. */
  clientClass: string;
  /** The prefix of IAM actions, e.g. `elasticloadbalancing` for elbv2. */
  iamPrefix: string;
  /** How people name the service in messages. */
  label: string;
  load(): Promise<Record<string, any>>;
}

/**
 * The bundle turns a client package (CommonJS) into a chunk whose only export is `default`
 * (module.exports); under Node or vitest the named exports are there too.
 */
const cjs = (m: any): Record<string, any> => (m && Object.keys(m).length === 1 && m.default && typeof m.default === 'object' ? m.default : m);

export const AWS_SERVICES: Record<AwsService, AwsServiceInfo> = {
  ec2: { clientClass: 'EC2Client', iamPrefix: 'ec2', label: 'EC2', load: () => import('@aws-sdk/client-ec2').then(cjs) },
  elbv2: {
    clientClass: 'ElasticLoadBalancingV2Client',
    iamPrefix: 'elasticloadbalancing',
    label: 'Elastic Load Balancing',
    load: () => import('@aws-sdk/client-elastic-load-balancing-v2').then(cjs),
  },
  elb: {
    clientClass: 'ElasticLoadBalancingClient',
    iamPrefix: 'elasticloadbalancing',
    label: 'Classic Load Balancing',
    load: () => import('@aws-sdk/client-elastic-load-balancing').then(cjs),
  },
  cloudwatch: { clientClass: 'CloudWatchClient', iamPrefix: 'cloudwatch', label: 'CloudWatch', load: () => import('@aws-sdk/client-cloudwatch').then(cjs) },
  s3: { clientClass: 'S3Client', iamPrefix: 's3', label: 'S3', load: () => import('@aws-sdk/client-s3').then(cjs) },
  secretsmanager: {
    clientClass: 'SecretsManagerClient',
    iamPrefix: 'secretsmanager',
    label: 'Secrets Manager',
    load: () => import('@aws-sdk/client-secrets-manager').then(cjs),
  },
  sts: { clientClass: 'STSClient', iamPrefix: 'sts', label: 'STS', load: () => import('@aws-sdk/client-sts').then(cjs) },
};

/** The client package of a service (imported once; Node caches the module). */
export function loadAwsModule(service: AwsService): Promise<Record<string, any>> {
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
