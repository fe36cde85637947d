// `oncall doctor` through the built CLI, on worlds made here: an expired SSO session, API servers
// that answer, refuse or never answer (on 127.0.0.1), a state dir others can read with a stale
// lock, a plugin that does not load. Each finding says what to do; exit 1 only when something
// blocks a runbook.
import { createServer as createHttpServer } from 'node:http';
import { createServer, type Server } from 'node:net';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { oncall, tempDir } from '../helpers/cli.js';

interface Check {
  id: string;
  status: string;
  detail: string;
  fix?: string;
}

const servers: Server[] = [];
afterAll(() => {
  for (const s of servers) s.close();
});

/** A user with nothing set up: own HOME, no AWS, no kubeconfig, no config file. */
function user(extra: Record<string, string> = {}): { env: Record<string, string>; home: string } {
  const home = tempDir('oncall-doctor-');
  return {
    home,
    env: {
      HOME: home,
      XDG_CONFIG_HOME: join(home, '.config'),
      AWS_PROFILE: '',
      AWS_REGION: '',
      AWS_DEFAULT_REGION: '',
      AWS_ACCESS_KEY_ID: '',
      AWS_SECRET_ACCESS_KEY: '',
      AWS_SESSION_TOKEN: '',
      AWS_CONFIG_FILE: join(home, '.aws', 'config'),
      AWS_SHARED_CREDENTIALS_FILE: join(home, '.aws', 'credentials'),
      // Instance metadata is not on this machine; not asking keeps the test quick.
      AWS_EC2_METADATA_DISABLED: 'true',
      KUBECONFIG: '',
      LANG: 'C.UTF-8',
      ...extra,
    },
  };
}

async function doctor(args: string[], env: Record<string, string>, stateDir?: string) {
  const r = await oncall(['doctor', '--json', ...args], { env, cwd: env.HOME!, ...(stateDir ? { stateDir } : {}) });
  const out = JSON.parse(r.stdout) as { ok: boolean; checks: Check[] };
  return { code: r.code, stderr: r.stderr, ...out, check: (id: string) => out.checks.find((c) => c.id === id)! };
}

function kubeconfig(home: string, server: string, extra = ''): string {
  const file = join(home, 'kubeconfig');
  writeFileSync(file, `apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster: {server: "${server}"${extra}}\ncontexts:\n- name: prod\n  context: {cluster: c, user: u}\ncurrent-context: prod\nusers:\n- name: u\n  user: {token: abc}\n`);
  return file;
}

async function listen(server: Server): Promise<number> {
  servers.push(server);
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return (server.address() as { port: number }).port;
}

describe('oncall doctor', () => {
  it('nothing set up: warnings with fixes, nothing blocking, exit 0', async () => {
    const { env } = user();
    const r = await doctor([], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.check('node')).toMatchObject({ status: 'ok' });
    expect(r.check('node').detail).toContain(`Node ${process.versions.node}`);
    expect(r.check('aws')).toMatchObject({ status: 'warn' });
    expect(r.check('aws').fix).toContain('aws configure sso');
    expect(r.check('kubernetes')).toMatchObject({ status: 'warn' });
    expect(r.check('kubernetes').fix).toContain('KUBECONFIG');
    expect(r.check('terminal').detail).toContain('Unicode (C.UTF-8)');
    expect(r.checks.map((c) => c.id)).toEqual(['node', 'config', 'aws', 'kubernetes', 'etcd tools', 'state dir', 'terminal', 'plugins']);
  });

  it('an expired SSO session fails, says which profile won and why, and the login command', async () => {
    const { env, home } = user();
    mkdirSync(join(home, '.aws'), { recursive: true });
    writeFileSync(
      join(home, '.aws', 'config'),
      '[profile ops]\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = OnCall\nregion = eu-west-1\n[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n',
    );
    // (an empty AWS_REGION is read by the SDK itself as a region named '')
    const r = await doctor([], { ...env, AWS_PROFILE: 'ops', AWS_REGION: 'eu-west-1' });
    expect(r.code).toBe(1);
    expect(r.check('aws').status).toBe('fail');
    expect(r.check('aws').detail).toContain('profile ops ($AWS_PROFILE)');
    expect(r.check('aws').fix).toBe('aws sso login --profile ops');
  });

  it('the kube context and its API server: answers, refuses a connection, never answers', async () => {
    const api = createHttpServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ major: '1', minor: '31', gitVersion: 'v1.31.2' }));
    });
    const okPort = await listen(api);
    const silent = await listen(createServer(() => {}));
    const { env, home } = user();

    const ok = await doctor([], { ...env, KUBECONFIG: kubeconfig(home, `http://127.0.0.1:${okPort}`, ', insecure-skip-tls-verify: true') });
    expect(ok.check('kubernetes')).toMatchObject({ status: 'ok' });
    expect(ok.check('kubernetes').detail).toContain("context prod (the kubeconfig's current-context)");
    expect(ok.check('kubernetes').detail).toContain('Kubernetes v1.31.2');

    const closed = await listen(createServer());
    servers.pop()!.close();
    const refused = await doctor([], { ...env, KUBECONFIG: kubeconfig(home, `https://127.0.0.1:${closed}`) });
    expect(refused.code).toBe(1);
    expect(refused.check('kubernetes').detail).toMatch(/cannot be reached \(ECONNREFUSED\)/);

    const hung = await doctor([], { ...env, KUBECONFIG: kubeconfig(home, `https://127.0.0.1:${silent}`) });
    expect(hung.check('kubernetes')).toMatchObject({ status: 'fail' });
    expect(hung.check('kubernetes').detail).toMatch(/did not answer within 1\.5 s/);

    const unknown = await doctor(['--context', 'staging'], { ...env, KUBECONFIG: kubeconfig(home, 'https://127.0.0.1:1') });
    expect(unknown.check('kubernetes').detail).toContain("no context 'staging'");
  });

  it('the state dir: readable by others, and a stale lock left by a process that is gone', async () => {
    const { env } = user();
    const state = tempDir('oncall-doctor-state-');
    chmodSync(state, 0o755);
    const lock = join(state, 'incidents', 'inc-20261206-dead', 'journal.lock');
    mkdirSync(lock, { recursive: true });
    // pid 2^22 + 1 is above Linux's pid_max: no process has it.
    writeFileSync(join(lock, 'owner.json'), JSON.stringify({ pid: 4194305, hostname: hostname(), startedAt: new Date().toISOString() }));
    const r = await doctor([], env, state);
    const c = r.check('state dir');
    expect(c.status).toBe('warn');
    expect(c.detail).toContain('mode 755');
    expect(c.detail).toContain('stale lock on inc-20261206-dead');
    expect(c.detail).toMatch(/MB free/);
    expect(c.fix).toBe(`chmod 700 ${state}`);
  });

  it('a plugin that fails to load, and a broken config file, block (exit 1)', async () => {
    const { env, home } = user();
    const plugin = join(home, 'broken.mjs');
    writeFileSync(plugin, "throw new Error('boom at load');\n");
    mkdirSync(join(home, '.config', 'oncall'), { recursive: true });
    writeFileSync(join(home, '.config', 'oncall', 'config.yaml'), 'regoin: eu-west-1\n');
    const r = await doctor(['--plugin', plugin], env);
    expect(r.code).toBe(1);
    expect(r.check('plugins')).toMatchObject({ status: 'fail' });
    expect(r.check('plugins').detail).toContain('boom at load');
    expect(r.check('config')).toMatchObject({ status: 'fail' });
    expect(r.check('config').detail).toMatch(/config\.yaml:1:1: unknown field 'regoin'/);
  });

  it('prints a line per check for people, with the fix under it', async () => {
    const { env } = user();
    const r = await oncall(['doctor'], { env, cwd: env.HOME! });
    expect(r.stdout).toMatch(/^oncall doctor \d+\.\d+\.\d+$/m);
    expect(r.stdout).toMatch(/^warn {2}aws {9}no AWS credentials configured/m);
    expect(r.stdout).toMatch(/^ {18}fix: aws configure sso/m);
    expect(r.stdout).toMatch(/nothing blocking, \d+ to look at\n$/);
  });
});
