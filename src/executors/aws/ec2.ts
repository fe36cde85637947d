// EC2 step kinds for status-check recovery: what the instance, its checks, its type, its volumes
// and its console say; reboot, stop (and force stop), start and Enable IO with the state checked
// first and the pre-state kept; and waiters that poll on the step's clock with a countdown.
import type { _InstanceType, Instance, InstanceStatus, InstanceStatusSummary, VolumeStatusItem } from '@aws-sdk/client-ec2';
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { StepContext, StepResult } from '../../core/step.js';
import { defineKind } from '../../core/kind.js';
import { StepFailure } from '../../core/failure.js';
import { api, AwsSession, instanceId, iso, pollUntil, regionOf, regionParam, tagMap, volumeId, waitParams, type PollState } from './common.js';

// ── reading an instance ─────────────────────────────────────────────────────────────────────────

type CheckName = 'system' | 'instance' | 'attached_ebs';

export interface CheckSummary {
  status: string;
  reachability?: string;
  impaired_since?: string;
}

function check(s: InstanceStatusSummary | undefined): CheckSummary {
  const status = String(s?.Status ?? 'not-applicable');
  const detail = (s?.Details ?? []).find((d) => d.Name === 'reachability') ?? s?.Details?.[0];
  return {
    status,
    ...(detail?.Status ? { reachability: String(detail.Status) } : {}),
    ...(detail?.ImpairedSince ? { impaired_since: iso(detail.ImpairedSince) } : {}),
  };
}

export function reduceInstanceStatus(s: InstanceStatus, id: string) {
  const system = check(s.SystemStatus);
  const instance = check(s.InstanceStatus);
  const attached_ebs = check(s.AttachedEbsStatus);
  const checks: Record<CheckName, CheckSummary> = { system, instance, attached_ebs };
  const failing = (Object.keys(checks) as CheckName[]).filter((k) => checks[k].status === 'impaired');
  const initializing = (Object.keys(checks) as CheckName[]).filter((k) => ['initializing', 'insufficient-data'].includes(checks[k].status));
  const events = (s.Events ?? []).map((e) => {
    const description = String(e.Description ?? '');
    return {
      id: e.InstanceEventId ?? '',
      code: String(e.Code ?? ''),
      description,
      not_before: iso(e.NotBefore) ?? null,
      not_after: iso(e.NotAfter) ?? null,
      not_before_deadline: iso(e.NotBeforeDeadline) ?? null,
      // Done events keep their description, prefixed.
      active: !/^\[(Completed|Canceled)\]/.test(description),
      reschedulable: Boolean(e.NotBeforeDeadline),
    };
  });
  const sinceList = failing.map((k) => checks[k].impaired_since).filter((x): x is string => Boolean(x)).sort();
  const state = String(s.InstanceState?.Name ?? 'unknown');
  return {
    instance_id: id,
    state,
    az: s.AvailabilityZone ?? null,
    system,
    instance,
    attached_ebs,
    failing,
    initializing,
    impaired: failing.length > 0,
    all_ok: state === 'running' && ['system', 'instance'].every((k) => checks[k as CheckName].status === 'ok') && ['ok', 'not-applicable'].includes(attached_ebs.status),
    first_failed: sinceList.length ? (failing.find((k) => checks[k].impaired_since === sinceList[0]) ?? null) : (failing[0] ?? null),
    impaired_since: sinceList[0] ?? null,
    events,
    active_events: events.filter((e) => e.active),
  };
}

async function instanceStatus(s: AwsSession, id: string): Promise<InstanceStatus | undefined> {
  const out = await s.call('ec2', (m) => new m.DescribeInstanceStatusCommand({ InstanceIds: [id], IncludeAllInstances: true }), [id]);
  return out.output.InstanceStatuses?.find((x) => x.InstanceId === id) ?? out.output.InstanceStatuses?.[0];
}

function statusLine(r: ReturnType<typeof reduceInstanceStatus>): string {
  if (r.state !== 'running') return `${r.instance_id} is ${r.state}`;
  const parts = [`system ${r.system.status}`, `instance ${r.instance.status}`, `attached EBS ${r.attached_ebs.status}`];
  const ev = r.active_events.length ? `; ${r.active_events.length} scheduled event${r.active_events.length > 1 ? 's' : ''} (${r.active_events.map((e) => e.code).join(', ')})` : '';
  return `${r.instance_id} running: ${parts.join(', ')}${ev}`;
}

export const describeInstanceStatus = defineKind({
  name: 'aws.ec2.describeInstanceStatus',
  effect: 'read',
  params: z.object({ instance_id: instanceId, ...regionParam }).strict(),
  describe: (p) => ({ summary: `ec2:DescribeInstanceStatus ${p.instance_id} (including stopped)`, api: api('ec2', 'DescribeInstanceStatus'), resources: [p.instance_id] }),
  async run(p, ctx) {
    const s = new AwsSession(ctx, p.region);
    const raw = await instanceStatus(s, p.instance_id);
    if (!raw) throw new StepFailure(`EC2 returned no status for ${p.instance_id}; check the id and the region`);
    const r = reduceInstanceStatus(raw, p.instance_id);
    for (const e of r.active_events) ctx.log(`scheduled event ${e.code} not before ${e.not_before ?? '?'}: ${e.description}`, 'log');
    return { result: r, summary: statusLine(r), raw: s.raw() };
  },
});

const ASG_TAG = 'aws:autoscaling:groupName';

export function reduceInstance(i: Instance, regionName?: string) {
  const tags = tagMap(i.Tags);
  const nics = i.NetworkInterfaces ?? [];
  const publicIp: string | null = i.PublicIpAddress ?? null;
  // An Elastic IP is owned by the account; an auto-assigned address by 'amazon'. (DescribeInstances
  // names no allocation id in the association: the owner is what tells them apart.)
  const assoc = nics.map((n) => n.Association).find((a) => a?.PublicIp && a.PublicIp === publicIp) ?? nics.map((n) => n.Association).find((a) => a?.PublicIp);
  const elasticIp = Boolean(assoc?.IpOwnerId && assoc.IpOwnerId !== 'amazon');
  const volumes = (i.BlockDeviceMappings ?? []).flatMap((b) => (b.Ebs?.VolumeId ? [{ device: b.DeviceName ?? null, volume_id: b.Ebs.VolumeId }] : []));
  return {
    instance_id: i?.InstanceId ?? '',
    state: i?.State?.Name ?? 'unknown',
    instance_type: i?.InstanceType ?? '',
    az: i?.Placement?.AvailabilityZone ?? null,
    region: regionName ?? null,
    tenancy: i?.Placement?.Tenancy ?? 'default',
    root_device_type: i?.RootDeviceType ?? 'ebs',
    root_device_name: i?.RootDeviceName ?? null,
    ebs_backed: (i?.RootDeviceType ?? 'ebs') === 'ebs',
    lifecycle: i?.InstanceLifecycle ?? 'on-demand',
    spot: i?.InstanceLifecycle === 'spot',
    public_ip: publicIp,
    elastic_ip: elasticIp,
    public_ip_changes_on_stop: Boolean(publicIp) && !elasticIp,
    private_ip: i?.PrivateIpAddress ?? null,
    subnet_id: i?.SubnetId ?? null,
    vpc_id: i?.VpcId ?? null,
    security_groups: (i.SecurityGroups ?? []).map((g) => g.GroupId).filter(Boolean),
    volumes,
    volume_ids: volumes.map((v) => v.volume_id),
    auto_recovery: i?.MaintenanceOptions?.AutoRecovery ?? 'default',
    auto_scaling_group: tags[ASG_TAG] ?? null,
    in_auto_scaling_group: tags[ASG_TAG] !== undefined,
    launch_time: iso(i?.LaunchTime) ?? null,
    name: tags.Name ?? null,
    tags,
  };
}

async function readInstance(s: AwsSession, id: string): Promise<Instance> {
  const out = await s.call('ec2', (m) => new m.DescribeInstancesCommand({ InstanceIds: [id] }), [id]);
  const inst = (out.output.Reservations ?? []).flatMap((r) => r.Instances ?? []).find((x) => x.InstanceId === id);
  if (!inst) throw new StepFailure(`EC2 did not describe ${id}; check the id and the region`);
  return inst;
}

export const describeInstances = defineKind({
  name: 'aws.ec2.describeInstances',
  effect: 'read',
  params: z.object({ instance_id: instanceId, ...regionParam }).strict(),
  describe: (p) => ({ summary: `ec2:DescribeInstances ${p.instance_id}`, api: api('ec2', 'DescribeInstances'), resources: [p.instance_id] }),
  async run(p, ctx) {
    const s = new AwsSession(ctx, p.region);
    const r = reduceInstance(await readInstance(s, p.instance_id), await regionOf(ctx, p.region));
    const ip = r.public_ip ? `public IP ${r.public_ip}${r.elastic_ip ? ' (Elastic IP)' : ' (auto-assigned: changes on stop/start)'}` : 'no public IP';
    const asg = r.in_auto_scaling_group ? `, in Auto Scaling group ${r.auto_scaling_group}` : '';
    return { result: r, summary: `${r.instance_id} ${r.instance_type} ${r.state}, ${r.root_device_type}-backed, ${ip}${asg}`, raw: s.raw() };
  },
});

export const describeInstanceTypes = defineKind({
  name: 'aws.ec2.describeInstanceTypes',
  effect: 'read',
  params: z.object({ instance_type: z.string().regex(/^[a-z0-9-]+\.[a-z0-9-]+$/, { message: 'an instance type looks like m5.large' }), ...regionParam }).strict(),
  describe: (p) => ({ summary: `ec2:DescribeInstanceTypes ${p.instance_type}`, api: api('ec2', 'DescribeInstanceTypes'), resources: [p.instance_type] }),
  async run(p, ctx) {
    const s = new AwsSession(ctx, p.region);
    // A runbook may name a type newer than this SDK's list of them; EC2 decides.
    const out = await s.call('ec2', (m) => new m.DescribeInstanceTypesCommand({ InstanceTypes: [p.instance_type as _InstanceType] }), [p.instance_type]);
    const t = out.output.InstanceTypes?.[0];
    if (!t) throw new StepFailure(`EC2 does not know instance type ${p.instance_type} in this region`);
    const storage = t.InstanceStorageInfo;
    const r = {
      instance_type: t.InstanceType ?? p.instance_type,
      auto_recovery_supported: t.AutoRecoverySupported === true,
      instance_storage_supported: t.InstanceStorageSupported === true,
      instance_storage_gb: storage?.TotalSizeInGB ?? 0,
      hypervisor: t.Hypervisor ?? null,
      nitro: t.Hypervisor === 'nitro',
      bare_metal: t.BareMetal === true,
      current_generation: t.CurrentGeneration !== false,
    };
    const bits = [r.auto_recovery_supported ? 'supports automatic recovery' : 'no automatic recovery', r.instance_storage_supported ? `has ${r.instance_storage_gb} GB instance store (lost on stop)` : 'no instance store'];
    return { result: r, summary: `${r.instance_type}: ${bits.join(', ')}`, raw: s.raw() };
  },
});

// ── console output ──────────────────────────────────────────────────────────────────────────────

/** Known strings from the EC2 troubleshooting guide, and what they usually mean. */
export const CONSOLE_SIGNS: { name: string; re: RegExp; hint: string }[] = [
  { name: 'out-of-memory', re: /Out of memory: Kill(ed)? process/i, hint: 'the kernel killed processes for memory: a reboot clears it; then right-size or fix the leak' },
  { name: 'kernel-panic', re: /Kernel panic/i, hint: 'the kernel panicked: often a bad kernel or initramfs; reboot, else boot an older kernel offline' },
  { name: 'root-fs-unmountable', re: /VFS: Unable to mount root fs/i, hint: 'the root filesystem cannot be mounted: fix fstab/initramfs offline (rescue instance or EC2Rescue)' },
  { name: 'fsck-failed', re: /fsck.*died with exit status|fsck.*failed/i, hint: 'a filesystem check failed at boot: repair the volume offline' },
  { name: 'xenbus-timeout', re: /XENBUS: Timeout connecting to devices/i, hint: 'the guest could not reach its devices: often host-side; stop/start moves the instance' },
  { name: 'grub-shell', re: /grubdom>/i, hint: 'GRUB dropped to its shell: fix the boot configuration offline' },
  { name: 'mmu-update-failed', re: /mmu_update failed/i, hint: 'memory mapping failed (Xen): stop/start, or fix the kernel' },
  { name: 'io-error', re: /I\/O error/i, hint: 'block-device I/O errors: check the attached EBS volumes (status, Enable IO)' },
  { name: 'selinux-policy', re: /Unable to load SELinux Policy/i, hint: 'SELinux cannot load its policy: relabel or fix the policy offline' },
];

const LINE_CHARS = 300;

export const getConsoleOutput = defineKind({
  name: 'aws.ec2.getConsoleOutput',
  effect: 'read',
  params: z
    .object({
      instance_id: instanceId,
      latest: z.boolean().default(true).describe('Ask for the live buffer (Nitro) rather than the last posted copy'),
      tail_lines: z.number().int().min(1).max(200).default(40).describe('How many of the last lines to show; the rest is never stored'),
      ...regionParam,
    })
    .strict(),
  describe: (p) => ({ summary: `ec2:GetConsoleOutput ${p.instance_id} (last ${p.tail_lines} lines)`, api: api('ec2', 'GetConsoleOutput'), resources: [p.instance_id] }),
  async run(p, ctx) {
    const s = new AwsSession(ctx, p.region);
    // The buffer may hold user-data values: the journal keeps only the tail, the matches and a digest.
    const out = await s.call('ec2', (m) => new m.GetConsoleOutputCommand({ InstanceId: p.instance_id, Latest: p.latest }), [p.instance_id], (o) => ({
      ...o,
      Output: o.Output ? `«${String(o.Output).length} base64 characters, not kept»` : undefined,
    }));
    const text = out.output.Output ? Buffer.from(String(out.output.Output), 'base64').toString('utf8') : '';
    const r = summarizeConsole(text, p.tail_lines);
    const note = `console output can contain values from user data; oncall keeps only the last ${p.tail_lines} lines (and matched lines), never the full ${r.total_lines}-line buffer`;
    ctx.log(note, 'log');
    for (const line of r.tail_lines_list) ctx.log(line, 'stdout');
    for (const m of r.known_errors) ctx.log(`found '${m.name}': ${m.hint}`, 'log');
    const { tail_lines_list: _t, ...result } = r;
    const summary = !text
      ? `no console output for ${p.instance_id} yet (it is posted shortly after boot and kept about an hour)`
      : r.known_errors.length
        ? `console shows ${r.known_errors.map((m) => m.name).join(', ')}`
        : `console output has ${r.total_lines} lines; no known failure strings`;
    return { result: { instance_id: p.instance_id, timestamp: iso(out.output.Timestamp) ?? null, ...result, note }, summary, raw: s.raw() };
  },
});

export function summarizeConsole(text: string, tailLines: number) {
  const lines = text.replace(/\r\n?/g, '\n').replace(/\n+$/, '').split('\n').filter((_, i, a) => a.length > 1 || a[0] !== '');
  const cut = (l: string) => (l.length > LINE_CHARS ? `${l.slice(0, LINE_CHARS - 1)}…` : l);
  const tail = lines.slice(-tailLines).map(cut);
  const known_errors: { name: string; hint: string; line: string; count: number }[] = [];
  for (const sign of CONSOLE_SIGNS) {
    const hits = lines.filter((l) => sign.re.test(l));
    if (hits.length) known_errors.push({ name: sign.name, hint: sign.hint, line: cut(hits[hits.length - 1]!).slice(0, 200), count: hits.length });
  }
  return {
    available: text.length > 0,
    bytes: Buffer.byteLength(text, 'utf8'),
    total_lines: text ? lines.length : 0,
    shown_lines: tail.length,
    sha256: text ? createHash('sha256').update(text).digest('hex') : null,
    known_errors,
    known: known_errors.map((k) => k.name),
    tail: tail.slice(-10).join('\n'),
    tail_lines_list: tail,
  };
}

// ── volumes ─────────────────────────────────────────────────────────────────────────────────────

export function reduceVolumeStatus(v: VolumeStatusItem) {
  const details = v.VolumeStatus?.Details ?? [];
  const detail = (name: string) => details.find((d) => d.Name === name)?.Status ?? null;
  const events = (v.Events ?? []).map((e) => ({ type: e.EventType ?? '', description: e.Description ?? '', not_before: iso(e.NotBefore) ?? null }));
  const actions = (v.Actions ?? []).map((a) => String(a.Code ?? ''));
  return {
    volume_id: v.VolumeId ?? '',
    status: v.VolumeStatus?.Status ?? 'insufficient-data',
    io_enabled: detail('io-enabled'),
    io_performance: detail('io-performance'),
    events,
    actions,
    awaiting_enable_io: actions.includes('enable-volume-io') || events.some((e) => /Awaiting Action: Enable IO/i.test(e.description)),
    instance_ids: (v.AttachmentStatuses ?? []).map((a) => a.InstanceId).filter(Boolean),
  };
}

export const describeVolumeStatus = defineKind({
  name: 'aws.ec2.describeVolumeStatus',
  effect: 'read',
  params: z.object({ volume_ids: z.array(volumeId).min(1).max(50), ...regionParam }).strict(),
  describe: (p) => ({ summary: `ec2:DescribeVolumeStatus ${p.volume_ids.join(', ')}`, api: api('ec2', 'DescribeVolumeStatus'), resources: p.volume_ids }),
  async run(p, ctx) {
    const s = new AwsSession(ctx, p.region);
    const volumes: ReturnType<typeof reduceVolumeStatus>[] = [];
    for await (const page of s.pages('ec2', (m) => new m.DescribeVolumeStatusCommand({ VolumeIds: p.volume_ids }), { ids: p.volume_ids, maxPages: 20 })) {
      for (const v of page.VolumeStatuses ?? []) volumes.push(reduceVolumeStatus(v));
    }
    const impaired = volumes.filter((v) => v.status === 'impaired' || v.io_enabled === 'failed');
    const awaiting = volumes.filter((v) => v.awaiting_enable_io);
    const summary = impaired.length
      ? `${impaired.map((v) => v.volume_id).join(', ')} impaired${awaiting.length ? ` (${awaiting.length} awaiting Enable IO)` : ''}`
      : `${volumes.length} volume${volumes.length === 1 ? '' : 's'} ok`;
    return {
      result: { volumes, impaired_ids: impaired.map((v) => v.volume_id), awaiting_enable_io_ids: awaiting.map((v) => v.volume_id), all_ok: impaired.length === 0 },
      summary,
      raw: s.raw(),
    };
  },
});

// ── changes ─────────────────────────────────────────────────────────────────────────────────────

/** What the post-mortem and the rollback note need to know about the instance before a change. */
function preState(i: ReturnType<typeof reduceInstance>) {
  return {
    state: i.state,
    public_ip: i.public_ip,
    elastic_ip: i.elastic_ip,
    private_ip: i.private_ip,
    instance_type: i.instance_type,
    root_device_type: i.root_device_type,
    az: i.az,
    auto_scaling_group: i.auto_scaling_group,
  };
}

export const rebootInstances = defineKind({
  name: 'aws.ec2.rebootInstances',
  effect: 'write',
  params: z.object({ instance_id: instanceId, ...regionParam }).strict(),
  destructive: () => true,
  describe: (p) => ({ summary: `ec2:RebootInstances ${p.instance_id} (same host; keeps IPs and instance store; RAM is lost)`, api: api('ec2', 'RebootInstances'), resources: [p.instance_id] }),
  async run(p, ctx) {
    const s = new AwsSession(ctx, p.region);
    const before = reduceInstance(await readInstance(s, p.instance_id));
    if (before.state !== 'running') throw new StepFailure(`${p.instance_id} is ${before.state}, not running: a reboot needs a running instance (start it instead)`);
    await s.dryRun((m) => new m.RebootInstancesCommand({ InstanceIds: [p.instance_id], DryRun: true }), [p.instance_id]);
    await s.call('ec2', (m) => new m.RebootInstancesCommand({ InstanceIds: [p.instance_id] }), [p.instance_id]);
    ctx.log(`reboot requested for ${p.instance_id}; EC2 hard-reboots it if the OS does not shut down within a few minutes`, 'log');
    return {
      result: { instance_id: p.instance_id, rebooted: true, pre_state: preState(before), request_id: s.requestId('RebootInstances') ?? null },
      summary: `reboot of ${p.instance_id} requested`,
      raw: s.raw(),
    };
  },
});

export const stopInstances = defineKind({
  name: 'aws.ec2.stopInstances',
  effect: 'write',
  params: z
    .object({
      instance_id: instanceId,
      force: z.boolean().default(false).describe('Force: stop without waiting for a clean OS shutdown (filesystem caches are not flushed: run fsck after)'),
      ...regionParam,
    })
    .strict(),
  destructive: () => true,
  describe: (p) => ({
    summary: `ec2:StopInstances ${p.instance_id}${p.force ? ' Force=true (no clean shutdown)' : ''} (instance store and RAM are lost; an auto-assigned public IP changes)`,
    api: api('ec2', 'StopInstances'),
    resources: [p.instance_id],
  }),
  async run(p, ctx) {
    const s = new AwsSession(ctx, p.region);
    const before = reduceInstance(await readInstance(s, p.instance_id));
    const pre = preState(before);
    const base = { instance_id: p.instance_id, force: p.force, pre_state: pre, previous_state: before.state };
    if (!before.ebs_backed) {
      throw new StepFailure(`${p.instance_id} is instance-store-backed: it cannot be stopped, only rebooted or terminated. Replace it from an AMI or backup instead.`, base);
    }
    // Idempotent: a stop already done (or under way, without force) is not asked again.
    if (before.state === 'stopped' || (before.state === 'stopping' && !p.force)) {
      ctx.log(`${p.instance_id} is already ${before.state}; nothing to do`, 'log');
      return { result: { ...base, called: false, current_state: before.state, request_id: null }, summary: `${p.instance_id} already ${before.state}`, raw: s.raw() };
    }
    if (before.state !== 'running' && before.state !== 'pending' && before.state !== 'stopping') {
      throw new StepFailure(`${p.instance_id} is ${before.state}: it cannot be stopped`, base);
    }
    const input = { InstanceIds: [p.instance_id], ...(p.force ? { Force: true } : {}) };
    await s.dryRun((m) => new m.StopInstancesCommand({ ...input, DryRun: true }), [p.instance_id]);
    const out = await s.call('ec2', (m) => new m.StopInstancesCommand(input), [p.instance_id]);
    const change = out.output.StoppingInstances?.find((x) => x.InstanceId === p.instance_id);
    const current = change?.CurrentState?.Name ?? 'stopping';
    if (before.public_ip && !before.elastic_ip) ctx.log(`the auto-assigned public IP ${before.public_ip} is released; a new one comes with the start`, 'log');
    return {
      result: { ...base, called: true, current_state: current, request_id: s.requestId('StopInstances') ?? null },
      summary: `${p.force ? 'force stop' : 'stop'} of ${p.instance_id} requested: ${before.state} → ${current}`,
      raw: s.raw(),
    };
  },
});

export const startInstances = defineKind({
  name: 'aws.ec2.startInstances',
  effect: 'write',
  params: z.object({ instance_ids: z.array(instanceId).min(1).max(50), ...regionParam }).strict(),
  describe: (p) => ({ summary: `ec2:StartInstances ${p.instance_ids.join(', ')} (usually on new hosts; auto-assigned public IPs change)`, api: api('ec2', 'StartInstances'), resources: p.instance_ids }),
  async run(p, ctx) {
    const s = new AwsSession(ctx, p.region);
    const out = await s.call('ec2', (m) => new m.DescribeInstancesCommand({ InstanceIds: p.instance_ids }), p.instance_ids);
    const found = new Map<string, ReturnType<typeof reduceInstance>>();
    for (const i of (out.output.Reservations ?? []).flatMap((r) => r.Instances ?? [])) if (i.InstanceId) found.set(i.InstanceId, reduceInstance(i));
    const pre_state: Record<string, ReturnType<typeof preState>> = {};
    const skipped: { instance_id: string; state: string; why: string }[] = [];
    const toStart: string[] = [];
    for (const id of p.instance_ids) {
      const i = found.get(id);
      if (!i) throw new StepFailure(`EC2 did not describe ${id}; check the id and the region`);
      pre_state[id] = preState(i);
      // Idempotent: running or pending instances are left alone; only stopped ones can start.
      if (i.state === 'stopped') toStart.push(id);
      else skipped.push({ instance_id: id, state: i.state, why: i.state === 'running' || i.state === 'pending' ? 'already running' : `cannot start from ${i.state}` });
    }
    const blocked = skipped.filter((x) => x.why.startsWith('cannot'));
    if (blocked.length) throw new StepFailure(`${blocked.map((b) => `${b.instance_id} is ${b.state}`).join(', ')}: an instance can be started only once stopped (wait for the stop to finish)`, { pre_state, skipped });
    for (const x of skipped) ctx.log(`${x.instance_id} is ${x.state}; nothing to do`, 'log');
    let started: { instance_id: string; previous_state: string; current_state: string }[] = [];
    if (toStart.length) {
      await s.dryRun((m) => new m.StartInstancesCommand({ InstanceIds: toStart, DryRun: true }), toStart);
      const res = await s.call('ec2', (m) => new m.StartInstancesCommand({ InstanceIds: toStart }), toStart);
      started = (res.output.StartingInstances ?? []).map((c) => ({ instance_id: c.InstanceId ?? '', previous_state: c.PreviousState?.Name ?? 'stopped', current_state: c.CurrentState?.Name ?? 'pending' }));
    }
    return {
      result: { called: toStart.length > 0, started, started_ids: toStart, skipped, pre_state, request_id: s.requestId('StartInstances') ?? null },
      summary: toStart.length ? `start requested for ${toStart.join(', ')}${skipped.length ? `; ${skipped.length} already running` : ''}` : 'all already running; nothing to do',
      raw: s.raw(),
    };
  },
});

export const enableVolumeIO = defineKind({
  name: 'aws.ec2.enableVolumeIO',
  effect: 'write',
  params: z.object({ volume_id: volumeId, ...regionParam }).strict(),
  describe: (p) => ({ summary: `ec2:EnableVolumeIO ${p.volume_id} (I/O resumes on a volume EBS found potentially inconsistent)`, api: api('ec2', 'EnableVolumeIO'), resources: [p.volume_id] }),
  async run(p, ctx) {
    const s = new AwsSession(ctx, p.region);
    const read = await s.call('ec2', (m) => new m.DescribeVolumeStatusCommand({ VolumeIds: [p.volume_id] }), [p.volume_id]);
    const before = reduceVolumeStatus(read.output.VolumeStatuses?.[0] ?? { VolumeId: p.volume_id });
    const pre = { status: before.status, io_enabled: before.io_enabled, awaiting_enable_io: before.awaiting_enable_io };
    if (before.io_enabled === 'passed' && !before.awaiting_enable_io) {
      ctx.log(`${p.volume_id} already has I/O enabled; nothing to do`, 'log');
      return { result: { volume_id: p.volume_id, called: false, pre_state: pre, request_id: null }, summary: `${p.volume_id}: I/O already enabled`, raw: s.raw() };
    }
    await s.dryRun((m) => new m.EnableVolumeIOCommand({ VolumeId: p.volume_id, DryRun: true }), [p.volume_id]);
    await s.call('ec2', (m) => new m.EnableVolumeIOCommand({ VolumeId: p.volume_id }), [p.volume_id]);
    return { result: { volume_id: p.volume_id, called: true, pre_state: pre, request_id: s.requestId('EnableVolumeIO') ?? null }, summary: `I/O enabled on ${p.volume_id}`, raw: s.raw() };
  },
});

// ── waiters ─────────────────────────────────────────────────────────────────────────────────────

async function instanceState(s: AwsSession, id: string): Promise<{ state: string; missing: boolean; publicIp: string | null }> {
  try {
    const i = await readInstance(s, id);
    return { state: i.State?.Name ?? 'unknown', missing: false, publicIp: i.PublicIpAddress ?? null };
  } catch (err) {
    // Eventual consistency right after a call: the waiters retry on NotFound.
    if ((err as { code?: string }).code === 'InvalidInstanceID.NotFound') return { state: 'not yet visible', missing: true, publicIp: null };
    throw err;
  }
}

function waiter(name: string, o: { operation: string; defaultMax: string; what: string; poll: (s: AwsSession, id: string, ctx: StepContext) => Promise<PollState> }) {
  return defineKind({
    name,
    effect: 'read',
    params: z.object({ instance_id: instanceId, ...waitParams, ...regionParam }).strict(),
    describe: (p) => ({ summary: `wait until ${p.instance_id} ${o.what} (poll ${o.operation} every ${p.interval}, at most ${p.max_wait ?? o.defaultMax})`, api: api('ec2', o.operation), resources: [p.instance_id] }),
    async run(p, ctx): Promise<StepResult> {
      const s = new AwsSession(ctx, p.region);
      const out = await pollUntil(ctx, { subject: p.instance_id, goal: o.what, maxWait: p.max_wait ?? o.defaultMax, interval: p.interval, onTimeout: p.on_timeout, poll: () => o.poll(s, p.instance_id, ctx) });
      const { detail, ...rest } = out;
      const summary = out.reached ? `${p.instance_id} ${o.what} after ${out.waited}` : `${p.instance_id} still ${out.state} after ${out.waited}`;
      return { result: { instance_id: p.instance_id, ...rest, ...detail }, summary, raw: { calls: s.calls.slice(-5), polls: out.polls } };
    },
  });
}

export const waitUntilInstanceStopped = waiter('aws.ec2.waitUntilInstanceStopped', {
  operation: 'DescribeInstances',
  defaultMax: '10m',
  what: 'is stopped',
  async poll(s, id) {
    const r = await instanceState(s, id);
    if (r.state === 'stopped') return { done: true, state: 'stopped', detail: { current_state: r.state } };
    if (r.state === 'pending' || r.state === 'terminated' || r.state === 'shutting-down') {
      return { done: false, failed: `it is ${r.state}, so it will not reach stopped`, state: r.state, detail: { current_state: r.state } };
    }
    return { done: false, state: r.state, detail: { current_state: r.state } };
  },
});

export const waitUntilInstanceRunning = waiter('aws.ec2.waitUntilInstanceRunning', {
  operation: 'DescribeInstances',
  defaultMax: '10m',
  what: 'is running',
  async poll(s, id) {
    const r = await instanceState(s, id);
    const detail = { current_state: r.state, public_ip: r.publicIp };
    if (r.state === 'running') return { done: true, state: 'running', detail };
    if (['shutting-down', 'terminated', 'stopping'].includes(r.state)) return { done: false, failed: `it is ${r.state}, so it will not reach running`, state: r.state, detail };
    return { done: false, state: r.state, detail };
  },
});

/**
 * Unlike the SDK's waitUntilInstanceStatusOk (instance check only), this waits for the system and
 * attached-EBS checks too: an instance is well only when all three pass.
 */
export const waitUntilInstanceStatusOk = waiter('aws.ec2.waitUntilInstanceStatusOk', {
  operation: 'DescribeInstanceStatus',
  defaultMax: '15m',
  what: 'passes all three status checks',
  async poll(s, id) {
    let raw: InstanceStatus | undefined;
    try {
      raw = await instanceStatus(s, id);
    } catch (err) {
      if ((err as { code?: string }).code === 'InvalidInstanceID.NotFound') return { done: false, state: 'not yet visible' };
      throw err;
    }
    const r = reduceInstanceStatus(raw ?? {}, id);
    const detail = { current_state: r.state, system: r.system.status, instance: r.instance.status, attached_ebs: r.attached_ebs.status, failing: r.failing };
    if (r.all_ok) return { done: true, state: 'all checks ok', detail };
    if (r.state === 'terminated' || r.state === 'shutting-down') return { done: false, failed: `it is ${r.state}`, state: r.state, detail };
    const state = r.state !== 'running' ? r.state : `system ${r.system.status}, instance ${r.instance.status}, EBS ${r.attached_ebs.status}`;
    return { done: false, state, detail };
  },
});

export const EC2_KINDS = [
  describeInstanceStatus,
  describeInstances,
  describeInstanceTypes,
  getConsoleOutput,
  describeVolumeStatus,
  rebootInstances,
  stopInstances,
  startInstances,
  enableVolumeIO,
  waitUntilInstanceStopped,
  waitUntilInstanceRunning,
  waitUntilInstanceStatusOk,
];
