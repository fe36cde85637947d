// Real etcd for tests: free loopback ports, static-pod-like manifests, and a tiny "kubelet" that
// runs etcd from every manifest in a directory (mapping hostPath volumes like kubelet does) and
// stops it when the manifest is moved out. A fake Kubernetes API follows what it runs.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { KubeApiModel } from '../../src/drill/kube/server.js';
import type { StepContext } from '../../src/core/step.js';
import type { ExecRequest, ExecResult } from '../../src/providers/types.js';
import { evalExpr } from '../../src/runbook/expr.js';
import { hasCommand } from './system.js';

export const HAS_ETCD = hasCommand('etcd', ['--version']) && hasCommand('etcdctl', ['version']);

export async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => ok(port));
    });
  });
}

export interface MemberSpec {
  name: string;
  client: number;
  peer: number;
}

export async function members(names: string[]): Promise<MemberSpec[]> {
  const out: MemberSpec[] = [];
  for (const name of names) out.push({ name, client: await freePort(), peer: await freePort() });
  return out;
}

export const clientUrl = (m: MemberSpec) => `http://127.0.0.1:${m.client}`;
export const peerUrl = (m: MemberSpec) => `http://127.0.0.1:${m.peer}`;
export const initialCluster = (ms: MemberSpec[]) => ms.map((m) => `${m.name}=${peerUrl(m)}`).join(',');

/** A kubeadm-shaped etcd static pod manifest (plain HTTP on loopback), data on a hostPath volume. */
export function etcdManifest(m: MemberSpec, all: MemberSpec[], hostDataDir: string, token = 'etcd-cluster'): string {
  return `apiVersion: v1
kind: Pod
metadata:
  annotations:
    kubeadm.kubernetes.io/etcd.advertise-client-urls: ${clientUrl(m)}
  labels:
    component: etcd
    tier: control-plane
  name: etcd-${m.name}
  namespace: kube-system
spec:
  containers:
  - command:
    - etcd
    - --advertise-client-urls=${clientUrl(m)}
    - --data-dir=/var/lib/etcd
    - --initial-advertise-peer-urls=${peerUrl(m)}
    - --initial-cluster=${initialCluster(all)}
    - --initial-cluster-token=${token}
    - --listen-client-urls=${clientUrl(m)}
    - --listen-peer-urls=${peerUrl(m)}
    - --name=${m.name}
    - --snapshot-count=10000
    image: registry.k8s.io/etcd:3.4.23-0
    name: etcd
    volumeMounts:
    - mountPath: /var/lib/etcd
      name: etcd-data
  hostNetwork: true
  priorityClassName: system-node-critical
  volumes:
  - hostPath:
      path: ${hostDataDir}
      type: DirectoryOrCreate
    name: etcd-data
status: {}
`;
}

export function apiserverManifest(): string {
  return `apiVersion: v1
kind: Pod
metadata:
  labels:
    component: kube-apiserver
    tier: control-plane
  name: kube-apiserver
  namespace: kube-system
spec:
  containers:
  - command:
    - kube-apiserver
    - --etcd-servers=http://127.0.0.1:2379
    image: registry.k8s.io/kube-apiserver:v1.30.4
    name: kube-apiserver
  hostNetwork: true
`;
}

interface Pod {
  file: string;
  hash: string;
  component: string;
  name: string;
  process?: ChildProcess;
  clientUrl?: string;
  healthy: boolean;
  /** The host data directory etcd was started on. */
  dataDir?: string;
  exited?: boolean;
}

/**
 * Plays kubelet for one manifests directory: every non-hidden file is a pod. etcd pods run the
 * real etcd with container paths mapped to their hostPath volumes; other pods (kube-apiserver)
 * are only marked running. Moving a manifest out stops its pod; a changed manifest restarts it.
 */
export class Kubelet {
  private pods = new Map<string, Pod>();
  private timer: NodeJS.Timeout | undefined;
  private ticking = false;
  readonly events: string[] = [];

  constructor(
    private readonly dir: string,
    private readonly logDir: string,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.tick(), 150);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    while (this.ticking) await sleep(20);
    await Promise.all([...this.pods.values()].map((p) => this.kill(p)));
    this.pods.clear();
  }

  running(component: string): Pod[] {
    return [...this.pods.values()].filter((p) => p.component === component && (component !== 'etcd' || (p.process && !p.exited)));
  }

  /** Every etcd pod answers /health. */
  etcdHealthy(): boolean {
    const etcd = this.running('etcd');
    return etcd.length > 0 && etcd.every((p) => p.healthy);
  }

  async waitFor(what: string, cond: () => boolean, ms = 20_000): Promise<void> {
    const end = Date.now() + ms;
    while (!cond()) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}; kubelet events:\n${this.events.join('\n')}`);
      await sleep(100);
    }
  }

  private async tick(): Promise<void> {
    if (this.ticking) return;
    this.ticking = true;
    try {
      const files = existsSync(this.dir) ? readdirSync(this.dir).filter((f) => !f.startsWith('.')) : [];
      for (const [file, pod] of this.pods) {
        if (!files.includes(file)) {
          this.events.push(`manifest ${file} removed: stopping ${pod.name}`);
          this.pods.delete(file);
          await this.kill(pod);
        }
      }
      for (const file of files) {
        let text: string;
        try {
          text = readFileSync(join(this.dir, file), 'utf8');
        } catch {
          continue;
        }
        const hash = createHash('sha256').update(text).digest('hex');
        const current = this.pods.get(file);
        if (current && current.hash === hash) {
          if (current.process && current.exited) {
            this.events.push(`${current.name} exited; restarting`);
            this.pods.delete(file);
          } else continue;
        } else if (current) {
          this.events.push(`manifest ${file} changed: restarting ${current.name}`);
          this.pods.delete(file);
          await this.kill(current);
        }
        this.pods.set(file, this.run(file, text, hash));
      }
      await Promise.all(
        [...this.pods.values()]
          .filter((p) => p.clientUrl && !p.exited)
          .map(async (p) => {
            try {
              const res = await fetch(`${p.clientUrl}/health`, { signal: AbortSignal.timeout(1000) });
              p.healthy = res.ok && ((await res.json()) as { health?: string }).health === 'true';
            } catch {
              p.healthy = false;
            }
          }),
      );
    } finally {
      this.ticking = false;
    }
  }

  private run(file: string, text: string, hash: string): Pod {
    const pod = parse(text) as any;
    const component = String(pod?.metadata?.labels?.component ?? '');
    const name = String(pod?.metadata?.name ?? file);
    const entry: Pod = { file, hash, component, name, healthy: false };
    if (component !== 'etcd') {
      this.events.push(`started ${name} (simulated)`);
      return entry;
    }
    const c = pod.spec.containers[0];
    const mounts: { mountPath: string; host: string }[] = (c.volumeMounts ?? []).map((m: any) => ({
      mountPath: m.mountPath,
      host: pod.spec.volumes.find((v: any) => v.name === m.name)?.hostPath?.path,
    }));
    const mapPath = (v: string) => {
      const m = mounts.filter((x) => v === x.mountPath || v.startsWith(`${x.mountPath}/`)).sort((a, b) => b.mountPath.length - a.mountPath.length)[0];
      return m ? m.host + v.slice(m.mountPath.length) : v;
    };
    const args = [...c.command.slice(1), ...(c.args ?? [])].map((a: string) => {
      const eq = a.indexOf('=');
      return eq > 0 && a.startsWith('--') ? `${a.slice(0, eq + 1)}${a.slice(eq + 1).startsWith('/') ? mapPath(a.slice(eq + 1)) : a.slice(eq + 1)}` : a;
    });
    const dataDir = args.find((a) => a.startsWith('--data-dir='))?.slice('--data-dir='.length);
    // hostPath type DirectoryOrCreate: kubelet makes the directory when it is missing.
    if (dataDir) spawnSync('mkdir', ['-p', '-m', '0700', dataDir]);
    const log = createWriteStream(join(this.logDir, `${name}.log`), { flags: 'a' });
    const child = spawn('etcd', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.pipe(log);
    child.stderr!.pipe(log);
    entry.process = child;
    entry.dataDir = dataDir;
    entry.clientUrl = args.find((a) => a.startsWith('--advertise-client-urls='))?.split('=')[1]?.split(',')[0];
    child.once('exit', (code, signal) => {
      entry.exited = true;
      entry.healthy = false;
      this.events.push(`${name} exited (${signal ?? code})`);
    });
    this.events.push(`started ${name} on ${dataDir}`);
    return entry;
  }

  private async kill(p: Pod): Promise<void> {
    const child = p.process;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((ok) => {
      child.once('exit', () => ok());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 5000).unref();
    });
  }
}

/** A Kubernetes API model that follows the kubelet: down without kube-apiserver, not ready while etcd is unhealthy. */
export function kubeletApiModel(kubelet: Kubelet, nodes = ['cp-1']): KubeApiModel {
  return {
    up: () => kubelet.running('kube-apiserver').length > 0,
    version: () => 'v1.30.4',
    readyz: () => [
      { name: 'ping', ok: true },
      { name: 'etcd', ok: kubelet.etcdHealthy() },
      { name: 'poststarthook/start-apiextensions-controllers', ok: true },
    ],
    nodes: () => nodes.map((name) => ({ name, ready: true, kubelet_version: 'v1.30.4', roles: ['control-plane'] })),
    pods: () => [
      ...kubelet.running('etcd').map((p) => ({ name: p.name, namespace: 'kube-system', labels: { component: 'etcd', tier: 'control-plane' }, node: nodes[0], phase: 'Running', ready: p.healthy })),
      ...kubelet.running('kube-apiserver').map((p) => ({ name: `${p.name}-${nodes[0]}`, namespace: 'kube-system', labels: { component: 'kube-apiserver', tier: 'control-plane' }, node: nodes[0], phase: 'Running' })),
    ],
    leases: () =>
      ['kube-controller-manager', 'kube-scheduler'].map((name) => ({ name, namespace: 'kube-system', holder: `${nodes[0]}_${name}`, renew_time: new Date(Date.now() - 2000).toISOString(), duration_s: 15 })),
  };
}

/** Every key and value in etcd, base64-decoded (test-side only: oncall never reads values). */
export function dumpKeys(endpoints: string): Map<string, string> {
  const r = spawnSync('etcdctl', [`--endpoints=${endpoints}`, 'get', '', '--prefix', '-w', 'json'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`etcdctl get failed: ${r.stderr}`);
  const j = JSON.parse(r.stdout) as { kvs?: { key: string; value: string }[] };
  return new Map((j.kvs ?? []).map((kv) => [Buffer.from(kv.key, 'base64').toString(), Buffer.from(kv.value ?? '', 'base64').toString()]));
}

export function etcdctl(endpoints: string, ...args: string[]): string {
  const r = spawnSync('etcdctl', [`--endpoints=${endpoints}`, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`etcdctl ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

export function writeFile(path: string, text: string): void {
  writeFileSync(path, text, { mode: 0o600 });
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

// ── without etcd: a StepContext whose processes are answered by a function of argv, and a tiny
// in-memory filesystem answering test, mv, mkdir, ls, cat, cp and sed like coreutils ─────────

export interface Answer {
  stdout?: string;
  stderr?: string;
  code?: number;
  notFound?: boolean;
}

export type Handler = (argv: string[]) => Answer | undefined;

export interface FakeCtx extends StepContext {
  calls: string[][];
  lines: string[];
}

export function fakeCtx(handler: Handler, now = Date.parse('2026-03-02T03:12:00Z')): FakeCtx {
  const calls: string[][] = [];
  const lines: string[] = [];
  const exec = async (req: ExecRequest): Promise<ExecResult> => {
    const argv = [req.file, ...req.args];
    calls.push(argv);
    const a = handler(argv);
    if (!a) throw new Error(`unexpected command in test: ${argv.join(' ')}`);
    if (a.notFound) return { canceled: false, notFound: true, startError: `spawn ${req.file} ENOENT` };
    if (a.stdout) for (const l of a.stdout.replace(/\n$/, '').split('\n')) req.onLine(l, 'stdout');
    if (a.stderr) for (const l of a.stderr.replace(/\n$/, '').split('\n')) req.onLine(l, 'stderr');
    return { canceled: false, exitCode: a.code ?? 0 };
  };
  const ctx: FakeCtx = {
    calls,
    lines,
    incidentId: 'inc-20260302-031200-test',
    stepId: 's',
    attempt: 1,
    signal: new AbortController().signal,
    clock: { now: () => now, sleep: async () => undefined, deadline: () => new Promise(() => undefined) },
    ports: {} as StepContext['ports'],
    mode: 'live',
    providers: { exec, fetch: () => Promise.reject(new Error('no network in tests')) },
    log: (t) => lines.push(t),
    secret: (v) => v,
    evaluate: (expr, extra) => evalExpr(expr, { ...extra }),
    runKind: async () => {
      throw new Error('not in this test');
    },
  };
  return ctx;
}

/** Files and directories in memory, answering the coreutils the file kinds run. */
export class FakeFs {
  readonly files = new Map<string, string>();
  readonly dirs = new Set<string>(['/']);

  constructor(files: Record<string, string> = {}) {
    for (const [p, text] of Object.entries(files)) this.write(p, text);
  }

  write(path: string, text: string): void {
    this.mkdirp(path.replace(/\/[^/]+$/, '') || '/');
    this.files.set(path, text);
  }

  mkdirp(dir: string): void {
    let cur = '';
    for (const part of dir.split('/').filter(Boolean)) {
      cur += `/${part}`;
      this.dirs.add(cur);
    }
  }

  exists(p: string): boolean {
    return this.files.has(p) || this.dirs.has(p);
  }

  list(dir: string): string[] {
    const prefix = `${dir}/`;
    const names = new Set<string>();
    for (const p of [...this.files.keys(), ...this.dirs]) if (p.startsWith(prefix)) names.add(p.slice(prefix.length).split('/')[0]!);
    return [...names].sort();
  }

  handler: Handler = (argv) => {
    const [cmd, ...args] = argv;
    const rest = args.filter((a) => a !== '--');
    switch (cmd) {
      case 'test':
        return { code: this.exists(args[1]!) ? 0 : 1 };
      case 'mkdir':
        this.mkdirp(rest.at(-1)!);
        return { code: 0 };
      case 'mv': {
        const [src, dst] = rest.filter((a) => !a.startsWith('-'));
        if (!this.files.has(src!)) return { code: 1, stderr: `mv: cannot stat '${src}': No such file or directory` };
        if (this.exists(dst!) && args.includes('-n')) return { code: 0 };
        this.write(dst!, this.files.get(src!)!);
        this.files.delete(src!);
        return { code: 0 };
      }
      case 'ls':
        return this.dirs.has(rest.at(-1)!) ? { stdout: this.list(rest.at(-1)!).join('\n') } : { code: 2, stderr: 'ls: cannot access' };
      case 'cat':
        return this.files.has(rest[0]!) ? { stdout: this.files.get(rest[0]!)! } : { code: 1, stderr: `cat: ${rest[0]}: No such file or directory` };
      case 'cp': {
        const [src, dst] = rest.filter((a) => !a.startsWith('-'));
        if (!(args.includes('-n') && this.exists(dst!))) this.write(dst!, this.files.get(src!)!);
        return { code: 0 };
      }
      case 'sed': {
        const expr = args[args.indexOf('-e') + 1]!;
        const file = args.at(-1)!;
        const m = /^(\d+)s\|\.\*\|(.*)\|$/.exec(expr)!;
        const lines = this.files.get(file)!.split('\n');
        lines[Number(m[1]) - 1] = m[2]!.replace(/\\([\\|&])/g, '$1');
        this.files.set(file, lines.join('\n'));
        return { code: 0 };
      }
      default:
        return undefined;
    }
  };
}

/** Handlers tried in order; the first answer wins. */
export function chain(...handlers: Handler[]): Handler {
  return (argv) => {
    for (const h of handlers) {
      const a = h(argv);
      if (a) return a;
    }
    return undefined;
  };
}
