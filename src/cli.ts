// argv → command. Kept tiny: each command is imported only when it runs, so `oncall --version`
// and `oncall list` never load Ink, the AWS SDK or client-node.
import { existsSync } from 'node:fs';
import { VERSION } from './version.js';
import type { CommandIO } from './core/io.js';
import { configFile } from './config/path.js';

const HELP = `oncall ${VERSION} — runbooks and incident journal for on-call engineers

usage: oncall [command] [options]

commands:
  (none)                     open the terminal UI (needs a terminal; see 'run' for scripts)
      [--resume <incident>] [--read-only] [--profile p] [--region r] [--context c] [--kubeconfig f]
  run <runbook|path>         run a runbook without the UI
      --input, -i k=v          a runbook input (repeat for each)
      --input-env k=VAR  --input-file k=path  --input-stdin k   an input kept off the command line (secrets)
      --answer, -a step=value  answer a decision/manual step, or type a destructive step's resource
      --yes, -y                approve write steps (destructive ones also need --answer)
      --rollback               approve the rollbacks a definite failure offers (or --answer step.rollback=yes|no)
      --read-only              refuse every step that would change something
      --title t  --severity SEV0..SEV5  --service s
      --json                   one JSON event per line on stdout (progress stays on stderr)
      --quiet, -q              no progress lines
  resume <incident>          continue an incident from its journal (same flags as run)
      --reopen 'what was fixed'  go on from the step a failed or blocked incident stopped at
      --force-unlock           take it over from a writer on another machine that is gone for good
  join <incident> --share s3://bucket/prefix   mirror a team incident here and follow it; each stdin line is a note
  follow <incident> --share s3://bucket/prefix [--until-finished]  show every responder's records as they come
  drill [<scenario>] [--auto]  practise a runbook on a simulated world: the UI at a terminal, headless with --auto (--list shows scenarios)
  incidents [--open] [--json]  list incidents, newest first
  verify <incident> [--json] check an incident journal's hash chain
  export <incident> [--format md|html|json|csv] [--out file [--force]] [--drill] [--no-verify]  post-mortem timeline
  list [--json]              list runbooks: id, title, tags, inputs
  validate [paths…] [--json] check runbooks; exit 2 on any error
  import <file> [--out f]    turn a Markdown runbook or an SSM Automation document into an oncall runbook (validated; reports what it could not map)
  validate [paths…] [--json] [--watch]  check runbooks; exit 2 on any error (--watch: again on every save)
  new <id> [--out file]      start a runbook: schema header, typed inputs, one step of each built-in kind
  schema [--write|--check]   print (or write) the runbook JSON Schema
  plugins [--json]           list plugins: what loaded, from where, with which step kinds
  doctor [--json]            check Node, AWS identity, kube context, etcd tools, state dir, terminal, plugins; each finding with a fix
  completion bash|zsh|fish   print a shell completion script (eval "$(oncall completion bash)")
  config [--json] [--path]   the effective settings and where each came from (flag, environment, file, default)

global options:
  --runbooks <dir>           also look for runbooks here (repeat; also $ONCALL_RUNBOOK_PATH)
  --state-dir <dir>          where incidents live (default $XDG_STATE_HOME/oncall)
  --profile <p> --region <r> AWS profile and region (else AWS_PROFILE, AWS_REGION, the default chain)
  --context <c> --kubeconfig <f>  Kubernetes context and kubeconfig (else KUBECONFIG, current-context)
  --share s3://bucket/prefix  share the incident with the team on S3 (run, resume; also $ONCALL_SHARE)
  --operator <name>          who is acting (else $ONCALL_OPERATOR, the config file, your user name)
  --plugin <path>            load this plugin too (repeat; also ./plugins and $XDG_CONFIG_HOME/oncall/plugins)
  --version, -v  --help, -h

config file: $XDG_CONFIG_HOME/oncall/config.yaml (or $ONCALL_CONFIG): defaults for the options above;
  flags beat the environment, which beats the file ('oncall config' shows what won)

exit codes: 0 done · 1 runbook failed · 2 usage or invalid input · 3 aborted · 4 needs a human · 5 blocked by policy
`;

type Command = (args: string[], io: CommandIO) => Promise<number>;

const commands: Record<string, () => Promise<Command>> = {
  run: async () => (await import('./commands/run.js')).runCommand,
  resume: async () => (await import('./commands/run.js')).resumeCommand,
  incidents: async () => (await import('./commands/incidents.js')).incidentsCommand,
  verify: async () => (await import('./commands/incidents.js')).verifyCommand,
  list: async () => (await import('./commands/list.js')).listCommand,
  validate: async () => (await import('./commands/validate.js')).validateCommand,
  import: async () => (await import('./commands/import.js')).importCommand,
  schema: async () => (await import('./commands/schema.js')).schemaCommand,
  drill: async () => (await import('./commands/drill.js')).drillCommand,
  export: async () => (await import('./commands/export.js')).exportCommand,
  plugins: async () => (await import('./commands/plugins.js')).pluginsCommand,
  join: async () => (await import('./commands/share.js')).joinCommand,
  follow: async () => (await import('./commands/share.js')).followCommand,
  config: async () => (await import('./commands/config.js')).configCommand,
  doctor: async () => (await import('./commands/doctor.js')).doctorCommand,
  completion: async () => (await import('./commands/completion.js')).completionCommand,
  new: async () => (await import('./commands/new.js')).newCommand,
  // What the completion scripts call back; not listed in the help.
  __complete: async () => (await import('./commands/completion.js')).completeCommand,
};

/** Commands that read the config file themselves, and say what is wrong with it instead of refusing to start. */
const OWN_CONFIG = new Set(['config', 'doctor', 'completion']);
// (__complete does read it: the runbook paths it completes from may be set there.)

export async function main(argv: string[], io: CommandIO): Promise<number> {
  const [first, ...rest] = argv;
  if (first === '--version' || first === '-v') {
    io.stdout.write(`${VERSION}\n`);
    return 0;
  }
  if (first === '--help' || first === '-h' || first === 'help') {
    io.stdout.write(HELP);
    return 0;
  }
  // The config file fills in what flags and the environment leave unset (config/load.ts); an
  // invalid one stops the command with its file:line:col, rather than running on other defaults.
  if (!OWN_CONFIG.has(first ?? '') && existsSync(configFile(io.env))) {
    const { loadConfig, withConfig, configProblem } = await import('./config/load.js');
    const loaded = loadConfig(io.env);
    if (!loaded.config) {
      io.stderr.write(configProblem(loaded));
      return 2;
    }
    io = { ...io, env: withConfig(io.env, loaded) };
  }
  if (first === undefined || first.startsWith('-')) {
    const { isInteractive, NEEDS_TERMINAL } = await import('./core/io.js');
    if (!isInteractive(process.stdin, process.stdout, io.env)) {
      io.stderr.write(NEEDS_TERMINAL);
      return 2;
    }
    // Ink and React load only here, as their own chunk.
    const { tuiCommand } = await import('./commands/tui.js');
    return tuiCommand(argv, io);
  }
  const load = commands[first];
  if (!load) {
    const { visible } = await import('./core/terminal-text.js');
    io.stderr.write(`oncall: unknown command '${visible(first)}'\n\n${HELP}`);
    return 2;
  }
  return (await load())(rest, io);
}
