// `oncall completion bash|zsh|fish` prints a completion script; the script asks
// `oncall __complete <index> <words…>` for the candidates, so one table here decides them for every
// shell: commands, each command's flags, runbook ids, the chosen runbook's input names, incident
// ids, scenario names and the values some flags take. A first line ':files' asks the shell for
// file names instead; ':nospace' keeps the cursor on the word (`--input name=`).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { CommandIO } from '../core/io.js';
import { stateRoot } from '../paths.js';
import { usageError } from './io.js';

type Positional = 'runbook' | 'incident' | 'scenario' | 'shell' | 'files' | 'schema' | 'none';
type Value = 'file' | 'dir' | 'input' | 'profile' | 'format' | 'severity' | 'shell' | 'text';

const WORLD = ['--profile', '--region', '--context', '--kubeconfig'];
const RUN_FLAGS = ['--input', '-i', '--input-env', '--input-file', '--input-stdin', '--answer', '-a', '--yes', '-y', '--rollback', '--read-only', '--title', '--severity', '--service', '--json', '--quiet', '-q', '--runbooks', '--state-dir', '--operator', '--plugin', ...WORLD];

/** Each command: its flags and what its positional arguments are. Hidden commands are not listed. */
export const COMMANDS: Record<string, { flags: string[]; positional: Positional }> = {
  run: { flags: RUN_FLAGS, positional: 'runbook' },
  resume: { flags: [...RUN_FLAGS.filter((f) => !['--read-only', '--title', '--severity', '--service', '--runbooks'].includes(f)), '--force-unlock', '--reopen'], positional: 'incident' },
  drill: { flags: ['--auto', '--pace', '--list', '--scenarios', '--plugin', '--state-dir', '--json'], positional: 'scenario' },
  incidents: { flags: ['--open', '--json', '--state-dir'], positional: 'none' },
  verify: { flags: ['--json', '--state-dir'], positional: 'incident' },
  export: { flags: ['--format', '-f', '--out', '-o', '--force', '--drill', '--no-verify', '--state-dir'], positional: 'incident' },
  list: { flags: ['--json', '--runbooks', '--plugin'], positional: 'none' },
  validate: { flags: ['--json', '--runbooks', '--plugin', '--watch'], positional: 'files' },
  schema: { flags: ['--write', '--check'], positional: 'schema' },
  plugins: { flags: ['--json', '--plugin'], positional: 'none' },
  config: { flags: ['--json', '--path', '--profile', '--region', '--context', '--kubeconfig', '--operator', '--state-dir', '--runbooks'], positional: 'none' },
  doctor: { flags: ['--json', ...WORLD, '--state-dir', '--plugin'], positional: 'none' },
  completion: { flags: [], positional: 'shell' },
  new: { flags: ['--out', '-o', '--force'], positional: 'none' },
  help: { flags: [], positional: 'none' },
};

/** Flags that take a value, and what kind of value. */
const VALUES: Record<string, Value> = {
  '--input': 'input',
  '-i': 'input',
  '--input-env': 'input',
  '--input-file': 'input',
  '--input-stdin': 'input',
  '--answer': 'text',
  '-a': 'text',
  '--title': 'text',
  '--service': 'text',
  '--severity': 'severity',
  '--runbooks': 'dir',
  '--scenarios': 'dir',
  '--state-dir': 'dir',
  '--plugin': 'file',
  '--kubeconfig': 'file',
  '--out': 'file',
  '-o': 'file',
  '--format': 'format',
  '-f': 'format',
  '--profile': 'profile',
  '--region': 'text',
  '--context': 'text',
  '--operator': 'text',
  '--reopen': 'text',
};

const GLOBAL = ['--help', '--version', '--read-only', '--resume', '--runbooks', '--plugin', ...WORLD];

export async function completionCommand(args: string[], io: CommandIO): Promise<number> {
  const shell = args[0];
  if (args.length !== 1 || !shell || !(shell in SCRIPTS)) return usageError(io, shell ? `no completion for '${shell}': choose bash, zsh or fish` : 'name a shell', 'oncall completion bash|zsh|fish');
  io.stdout.write(SCRIPTS[shell as keyof typeof SCRIPTS]);
  return 0;
}

/** `oncall __complete <index> <words…>`: the candidates for words[index], one a line. */
export async function completeCommand(args: string[], io: CommandIO): Promise<number> {
  const index = Number(args[0]);
  const words = args.slice(1);
  if (!Number.isInteger(index) || index < 1) return 0;
  try {
    const out = await candidates(index, words, io);
    if (out.length) io.stdout.write(`${out.join('\n')}\n`);
  } catch {
    // Completion never prints an error into the command line being typed.
  }
  return 0;
}

export async function candidates(index: number, words: string[], io: CommandIO): Promise<string[]> {
  const cur = words[index] ?? '';
  const prev = words[index - 1] ?? '';
  const command = words[1] ?? '';
  const spec = COMMANDS[command];
  if (index === 1) return cur.startsWith('-') ? GLOBAL.filter((f) => f.startsWith(cur)) : Object.keys(COMMANDS).filter((c) => c.startsWith(cur));

  const kind = VALUES[prev];
  if (kind) return valueCandidates(kind, cur, words, index, io);
  if (cur.startsWith('-')) return (spec?.flags ?? GLOBAL).filter((f) => f.startsWith(cur));

  // Which positional is this? Count the positionals before it, skipping flags and their values.
  let n = 0;
  for (let i = 2; i < index; i++) {
    const w = words[i]!;
    if (w.startsWith('-')) {
      if (VALUES[w] && !w.includes('=')) i++;
      continue;
    }
    n++;
  }
  if (!spec || n > 0) return [];
  switch (spec.positional) {
    case 'runbook':
      return [':files', ...(await runbookIds(io)).filter((id) => id.startsWith(cur))];
    case 'incident':
      return incidentIds(io, words).filter((id) => id.startsWith(cur));
    case 'scenario':
      return (await scenarioIds(io)).filter((id) => id.startsWith(cur));
    case 'shell':
      return ['bash', 'zsh', 'fish'].filter((s) => s.startsWith(cur));
    case 'schema':
      return ['runbook', 'scenario', 'config'].filter((s) => s.startsWith(cur));
    case 'files':
      return [':files'];
    default:
      return [];
  }
}

async function valueCandidates(kind: Value, cur: string, words: string[], index: number, io: CommandIO): Promise<string[]> {
  switch (kind) {
    case 'file':
    case 'dir':
      return [':files'];
    case 'format':
      return ['md', 'html', 'json', 'csv'].filter((f) => f.startsWith(cur));
    case 'severity':
      return ['SEV0', 'SEV1', 'SEV2', 'SEV3', 'SEV4', 'SEV5'].filter((s) => s.startsWith(cur.toUpperCase()));
    case 'profile':
      return awsProfiles(io.env).filter((p) => p.startsWith(cur));
    case 'input': {
      // The runbook is the first positional of `run` (or the incident's runbook on resume: not known here).
      const runbook = firstPositional(words, index);
      if (!runbook || cur.includes('=')) return [];
      return [':nospace', ...(await inputNames(runbook, io)).map((n) => `${n}=`).filter((n) => n.startsWith(cur))];
    }
    default:
      return [];
  }
}

function firstPositional(words: string[], before: number): string | undefined {
  for (let i = 2; i < before; i++) {
    const w = words[i]!;
    if (w.startsWith('-')) {
      if (VALUES[w]) i++;
      continue;
    }
    return w;
  }
  return undefined;
}

async function runbookIds(io: CommandIO): Promise<string[]> {
  const { listRunbooks } = await import('../runbook/listing.js');
  const catalog = await listRunbooks({ env: io.env, cwd: io.cwd });
  return catalog.runbooks.map((r) => r.id);
}

async function inputNames(runbook: string, io: CommandIO): Promise<string[]> {
  const { listRunbooks } = await import('../runbook/listing.js');
  const catalog = await listRunbooks({ env: io.env, cwd: io.cwd });
  const byId = catalog.runbooks.find((r) => r.id === runbook);
  if (byId) return Object.keys(byId.inputs);
  // A path: its `inputs:` keys, read shallowly.
  try {
    const { parseYamlFast } = await import('../runbook/fast-yaml.js');
    const doc = parseYamlFast(readFileSync(join(io.cwd, runbook), 'utf8'))?.value as { inputs?: Record<string, unknown> } | undefined;
    return Object.keys(doc?.inputs ?? {});
  } catch {
    return [];
  }
}

function incidentIds(io: CommandIO, words: string[]): string[] {
  const at = words.indexOf('--state-dir');
  const root = at > 0 && words[at + 1] ? words[at + 1]! : stateRoot(io.env);
  const dir = join(root, ...(words.includes('--drill') ? ['drills'] : []), 'incidents');
  try {
    return readdirSync(dir)
      .map((id) => ({ id, t: statSync(join(dir, id)).mtimeMs }))
      .sort((a, b) => b.t - a.t)
      .map((e) => e.id);
  } catch {
    return [];
  }
}

async function scenarioIds(io: CommandIO): Promise<string[]> {
  const { listScenarios, scenarioDirs } = await import('../drill/catalog.js');
  return listScenarios(scenarioDirs({ env: io.env, cwd: io.cwd })).map((s) => s.id);
}

/** Profile names from ~/.aws/config and ~/.aws/credentials. */
function awsProfiles(env: NodeJS.ProcessEnv): string[] {
  const names = new Set<string>();
  const files = [env.AWS_CONFIG_FILE ?? join(homedir(), '.aws', 'config'), env.AWS_SHARED_CREDENTIALS_FILE ?? join(homedir(), '.aws', 'credentials')];
  for (const f of files) {
    let text: string;
    try {
      text = readFileSync(f, 'utf8');
    } catch {
      continue;
    }
    for (const m of text.matchAll(/^\s*\[(?:profile\s+)?([^\]\s]+)\s*\]/gm)) if (!m[1]!.startsWith('sso-session')) names.add(m[1]!);
  }
  return [...names].sort();
}

const BASH = `# oncall completion for bash: eval "$(oncall completion bash)" in ~/.bashrc
_oncall() {
  local cur=\${COMP_WORDS[COMP_CWORD]} line IFS=$'\\n'
  local -a out
  out=($(oncall __complete "$COMP_CWORD" "\${COMP_WORDS[@]}" 2>/dev/null))
  COMPREPLY=()
  for line in "\${out[@]}"; do
    case $line in
      :files) COMPREPLY+=($(compgen -f -- "$cur")) ;;
      :nospace) compopt -o nospace 2>/dev/null ;;
      *) COMPREPLY+=("$line") ;;
    esac
  done
}
complete -o filenames -F _oncall oncall
`;

const ZSH = `#compdef oncall
# oncall completion for zsh: eval "$(oncall completion zsh)" in ~/.zshrc (after compinit)
_oncall() {
  local -a out words_
  local line nospace=
  out=("\${(@f)$(oncall __complete $((CURRENT - 1)) "\${words[@]}" 2>/dev/null)}")
  for line in "\${out[@]}"; do
    case $line in
      :files) _files ;;
      :nospace) nospace=1 ;;
      '') ;;
      *) words_+=("$line") ;;
    esac
  done
  if (( \${#words_} )); then
    if [[ -n $nospace ]]; then compadd -S '' -- "\${words_[@]}"; else compadd -- "\${words_[@]}"; fi
  fi
}
compdef _oncall oncall
`;

const FISH = `# oncall completion for fish: oncall completion fish > ~/.config/fish/completions/oncall.fish
function __oncall_complete
  set -l words (commandline -opc) (commandline -ct)
  for line in (oncall __complete (math (count $words) - 1) $words 2>/dev/null)
    switch $line
      case ':files'
        __fish_complete_path (commandline -ct)
      case ':nospace'
      case '*'
        echo $line
    end
  end
end
complete -c oncall -f -a '(__oncall_complete)'
`;

const SCRIPTS = { bash: BASH, zsh: ZSH, fish: FISH } as const;
