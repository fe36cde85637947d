import { describe, expect, it } from 'vitest';
import { overdueStep, type IdentityView } from '../../src/tui/store.js';
import { confirmWhere } from '../../src/tui/where.js';
import type { IncidentState } from '../../src/engine/state.js';

const none: IdentityView = { pending: false };

describe('where a confirmed change lands', () => {
  it('an AWS call names the account and region it acts in, from the request first', () => {
    const req = { account: '123456789012', region: 'eu-west-1', intent: { summary: 'reboot', api: 'EC2.RebootInstances', params: {} } };
    expect(confirmWhere(req, { pending: false, account: '999999999999', region: 'us-east-1', profile: 'prod' })).toBe('account:   123456789012   region: eu-west-1   profile: prod');
  });

  it('falls back to the resolved identity, and says when it is still being looked up', () => {
    const req = { intent: { summary: 'reboot', api: 'EC2.RebootInstances', params: {} } };
    expect(confirmWhere(req, { pending: false, account: '123456789012', region: 'eu-west-1' })).toBe('account:   123456789012   region: eu-west-1');
    expect(confirmWhere(req, { pending: true })).toBe('account:   pending   region: none set');
    expect(confirmWhere(req, none)).toBe('account:   unknown   region: none set');
  });

  it('an HTTP call involves no account', () => {
    const req = { intent: { summary: 'post to the webhook', api: 'HTTP POST', params: {} } };
    expect(confirmWhere(req, { pending: false, profile: 'prod' })).toBe('where:     over the network from this machine (no AWS account involved)');
  });

  it('a local process says so, with the AWS settings it would inherit', () => {
    const req = { intent: { summary: 'restart', argv: ['systemctl', 'restart', 'app'], params: {} } };
    expect(confirmWhere(req, none)).toBe('where:     this machine (a local process)');
    expect(confirmWhere(req, { pending: false, profile: 'prod' })).toBe('where:     this machine (a local process); AWS_PROFILE prod, region -');
    // Once the account is known, a command that may use it shows it.
    expect(confirmWhere(req, { pending: false, account: '123456789012', region: 'eu-west-1' })).toBe('account:   123456789012   region: eu-west-1');
  });
});

describe('a step past its expected duration', () => {
  const incident = (startedAt: string, expectedMs?: number) =>
    ({ next: 'probe', touched: ['probe'], steps: { probe: { id: 'probe', phase: 'running', attempts: 1, inDoubt: false, settling: false, retryPending: false, outputLines: 0, startedAt, ...(expectedMs ? { expectedMs } : {}) } } }) as unknown as IncidentState;
  const t0 = Date.parse('2026-11-22T03:00:00Z');

  it('is named once it runs longer than the runbook expects, not before', () => {
    const inc = incident('2026-11-22T03:00:00Z', 5_000);
    expect(overdueStep({ incident: inc, prompts: [], running: true, now: t0 + 4_000 })).toBeUndefined();
    expect(overdueStep({ incident: inc, prompts: [], running: true, now: t0 + 7_000 })).toEqual({ id: 'probe', expectedMs: 5_000, ranMs: 7_000 });
  });

  it('is not named while the engine is stopped, or when the runbook gives no duration', () => {
    expect(overdueStep({ incident: incident('2026-11-22T03:00:00Z', 5_000), prompts: [], running: false, now: t0 + 60_000 })).toBeUndefined();
    expect(overdueStep({ incident: incident('2026-11-22T03:00:00Z'), prompts: [], running: true, now: t0 + 60_000 })).toBeUndefined();
  });
});
