// The config file, $XDG_CONFIG_HOME/oncall/config.yaml: defaults for what flags and the environment
// otherwise say. Published as runbooks/config.schema.json (`oncall schema --write`), so editors
// complete it like runbooks.
import { z } from 'zod';

const ACCOUNT = /^\d{12}$/;

export const configSchema = z
  .object({
    runbook_paths: z
      .array(z.string().min(1))
      .describe('Folders searched for runbooks, after --runbooks and $ONCALL_RUNBOOK_PATH. Relative paths are relative to this file; ~ is your home.')
      .optional(),
    profile: z.string().min(1).describe('The AWS profile when neither --profile nor AWS_PROFILE is given.').optional(),
    region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, 'is not an AWS region (such as eu-west-1)').describe('The AWS region when neither --region nor AWS_REGION/AWS_DEFAULT_REGION is given.').optional(),
    context: z.string().min(1).describe("The Kubernetes context when neither --context nor $ONCALL_CONTEXT is given (else the kubeconfig's current-context).").optional(),
    operator: z.string().min(1).describe('Who is acting, journaled with every decision, when neither --operator nor $ONCALL_OPERATOR is given (else your user name).').optional(),
    state_dir: z.string().min(1).describe('Where incidents live when neither --state-dir nor $ONCALL_STATE_DIR is given.').optional(),
    share: z
      .object({ store: z.string().regex(/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?$/, 'is not an S3 URL (s3://bucket/prefix)').describe('Where team incidents are shared.') })
      .strict()
      .describe('The team share store (team incidents).')
      .optional(),
    profiles: z
      .record(
        z.string().min(1),
        z
          .object({
            allowed_accounts: z.array(z.string().regex(ACCOUNT, 'is not a 12-digit AWS account id')).min(1).describe('The AWS accounts this profile may act in; doctor warns when the profile resolves to another.'),
          })
          .strict(),
      )
      .describe('Per AWS profile settings.')
      .optional(),
  })
  .strict();

export type Config = z.infer<typeof configSchema>;
