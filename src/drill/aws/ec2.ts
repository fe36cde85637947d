// EC2 in a drill: instances whose status checks fail the way real ones do. Stop/start moves an
// instance to a new, healthy host after simulated seconds; a reboot keeps the host, so it cannot
// fix a system check (the wrong turn the scoring looks for). Status metrics follow the same facts.
import type { InstanceStateChange } from '@aws-sdk/client-ec2';
import { hexId } from './ids.js';
import type { MetricStore, Sample } from './metrics.js';
import { offsetMs, type AwsSpec, type InstanceSpec } from './spec.js';
import { WorldError } from './wire.js';
import type { AwsWorld } from './world.js';

export type StateName = 'pending' | 'running' | 'stopping' | 'stopped' | 'shutting-down' | 'terminated';
export type Check = 'ok' | 'impaired' | 'initializing' | 'not-applicable';
type Guest = 'none' | 'transient' | 'persistent';

export const STATE_CODE: Record<StateName, number> = { pending: 0, running: 16, 'shutting-down': 32, terminated: 48, stopping: 64, stopped: 80 };
const INSTANCE_ID_RE = /^i-([0-9a-f]{8}|[0-9a-f]{17})$/;

/** What decides an instance's status checks at a moment. */
export interface InstanceFacts {
  state: StateName;
  /** The host under it is healthy (system check). */
  hostOk: boolean;
  /** A problem inside the guest OS (instance check). */
  guest: Guest;
  /** The instance check fails because the host does. */
  followsHost: boolean;
  /** Attached EBS volumes are reachable (attached-EBS check). */
  ebsOk: boolean;
  /** Checks report `initializing` until then. */
  initUntil: number;
}

export interface InstanceChecks {
  system: Check;
  instance: Check;
  ebs: Check;
}

export class SimInstance {
  readonly history: { at: number; facts: InstanceFacts }[] = [];
  publicIp?: string;
  console: string;
  events: { id: string; code: string; description: string; notBefore: number; notAfter?: number; notBeforeDeadline?: number }[];
  /** Bumped by every stop/start, so a superseded scheduled transition does nothing. */
  generation = 0;
  stopDueAt?: number;
  boots = 0;
  readonly delays: { stop: number; forceStop: number; start: number; reboot: number; statusChecks: number };

  constructor(
    readonly spec: InstanceSpec,
    readonly az: string,
    private readonly world: AwsWorld,
  ) {
    this.publicIp = spec.public_ip;
    this.console = spec.console_output;
    this.delays = {
      stop: offsetMs(spec.delays.stop),
      forceStop: offsetMs(spec.delays.force_stop),
      start: offsetMs(spec.delays.start),
      reboot: offsetMs(spec.delays.reboot),
      statusChecks: offsetMs(spec.delays.status_checks),
    };
    this.events = spec.events.map((e, i) => ({
      id: e.id ?? `instance-event-${hexId(17, spec.id, String(i))}`,
      code: e.code,
      description: e.description,
      notBefore: world.when(e.not_before),
      ...(e.not_after ? { notAfter: world.when(e.not_after) } : {}),
      ...(e.not_before_deadline ? { notBeforeDeadline: world.when(e.not_before_deadline) } : {}),
    }));
  }

  get id(): string {
    return this.spec.id;
  }

  get facts(): InstanceFacts {
    return this.history[this.history.length - 1]!.facts;
  }

  get state(): StateName {
    return this.facts.state;
  }

  /** Records a change of facts at `at`. */
  change(at: number, patch: Partial<InstanceFacts>): void {
    this.history.push({ at, facts: { ...this.facts, ...patch } });
  }

  factsAt(t: number): InstanceFacts | undefined {
    let found: InstanceFacts | undefined;
    for (const h of this.history) {
      if (h.at > t) break;
      found = h.facts;
    }
    return found;
  }

  checksAt(t: number): InstanceChecks {
    const f = this.factsAt(t);
    return f ? checksOf(f, t) : { system: 'not-applicable', instance: 'not-applicable', ebs: 'not-applicable' };
  }

  /** When the current failure of one check began, if it is failing now. */
  impairedSince(which: keyof InstanceChecks, now: number): number | undefined {
    if (this.checksAt(now)[which] !== 'impaired') return undefined;
    let since: number | undefined;
    for (let i = this.history.length - 1; i >= 0; i--) {
      const h = this.history[i]!;
      if (h.at > now) continue;
      const from = Math.max(h.at, h.facts.initUntil);
      if (checksOf(h.facts, from)[which] !== 'impaired') break;
      since = from;
      if (h.facts.initUntil > h.at) break;
    }
    return since;
  }

  /** A new auto-assigned public IPv4 after a start (an Elastic IP stays). */
  nextPublicIp(): string {
    const h = hexId(6, this.id, 'public-ip', String(this.boots));
    return `3.${parseInt(h.slice(0, 2), 16)}.${parseInt(h.slice(2, 4), 16)}.${parseInt(h.slice(4, 6), 16) || 1}`;
  }
}

function checksOf(f: InstanceFacts, t: number): InstanceChecks {
  if (f.state !== 'running') return { system: 'not-applicable', instance: 'not-applicable', ebs: 'not-applicable' };
  if (t < f.initUntil) return { system: 'initializing', instance: 'initializing', ebs: 'initializing' };
  return {
    system: f.hostOk ? 'ok' : 'impaired',
    instance: f.guest !== 'none' || (f.followsHost && !f.hostOk) ? 'impaired' : 'ok',
    ebs: f.ebsOk ? 'ok' : 'impaired',
  };
}

export interface SimVolume {
  spec: InstanceSpec['volumes'][number];
  instanceId: string;
  az: string;
  /** I/O state now: EnableVolumeIO turns it back on. */
  ioEnabled: boolean;
  status: 'ok' | 'warning' | 'impaired' | 'insufficient-data';
}

/** What EC2 reads of the rest of the account. */
export interface Ec2Peers {
  /** CloudWatch's metric store, where the status-check metrics come from. */
  metrics: MetricStore;
  /** The subnets the load balancers name (with their zone when the load balancer says). */
  loadBalancerSubnets: () => { subnet: string; zone?: string }[];
}

export class Ec2Model {
  readonly instances = new Map<string, SimInstance>();
  readonly volumes = new Map<string, SimVolume>();
  readonly securityGroups: AwsSpec['ec2']['security_groups'];
  readonly networkAcls: AwsSpec['ec2']['network_acls'];
  readonly subnets: AwsSpec['ec2']['subnets'];

  constructor(
    readonly world: AwsWorld,
    spec: AwsSpec['ec2'],
    private readonly peers: Ec2Peers,
  ) {
    this.securityGroups = spec.security_groups;
    this.networkAcls = spec.network_acls;
    this.subnets = spec.subnets;
    for (const s of spec.instances) this.addInstance(s);
    peers.metrics.addSource((id, start, end) => this.statusMetric(id, start, end));
  }

  private addInstance(s: InstanceSpec): void {
    const world = this.world;
    const inst = new SimInstance(s, s.az ?? `${world.region}a`, world);
    const launched = world.when(s.launched);
    const cause = s.instance_check_cause ?? (s.status.system === 'impaired' ? 'host' : 'guest_transient');
    const instanceFails = s.status.instance === 'impaired';
    inst.history.push({
      at: Math.min(launched, world.start),
      facts: { state: s.state, hostOk: true, guest: 'none', followsHost: false, ebsOk: true, initUntil: launched + inst.delays.statusChecks },
    });
    const faulty = s.status.system === 'impaired' || instanceFails || s.status.attached_ebs === 'impaired';
    if (faulty) {
      const fault: Partial<InstanceFacts> = {
        hostOk: s.status.system !== 'impaired',
        guest: instanceFails && cause !== 'host' ? (cause === 'guest_persistent' ? 'persistent' : 'transient') : 'none',
        followsHost: instanceFails && cause === 'host',
        ebsOk: s.status.attached_ebs !== 'impaired',
      };
      const since = world.when(s.impaired_since);
      // A failure may also be set to happen during the drill ('+5m').
      if (since <= world.start) inst.change(since, fault);
      else {
        world.schedule(since, (at) => {
          if (inst.state === 'running') inst.change(at, fault);
        });
      }
    }
    const initializing = Object.values(s.status).includes('initializing');
    if (initializing) inst.change(world.start, { initUntil: world.start + inst.delays.statusChecks });
    this.instances.set(s.id, inst);
    for (const v of s.volumes) this.volumes.set(v.id, { spec: v, instanceId: s.id, az: inst.az, ioEnabled: v.io_enabled, status: v.status });
    // A scenario may start mid-transition.
    if (s.state === 'pending') this.scheduleRunning(inst, world.start + inst.delays.start);
    if (s.state === 'stopping' && !s.stuck_stopping) this.scheduleStopped(inst, world.start + inst.delays.stop);
  }

  /** The instance, or EC2's own error for a bad or unknown id. */
  get(id: string): SimInstance {
    return this.resolve([id])[0]!;
  }

  /** Checks ids the way EC2 does: all malformed ones first, then all unknown ones. */
  resolve(ids: string[]): SimInstance[] {
    const malformed = ids.find((id) => !INSTANCE_ID_RE.test(id));
    if (malformed !== undefined) throw new WorldError('InvalidInstanceID.Malformed', `Invalid id: "${malformed}" (expecting "i-...")`);
    const missing = ids.filter((id) => !this.instances.has(id));
    if (missing.length === 1) throw new WorldError('InvalidInstanceID.NotFound', `The instance ID '${missing[0]}' does not exist`);
    if (missing.length > 1) throw new WorldError('InvalidInstanceID.NotFound', `The instance IDs '${missing.join(', ')}' do not exist`);
    return ids.map((id) => this.instances.get(id)!);
  }

  /** Sets status checks from a scenario reaction (e.g. the host recovers on its own). */
  setChecks(id: string, checks: { system?: 'ok' | 'impaired'; instance?: 'ok' | 'impaired'; ebs?: 'ok' | 'impaired' }, at = this.world.now()): void {
    const inst = this.get(id);
    const patch: Partial<InstanceFacts> = {};
    if (checks.system) patch.hostOk = checks.system === 'ok';
    if (checks.instance) Object.assign(patch, checks.instance === 'ok' ? { guest: 'none', followsHost: false } : { guest: 'transient' });
    if (checks.ebs) patch.ebsOk = checks.ebs === 'ok';
    inst.change(at, patch);
  }

  /** Every subnet the scenario names anywhere (instances, NACLs, load balancers), sorted. */
  subnetIds(): string[] {
    const ids = new Set(this.subnets.map((sn) => sn.id));
    for (const i of this.instances.values()) ids.add(i.spec.subnet_id ?? defaultSubnet(i.az));
    for (const a of this.networkAcls) for (const sn of a.subnets) ids.add(sn);
    for (const z of this.peers.loadBalancerSubnets()) ids.add(z.subnet);
    return [...ids].sort();
  }

  /** A subnet the scenario defines or names; unnamed ones get a stable made-up /24 in 10.0.0.0/16. */
  subnet(id: string): { id: string; cidr: string; az: string; vpc_id: string } | undefined {
    const defined = this.subnets.find((sn) => sn.id === id);
    const az =
      defined?.az ??
      this.peers.loadBalancerSubnets().find((z) => z.subnet === id && z.zone !== undefined)?.zone ??
      [...this.instances.values()].find((i) => (i.spec.subnet_id ?? defaultSubnet(i.az)) === id)?.az ??
      `${this.world.region}a`;
    if (defined) return { id, cidr: defined.cidr, az, vpc_id: defined.vpc_id };
    if (!this.subnetIds().includes(id)) return undefined;
    return { id, cidr: `10.0.${parseInt(hexId(4, 'subnet', id), 16) % 250}.0/24`, az, vpc_id: 'vpc-0a1b2c3d4e5f60718' };
  }

  /** No attached volume has its I/O disabled (EBS keeps it off across stop/start until Enable IO). */
  volumesUsable(instanceId: string): boolean {
    return [...this.volumes.values()].every((v) => v.instanceId !== instanceId || v.ioEnabled);
  }

  /** EnableVolumeIO: I/O resumes; the attached-EBS check passes a little later, once no volume of the instance waits for it. */
  enableVolumeIO(volumeId: string, now: number): void {
    const v = this.volumes.get(volumeId);
    if (!v) throw new WorldError('InvalidVolume.NotFound', `The volume '${volumeId}' does not exist.`);
    v.ioEnabled = true;
    if (v.status === 'impaired') v.status = 'ok';
    const inst = this.instances.get(v.instanceId);
    // The attached-EBS check notices on its next runs, about as long as checks take after a boot.
    if (inst && !inst.facts.ebsOk && this.volumesUsable(inst.id)) {
      this.world.schedule(now + inst.delays.statusChecks, (at) => {
        if (inst.state === 'running' && this.volumesUsable(inst.id)) inst.change(at, { ebsOk: true });
      });
    }
  }

  stop(ids: string[], force: boolean, now: number): InstanceStateChange[] {
    const list = this.resolve(ids);
    for (const inst of list) {
      if (inst.spec.root_device_type !== 'ebs') {
        throw new WorldError('UnsupportedOperation', `The instance '${inst.id}' does not have an 'ebs' root device type and cannot be stopped.`);
      }
      if (inst.state === 'terminated' || inst.state === 'shutting-down') {
        throw new WorldError('IncorrectInstanceState', `This instance '${inst.id}' is not in a state from which it can be stopped.`);
      }
    }
    return list.map((inst) => {
      const previous = inst.state;
      if (previous === 'running' || previous === 'pending') {
        inst.change(now, { state: 'stopping' });
        if (force) this.scheduleStopped(inst, now + inst.delays.forceStop);
        else if (!inst.spec.stuck_stopping) this.scheduleStopped(inst, now + inst.delays.stop);
        else inst.generation++;
      } else if (previous === 'stopping' && force) {
        const due = now + inst.delays.forceStop;
        if (inst.stopDueAt === undefined || due < inst.stopDueAt) this.scheduleStopped(inst, due);
      }
      return stateChange(inst.id, inst.state, previous);
    });
  }

  start(ids: string[], now: number): InstanceStateChange[] {
    const list = this.resolve(ids);
    for (const inst of list) {
      if (inst.state === 'stopping' || inst.state === 'terminated' || inst.state === 'shutting-down') {
        throw new WorldError('IncorrectInstanceState', `The instance '${inst.id}' is not in a state from which it can be started.`);
      }
    }
    return list.map((inst) => {
      const previous = inst.state;
      if (previous === 'stopped') {
        inst.change(now, { state: 'pending' });
        this.scheduleRunning(inst, now + inst.delays.start);
      }
      return stateChange(inst.id, inst.state, previous);
    });
  }

  reboot(ids: string[], now: number): void {
    const list = this.resolve(ids);
    for (const inst of list) {
      if (inst.state !== 'running') throw new WorldError('IncorrectInstanceState', `The instance '${inst.id}' is not in a state from which it can be rebooted.`);
    }
    for (const inst of list) {
      // Same host: a system-check failure stays. Only a guest problem a fresh boot cures goes away.
      this.world.schedule(now + inst.delays.reboot, (at) => {
        if (inst.state !== 'running') return;
        inst.boots++;
        if (inst.facts.guest === 'transient') inst.change(at, { guest: 'none' });
        this.logBoot(inst, at);
      });
    }
  }

  private scheduleStopped(inst: SimInstance, at: number): void {
    const gen = ++inst.generation;
    inst.stopDueAt = at;
    this.world.schedule(at, (t) => {
      if (inst.generation !== gen || inst.state !== 'stopping') return;
      inst.stopDueAt = undefined;
      // Off the host: its faults and the instance's RAM go with it.
      inst.change(t, {
        state: 'stopped',
        hostOk: true,
        followsHost: false,
        ebsOk: this.volumesUsable(inst.id),
        guest: inst.facts.guest === 'persistent' ? 'persistent' : 'none',
      });
      if (!inst.spec.elastic_ip) inst.publicIp = undefined;
    });
  }

  private scheduleRunning(inst: SimInstance, at: number): void {
    const gen = ++inst.generation;
    this.world.schedule(at, (t) => {
      if (inst.generation !== gen || inst.state !== 'pending') return;
      inst.boots++;
      inst.change(t, { state: 'running', hostOk: true, ebsOk: this.volumesUsable(inst.id), initUntil: t + inst.delays.statusChecks });
      if (inst.spec.public_ip && !inst.spec.elastic_ip) inst.publicIp = inst.nextPublicIp();
      // Events tied to the old host are done once the instance moved.
      inst.events = inst.events.map((e) => (/^\[(Completed|Canceled)\]/.test(e.description) ? e : { ...e, description: `[Completed] ${e.description}` }));
      this.logBoot(inst, t);
    });
  }

  private logBoot(inst: SimInstance, at: number): void {
    const tail = inst.facts.guest === 'persistent' ? `\n${inst.spec.console_output.trimEnd()}` : '\n[  OK  ] Reached target Multi-User System.';
    inst.console = `${inst.console.trimEnd()}\n[    0.000000] Booting Linux (boot ${inst.boots}, ${new Date(at).toISOString()})${tail}\n`.slice(-64 * 1024);
  }

  /** StatusCheckFailed* metrics, one per minute while the instance runs and its checks report. */
  private statusMetric(id: { namespace: string; name: string; dimensions: Record<string, string> }, start: number, end: number): Sample[] | undefined {
    if (id.namespace !== 'AWS/EC2' || !id.name.startsWith('StatusCheckFailed')) return undefined;
    const keys = Object.keys(id.dimensions);
    const instanceId = id.dimensions.InstanceId;
    if (keys.length !== 1 || !instanceId) return undefined;
    const inst = this.instances.get(instanceId);
    if (!inst) return [];
    const out: Sample[] = [];
    const first = Math.max(Math.ceil(start / 60_000) * 60_000, Math.floor(inst.history[0]!.at / 60_000) * 60_000);
    for (let t = first; t < end && out.length < 50_000; t += 60_000) {
      const c = inst.checksAt(t);
      const value = (check: Check) => (check === 'impaired' ? 1 : check === 'ok' ? 0 : undefined);
      let v: number | undefined;
      switch (id.name) {
        case 'StatusCheckFailed_System':
          v = value(c.system);
          break;
        case 'StatusCheckFailed_Instance':
          v = value(c.instance);
          break;
        case 'StatusCheckFailed_AttachedEBS':
          v = value(c.ebs);
          break;
        case 'StatusCheckFailed': {
          const s = value(c.system);
          const i = value(c.instance);
          v = s === undefined || i === undefined ? undefined : Math.max(s, i);
          break;
        }
      }
      if (v !== undefined) out.push({ t, v });
    }
    return out;
  }
}

/** The subnet an instance without one is placed in. */
export function defaultSubnet(az: string): string {
  return `subnet-${hexId(17, az)}`;
}

function stateChange(id: string, current: StateName, previous: StateName): InstanceStateChange {
  return { InstanceId: id, CurrentState: { Code: STATE_CODE[current], Name: current }, PreviousState: { Code: STATE_CODE[previous], Name: previous } };
}
