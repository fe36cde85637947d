// What the TUI is given: where incidents and runbooks are, the world steps act on, and what tests
// fix (size, clock, batching). The launcher builds it from flags; tests pass their own.
import type { Mode } from '../journal/events.js';
import type { KindRegistry } from '../core/registry.js';
import type { Clock } from '../core/step.js';
import type { ListingOptions } from '../runbook/listing.js';
import type { Providers } from '../providers/types.js';
import type { AwsIdentity } from './context.js';

export interface TuiOptions {
  /** Live incidents, or drill practice: the scenario picker, simulated worlds, scores. */
  mode?: Mode;
  readOnly?: boolean;
  /** Where incidents live (ONCALL_STATE_DIR or the XDG state dir). */
  stateDir: string;
  /** --runbooks directories, searched before the default search path. */
  runbookDirs?: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Who is acting, decided where the flags are read (core/operator.ts). */
  operator: string;
  /** The engine's clock and the header's; drills and tests pass their own. */
  clock?: Clock;
  /**
   * The AWS identity for the header, looked up lazily (the first frame never waits for it). The
   * engine checks write steps against its own lookup and journals it (identity.resolved), which
   * the header also shows.
   */
  identity?: () => Promise<AwsIdentity | undefined>;
  /** The AWS profile and region in force (flags win over the environment). */
  aws?: { profile?: string; region?: string };
  /** The kube context in force (--context), else the kubeconfig's current-context. */
  kubeContextName?: string;
  kubeContext?: () => Promise<string | undefined>;
  /** The step kinds (built-ins plus plugins); defaults to the built-ins. */
  registry?: () => Promise<KindRegistry>;
  /** Plugins for the runbook listing (they add runbooks and step kinds). */
  listingPlugins?: () => Promise<ListingOptions['plugins']>;
  /** Problems plugins reported while loading (shown on the message line). */
  pluginNotes?: () => string[];
  /** The world steps act on: live unless a drill gives its simulation (made on first use). */
  /**
   * The live world steps act on (made on first use). Live incidents need it: nothing falls back to
   * a default world. Drill mode never uses it (each drill brings its simulation).
   */
  providers?: Providers | (() => Promise<Providers>);
  /** Journal timestamps (a drill's simulated time); the wall clock by default. */
  journalNow?: () => number;
  /** Resume this incident at launch instead of showing the start screen. */
  incident?: string;
  /** Drill mode: where scenarios are found (--scenarios, plugins, the bundled ones). */
  scenarioDirs?: () => Promise<string[]>;
  /** Drill mode: runbook directories plugins add (scenarios name runbooks by id). */
  pluginRunbookDirs?: () => Promise<string[]>;
  /** Drill mode: play this scenario file at launch instead of showing the picker. */
  scenario?: string;
  /** Drill mode: simulated time per wall time while the drill waits on the operator (--pace, default 1). */
  drillPace?: number;
  color?: boolean;
  /** A fixed terminal size (tests); otherwise the terminal's, kept current on resize. */
  size?: { columns: number; rows: number };
  /** The terminal's size at launch, so the first frame is drawn at the right size. */
  initialSize?: { columns: number; rows: number };
  /**
   * Keys that answer a prompt (Enter, y, Esc, 1-9…) are ignored this long after it opens (ms,
   * default 400), so a key meant for the previous screen never answers the next one.
   */
  promptGuardMs?: number;
  /** How often the incident clock ticks (ms); 0 stops it (tests freeze the clock). */
  tickMs?: number;
  batchMs?: number;
  outputCap?: number;
}
