// The AWS SDK as the type checker sees it, and nothing more. `typeof import('@aws-sdk/client-…')`
// is a type query: it is erased from the build, so this file loads no SDK and stays off the
// start-up path. The packages themselves are imported with `await import()` (modules.ts) when a
// step first calls a service; these types let every call keep its command's input and output.

/** Each service's client package: its client, its commands, its paginators, its models. */
export interface AwsSdk {
  ec2: typeof import('@aws-sdk/client-ec2');
  elbv2: typeof import('@aws-sdk/client-elastic-load-balancing-v2');
  elb: typeof import('@aws-sdk/client-elastic-load-balancing');
  cloudwatch: typeof import('@aws-sdk/client-cloudwatch');
  s3: typeof import('@aws-sdk/client-s3');
  secretsmanager: typeof import('@aws-sdk/client-secrets-manager');
  sts: typeof import('@aws-sdk/client-sts');
}

export type AwsService = keyof AwsSdk;

/** Each service's client. */
export interface AwsClients {
  ec2: import('@aws-sdk/client-ec2').EC2Client;
  elbv2: import('@aws-sdk/client-elastic-load-balancing-v2').ElasticLoadBalancingV2Client;
  elb: import('@aws-sdk/client-elastic-load-balancing').ElasticLoadBalancingClient;
  cloudwatch: import('@aws-sdk/client-cloudwatch').CloudWatchClient;
  s3: import('@aws-sdk/client-s3').S3Client;
  secretsmanager: import('@aws-sdk/client-secrets-manager').SecretsManagerClient;
  sts: import('@aws-sdk/client-sts').STSClient;
}

/** A client of any service. */
export type AwsClient = AwsClients[AwsService];

/**
 * Configuration every client accepts (region, credentials, retries, request handler…): what the
 * provider and drills pass to each client they make.
 */
export type AwsClientConfig = import('@aws-sdk/client-ec2').EC2ClientConfig &
  import('@aws-sdk/client-elastic-load-balancing-v2').ElasticLoadBalancingV2ClientConfig &
  import('@aws-sdk/client-elastic-load-balancing').ElasticLoadBalancingClientConfig &
  import('@aws-sdk/client-cloudwatch').CloudWatchClientConfig &
  import('@aws-sdk/client-s3').S3ClientConfig &
  import('@aws-sdk/client-secrets-manager').SecretsManagerClientConfig &
  import('@aws-sdk/client-sts').STSClientConfig;

/** A middleware that looks at a request in the build step and passes it on unchanged. */
export type AwsBuildObserver = <A extends { request: unknown }, R>(next: (args: A) => R) => (args: A) => R;

/** A middleware around each attempt (finalizeRequest, inside the retry loop) that may turn an error into another. */
export type AwsAttemptGuard = <A, R>(next: (args: A) => Promise<R>) => (args: A) => Promise<R>;

/**
 * An SDK command, as `new m.DescribeInstancesCommand(input)` makes it: its input, its middleware
 * stack (where awsCall adds an observer), and (through the handler its middleware resolves to)
 * the output `client.send` resolves with. This is the part of smithy's Command that awsCall uses,
 * written out so that naming it needs no SDK package.
 */
export interface AwsCommand<O extends object = object> {
  readonly input: object;
  readonly middlewareStack: {
    add(middleware: AwsBuildObserver, options: { step: 'build'; name: string; priority?: 'low' | 'normal' | 'high' }): void;
    add(middleware: AwsAttemptGuard, options: { step: 'finalizeRequest'; name: string; priority?: 'low' | 'normal' | 'high' }): void;
  };
  resolveMiddleware(stack: never, configuration: never, options: never): (args: never) => Promise<{ output: O }>;
}

/** What sending command `C` resolves with, e.g. `DescribeInstancesCommandOutput`. */
export type AwsOutput<C> = C extends AwsCommand<infer O> ? O : never;

/** Builds one command from the service's package: `(m) => new m.StopInstancesCommand({ InstanceIds })`. */
export type AwsCommandBuilder<S extends AwsService, C extends AwsCommand> = (m: AwsSdk[S]) => C;
