// `oncall` with no command: the TUI's flags, the live world they name, and the launch.
import { isInteractive, NEEDS_TERMINAL, type CommandIO } from '../core/io.js';
import { operatorName } from '../core/operator.js';
import type { Providers } from '../providers/types.js';
import { stateRoot } from '../paths.js';
import { kubeContextFromEnv } from '../tui/context.js';
import { awsConfigured, colorWanted, launchTui, lazyPlugins } from '../tui/launch.js';
import { LIVE_WORLD_FLAGS, liveWorld, parseCommandArgs, usageError } from './io.js';

const USAGE =
  'oncall [--state-dir dir] [--runbooks dir …] [--plugin path …] [--read-only] [--resume <incident>] [--operator name] [--profile p] [--region r] [--context c] [--kubeconfig file]';

/** `oncall [options]`: parses the TUI's flags and launches it. */
export async function tuiCommand(args: string[], io: CommandIO): Promise<number> {
  const parsed = parseCommandArgs(
    args,
    {
      'state-dir': { type: 'string' },
      runbooks: { type: 'string', multiple: true },
      'read-only': { type: 'boolean', default: false },
      resume: { type: 'string' },
      operator: { type: 'string' },
      plugin: { type: 'string', multiple: true },
      ...LIVE_WORLD_FLAGS,
    },
    io,
    USAGE,
  );
  if (!parsed) return 2;
  if (parsed.positionals.length) return usageError(io, `unknown command '${parsed.positionals[0]}' (see oncall --help)`, USAGE);
  const { values } = parsed;
  if (!isInteractive(process.stdin, io.stdout as { isTTY?: boolean }, io.env)) {
    io.stderr.write(NEEDS_TERMINAL);
    return 2;
  }
  const pluginFlags = values.plugin as string[] | undefined;
  const plugins = lazyPlugins(io, pluginFlags);
  const notes = plugins.notes;
  // Who and where, decided once: the header shows what the providers act on and the journal records.
  const world = liveWorld(values, io.env);
  const operator = operatorName(values.operator as string | undefined, io.env);
  // The live world as the flags describe it, made on first use (it is cheap; the SDKs load later still).
  let live: Promise<Providers> | undefined;
  const providers = () =>
    (live ??= import('../providers/live.js').then((m) =>
      m.liveProvidersFor({
        world,
        env: io.env,
        // The credential chain's warnings go to the message line, never onto the screen Ink owns.
        onWarning: (m) => notes.push(`aws: ${m}`),
      }),
    ));
  // The header asks STS who we are only when AWS is set up here: otherwise the SDK would load (and
  // probe instance metadata) for nothing. AWS runbooks resolve and journal it anyway.
  const identity = awsConfigured(io.env, world.aws.profile)
    ? async () => {
        const p = await providers();
        const id = await p.aws!.identity();
        return { account: id.account, principal: id.principal, region: id.region };
      }
    : undefined;
  return launchTui(
    {
      mode: 'live',
      providers,
      aws: world.aws,
      ...(identity ? { identity } : {}),
      ...(world.kube.context ? { kubeContextName: world.kube.context } : {}),
      ...(world.kube.kubeconfig ? { kubeContext: () => kubeContextFromEnv({ ...io.env, KUBECONFIG: world.kube.kubeconfig }) } : {}),
      ...plugins.options,
      readOnly: Boolean(values['read-only']),
      stateDir: (values['state-dir'] as string | undefined) ?? stateRoot(io.env),
      runbookDirs: values.runbooks as string[] | undefined,
      env: io.env,
      cwd: io.cwd,
      operator,
      incident: values.resume as string | undefined,
      color: colorWanted(io.env),
    },
    { stdout: io.stdout, stderr: io.stderr, handleSignals: io.handleSignals ?? false },
  );
}
