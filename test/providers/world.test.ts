// Who and where, decided once: the same rules the AWS CLI and kubectl apply, for the providers,
// the journal and the header alike.
import { describe, expect, it } from 'vitest';
import { operatorName } from '../../src/core/operator.js';
import { resolveLiveWorld } from '../../src/providers/world.js';

describe('resolveLiveWorld', () => {
  it.each([
    ['flags beat the environment', { profile: 'flag', region: 'eu-west-1' }, { AWS_PROFILE: 'env', AWS_REGION: 'us-east-1' }, { profile: 'flag', region: 'eu-west-1' }],
    ['the environment when no flag', {}, { AWS_PROFILE: 'env', AWS_REGION: 'us-east-1' }, { profile: 'env', region: 'us-east-1' }],
    ['AWS_DEFAULT_REGION when AWS_REGION is unset, as the CLI does', {}, { AWS_DEFAULT_REGION: 'ap-south-1' }, { region: 'ap-south-1' }],
    ['AWS_DEFAULT_PROFILE is not read: the SDK ignores it, so naming it would name the wrong profile', {}, { AWS_DEFAULT_PROFILE: 'legacy' }, {}],
    ['an empty flag or variable counts as not given', { profile: '', region: ' ' }, { AWS_PROFILE: '', AWS_REGION: 'us-west-2' }, { region: 'us-west-2' }],
  ])('%s', (_what, flags, env, aws) => {
    const world = resolveLiveWorld(flags, env);
    expect(Object.fromEntries(Object.entries(world.aws).filter(([, v]) => v !== undefined))).toEqual(aws);
  });

  it('names the kube context and kubeconfig only when given: KUBECONFIG lists are left to client-node', () => {
    expect(resolveLiveWorld({ context: 'prod', kubeconfig: '/k' }, { KUBECONFIG: '/a:/b' }).kube).toEqual({ context: 'prod', kubeconfig: '/k' });
    expect(resolveLiveWorld({}, { KUBECONFIG: '/a:/b' }).kube).toEqual({ context: undefined, kubeconfig: undefined });
  });
});

describe('operatorName', () => {
  it('is --operator, else ONCALL_OPERATOR, else the login name', () => {
    expect(operatorName(' alice ', { ONCALL_OPERATOR: 'bob' })).toBe('alice');
    expect(operatorName(undefined, { ONCALL_OPERATOR: 'bob' })).toBe('bob');
    expect(operatorName('', {})).toMatch(/\S/);
  });
});
