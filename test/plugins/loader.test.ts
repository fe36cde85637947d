// Plugin discovery and loading through the built CLI: failures are reported by name and the rest
// of oncall keeps working; collisions are errors, never silent overrides.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { oncall, tempDir } from '../helpers/cli.js';

function plugin(dir: string, name: string, body: string): string {
  const d = join(dir, name);
  mkdirSync(d, { recursive: true });
  writeFileSync(join(d, 'index.mjs'), body);
  return d;
}

const kind = (name: string, effect = 'read') => `{
  name: '${name}', effect: '${effect}', params: z.object({}),
  describe: () => ({ summary: '${name}', params: {} }),
  run: async () => ({ result: { ok: true } }),
}`;

describe('plugins', () => {
  it('loads user plugins from $XDG_CONFIG_HOME/oncall/plugins, importing oncall/plugin from anywhere', async () => {
    const config = tempDir();
    plugin(join(config, 'oncall', 'plugins'), 'dns-check', `import { definePlugin, z } from 'oncall/plugin';\nexport default definePlugin({ name: 'dns-check', version: '0.1.0', stepKinds: [${kind('dns.resolve')}] });\n`);
    const res = await oncall(['plugins', '--json'], { env: { XDG_CONFIG_HOME: config } });
    expect(res.code, res.stderr).toBe(0);
    const out = JSON.parse(res.stdout);
    expect(out.plugins.map((p: { name: string; origin: string }) => [p.name, p.origin])).toEqual([
      ['tls-expiry', 'project'],
      ['webhook', 'project'],
      ['dns-check', 'user'],
    ]);
    expect(out.plugins[2].stepKinds).toEqual([{ name: 'dns.resolve', effect: 'read' }]);
  });

  it('reports a plugin that throws, or collides, by name, and keeps working without it', async () => {
    const dir = tempDir();
    const broken = plugin(dir, 'broken', "throw new Error('cannot reach the vault');\n");
    const shadow = plugin(dir, 'shadow', `import { definePlugin, z } from 'oncall/plugin';\nexport default definePlugin({ name: 'shadow', version: '1.0.0', stepKinds: [${kind('shell')}] });\n`);
    const twin = plugin(dir, 'twin', `import { definePlugin, z } from 'oncall/plugin';\nexport default definePlugin({ name: 'twin', version: '1.0.0', stepKinds: [${kind('webhook.post', 'write')}] });\n`);
    const sloppy = plugin(dir, 'sloppy', `import { definePlugin, z } from 'oncall/plugin';\nexport default definePlugin({ name: 'sloppy', stepKinds: [] });\n`);
    const flags = [broken, shadow, twin, sloppy].flatMap((p) => ['--plugin', p]);

    const res = await oncall(['plugins', ...flags]);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/plugin 'broken' was not loaded .*cannot reach the vault/);
    expect(res.stderr).toMatch(/plugin 'shadow' was not loaded .*'shell' collides with a built-in step kind/);
    expect(res.stderr).toMatch(/plugin 'twin' was not loaded .*'webhook\.post' is already defined by plugin 'webhook'/);
    expect(res.stderr).toMatch(/plugin 'sloppy' was not loaded .*version undefined must be semantic/);
    expect(res.stdout).toMatch(/^tls-expiry/m);

    const list = await oncall(['list', ...flags]);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^incident-update/m);
    const validate = await oncall(['validate', 'examples/local-504.yaml', ...flags]);
    expect(validate.code).toBe(0);
  });

  it('knows a plugin step kind only when the plugin is loaded', async () => {
    const dir = tempDir();
    const rb = join(dir, 'uses-plugin.yaml');
    writeFileSync(rb, 'id: uses-plugin\ntitle: t\nversion: 1.0.0\nsummary: s\nsteps:\n  - id: look\n    title: look\n    kind: dns.resolve\n');
    const without = await oncall(['validate', rb]);
    expect(without.code).toBe(2);
    expect(without.stderr + without.stdout).toMatch(/unknown step kind 'dns\.resolve'/);
    const p = plugin(dir, 'dns', `import { definePlugin, z } from 'oncall/plugin';\nexport default definePlugin({ name: 'dns', version: '1.0.0', stepKinds: [${kind('dns.resolve')}] });\n`);
    const withIt = await oncall(['validate', rb, '--plugin', p]);
    expect(withIt.code, withIt.stdout + withIt.stderr).toBe(0);
    const run = await oncall(['run', rb, '--plugin', p, '--json']);
    expect(run.code, run.stderr).toBe(0);
  });
});
