// `oncall doctor [--json]`: checks what runbooks need, explains each finding and how to fix it.
// ok · warn (not set up, or worth fixing; no runbook is stopped by it yet) · fail (something a
// runbook needs is broken: expired credentials, an API server that does not answer, a state dir
// that cannot be written). Exit 1 on any fail, else 0. The probes run side by side, each with its
// own short timeout that it reports, so doctor answers within a few seconds with no cloud reachable.
import { execFile } from 'node:child_process';
import { constants, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { access, statfs } from 'node:fs/promises';
import { connect, isIP } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { homedir, hostname } from 'node:os';
import { join } from 'node:path';
import { isSea } from 'node:sea';
import { loadConfig, settings, type LoadedConfig, type Setting } from '../config/load.js';
import { isTTY, type CommandIO } from '../core/io.js';
import { incidentsDir } from '../journal/paths.js';
import { VERSION } from '../version.js';
import { LIVE_WORLD_FLAGS, parseCommandArgs, usageError } from './io.js';

const USAGE = 'oncall doctor [--json] [--profile p] [--region r] [--context c] [--kubeconfig f] [--state-dir dir] [--plugin path]';

export type Status = 'ok' | 'warn' | 'fail';
export interface Check {
  id: string;
  status: Status;
  /** What was found, in a sentence or two. */
  detail: string;
  /** What to do about it (warn and fail). */
  fix?: string;
  /** Which runbooks it matters to. */
  for?: string;
  ms: number;
}

const AWS_TIMEOUT_MS = 2000;
const KUBE_TIMEOUT_MS = 1500;
const TOOL_TIMEOUT_MS = 1500;
const FREE_FAIL = 64 * 2 ** 20;
const FREE_WARN = 1024 * 2 ** 20;

interface Env {
  io: CommandIO;
  flags: Record<string, string | undefined>;
  loaded: LoadedConfig;
  settings: Record<string, Setting>;
  plugin?: string[] | undefined;
}

export async function doctorCommand(args: string[], io: CommandIO): Promise<number> {
  const parsed = parseCommandArgs(args, { json: { type: 'boolean' }, ...LIVE_WORLD_FLAGS, 'state-dir': { type: 'string' }, plugin: { type: 'string', multiple: true } }, io, USAGE);
  if (!parsed) return 2;
  if (parsed.positionals.length) return usageError(io, `unexpected argument '${parsed.positionals[0]}'`, USAGE);
  const str = (k: string) => (typeof parsed.values[k] === 'string' && (parsed.values[k] as string).trim() ? (parsed.values[k] as string) : undefined);
  const flags = { profile: str('profile'), region: str('region'), context: str('context'), kubeconfig: str('kubeconfig'), stateDir: str('state-dir') };
  const loaded = loadConfig(io.env);
  const all = settings(flags, io.env, loaded);
  const env: Env = { io, flags, loaded, settings: Object.fromEntries(all.map((s) => [s.key, s])), plugin: parsed.values.plugin as string[] | undefined };

  const probes: [string, (e: Env) => Promise<Omit<Check, 'id' | 'ms'>> | Omit<Check, 'id' | 'ms'>][] = [
    ['node', nodeCheck],
    ['config', configCheck],
    ['aws', awsCheck],
    ['kubernetes', kubeCheck],
    ['etcd tools', etcdCheck],
    ['state dir', stateCheck],
    ['terminal', terminalCheck],
    ['plugins', pluginsCheck],
  ];
  const checks = await Promise.all(
    probes.map(async ([id, probe]) => {
      const t = performance.now();
      let r: Omit<Check, 'id' | 'ms'>;
      try {
        r = await probe(env);
      } catch (err) {
        r = { status: 'fail', detail: `the check itself failed: ${err instanceof Error ? err.message : String(err)}`, fix: 'this is a bug in oncall doctor; please report it' };
      }
      return { id, ...r, ms: Math.round(performance.now() - t) };
    }),
  );
  const failed = checks.filter((c) => c.status === 'fail').length;
  const warned = checks.filter((c) => c.status === 'warn').length;
  if (parsed.values.json) {
    io.stdout.write(`${JSON.stringify({ version: VERSION, ok: failed === 0, failed, warned, checks }, null, 2)}\n`);
  } else {
    const tty = isTTY(io.stdout) && !io.env.NO_COLOR;
    const paint = (s: Status) => {
      const word = s.padEnd(4);
      if (!tty) return word;
      return s === 'ok' ? `\u001b[32m${word}\u001b[39m` : s === 'warn' ? `\u001b[33m${word}\u001b[39m` : `\u001b[31m${word}\u001b[39m`;
    };
    io.stdout.write(`oncall doctor ${VERSION}\n`);
    for (const c of checks) {
      io.stdout.write(`${paint(c.status)}  ${c.id.padEnd(11)} ${c.detail}${c.for ? ` [${c.for}]` : ''}\n`);
      if (c.fix && c.status !== 'ok') io.stdout.write(`${' '.repeat(18)}fix: ${c.fix}\n`);
    }
    io.stdout.write(`\n${failed ? `${failed} blocking` : 'nothing blocking'}${warned ? `, ${warned} to look at` : ''}\n`);
  }
  return failed ? 1 : 0;
}

function nodeCheck(): Omit<Check, 'id' | 'ms'> {
  const major = Number(process.versions.node.split('.')[0]);
  const sea = isSea();
  const what = `oncall ${VERSION} on Node ${process.versions.node}${sea ? ' (single executable)' : ` (${process.execPath})`}`;
  if (major >= 22) return { status: 'ok', detail: what };
  return { status: 'fail', detail: `${what}: oncall needs Node 22 or later`, fix: 'install Node 22 (or use the single executable, dist/oncall-linux-x64, which carries its own)' };
}

function configCheck(e: Env): Omit<Check, 'id' | 'ms'> {
  const { loaded } = e;
  if (!loaded.exists) return { status: 'ok', detail: `no config file (${loaded.file}); defaults apply`, fix: 'optional: see `oncall config`' };
  const errors = loaded.issues.filter((i) => i.severity === 'error');
  if (!errors.length) return { status: 'ok', detail: `${loaded.file} is valid` };
  const first = errors[0]!;
  return { status: 'fail', detail: `${first.file}:${first.line}:${first.col}: ${first.message}${errors.length > 1 ? ` (and ${errors.length - 1} more)` : ''}; every command refuses to start`, fix: 'fix the file (`oncall config` lists every problem), or set ONCALL_CONFIG=/dev/null' };
}

/** Which AWS setting won, and why, in words. */
function why(s: Setting | undefined): string {
  if (!s || s.value === undefined) return `none (${s?.from ?? 'default'})`;
  return `${String(s.value)} (${s.source === 'file' ? 'config file' : s.from})`;
}

function awsConfigured(env: NodeJS.ProcessEnv, profile: unknown): boolean {
  if (profile || env.AWS_ACCESS_KEY_ID || env.AWS_WEB_IDENTITY_TOKEN_FILE || env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI || env.AWS_CONTAINER_CREDENTIALS_FULL_URI) return true;
  const files = [env.AWS_CONFIG_FILE ?? join(homedir(), '.aws', 'config'), env.AWS_SHARED_CREDENTIALS_FILE ?? join(homedir(), '.aws', 'credentials')];
  return files.some((f) => existsSync(f));
}

async function awsCheck(e: Env): Promise<Omit<Check, 'id' | 'ms'>> {
  const profile = e.settings.profile;
  const region = e.settings.region;
  const where = `profile ${why(profile)}, region ${why(region)}`;
  const configured = awsConfigured(e.io.env, profile?.value);
  const { createAwsProvider } = await import('../providers/aws/provider.js');
  const warnings: string[] = [];
  const provider = createAwsProvider({
    ...(typeof profile?.value === 'string' ? { profile: profile.value } : {}),
    ...(typeof region?.value === 'string' ? { region: region.value } : {}),
    env: e.io.env,
    onWarning: (m) => warnings.push(m),
    // No instance-metadata retries: doctor answers in seconds, and says it gave up.
    clientConfig: { maxAttempts: 1 },
  });
  const signal = AbortSignal.timeout(AWS_TIMEOUT_MS);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((ok) => {
    timer = setTimeout(() => ok('timeout'), AWS_TIMEOUT_MS);
    timer.unref();
  });
  try {
    const id = await Promise.race([provider.identity(signal), timeout]);
    if (id === 'timeout') {
      return configured
        ? { status: 'fail', detail: `STS GetCallerIdentity did not answer within ${AWS_TIMEOUT_MS / 1000} s (${where})`, fix: 'check the network path to STS (proxy, VPC endpoint, AWS_ENDPOINT_URL_STS) and the region', for: 'AWS runbooks' }
        : { status: 'warn', detail: `no AWS credentials configured, and none came from the instance metadata within ${AWS_TIMEOUT_MS / 1000} s`, fix: 'aws configure sso (then --profile, AWS_PROFILE or `profile:` in the config file)', for: 'AWS runbooks' };
    }
    const allowed = typeof profile?.value === 'string' ? e.loaded.config?.profiles?.[profile.value]?.allowed_accounts : undefined;
    const who = `account ${id.account}, ${id.principal} (${id.arn}); ${where}${warnings.length ? `; ${warnings.join('; ')}` : ''}`;
    if (allowed && !allowed.includes(id.account)) {
      return { status: 'fail', detail: `${who}: account ${id.account} is not in this profile's allowed_accounts (${allowed.join(', ')})`, fix: `use the right profile, or fix profiles.${String(profile?.value)}.allowed_accounts in ${e.loaded.file}`, for: 'AWS runbooks' };
    }
    return { status: 'ok', detail: who };
  } catch (err) {
    if (signal.aborted && configured) {
      return { status: 'fail', detail: `STS GetCallerIdentity did not answer within ${AWS_TIMEOUT_MS / 1000} s (${where})`, fix: 'check the network path to STS (proxy, VPC endpoint, AWS_ENDPOINT_URL_STS) and the region', for: 'AWS runbooks' };
    }
    const message = err instanceof Error ? err.message : String(err);
    if (!configured) {
      return { status: 'warn', detail: `no AWS credentials configured (${where}): ${message}`, fix: 'aws configure sso (then --profile, AWS_PROFILE or `profile:` in the config file)', for: 'AWS runbooks' };
    }
    return { status: 'fail', detail: `${message} (${where})`, fix: /sso login/.test(message) ? message.replace(/^.*?(aws sso login --profile \S+).*$/s, '$1') : 'see the message; `aws sts get-caller-identity` with the same profile should work first', for: 'AWS runbooks' };
  } finally {
    clearTimeout(timer);
  }
}

async function kubeCheck(e: Env): Promise<Omit<Check, 'id' | 'ms'>> {
  const context = e.settings.context;
  const kubeconfig = e.flags.kubeconfig;
  const env = e.io.env;
  const defaultFile = join(homedir(), '.kube', 'config');
  if (!kubeconfig && !env.KUBECONFIG && !existsSync(defaultFile) && !env.KUBERNETES_SERVICE_HOST) {
    return { status: 'warn', detail: 'no kubeconfig (KUBECONFIG, ~/.kube/config) and not inside a cluster', fix: 'set KUBECONFIG (on a kubeadm control-plane node: /etc/kubernetes/admin.conf) or pass --kubeconfig', for: 'etcd-restore, k8s steps' };
  }
  const { createKubeProvider } = await import('../providers/kube.js');
  const provider = createKubeProvider({ ...(typeof context?.value === 'string' ? { context: context.value } : {}), ...(kubeconfig ? { kubeconfig } : {}) });
  let kc;
  try {
    kc = await provider.kubeConfig();
  } catch (err) {
    return { status: 'fail', detail: (err as Error).message, fix: 'fix the kubeconfig or pass --context with one of its contexts', for: 'etcd-restore, k8s steps' };
  }
  const name = kc.getCurrentContext();
  const server = kc.getCurrentCluster()?.server ?? '(no server)';
  const chosen = context?.value ? `context ${name} (${context.source === 'file' ? 'config file' : context.from})` : `context ${name} (the kubeconfig's current-context)`;
  // First a plain connect, with the timeout: a server that never answers is reported without
  // leaving a connection attempt behind that would hold the process open (undici's connect timeout
  // is 10 s, and client-node's request goes through the shared pool when the cluster has no CA).
  const reach = await tcpReach(server, KUBE_TIMEOUT_MS);
  if (reach === 'timeout') return { status: 'fail', detail: `${chosen}: the API server ${server} did not answer within ${KUBE_TIMEOUT_MS / 1000} s`, fix: 'check the VPN or bastion tunnel to the cluster, or choose another context with --context', for: 'etcd-restore, k8s steps' };
  if (reach !== 'ok') return { status: 'fail', detail: `${chosen}: the API server ${server} cannot be reached (${reach})`, fix: 'check the VPN or bastion tunnel to the cluster, or choose another context with --context', for: 'etcd-restore, k8s steps' };
  const k8s = await import('@kubernetes/client-node');
  const api = kc.makeApiClient(k8s.VersionApi);
  // The request carries the timeout as its abort signal, so nothing is left open when doctor ends.
  const signal = AbortSignal.timeout(KUBE_TIMEOUT_MS);
  // The connection pool the request went through: closed at the end, so a connect still pending
  // (a server that never answers) does not hold the process open for undici's 10 s connect timeout.
  let dispatcher: { destroy?: () => Promise<void> } | undefined;
  const options = {
    middleware: [
      {
        pre: (c: import('@kubernetes/client-node').RequestContext) => {
          c.setSignal(signal);
          dispatcher = c.getDispatcher() as typeof dispatcher;
          return new k8s.Observable(Promise.resolve(c));
        },
        post: (r: import('@kubernetes/client-node').ResponseContext) => new k8s.Observable(Promise.resolve(r)),
      },
    ],
    middlewareMergeStrategy: 'append' as const,
  };
  try {
    const v = await api.getCode({}, options);
    return { status: 'ok', detail: `${chosen}: ${server} answers, Kubernetes ${v.gitVersion}` };
  } catch (err) {
    if (signal.aborted) return { status: 'fail', detail: `${chosen}: the API server ${server} did not answer within ${KUBE_TIMEOUT_MS / 1000} s`, fix: 'check the VPN or bastion tunnel to the cluster, or choose another context with --context', for: 'etcd-restore, k8s steps' };
    // A network failure (fetch's cause carries the code) is not an answer; an HTTP error is one.
    let cause: string | undefined;
    for (let e: unknown = err, i = 0; e && i < 5 && !cause; e = (e as { cause?: unknown }).cause, i++) cause = (e as { code?: unknown }).code === undefined ? undefined : String((e as { code?: unknown }).code);
    if (!cause && (err as Error).message === 'fetch failed') cause = ((err as { cause?: Error }).cause?.message ?? 'fetch failed');
    if (cause) return { status: 'fail', detail: `${chosen}: the API server ${server} cannot be reached (${cause})`, fix: 'check the VPN or bastion tunnel to the cluster, or choose another context with --context', for: 'etcd-restore, k8s steps' };
    return { status: 'fail', detail: `${chosen}: ${server} refused: ${(err as Error).message.split('\n')[0]}`, fix: 'check the credentials of this context (`kubectl --context … version`)', for: 'etcd-restore, k8s steps' };
  } finally {
    await dispatcher?.destroy?.().catch(() => undefined);
  }
}

/** 'ok' when a TCP connection (and for https a TLS session) to the URL's host and port opens within `ms`, else 'timeout' or the error code. */
function tcpReach(url: string, ms: number): Promise<string> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return Promise.resolve('not a URL');
  }
  const port = Number(u.port || (u.protocol === 'http:' ? 80 : 443));
  return new Promise((done) => {
    const host = u.hostname.replace(/^\[|\]$/g, '');
    // For https, the TLS handshake too (nothing is sent, and nothing trusted: client-node checks
    // the certificate on the real request).
    const socket = u.protocol === 'https:' ? tlsConnect({ host, port, rejectUnauthorized: false, ...(isIP(host) ? {} : { servername: host }) }) : connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      done('timeout');
    }, ms);
    socket.once(u.protocol === 'https:' ? 'secureConnect' : 'connect', () => {
      clearTimeout(timer);
      socket.destroy();
      done('ok');
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      done(err.code ?? err.message);
    });
  });
}

function toolVersion(cmd: string): Promise<{ version?: string; error?: string }> {
  return new Promise((done) => {
    execFile(cmd, ['version'], { timeout: TOOL_TIMEOUT_MS }, (err, stdout, stderr) => {
      const m = /version:\s*v?(\d+\.\d+\.\d+)/i.exec(`${stdout}\n${stderr}`);
      if (m) return done({ version: m[1]! });
      const code = (err as NodeJS.ErrnoException | null)?.code;
      done({ error: code === 'ENOENT' ? 'not on PATH' : err?.killed ? `no answer within ${TOOL_TIMEOUT_MS / 1000} s` : `printed no version (${err ? String(code ?? err.message) : 'exit 0'})` });
    });
  });
}

async function etcdCheck(): Promise<Omit<Check, 'id' | 'ms'>> {
  const [ctl, utl] = await Promise.all([toolVersion('etcdctl'), toolVersion('etcdutl')]);
  const say = (name: string, r: { version?: string; error?: string }) => `${name} ${r.version ?? `(${r.error})`}`;
  const detail = `${say('etcdctl', ctl)}, ${say('etcdutl', utl)}`;
  const minor = (v?: string) => (v ? Number(v.split('.')[0]) * 100 + Number(v.split('.')[1]) : undefined);
  const c = minor(ctl.version);
  if (c === undefined) return { status: 'warn', detail: `${detail}: etcd-restore checks the cluster with etcdctl`, fix: 'install etcdctl (Debian: etcd-client) matching the cluster, or pass the etcdctl input a path', for: 'etcd-restore' };
  if (c < 304) return { status: 'fail', detail: `${detail}: etcd-restore needs etcdctl 3.4 or later`, fix: 'install an etcdctl that matches the cluster (3.4–3.6)', for: 'etcd-restore' };
  if (c >= 305 && !utl.version) return { status: 'warn', detail: `${detail}: etcd 3.5 and later restore with etcdutl`, fix: 'install etcdutl from the same etcd release, or pass the etcdutl input a path', for: 'etcd-restore' };
  return { status: 'ok', detail };
}

async function stateCheck(e: Env): Promise<Omit<Check, 'id' | 'ms'>> {
  const root = String(e.settings.state_dir?.value);
  const from = e.settings.state_dir?.source === 'default' ? '' : ` (${e.settings.state_dir?.source === 'file' ? 'config file' : e.settings.state_dir?.from})`;
  let st;
  try {
    st = statSync(root);
  } catch {
    // Made on first use; what matters is whether it can be.
    return { status: 'ok', detail: `${root}${from} does not exist yet; oncall makes it (0700) on the first incident` };
  }
  if (!st.isDirectory()) return { status: 'fail', detail: `${root}${from} is a file, not a directory`, fix: 'move it away, or choose another with --state-dir / state_dir', for: 'every runbook' };
  const writable = await access(root, constants.W_OK | constants.X_OK).then(
    () => true,
    () => false,
  );
  if (!writable) return { status: 'fail', detail: `${root}${from} is not writable by this user`, fix: `chown it to this user, or choose another with --state-dir / state_dir`, for: 'every runbook' };
  const notes: string[] = [];
  let status: Status = 'ok';
  let fix: string | undefined;
  if (st.mode & 0o077) {
    status = 'warn';
    notes.push(`mode ${(st.mode & 0o777).toString(8)}: others can read incident journals`);
    fix = `chmod 700 ${root}`;
  }
  const fs = await statfs(root);
  const free = fs.bavail * fs.bsize;
  const mb = (n: number) => `${Math.round(n / 2 ** 20).toLocaleString('en-US')} MB`;
  if (free < FREE_FAIL) {
    status = 'fail';
    fix = `free some space on the file system of ${root}, or choose another state dir`;
  } else if (free < FREE_WARN && status === 'ok') {
    status = 'warn';
    fix = `free some space on the file system of ${root}`;
  }
  notes.push(`${mb(free)} free`);
  const stale = staleLocks(root);
  if (stale.length) {
    if (status === 'ok') status = 'warn';
    notes.push(`stale lock on ${stale.join(', ')} (its writer is gone)`);
    fix ??= `oncall resume ${stale[0]} takes it over (the lock of a process that is gone is taken safely)`;
  }
  return { status, detail: `${root}${from}: ${notes.join('; ')}`, ...(fix ? { fix } : {}), ...(status === 'fail' ? { for: 'every runbook' } : {}) };
}

/** Incidents locked by a process on this host that is gone. */
function staleLocks(root: string): string[] {
  const out: string[] = [];
  for (const base of [incidentsDir(root), incidentsDir(join(root, 'drills'))]) {
    let ids: string[];
    try {
      ids = readdirSync(base);
    } catch {
      continue;
    }
    for (const id of ids) {
      try {
        const owner = JSON.parse(readFileSync(join(base, id, 'journal.lock', 'owner.json'), 'utf8')) as { pid?: number; hostname?: string };
        if (owner.hostname === hostname() && typeof owner.pid === 'number' && !alive(owner.pid)) out.push(id);
      } catch {
        // no lock, or one being written
      }
    }
  }
  return out;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function terminalCheck(e: Env): Omit<Check, 'id' | 'ms'> {
  const env = e.io.env;
  const out = e.io.stdout as { isTTY?: boolean; columns?: number; rows?: number };
  const locale = env.LC_ALL || env.LC_CTYPE || env.LANG || '';
  const unicode = /utf-?8/i.test(locale);
  const colour = env.NO_COLOR ? 'off (NO_COLOR)' : env.TERM === 'dumb' ? 'off (TERM=dumb)' : env.COLORTERM ? `24-bit (COLORTERM=${env.COLORTERM})` : /256/.test(env.TERM ?? '') ? '256 colours' : env.TERM ? `16 colours (TERM=${env.TERM})` : 'unknown (no TERM)';
  const size = out.isTTY ? `${out.columns}x${out.rows}` : 'not a terminal (the UI needs one; `oncall run` does not)';
  const detail = `${size}; colour ${colour}; ${unicode ? `Unicode (${locale})` : `no UTF-8 locale (${locale || 'LANG unset'})`}`;
  if (!unicode) return { status: 'warn', detail, fix: 'export LANG=C.UTF-8 (box drawing and symbols need a UTF-8 locale)' };
  if (out.isTTY && (out.columns ?? 80) < 80) return { status: 'warn', detail, fix: 'widen the terminal to 80 columns or more; below that the UI drops header segments' };
  return { status: 'ok', detail };
}

async function pluginsCheck(e: Env): Promise<Omit<Check, 'id' | 'ms'>> {
  const { loadPlugins } = await import('../plugins/loader.js');
  const set = await loadPlugins({ extra: e.plugin, env: e.io.env, cwd: e.io.cwd });
  const names = set.plugins.map((p) => `${p.name} ${p.version}`);
  if (set.failures.length) {
    const f = set.failures[0]!;
    return {
      status: 'fail',
      detail: `${set.failures.length} failed to load: ${set.failures.map((x) => `${x.name} (${x.file}): ${x.error}`).join('; ')}${names.length ? `; loaded: ${names.join(', ')}` : ''}`,
      fix: `fix or remove ${f.file}; runbooks using its step kinds cannot run`,
      for: 'runbooks using their step kinds',
    };
  }
  return { status: 'ok', detail: names.length ? `loaded: ${names.join(', ')}` : 'none' };
}
