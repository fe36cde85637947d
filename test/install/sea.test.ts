// The single executable (npm run build:sea → dist/oncall-linux-x64) on a host without Node: every
// run here has a PATH with no node on it (an empty folder), its own HOME, and nothing of this
// checkout. .ci/run builds the binary first; locally the test skips loudly when it is not built,
// and fails under CI=true.
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, tempDir } from '../helpers/cli.js';
import { hasCommand, requireSystem } from '../helpers/system.js';

const SEA = process.env.ONCALL_SEA ?? join(ROOT, 'dist', `oncall-${process.platform}-${process.arch}`);
const built = existsSync(SEA);

let home: string;
let noNode: string;

/** A host without Node: an empty PATH, a HOME of its own. */
function hostEnv(): NodeJS.ProcessEnv {
  return { PATH: noNode, HOME: home, LANG: 'C.UTF-8', TERM: 'xterm-256color' };
}

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(SEA, args, { cwd: home, env: hostEnv(), timeout: 60_000 }, (err, stdout, stderr) => done({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }));
  });
}

beforeAll(() => {
  home = tempDir('oncall-sea-home-');
  noNode = join(home, 'bin');
  mkdirSync(noNode);
});

describe('the single executable, on a PATH with no node', () => {
  it('there is no node on that PATH', () => {
    const r = spawnSync('/bin/sh', ['-c', 'command -v node'], { env: hostEnv() });
    expect(r.status).not.toBe(0);
  });

  it('oncall --version, with nothing on stderr', async () => {
    if (!requireSystem(`the single executable ${SEA} (npm run build:sea)`, built)) return;
    const r = await run(['--version']);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('oncall list: the shipped runbooks', async () => {
    if (!requireSystem(`the single executable ${SEA} (npm run build:sea)`, built)) return;
    const r = await run(['list']);
    expect(r.code, r.stderr).toBe(0);
    for (const id of ['elb-504-triage', 'ec2-status-check-recovery', 'etcd-restore', 'secrets-env-migration']) expect(r.stdout).toContain(id);
  });

  it('a headless drill passes', async () => {
    if (!requireSystem(`the single executable ${SEA} (npm run build:sea)`, built)) return;
    const r = await run(['drill', 'elb-idle-timeout', '--auto']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout + r.stderr).toContain('drill PASSED: elb-idle-timeout');
  });

  it("the TUI's first frame in a real terminal (tmux): the drill picker", async () => {
    if (!requireSystem(`the single executable ${SEA} (npm run build:sea)`, built)) return;
    if (!requireSystem('tmux', hasCommand('tmux', ['-V']))) return;
    const socket = `oncall-sea-${process.pid}`;
    const tmux = (...args: string[]) => spawnSync('tmux', ['-L', socket, '-f', '/dev/null', ...args], { encoding: 'utf8' });
    const env = Object.entries(hostEnv()).map(([k, v]) => `${k}=${v}`);
    const started = tmux('new-session', '-d', '-s', 'main', '-x', '100', '-y', '30', '-c', home, 'env', '-i', ...env, SEA, 'drill');
    expect(started.status, started.stderr).toBe(0);
    try {
      let screen = '';
      const end = Date.now() + 20_000;
      while (!/Practice drill.*\d+ of \d+/.test(screen)) {
        if (Date.now() > end) throw new Error(`no drill picker within 20 s; the screen:\n${screen}`);
        await new Promise((r) => setTimeout(r, 50));
        screen = tmux('capture-pane', '-p', '-t', 'main').stdout;
      }
      expect(screen).toContain('elb-idle-timeout');
    } finally {
      tmux('kill-server');
    }
  });
});
