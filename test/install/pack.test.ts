// The package as people get it: packed, installed with `npm install -g` into a clean prefix with no
// network (the bundle carries everything it runs, so there is nothing to fetch), and run from
// there, far from this checkout. .ci/run packs with `npm pack` (prepack builds and emits the
// plugin API's types) and passes the tarball in ONCALL_TARBALL; locally the test packs the dist/
// that `npm test` just built, without the types.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, delimiter, dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, tempDir } from '../helpers/cli.js';

const NPM_CLI = process.env.npm_execpath && /npm-cli\.js$/.test(process.env.npm_execpath) ? process.env.npm_execpath : undefined;
const MAX_PACKED = 3 * 1024 * 1024;

let tarball: string;
let prefix: string;
let home: string;

/** A user's environment: Node on PATH, their own HOME, none of this checkout's settings. */
function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const keep = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(ONCALL_|npm_|INIT_CWD|XDG_)/.test(k)));
  return {
    ...keep,
    HOME: home,
    PATH: [join(prefix, 'bin'), dirname(process.execPath), '/usr/local/bin', '/usr/bin', '/bin'].join(delimiter),
    npm_config_cache: join(home, '.npm'),
    npm_config_update_notifier: 'false',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    ...extra,
  };
}

function npm(args: string[], cwd: string, env: NodeJS.ProcessEnv = userEnv()): string {
  const [cmd, pre] = NPM_CLI ? [process.execPath, [NPM_CLI]] : ['npm', []];
  return execFileSync(cmd, [...pre, ...args], { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
}

function run(bin: string, args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(bin, args, { cwd, env: userEnv(), timeout: 60_000 }, (err, stdout, stderr) => done({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }));
  });
}

beforeAll(() => {
  home = tempDir('oncall-home-');
  prefix = join(tempDir('oncall-prefix-'), 'global');
  if (process.env.ONCALL_TARBALL) {
    tarball = process.env.ONCALL_TARBALL;
  } else {
    const out = tempDir('oncall-pack-');
    // --ignore-scripts: `npm test` built dist/ already, and a rebuild would swap it under other tests.
    const [info] = JSON.parse(npm(['pack', '--ignore-scripts', '--json', '--pack-destination', out], ROOT, { ...process.env, npm_config_loglevel: 'error' })) as { filename: string }[];
    tarball = join(out, info!.filename);
  }
}, 120_000);

describe('the packed package', () => {
  it('is small and carries the bundle, the runbooks and the licences, not the sources or source maps', () => {
    expect(statSync(tarball).size).toBeLessThanOrEqual(MAX_PACKED);
    const files = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).split('\n').filter(Boolean);
    expect(files).toContain('package/dist/oncall.js');
    expect(files).toContain('package/dist/plugin.js');
    expect(files).toContain('package/runbooks/elb-504-triage.yaml');
    expect(files).toContain('package/runbooks/runbook.schema.json');
    expect(files.some((f) => f.endsWith('.LEGAL.txt'))).toBe(true);
    expect(files.filter((f) => f.startsWith('package/src/') || f.endsWith('.map') || f.startsWith('package/patches/'))).toEqual([]);
    if (process.env.ONCALL_TARBALL) expect(files).toContain('package/dist/types/plugins/api.d.ts');
  });

  it('has no runtime dependencies and no install scripts', () => {
    const pkg = JSON.parse(execFileSync('tar', ['-xzOf', tarball, 'package/package.json'], { encoding: 'utf8' })) as Record<string, Record<string, string> | undefined>;
    expect(pkg.dependencies ?? {}).toEqual({});
    for (const s of ['preinstall', 'install', 'postinstall', 'prepare']) expect(pkg.scripts?.[s], `${s} would run on the user's machine`).toBeUndefined();
    expect(pkg.bin).toEqual({ oncall: 'dist/oncall.js' });
  });
});

describe('npm install -g from the tarball, offline, into a clean prefix', () => {
  let away: string;
  beforeAll(() => {
    away = tempDir('oncall-user-');
    // --offline: nothing may be fetched, since there is nothing to fetch.
    npm(['install', '-g', '--offline', '--prefix', prefix, tarball], away);
  }, 120_000);

  it('oncall --version', async () => {
    const r = await run(join(prefix, 'bin', 'oncall'), ['--version'], away);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout.trim()).toBe(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
  });

  it('oncall list shows the shipped runbooks', async () => {
    const r = await run(join(prefix, 'bin', 'oncall'), ['list'], away);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    for (const id of ['elb-504-triage', 'ec2-status-check-recovery', 'etcd-restore', 'secrets-env-migration']) expect(r.stdout).toContain(id);
  });

  it('oncall drill <scenario> --auto passes from the install', async () => {
    const r = await run(join(prefix, 'bin', 'oncall'), ['drill', 'elb-idle-timeout', '--auto'], away);
    expect(r.code, r.stderr).toBe(0);
    // The drill's journal went to the user's state dir, not to the checkout.
    expect(existsSync(join(home, '.local', 'state', 'oncall', 'drills'))).toBe(true);
  });

  it('plugin authors can import oncall/plugin from the installed package', async () => {
    const project = tempDir('oncall-plugin-author-');
    writeFileSync(join(project, 'package.json'), '{"name":"my-plugin","version":"1.0.0","type":"module"}\n');
    npm(['install', '--offline', '--no-save', tarball], project);
    writeFileSync(join(project, 'check.mjs'), "import { definePlugin, z, StepFailure } from 'oncall/plugin';\nconsole.log(typeof definePlugin, typeof z.object, typeof StepFailure);\n");
    const r = await run(process.execPath, ['check.mjs'], project);
    expect(r).toMatchObject({ code: 0, stdout: 'function function function\n' });
  });

  it('npx <tarball> --version', () => {
    // What `npx ./oncall-0.1.0.tgz --version` runs, beside the tarball.
    const out = npm(['exec', '--yes', '--offline', '--', `./${basename(tarball)}`, '--version'], dirname(tarball));
    expect(out.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});
