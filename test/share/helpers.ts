// In-process responders on the local S3 endpoint: each its own state root (its own machine) and
// its own AWS access key (its own principal).
import { createAwsProvider } from '../../src/providers/aws/provider.js';
import { connectShare, type Share } from '../../src/share/setup.js';
import { tempDir } from '../helpers/cli.js';

export function awsFor(url: string, user: string) {
  return createAwsProvider({ region: 'us-east-1', env: {}, clientConfig: { endpoint: url, region: 'us-east-1', credentials: { accessKeyId: user, secretAccessKey: 'not-real' } } });
}

export async function responder(url: string, user: string, share = 's3://oncall-team/team'): Promise<{ root: string; share: Share }> {
  return { root: tempDir('oncall-share-'), share: await connectShare({ url: share, operator: user, aws: awsFor(url, user) }) };
}
