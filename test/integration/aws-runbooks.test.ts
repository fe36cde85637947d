// Both AWS runbooks end to end on the wire: the built `oncall` binary, headless, with the real SDK
// clients (default credential chain from env keys) reaching a local endpoint through
// AWS_ENDPOINT_URL_<SERVICE>, which answers in each service's own protocol (EC2 query, awsQuery,
// awsJson 1.0, REST/XML) from a simulated account. A throttled call is retried by the SDK; an
// access-denied one fails the run in plain words, naming the IAM action.
import { afterEach, describe, expect, it } from 'vitest';
import type { AwsSpecInput } from '../../src/drill/aws/spec.js';
import { childEnv, startAwsWire, type AwsWire } from '../helpers/aws-wire.js';
import { events, oncall, tempDir } from '../helpers/cli.js';

let wire: AwsWire | undefined;
afterEach(async () => {
  await wire?.close();
  wire = undefined;
});

const env = childEnv;

const args = (pairs: Record<string, string>, flag: string) => Object.entries(pairs).flatMap(([k, v]) => [flag, `${k}=${v}`]);

// ── EC2 ─────────────────────────────────────────────────────────────────────────────────────────

const ID = 'i-0abc1234def567890';
const ec2World = (extra: Partial<AwsSpecInput> = {}): AwsSpecInput => ({
  ec2: {
    instances: [
      {
        id: ID,
        type: 'm5.large',
        public_ip: '54.10.20.30',
        status: { system: 'impaired', instance: 'impaired' },
        impaired_since: '-25m',
        console_output: 'XENBUS: Timeout connecting to devices!\n',
        volumes: [{ id: 'vol-0a1b2c3d4e5f60001' }],
        // Real time passes in this test: the world moves at once.
        delays: { stop: '0s', force_stop: '0s', start: '0s', reboot: '0s', status_checks: '0s' },
      },
    ],
  },
  latency_ms: 0,
  ...extra,
});

const EC2_ANSWERS = { choose: 'stop-start', 'ack-stop-start': 'proceed', stop: ID, 'offer-alarm': 'create', summary: 'done' };

describe('ec2-status-check-recovery on the wire', () => {
  it('stop/start moves the instance to healthy hardware and creates the recover alarm; a throttled call is retried', async () => {
    wire = await startAwsWire(ec2World({ faults: [{ service: 'ec2', command: 'DescribeInstanceStatus', error: 'RequestLimitExceeded', times: 1 }] }));
    const res = await oncall(['run', 'runbooks/ec2-status-check-recovery.yaml', ...args({ instance_id: ID }, '--input'), '--yes', ...args(EC2_ANSWERS, '--answer'), '--json'], {
      stateDir: tempDir(),
      env: env(wire),
    });
    expect(res.code, res.stderr).toBe(0);
    const snap = wire.world.snapshot();
    expect(snap.ec2.instances[ID]).toMatchObject({ state: 'running', ok: true });
    expect(snap.ec2.instances[ID]!.public_ip).not.toBe('54.10.20.30');
    expect(snap.cloudwatch.alarms[`recover-${ID}`]).toMatchObject({ metric: 'StatusCheckFailed_System', actions: ['arn:aws:automate:us-east-1:ec2:recover'], evaluation_periods: 2 });

    // Every service spoke its own protocol to the one endpoint, signed with the env keys.
    const seen = wire.requests.map((r) => `${r.service}:${r.action}:${r.status}`);
    expect(seen[0]).toBe('sts:GetCallerIdentity:200');
    expect(seen.slice(1, 3)).toEqual(['ec2:DescribeInstanceStatus:503', 'ec2:DescribeInstanceStatus:200']);
    expect(seen).toEqual(expect.arrayContaining(['cloudwatch:GetMetricData:200', 'ec2:DescribeInstanceTypes:200', 'ec2:GetConsoleOutput:200', 'ec2:StopInstances:412', 'ec2:StopInstances:200', 'ec2:StartInstances:200', 'cloudwatch:PutMetricAlarm:200']));
    expect(new Set(wire.requests.map((r) => r.accessKeyId))).toEqual(new Set(['AKIDWIREINTEGRATION0']));

    const evs = events(res.stdout);
    const finished = (step: string) => evs.find((e) => e.type === 'step.finished' && e.payload.step === step)?.payload;
    // The throttled read shows both attempts in the journal's copy of the calls.
    expect(finished('status').raw.calls[0]).toMatchObject({ api: 'ec2:DescribeInstanceStatus', attempts: 2, http_status: 200 });
    expect(finished('stop').result).toMatchObject({ called: true, previous_state: 'running', pre_state: { public_ip: '54.10.20.30' }, request_id: expect.any(String) });
    expect(finished('stop').raw.calls.map((c: { api: string }) => c.api)).toEqual(['ec2:DescribeInstances', 'ec2:StopInstances (dry run: allowed)', 'ec2:StopInstances']);
    expect(finished('summary').captures.incident_summary).toBe(`${ID}: host (system check); action: stopped and started (moved to new hardware); all checks ok: true; recover alarm: recover-${ID}`);
    expect(evs.at(-1)).toMatchObject({ type: 'run.finished', payload: { outcome: 'completed' } });
  });

  it('access denied on the stop fails the run in plain words, naming ec2:StopInstances, and changes nothing', async () => {
    wire = await startAwsWire(ec2World({ identity: { denied_actions: ['ec2:StopInstances'] } }));
    const res = await oncall(['run', 'runbooks/ec2-status-check-recovery.yaml', ...args({ instance_id: ID }, '--input'), '--yes', ...args(EC2_ANSWERS, '--answer')], { stateDir: tempDir(), env: env(wire) });
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('Access denied: arn:aws:sts::123456789012:assumed-role/OnCallResponder/drill may not call ec2:StopInstances');
    expect(res.stderr).toContain('aws sts decode-authorization-message');
    expect(wire.world.snapshot().ec2.instances[ID]).toMatchObject({ state: 'running', ok: false });
    // Only the dry run reached EC2.
    expect(wire.world.callsOf('ec2', 'StopInstances').map((c) => (c.input as { DryRun?: boolean }).DryRun)).toEqual([true]);
  });

  it('--read-only reads everything, changes nothing, and still ends with the summary', async () => {
    wire = await startAwsWire(ec2World());
    const res = await oncall(['run', 'runbooks/ec2-status-check-recovery.yaml', ...args({ instance_id: ID }, '--input'), '--read-only', ...args(EC2_ANSWERS, '--answer'), '--json'], {
      stateDir: tempDir(),
      env: env(wire),
    });
    expect(res.code, res.stderr).toBe(0);
    const evs = events(res.stdout);
    const skipped = evs.filter((e) => e.type === 'step.skipped').map((e) => e.payload.step);
    expect(skipped).toEqual(expect.arrayContaining(['stop', 'wait-stopped']));
    expect(wire.world.callsOf('ec2', 'StopInstances')).toEqual([]);
    expect(wire.world.snapshot().ec2.instances[ID]).toMatchObject({ state: 'running', ok: false });
    expect(evs.find((e) => e.type === 'step.finished' && e.payload.step === 'summary')?.payload.captures.incident_summary).toContain('action: none');
  });
});

// ── ELB ─────────────────────────────────────────────────────────────────────────────────────────

const LB_ID = '50dc6c495c0c9188';
const ACCOUNT = '123456789012';

/** ALB log lines of the last minutes, in the documented format, as the ALB writes them (gzip). */
function accessLogs(now: number): AwsSpecInput['s3'] {
  const FIVE = 5 * 60_000;
  const objects = [];
  for (let i = 1; i <= 3; i++) {
    const end = Math.floor(now / FIVE) * FIVE - (i - 1) * FIVE;
    const d = new Date(end);
    const day = `${d.getUTCFullYear()}/${String(d.getUTCMonth() + 1).padStart(2, '0')}/${String(d.getUTCDate()).padStart(2, '0')}`;
    const stamp = d.toISOString().replace(/[-:]/g, '').slice(0, 13).replace(/(\d{8})T(\d{4})/, '$1T$2') + 'Z';
    const at = (ago: number) => new Date(end - ago * 1000).toISOString();
    const created = (ago: number, dur: number) => new Date(end - ago * 1000 - dur * 1000).toISOString();
    const tg = `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:targetgroup/web-tg/6d0ecf831eec9f09`;
    const line = (ago: number, target: string, tpt: string, elb: number, tsc: string, path: string, dur: number) =>
      `https ${at(ago)} app/web/${LB_ID} 203.0.113.9:51234 ${target} 0.001 ${tpt} ${tpt === '-1' ? '-1' : '0.000'} ${elb} ${tsc} 734 0 "GET https://web.example.com:443${path} HTTP/1.1" "Mozilla/5.0" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 ${tg} "Root=1-x" "web.example.com" "-" 10 ${created(ago, dur)} "forward" "-" "-" "${target}" "${tsc}" "-" "-" TID_1`;
    objects.push({
      bucket: 'web-alb-logs',
      key: `prod/AWSLogs/${ACCOUNT}/elasticloadbalancing/us-east-1/${day}/${ACCOUNT}_elasticloadbalancing_us-east-1_app.web.${LB_ID}_${stamp}_10.0.0.5_2a1b3c4d.log.gz`,
      gzip_lines: [
        line(200, '10.0.10.21:8080', '-1', 504, '-', '/reports/export?token=secret-token-value', 60.001),
        line(120, '10.0.10.21:8080', '0.245', 200, '200', '/api/cart', 0.246),
        line(60, '10.0.11.37:8080', '-1', 504, '-', '/reports/export', 60.002),
      ],
      last_modified: '0s',
    });
  }
  return { buckets: ['web-alb-logs'], objects };
}

function elbWorld(now: number): AwsSpecInput {
  return {
    latency_ms: 0,
    ec2: { instances: [{ id: 'i-0a00000000000aa01' }, { id: 'i-0a00000000000aa02' }] },
    elbv2: {
      load_balancers: [
        {
          name: 'web',
          arn: `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:loadbalancer/app/web/${LB_ID}`,
          zones: [{ zone: 'us-east-1a', subnet: 'subnet-0a1a1a1a1a1a1a1a1' }],
          security_groups: ['sg-0aaa1111bbbb2222c'],
          attributes: { 'idle_timeout.timeout_seconds': 60, 'access_logs.s3.enabled': true, 'access_logs.s3.bucket': 'web-alb-logs', 'access_logs.s3.prefix': 'prod' },
          slow_requests: { duration_s: 75 },
          listeners: [{ port: 443, protocol: 'HTTPS', target_group: 'web-tg' }],
          target_groups: [{ name: 'web-tg', arn: `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:targetgroup/web-tg/6d0ecf831eec9f09`, port: 8080, targets: [{ id: 'i-0a00000000000aa01' }, { id: 'i-0a00000000000aa02' }] }],
        },
      ],
    },
    cloudwatch: {
      metrics: [
        // The 504s stop three minutes before "now", so verification holds at its first probe.
        { namespace: 'AWS/ApplicationELB', name: 'HTTPCode_ELB_504_Count', load_balancer: 'web', series: [{ from: '-25m', to: '-3m', every: '1m', value: 5 }] },
        { namespace: 'AWS/ApplicationELB', name: 'RequestCount', load_balancer: 'web', series: [{ from: '-2d', every: '1m', value: 1000 }] },
        { namespace: 'AWS/ApplicationELB', name: 'TargetResponseTime', load_balancer: 'web', series: [{ from: '-25m', every: '1m', pattern: [0.3, 60] }] },
      ],
    },
    s3: accessLogs(now),
    faults: [{ service: 'cloudwatch', command: 'GetMetricData', error: 'ThrottlingException', times: 1 }],
  };
}

describe('elb-504-triage on the wire', () => {
  it('idle timeout: metrics, access logs from S3, the fix with the old value kept, verification', async () => {
    wire = await startAwsWire(elbWorld(Date.now()));
    const answers = { diagnose: 'idle-timeout', 'idle-fix': 'raise-now', 'check-keepalive': 'done', summary: 'done' };
    const res = await oncall(
      ['run', 'runbooks/elb-504-triage.yaml', ...args({ load_balancer: 'web', quiet_minutes: '1', expected_targets: '2' }, '--input'), '--yes', ...args(answers, '--answer'), '--json'],
      { stateDir: tempDir(), env: env(wire) },
    );
    expect(res.code, res.stderr).toBe(0);
    expect(wire.world.snapshot().elbv2.load_balancers.web!.attributes['idle_timeout.timeout_seconds']).toBe('120');

    const seen = wire.requests.map((r) => `${r.service}:${r.action}:${r.status}`);
    // CloudWatch (awsJson 1.0) throttled once, retried by the SDK.
    expect(seen.filter((s) => s.startsWith('cloudwatch:')).slice(0, 2)).toEqual(['cloudwatch:GetMetricData:400', 'cloudwatch:GetMetricData:200']);
    expect(seen).toEqual(
      expect.arrayContaining([
        'elbv2:DescribeLoadBalancers:200',
        'elbv2:DescribeTags:200',
        'elbv2:DescribeTargetGroupAttributes:200',
        'elbv2:DescribeRules:200',
        'elbv2:DescribeTargetHealth:200',
        's3:ListObjectsV2:200',
        's3:GetObject:200',
        'elbv2:ModifyLoadBalancerAttributes:200',
      ]),
    );

    const evs = events(res.stdout);
    const finished = (step: string) => evs.find((e) => e.type === 'step.finished' && e.payload.step === step)?.payload;
    expect(finished('metrics').result).toMatchObject({ suspected: 'idle-timeout', lb_504: expect.any(Number) });
    expect(finished('access-logs').result).toMatchObject({ files: { scanned: 3 }, matching: 6, lb_generated: 6, duration_s: { p50: 60.001 } });
    expect(JSON.stringify(evs)).not.toContain('secret-token-value');
    expect(finished('raise-idle-timeout-alb').result).toMatchObject({ called: true, changed: { 'idle_timeout.timeout_seconds': { from: '60', to: '120' } }, previous: { 'idle_timeout.timeout_seconds': '60' } });
    expect(finished('verify').result).toMatchObject({ met: true });
    expect(finished('summary').captures.incident_summary).toMatch(/^web: cause idle-timeout; action: raised the idle timeout from 60 s to 120 s; \d+ LB 504s in 30m, then none for \d+ min$/);
  });
});
