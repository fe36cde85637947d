// Every scenario passes `oncall drill <scenario> --auto`, through the built binary, and again
// inside a network namespace that has nothing but loopback.
import { spawnSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, ROOT, events, oncall, tempDir } from '../helpers/cli.js';
import { requireSystem } from '../helpers/system.js';

const scenarios = readdirSync(join(ROOT, 'examples/drills'))
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => f.replace(/\.yaml$/, ''));

describe('oncall drill --auto', () => {
  it.each(scenarios)('%s reaches its expected outcome', async (id) => {
    const stateDir = tempDir();
    const res = await oncall(['drill', id, '--auto', '--json'], { stateDir });
    expect(res.code, res.stderr).toBe(0);
    const evs = events(res.stdout);
    expect(evs[0]).toMatchObject({ type: 'incident.opened', payload: { mode: 'drill', drill: { scenario: id } } });
    expect(evs.at(-1)).toMatchObject({ type: 'drill.scored', payload: { passed: true } });
    expect(res.stderr).toMatch(/drill PASSED/);
    // --auto counts machine time only (#20), says so, and scores the same on every run.
    expect(res.stderr).toContain('clock: machine time only');
    const again = await oncall(['drill', id, '--auto', '--json'], { stateDir: tempDir() });
    const scoreOf = (stdout: string) => {
      const { wall, ...rest } = events(stdout).at(-1)!.payload as Record<string, unknown> & { wall: { pace: number } };
      expect(wall.pace).toBe(0);
      return rest;
    };
    expect(scoreOf(again.stdout)).toEqual(scoreOf(res.stdout));
    // Drill incidents never mix with live ones.
    const live = await oncall(['incidents', '--json'], { stateDir });
    expect(JSON.parse(live.stdout)).toEqual([]);
    expect(readdirSync(join(stateDir, 'drills', 'incidents'))).toHaveLength(1);
  });

  it('lists scenarios and explains a broken one with file:line:col', async () => {
    const list = await oncall(['drill', '--list']);
    for (const id of scenarios) expect(list.stdout).toContain(id);
    const dir = tempDir();
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'id: bad\ntitle: t\nrunbook: local-504\npage:\n  text: x\n  severity: SEV9\nexpect: {}\n');
    const res = await oncall(['drill', bad, '--auto']);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/bad\.yaml:6:13: error: .*SEV/);
    const unknown = await oncall(['drill', 'local-504-short-timout', '--auto']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/did you mean 'local-504-short-timeout'/);
  });

  it('without a terminal, by hand is refused with the way forward; with one, it opens the TUI (test/tui)', async () => {
    // The child's stdio are pipes: no person can answer, so no UI opens.
    const byHand = await oncall(['drill', 'local-504-short-timeout']);
    expect(byHand.code).toBe(2);
    expect(byHand.stderr).toContain('needs a terminal');
    expect(byHand.stderr).toContain('--auto');
    const bare = await oncall(['drill']);
    expect(bare.code).toBe(0);
    expect(bare.stdout).toContain('local-504-short-timeout');
    expect(bare.stderr).toContain('oncall drill <scenario> --auto');
    const paced = await oncall(['drill', 'local-504-short-timeout', '--auto', '--pace', '2']);
    expect(paced.code).toBe(2);
    expect(paced.stderr).toContain('--auto counts machine time only');
    const badPace = await oncall(['drill', 'local-504-short-timeout', '--pace', 'fast']);
    expect(badPace.code).toBe(2);
    expect(badPace.stderr).toContain("--pace wants a number above 0");
    const noName = await oncall(['drill', '--auto']);
    expect(noName.code).toBe(2);
    expect(noName.stderr).toContain('name one scenario');
  });

  it('passes inside a network namespace with only loopback (unshare -n)', () => {
    const probe = spawnSync('unshare', ['-n', 'true'], { stdio: 'ignore' });
    if (!requireSystem('unshare -n (a network namespace; needs root or user namespaces)', probe.status === 0)) return;
    for (const id of scenarios) {
      const stateDir = tempDir();
      // Loopback comes up inside the namespace; nothing else exists there.
      const script = 'ip link set lo up 2>/dev/null; exec "$@"';
      const res = spawnSync('unshare', ['-n', 'sh', '-c', script, 'sh', process.execPath, BIN, 'drill', id, '--auto', '-q'], {
        cwd: ROOT,
        env: { ...process.env, ONCALL_STATE_DIR: stateDir },
        encoding: 'utf8',
      });
      expect(res.status, `${id}: ${res.stderr}`).toBe(0);
      expect(res.stderr).toMatch(/drill PASSED/);
    }
  }, 120_000); // 22 scenarios, one process each, in a namespace: seconds each when the machine is busy
});
