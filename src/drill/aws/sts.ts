// STS in a drill: who the operator is in the simulated account.
import type { AwsWorld, CommandHandlers } from './world.js';

export function stsCommands(world: AwsWorld): CommandHandlers<'sts'> {
  return {
    GetCallerIdentity: () => ({
      UserId: world.spec.identity.user_id,
      Account: world.spec.identity.account,
      Arn: world.spec.identity.arn,
    }),
  };
}
