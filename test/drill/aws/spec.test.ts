// The scenario's `aws:` section: defaults, the checks that catch typos, offsets, JSON Schema.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { awsSpecSchema, parseAwsSpec, resolveWhen } from '../../../src/drill/aws/spec.js';
import { AwsAccount } from '../../../src/drill/aws/account.js';
import { START, TestClock } from './helpers.js';

describe('aws scenario spec', () => {
  it('fills defaults so a scenario states only what matters', () => {
    const spec = parseAwsSpec({ ec2: { instances: [{ id: 'i-0abc1234def567890', status: { system: 'impaired' } }] } });
    expect(spec.region).toBe('us-east-1');
    expect(spec.identity.account).toBe('123456789012');
    expect(spec.ec2.instances[0]).toMatchObject({ state: 'running', root_device_type: 'ebs', status: { system: 'impaired', instance: 'ok', attached_ebs: 'ok' }, delays: { stop: '45s' } });
    expect(spec.elbv2.load_balancers).toEqual([]);
  });

  it('rejects what AWS would not have: a bad instance id, an unknown key, a series with both value and pattern', () => {
    const bad = awsSpecSchema.safeParse({ ec2: { instances: [{ id: 'i-123' }] } });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues[0]!.message).toBe('an instance id is i- followed by 8 or 17 hex digits');
    expect(awsSpecSchema.safeParse({ ec2: { instancez: [] } }).success).toBe(false);
    const both = awsSpecSchema.safeParse({ cloudwatch: { metrics: [{ namespace: 'N', name: 'M', series: [{ from: '-1h', value: 1, pattern: [1] }] }] } });
    expect(both.success).toBe(false);
    expect(awsSpecSchema.safeParse({ secretsmanager: { secrets: [{ name: 'x', value: '' }] } }).success).toBe(false);
  });

  it('times are offsets from the start or ISO timestamps', () => {
    expect(resolveWhen('-1h30m', START)).toBe(START - 90 * 60_000);
    expect(resolveWhen('+2d', START)).toBe(START + 2 * 86_400_000);
    expect(resolveWhen('2026-03-01T00:00:00Z', START)).toBe(Date.parse('2026-03-01T00:00:00Z'));
  });

  it('attribute values may be written as numbers or booleans; AWS gets strings', () => {
    const world = new AwsAccount({ elbv2: { load_balancers: [{ name: 'web', attributes: { 'idle_timeout.timeout_seconds': 30, 'deletion_protection.enabled': true } }] } }, new TestClock());
    expect(world.elbv2.find('web')!.attributes.get('idle_timeout.timeout_seconds')).toBe('30');
    expect(world.elbv2.find('web')!.attributes.get('deletion_protection.enabled')).toBe('true');
  });

  it('a metric naming an undefined load balancer fails when the world is built', () => {
    expect(() => new AwsAccount({ cloudwatch: { metrics: [{ namespace: 'AWS/ApplicationELB', name: 'RequestCount', load_balancer: 'nope' }] } }, new TestClock())).toThrow(
      "the scenario's metrics name load balancer 'nope', which it does not define",
    );
  });

  it('can be published as JSON Schema for editors (input side)', () => {
    const schema = z.toJSONSchema(awsSpecSchema, { io: 'input', target: 'draft-7' }) as { properties: Record<string, unknown> };
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['region', 'identity', 'ec2', 'elbv2', 'elb', 'cloudwatch', 's3', 'secretsmanager', 'faults']));
  });
});
