// The config file ($XDG_CONFIG_HOME/oncall/config.yaml) through the built CLI: `oncall config`
// says where each setting came from, flags beat the environment beat the file, the file's values
// reach the commands, and a broken file is a located error (exit 2), never a stack trace.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { events, noteRunbook, oncall, tempDir } from '../helpers/cli.js';

/** A config home holding `yaml` as oncall/config.yaml; the environment a test passes to the CLI. */
function withConfig(yaml: string | undefined, extra: Record<string, string> = {}): { env: Record<string, string>; dir: string } {
  const home = tempDir('oncall-config-');
  const dir = join(home, 'oncall');
  mkdirSync(dir, { recursive: true });
  if (yaml !== undefined) writeFileSync(join(dir, 'config.yaml'), yaml);
  // ONCALL_OPERATOR is set by the helper for every test; these tests decide it themselves.
  return { env: { XDG_CONFIG_HOME: home, ONCALL_OPERATOR: '', AWS_PROFILE: '', AWS_REGION: '', AWS_DEFAULT_REGION: '', ONCALL_RUNBOOK_PATH: '', ONCALL_CONTEXT: '', ...extra }, dir };
}

interface Setting {
  key: string;
  value: unknown;
  source: string;
  from: string;
}
const byKey = (stdout: string) => Object.fromEntries((JSON.parse(stdout).settings as Setting[]).map((s) => [s.key, s]));

describe('oncall config', () => {
  it('without a file: every setting is a default, and says which', async () => {
    const { env } = withConfig(undefined);
    const r = await oncall(['config', '--json'], { env });
    expect(r.code, r.stderr).toBe(0);
    const s = byKey(r.stdout);
    expect(JSON.parse(r.stdout).exists).toBe(false);
    expect(s.profile).toMatchObject({ source: 'default', from: "the AWS SDK's default credential chain" });
    expect(s.operator!.source).toBe('default');
  });

  it('flag beats environment beats file beats default', async () => {
    const { env, dir } = withConfig('operator: alice\nprofile: from-file\nregion: eu-west-1\ncontext: kind-file\nrunbook_paths: [rb, /abs/rb]\n', { AWS_REGION: 'us-east-2', ONCALL_CONTEXT: 'kind-env' });
    const r = await oncall(['config', '--json', '--context', 'kind-flag'], { env });
    expect(r.code, r.stderr).toBe(0);
    const s = byKey(r.stdout);
    expect(s.operator).toMatchObject({ value: 'alice', source: 'file', from: join(dir, 'config.yaml') });
    expect(s.profile).toMatchObject({ value: 'from-file', source: 'file' });
    expect(s.region).toMatchObject({ value: 'us-east-2', source: 'environment', from: '$AWS_REGION' });
    expect(s.context).toMatchObject({ value: 'kind-flag', source: 'flag', from: '--context' });
    // Relative paths are relative to the file.
    expect(s.runbook_paths).toMatchObject({ value: [join(dir, 'rb'), '/abs/rb'], source: 'file' });
  });

  it('prints a table for people, naming the file', async () => {
    const { env, dir } = withConfig('operator: alice\n');
    const r = await oncall(['config'], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`config file: ${join(dir, 'config.yaml')} (read)`);
    expect(r.stdout).toMatch(/^operator\talice\tfile: /m);
  });

  it('a broken file is a located error with the fix, for config and for every other command', async () => {
    const { env } = withConfig('operator: alice\nrunbok_paths: [x]\nprofiles:\n  prod:\n    allowed_accounts: ["12345"]\n');
    const r = await oncall(['config'], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/config\.yaml:2:1: error: unknown field 'runbok_paths' — did you mean 'runbook_paths'\?/);
    expect(r.stderr).toMatch(/config\.yaml:5:24: error: .*'12345' is not a 12-digit AWS account id/);
    const list = await oncall(['list'], { env });
    expect(list.code).toBe(2);
    expect(list.stderr).toMatch(/config\.yaml:2:1: error/);
    expect(list.stderr).toContain('ONCALL_CONFIG=/dev/null');
    expect(list.stderr).not.toMatch(/\n\s+at /);
    // --version never reads it.
    expect((await oncall(['--version'], { env })).code).toBe(0);
  });

  it("the file's runbook_paths and operator reach the commands", async () => {
    const runbook = noteRunbook();
    const { env } = withConfig(`operator: alice\nrunbook_paths: [${JSON.stringify(join(runbook, '..'))}]\n`);
    const list = await oncall(['list'], { env });
    expect(list.stdout).toMatch(/^note\tNote/m);
    const run = await oncall(['run', 'note', '-i', 'note=hi', '--json'], { env });
    expect(run.code, run.stderr).toBe(0);
    const opened = events(run.stdout).find((e) => e.type === 'incident.opened');
    expect(opened?.payload.operator).toBe('alice');
    // The environment still wins.
    const bob = await oncall(['run', 'note', '-i', 'note=hi', '--json'], { env: { ...env, ONCALL_OPERATOR: 'bob' } });
    expect(events(bob.stdout).find((e) => e.type === 'incident.opened')?.payload.operator).toBe('bob');
  });

  it('--path prints where the file is read from', async () => {
    const { env, dir } = withConfig(undefined);
    expect((await oncall(['config', '--path'], { env })).stdout).toBe(`${join(dir, 'config.yaml')}\n`);
    expect((await oncall(['config', '--path'], { env: { ...env, ONCALL_CONFIG: '/etc/oncall.yaml' } })).stdout).toBe('/etc/oncall.yaml\n');
  });
});
