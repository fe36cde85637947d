// The AWS step kinds, all on the real SDK v3 through the AWS provider (loaded on first use).
import { ACCESS_LOG_KINDS } from './accesslogs.js';
import { awsCallKind } from './call.js';
import { CLOUDWATCH_KINDS } from './cloudwatch.js';
import { EC2_KINDS } from './ec2.js';
import { ELB_KINDS } from './elb.js';
import { ELBV2_KINDS } from './elbv2.js';
import { NETWORK_KINDS } from './network.js';

export const AWS_KINDS = [...EC2_KINDS, ...NETWORK_KINDS, ...ELBV2_KINDS, ...ELB_KINDS, ...CLOUDWATCH_KINDS, ...ACCESS_LOG_KINDS, awsCallKind];
