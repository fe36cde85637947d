// The importers' pieces: shell lines read without a shell, what changes things, AWS CLI lines that
// map exactly (and those that do not), SSM selectors and durations.
import { describe, expect, it } from 'vitest';
import { mapAwsCli } from '../../src/import/aws-cli.js';
import { mapKubectl } from '../../src/import/kubectl.js';
import { importMarkdown } from '../../src/import/markdown.js';
import { assignment, classify, inputName, isSecretName, parseSimple, templateWord } from '../../src/import/shell.js';
import { isoDuration, selector } from '../../src/import/ssm.js';

const argv = (line: string) => {
  const r = parseSimple(line);
  if (!r.ok) throw new Error(r.why);
  return r.command.words.map((w) => templateWord(w, inputName));
};
const why = (line: string) => {
  const r = parseSimple(line);
  return r.ok ? 'simple' : r.why;
};

describe('shell lines', () => {
  it('simple commands become argument arrays with quotes honoured and placeholders as inputs', () => {
    expect(argv(`kubectl logs -n "$NS" <pod-name> --tail=200`)).toEqual(['kubectl', 'logs', '-n', '${{ inputs.ns }}', '${{ inputs.pod_name }}', '--tail=200']);
    expect(argv(`curl -H 'Authorization: Bearer $X' "a b"\\ c`)).toEqual(['curl', '-H', 'Authorization: Bearer $X', 'a b c']);
    expect(argv('kubectl rollout restart deployment/${APP}')).toEqual(['kubectl', 'rollout', 'restart', 'deployment/${{ inputs.app }}']);
    expect(argv("kubectl patch deploy web -p '{\"spec\":{\"replicas\":3}}'")).toEqual(['kubectl', 'patch', 'deploy', 'web', '-p', '{"spec":{"replicas":3}}']);
  });
  it('what a shell must read is refused, saying why', () => {
    expect(why('ps aux | grep nginx')).toBe('a pipe');
    expect(why('make && make install')).toBe("'&&'");
    expect(why('echo hi > /tmp/x')).toBe('a redirection');
    expect(why('kubectl get pods -o name $(date)')).toBe('a command substitution');
    expect(why('ls *.log')).toBe('a glob');
    expect(why('cd /var/log')).toBe("'cd' is shell syntax");
    expect(why('FOO=1 make')).toBe('it sets a variable for the command (VAR=value command)');
    expect(why('cat $HOME/.kube/config')).toBe('it uses the environment variable $HOME');
  });
  it('assignments and placeholder values', () => {
    expect(assignment('export STATE_FILE=examples/demo/state.json')).toEqual({ name: 'STATE_FILE', value: 'examples/demo/state.json' });
    expect(assignment('POD=$(kubectl get pod -o name)')).toBeUndefined();
    expect(assignment("NAME='<your-name>'")).toEqual({ name: 'NAME', value: '<your-name>' });
  });
  it('secret-looking names', () => {
    for (const n of ['API_TOKEN', 'DB_PASSWORD', 'GITHUB_SECRET', 'AWS_SECRET_ACCESS_KEY', 'private_key', 'SSH_KEY']) expect(isSecretName(n), n).toBe(true);
    for (const n of ['INSTANCE_ID', 'NAMESPACE', 'KEYSPACE', 'MONKEY_COUNT']) expect(isSecretName(n), n).toBe(false);
  });
  it('what changes things', () => {
    const table: [string, 'read' | 'write'][] = [
      ['kubectl get pods', 'read'],
      ['kubectl delete pod x', 'write'],
      ['kubectl -n shop scale deploy/web --replicas=3', 'write'],
      ['kubectl drain node-1 --ignore-daemonsets', 'write'],
      ['kubectl rollout status deploy/web', 'read'],
      ['kubectl rollout restart deploy/web', 'write'],
      ['aws ec2 describe-instances', 'read'],
      ['aws ec2 terminate-instances --instance-ids i-1', 'write'],
      ['aws s3 ls s3://b', 'read'],
      ['aws s3 cp a s3://b/a', 'write'],
      ['rm -rf /tmp/x', 'write'],
      ['systemctl restart nginx', 'write'],
      ['systemctl status nginx', 'read'],
      ['sudo systemctl stop nginx', 'write'],
      ['curl -s http://x/health', 'read'],
      ['curl -X POST http://x/flush', 'write'],
      ['sed -i s/a/b/ f', 'write'],
      ['grep -c x f', 'read'],
    ];
    for (const [line, effect] of table) expect(classify(line.split(' ')).effect, line).toBe(effect);
    expect(classify(['frobnicate', '--now'])).toEqual({ effect: 'write', unknown: 'frobnicate' });
  });
});

describe('aws one-liners', () => {
  const map = async (line: string) => {
    const r = parseSimple(line);
    if (!r.ok) throw new Error(r.why);
    return mapAwsCli(r.command.words, (w) => templateWord(w, inputName));
  };
  it('map exactly: members by the SDK model, lists, numbers, flags, --region', async () => {
    expect(await map('aws elbv2 describe-target-health --target-group-arn $TG --region eu-west-1')).toEqual({
      ok: true,
      mapping: { with: { service: 'elbv2', operation: 'DescribeTargetHealth', input: { TargetGroupArn: '${{ inputs.tg }}' }, region: 'eu-west-1' } },
    });
    expect(await map('aws ec2 stop-instances --instance-ids i-1 i-2 --force --no-dry-run')).toMatchObject({ ok: true, mapping: { with: { operation: 'StopInstances', input: { InstanceIds: ['i-1', 'i-2'], Force: true, DryRun: false } } } });
    expect(await map('aws cloudwatch describe-alarms --max-records 5')).toMatchObject({ ok: true, mapping: { with: { input: { MaxRecords: 5 }, paginate: true } } });
  });
  it('stay shell steps when the mapping would not be exact, saying why', async () => {
    expect(await map('aws ec2 describe-instances --query Reservations')).toMatchObject({ ok: false, why: expect.stringContaining('--query') });
    expect(await map('aws ec2 describe-instances --filters Name=tag:Name,Values=web')).toMatchObject({ ok: false, why: expect.stringContaining('shorthand') });
    expect(await map('aws autoscaling set-desired-capacity --desired-capacity 3')).toMatchObject({ ok: false, why: expect.stringContaining("no SDK client for 'autoscaling'") });
    expect(await map('aws s3 cp a s3://b/a')).toMatchObject({ ok: false });
    expect(await map('aws ec2 describe-instances --profile prod')).toMatchObject({ ok: false, why: expect.stringContaining('--profile') });
    expect(await map('aws ec2 describe-instancez')).toMatchObject({ ok: false });
  });
});

describe('kubectl one-liners', () => {
  const map = (line: string) => {
    const r = parseSimple(line);
    if (!r.ok) throw new Error(r.why);
    return mapKubectl(r.command.words, (w) => templateWord(w, inputName));
  };
  it('map exactly, and only with a namespace where one matters', () => {
    expect(map('kubectl cordon node-1')).toEqual({ kind: 'k8s.cordon', with: { node: 'node-1' } });
    expect(map('kubectl -n shop scale deploy/web --replicas=3')).toEqual({ kind: 'k8s.scale', with: { namespace: 'shop', deployment: 'web', replicas: '3' } });
    expect(map('kubectl delete pod web-1 --namespace=$NS')).toEqual({ kind: 'k8s.deletePod', with: { namespace: '${{ inputs.ns }}', pod: 'web-1' } });
    expect(map('kubectl get pods -n shop -l app=web')).toEqual({ kind: 'k8s.get', with: { resource: 'pods', namespace: 'shop', label_selector: 'app=web' } });
    expect(map('kubectl delete pod web-1')).toBeUndefined();
    expect(map('kubectl get pods -n shop -o wide')).toBeUndefined();
    expect(map('kubectl delete deployment web -n shop')).toBeUndefined();
    expect(map('kubectl drain node-1 --ignore-daemonsets')).toBeUndefined();
  });
});

describe('SSM pieces', () => {
  it('selectors become CEL over result', () => {
    expect(selector('$.Reservations[0].Instances[0].State.Name')).toBe('result.Reservations[0].Instances[0].State.Name');
    expect(selector('$.TargetHealthDescriptions[*].TargetHealth.State')).toBe('result.TargetHealthDescriptions.map(x, x.TargetHealth.State)');
    expect(selector('$..State')).toBeUndefined();
    expect(selector('$.A[*].B[*].C')).toBeUndefined();
  });
  it('durations', () => {
    expect(isoDuration('PT5M')).toBe('5m');
    expect(isoDuration('PT1H30M')).toBe('1h30m');
    expect(isoDuration('P1D')).toBeUndefined();
  });
});

describe('Markdown', () => {
  it('a page is bounded in size and in steps', async () => {
    await expect(importMarkdown('x'.repeat(2_000_001), 'big.md')).rejects.toThrow(/imports Markdown up to/);
    const many = Array.from({ length: 2100 }, (_, i) => `## S${i}\n\n\`\`\`sh\necho ${i}\n\`\`\`\n`).join('\n');
    await expect(importMarkdown(many, 'many.md')).rejects.toThrow(/more than 2000 steps/);
  });
});
