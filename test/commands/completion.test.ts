// `oncall completion bash` in a real bash: the script is sourced, `complete -p` shows it bound to
// oncall, and the completion function, called as bash calls it (COMP_WORDS, COMP_CWORD), offers
// commands, flags, runbook ids, the chosen runbook's input names, incident ids and scenarios.
// zsh and fish are checked for syntax where they are installed.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { hasCommand, requireSystem } from '../helpers/system.js';
import { BIN, oncall, tempDir } from '../helpers/cli.js';

let bin: string;
let state: string;

beforeAll(() => {
  // `oncall` on PATH, as installed: the built bundle on this Node.
  bin = tempDir('oncall-bin-');
  writeFileSync(join(bin, 'oncall'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
  chmodSync(join(bin, 'oncall'), 0o755);
  state = tempDir('oncall-state-');
  for (const id of ['inc-20261201-aaaa', 'inc-20261202-bbbb']) mkdirSync(join(state, 'incidents', id), { recursive: true });
});

/** The completions bash offers for `line` (the cursor at its end; a trailing space starts a new word). */
function bashComplete(line: string): string[] {
  const words = line.split(' ');
  const script = `source <(oncall completion bash)
COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; COMP_LINE='${line}'; COMP_POINT=${line.length}
_oncall
printf '%s\\n' "\${COMPREPLY[@]}"`;
  const out = execFileSync('bash', ['-c', script], {
    encoding: 'utf8',
    env: { ...process.env, PATH: `${bin}${delimiter}${process.env.PATH}`, ONCALL_STATE_DIR: state, ONCALL_RUNBOOK_PATH: '', XDG_CONFIG_HOME: tempDir() },
  });
  return out.split('\n').filter(Boolean);
}

describe('oncall completion bash', () => {
  const bash = hasCommand('bash', ['-c', 'true']);

  it('is bound to oncall (complete -p)', () => {
    if (!requireSystem('bash', bash)) return;
    const out = execFileSync('bash', ['-c', 'source <(oncall completion bash); complete -p oncall'], { encoding: 'utf8', env: { ...process.env, PATH: `${bin}${delimiter}${process.env.PATH}` } });
    expect(out.trim()).toBe('complete -o filenames -F _oncall oncall');
  });

  it('commands, and flags of the command being typed', () => {
    if (!requireSystem('bash', bash)) return;
    expect(bashComplete('oncall d')).toEqual(['drill', 'doctor']);
    expect(bashComplete('oncall ')).toEqual(expect.arrayContaining(['run', 'resume', 'drill', 'completion', 'doctor', 'config', 'validate']));
    expect(bashComplete('oncall ')).not.toContain('__complete');
    expect(bashComplete('oncall run --rea')).toEqual(['--read-only']);
    expect(bashComplete('oncall export x --format ')).toEqual(['md', 'html', 'json', 'csv']);
    expect(bashComplete('oncall run x --severity SEV')).toEqual(['SEV0', 'SEV1', 'SEV2', 'SEV3', 'SEV4', 'SEV5']);
  });

  it('runbook ids, then the input names of the chosen runbook', () => {
    if (!requireSystem('bash', bash)) return;
    expect(bashComplete('oncall run e')).toEqual(expect.arrayContaining(['ec2-status-check-recovery', 'elb-504-triage', 'etcd-restore']));
    expect(bashComplete('oncall run elb-504-triage -i ')).toEqual(expect.arrayContaining(['load_balancer=', 'lb_type=', 'window=']));
    expect(bashComplete('oncall run ec2-status-check-recovery --yes --input inst')).toEqual(['instance_id=']);
  });

  it('incident ids and scenario names', () => {
    if (!requireSystem('bash', bash)) return;
    expect(bashComplete('oncall resume inc-').sort()).toEqual(['inc-20261201-aaaa', 'inc-20261202-bbbb']);
    expect(bashComplete('oncall export inc-20261201')).toEqual(['inc-20261201-aaaa']);
    expect(bashComplete('oncall drill elb-idle')).toEqual(['elb-idle-timeout']);
    expect(bashComplete('oncall completion ')).toEqual(['bash', 'zsh', 'fish']);
  });
});

describe('oncall completion zsh|fish', () => {
  it('prints scripts that their shells parse', async () => {
    for (const shell of ['zsh', 'fish'] as const) {
      const r = await oncall(['completion', shell]);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('oncall __complete');
      if (!hasCommand(shell, ['-c', 'true'])) {
        console.warn(`(${shell} is not installed here: its script is not parsed)`);
        continue;
      }
      const file = join(tempDir(), `oncall.${shell}`);
      writeFileSync(file, r.stdout);
      const check = spawnSync(shell, ['-n', file], { encoding: 'utf8' });
      expect(check.status, check.stderr).toBe(0);
    }
  });

  it('an unknown shell is a usage error', async () => {
    const r = await oncall(['completion', 'tcsh']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("no completion for 'tcsh': choose bash, zsh or fish");
  });
});
