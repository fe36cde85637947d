// STS in a drill: who the operator is in the simulated account.
import type { GetCallerIdentityResponse } from '@aws-sdk/client-sts';
import type { AwsWorld, CommandHandler } from './world.js';

export function stsCommands(world: AwsWorld): Record<string, CommandHandler> {
  return {
    GetCallerIdentity: (): GetCallerIdentityResponse => ({
      UserId: world.spec.identity.user_id,
      Account: world.spec.identity.account,
      Arn: world.spec.identity.arn,
    }),
  };
}
