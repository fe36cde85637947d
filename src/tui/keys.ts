// Keys as data: one table from command to its keys, by context, with the label the footer shows
// and the sentence the help overlay shows. The dispatcher, the footer, the help overlay and the
// hints in prompts all read this table, so they cannot disagree.

/** Where the operator is: the active screen, overlay or prompt. */
export type KeyContext =
  | 'global'
  | 'start'
  | 'form'
  | 'picker'
  | 'drills'
  | 'score'
  | 'runner'
  | 'gate'
  | 'failure'
  | 'confirm'
  | 'confirm-typed'
  | 'declined'
  | 'choice'
  | 'text-answer'
  | 'manual'
  | 'paused'
  | 'stopped'
  | 'help'
  | 'timeline'
  | 'note'
  | 'skip'
  | 'reopen'
  | 'milestone';

const TEXT = ['form', 'picker', 'drills', 'confirm-typed', 'text-answer', 'note', 'skip', 'reopen'] as const satisfies readonly KeyContext[];

/** A context where printable keys are text being typed (bindings there use only non-printable keys). */
export type TextContext = (typeof TEXT)[number];
export const TEXT_CONTEXTS: ReadonlySet<KeyContext> = new Set(TEXT);

export function isTextContext(ctx: KeyContext | undefined): ctx is TextContext {
  return ctx !== undefined && TEXT_CONTEXTS.has(ctx);
}

/**
 * Every command, in the order the footer offers them (left to right) and the help lists them. The
 * Command type is this list: a command added here needs its keys in KEYS before anything compiles.
 */
export const COMMANDS = [
  // prompts: the engine is waiting on these
  'run-step',
  'run-reads',
  'skip-step',
  'retry-step',
  'stop-run',
  'toggle-choice',
  // forms
  'next-field',
  'prev-field',
  'cycle-next',
  'cycle-prev',
  'submit',
  'approve',
  'decline',
  'back',
  // moving, and answering questions
  'up',
  'down',
  'choose',
  'answer',
  'clear-field',
  'done',
  'rerun',
  'reopen',
  // the runner
  'note',
  'hint',
  'milestone',
  'timeline',
  'step-prev',
  'step-next',
  'page-up',
  'page-down',
  'follow',
  'first',
  // start and pickers
  'select',
  'new-incident',
  // overlays
  'export',
  'close',
  'milestone-detected',
  'milestone-mitigated',
  'milestone-resolved',
  // everywhere
  'help',
  'quit',
  'interrupt',
] as const;

export type Command = (typeof COMMANDS)[number];

/** Where a command is bound: its keys in some contexts, the footer's label and the help's sentence. */
export interface KeySpec {
  /** Normalised key names (see keyName): 'enter', 'esc', 'ctrl+c', 'pageup', 's', '?' … */
  keys: string[];
  /** Short footer label; bindings without one are listed only in the help overlay. */
  label?: string;
  /** What the footer shows as the key ('' when the label already names it). Default: the first key. */
  footerKey?: string;
  /** One sentence for the help overlay. */
  help: string;
  contexts: KeyContext[];
}

export interface Binding extends KeySpec {
  command: Command;
}

const RUNNER_ANY: KeyContext[] = ['runner', 'gate', 'failure', 'confirm', 'declined', 'choice', 'manual', 'paused', 'stopped'];
const BROWSE: KeyContext[] = ['start', 'score', ...RUNNER_ANY];

/**
 * The table: every command's bindings. Typed by command, so a command without a binding does not
 * compile. The dispatcher (the controller's handlers, by context and command), the footer, the help
 * overlay and the hints in prompts (keyOf) all read it.
 */
export const KEYS: { readonly [C in Command]: readonly [KeySpec, ...KeySpec[]] } = {
  'run-step': [
    { keys: ['enter'], label: 'run', help: 'Run the step shown (the runbook waits for you before every step)', contexts: ['gate'] },
    { keys: ['enter'], label: 'confirm again', help: 'Show the declined confirmation again', contexts: ['declined'] },
  ],
  'run-reads': [{ keys: ['a'], label: 'run the reads', help: 'Run this read step and the ones after it without stopping, until the next decision, change or failure (each journaled as usual)', contexts: ['gate'] }],
  'skip-step': [{ keys: ['s'], label: 'skip', help: 'Skip the step; you are asked for a reason, which is journaled', contexts: ['gate', 'failure', 'declined'] }],
  'retry-step': [{ keys: ['r'], label: 'retry', help: 'Run the failed step again', contexts: ['failure'] }],
  'stop-run': [{ keys: ['x'], label: 'stop', help: 'Stop the run at the failed step (completed writes are offered for rollback)', contexts: ['failure'] }],
  'toggle-choice': [{ keys: ['left', 'right', 'tab'], label: 'choose', footerKey: 'left/right', help: 'Move between Cancel and Approve', contexts: ['confirm'] }],

  'next-field': [{ keys: ['tab', 'down'], label: 'next', footerKey: 'tab', help: 'Next field', contexts: ['form'] }],
  'prev-field': [{ keys: ['shift+tab', 'up'], help: 'Previous field', contexts: ['form'] }],
  'cycle-next': [{ keys: ['right'], help: 'Next value of a choice or yes/no field', contexts: ['form'] }],
  'cycle-prev': [{ keys: ['left'], label: 'value', footerKey: 'left/right', help: 'Previous value of a choice or yes/no field', contexts: ['form'] }],
  submit: [
    { keys: ['enter'], label: 'confirm', help: 'Do what is highlighted (Cancel unless you moved to Approve)', contexts: ['confirm'] },
    { keys: ['enter'], label: 'approve', help: 'Approve once the typed resource id matches exactly', contexts: ['confirm-typed'] },
    { keys: ['enter'], label: 'next / start', help: 'Next field; on the last one, go on once every field is valid', contexts: ['form'] },
    { keys: ['enter'], label: 'save', help: 'Journal the note', contexts: ['note'] },
    { keys: ['enter'], label: 'skip step', help: 'Skip the step with this reason', contexts: ['skip'] },
    { keys: ['enter'], label: 'reopen', help: 'Journal what was fixed and go on from the step the run stopped at', contexts: ['reopen'] },
  ],
  approve: [{ keys: ['y'], label: 'approve', help: 'Approve the change shown', contexts: ['confirm'] }],
  decline: [{ keys: ['esc'], label: 'cancel', help: 'Decline the change: the step is skipped and the decision journaled', contexts: ['confirm', 'confirm-typed'] }],
  back: [{ keys: ['esc'], label: 'back', help: 'Back to the previous screen', contexts: ['form', 'picker'] }],

  up: [
    { keys: ['up', 'k'], help: 'Previous option', contexts: ['choice'] },
    { keys: ['up', 'k'], help: 'Previous entry', contexts: ['start'] },
    { keys: ['up'], help: 'Previous runbook', contexts: ['picker'] },
    { keys: ['up'], help: 'Previous scenario', contexts: ['drills'] },
    { keys: ['up'], help: 'Scroll up', contexts: ['timeline', 'help'] },
  ],
  down: [
    { keys: ['down', 'j'], label: 'pick', footerKey: 'up/down', help: 'Next option', contexts: ['choice'] },
    { keys: ['down', 'j'], label: 'move', footerKey: 'up/down', help: 'Next entry', contexts: ['start'] },
    { keys: ['down'], label: 'move', footerKey: 'up/down', help: 'Next runbook', contexts: ['picker'] },
    { keys: ['down'], label: 'move', footerKey: 'up/down', help: 'Next scenario', contexts: ['drills'] },
    { keys: ['down'], label: 'scroll', footerKey: 'up/down', help: 'Scroll down', contexts: ['timeline', 'help'] },
  ],
  choose: [{ keys: ['enter'], label: 'choose', help: 'Answer with the highlighted option (1–9 pick directly)', contexts: ['choice'] }],
  answer: [{ keys: ['enter'], label: 'answer', help: 'Send the typed answer', contexts: ['text-answer'] }],
  'clear-field': [{ keys: ['ctrl+u'], help: 'Clear the field', contexts: ['text-answer', 'form', 'picker', 'drills', 'note', 'skip', 'reopen', 'confirm-typed'] }],
  done: [{ keys: ['enter'], label: 'done', help: 'Say the manual step was carried out', contexts: ['manual'] }],
  rerun: [{ keys: ['enter'], label: 'continue', help: 'Continue the runbook from the step that was stopped', contexts: ['paused'] }],
  reopen: [{ keys: ['o'], label: 'reopen', help: 'Once the cause is fixed (credentials, a throttle waited out), reopen a failed or blocked run at the step it stopped at; asks what was fixed', contexts: ['stopped'] }],

  note: [{ keys: ['n'], label: 'note', help: 'Add a note to the incident journal', contexts: RUNNER_ANY }],
  // No footer label: it means something only in a drill (the page's message line names it there).
  hint: [{ keys: ['h'], help: "In a drill: reveal the scenario's next hint (journaled, and counted in the score)", contexts: RUNNER_ANY }],
  milestone: [{ keys: ['m'], label: 'milestone', help: 'Mark a milestone: detected, mitigated or resolved', contexts: RUNNER_ANY }],
  timeline: [{ keys: ['t'], label: 'timeline', help: 'Show the incident so far, times relative to its start', contexts: [...RUNNER_ANY, 'score'] }],
  'step-prev': [{ keys: ['up', 'k'], help: 'Look at the previous step (its output, result and captures)', contexts: ['runner', 'gate', 'failure', 'confirm', 'declined', 'manual', 'paused', 'stopped'] }],
  'step-next': [{ keys: ['down', 'j'], help: 'Look at the next step; past the last one follows the current step again', contexts: ['runner', 'gate', 'failure', 'confirm', 'declined', 'manual', 'paused', 'stopped'] }],
  'page-up': [
    { keys: ['pageup'], label: 'scroll output', footerKey: 'PgUp/PgDn', help: 'Scroll the output up', contexts: RUNNER_ANY },
    { keys: ['pageup'], help: 'Scroll a page up', contexts: ['timeline', 'help'] },
  ],
  'page-down': [
    { keys: ['pagedown'], help: 'Scroll the output down', contexts: RUNNER_ANY },
    { keys: ['pagedown'], help: 'Scroll a page down', contexts: ['timeline', 'help'] },
  ],
  follow: [
    { keys: ['end', 'G'], help: 'Follow the tail of the output (and the current step)', contexts: RUNNER_ANY },
    { keys: ['end', 'G'], help: 'Go to the latest entry', contexts: ['timeline'] },
  ],
  first: [
    { keys: ['home', 'g'], help: 'Look at the first step', contexts: RUNNER_ANY },
    { keys: ['home', 'g'], help: 'Go to the oldest entry', contexts: ['timeline'] },
  ],

  select: [
    { keys: ['enter'], label: 'open', help: 'Start a new incident, or resume the highlighted one', contexts: ['start'] },
    { keys: ['enter'], label: 'choose', help: 'Choose the highlighted runbook (type to filter by id, title, tags, summary)', contexts: ['picker'] },
    { keys: ['enter'], label: 'start drill', help: 'Start the highlighted drill (type to filter by id, title, runbook)', contexts: ['drills'] },
    { keys: ['enter'], label: 'another drill', help: 'Back to the scenarios for another drill', contexts: ['score'] },
  ],
  'new-incident': [{ keys: ['+'], help: 'Start a new incident', contexts: ['start'] }],

  export: [{ keys: ['e'], label: 'export', help: 'Write the timeline for the post-mortem to <incident>.md in the current directory', contexts: ['timeline'] }],
  close: [
    { keys: ['esc'], label: 'cancel', help: 'Close without journaling anything', contexts: ['note', 'skip', 'reopen', 'milestone'] },
    { keys: ['esc', 't', 'q'], label: 'close', help: 'Close the timeline', contexts: ['timeline'] },
    { keys: ['esc', '?', 'q'], label: 'close', help: 'Close the help', contexts: ['help'] },
  ],
  'milestone-detected': [{ keys: ['d'], label: 'detected', help: 'Mark the incident detected', contexts: ['milestone'] }],
  'milestone-mitigated': [{ keys: ['m'], label: 'mitigated', help: 'Mark the incident mitigated', contexts: ['milestone'] }],
  'milestone-resolved': [{ keys: ['r'], label: 'resolved', help: 'Mark the incident resolved', contexts: ['milestone'] }],

  help: [{ keys: ['?'], label: 'help', help: 'Show every key', contexts: [...BROWSE, 'timeline'] }],
  quit: [
    { keys: ['esc'], label: 'quit', help: 'Leave drill practice', contexts: ['drills'] },
    { keys: ['q'], label: 'quit', help: 'Quit; an open incident stays resumable (a drill ends and is scored); while a step runs, press it twice', contexts: BROWSE },
  ],
  interrupt: [{ keys: ['ctrl+c'], help: 'Abort the running step; a second Ctrl+C quits (an open incident stays resumable)', contexts: ['global'] }],
};

/** The table flattened, command by command in COMMANDS order: what the footer and the help overlay walk. */
export const BINDINGS: readonly Binding[] = COMMANDS.flatMap((command) => KEYS[command].map((spec) => ({ command, ...spec })));

/** The subset of Ink's Key that keyName reads (kept structural so this file needs no Ink). */
export interface KeyLike {
  upArrow: boolean;
  downArrow: boolean;
  leftArrow: boolean;
  rightArrow: boolean;
  pageDown: boolean;
  pageUp: boolean;
  home?: boolean;
  end?: boolean;
  return: boolean;
  escape: boolean;
  ctrl: boolean;
  shift: boolean;
  tab: boolean;
  backspace: boolean;
  delete: boolean;
  meta: boolean;
}

/** A normalised name for a key press: 'enter', 'esc', 'up', 'ctrl+c', 'shift+tab', or the character typed. */
export function keyName(input: string, key: KeyLike): string {
  if (key.return) return 'enter';
  if (key.escape) return 'esc';
  if (key.tab) return key.shift ? 'shift+tab' : 'tab';
  if (key.upArrow) return 'up';
  if (key.downArrow) return 'down';
  if (key.leftArrow) return 'left';
  if (key.rightArrow) return 'right';
  if (key.pageUp) return 'pageup';
  if (key.pageDown) return 'pagedown';
  if (key.home) return 'home';
  if (key.end) return 'end';
  if (key.backspace) return 'backspace';
  if (key.delete) return 'delete';
  if (key.ctrl && input) return `ctrl+${input.toLowerCase()}`;
  if (key.meta && input) return `meta+${input}`;
  return input;
}

/** Each context's keys and the command each does there (the table, indexed for key presses). */
const BOUND: ReadonlyMap<KeyContext, ReadonlyMap<string, Command>> = (() => {
  const out = new Map<KeyContext, Map<string, Command>>();
  for (const b of BINDINGS) {
    for (const ctx of b.contexts) {
      let keys = out.get(ctx);
      if (!keys) out.set(ctx, (keys = new Map()));
      for (const k of b.keys) if (!keys.has(k)) keys.set(k, b.command);
    }
  }
  return out;
})();

/** The command bound to a key in the given contexts (searched in order, then 'global'), and the context that binds it. */
export function lookup(contexts: readonly KeyContext[], name: string): { command: Command; context: KeyContext } | undefined {
  for (const context of [...contexts, 'global' as const]) {
    const command = BOUND.get(context)?.get(name);
    if (command) return { command, context };
  }
  return undefined;
}

/** The command bound to a key in the given contexts (searched in order, then 'global'). */
export function resolve(contexts: readonly KeyContext[], name: string): Command | undefined {
  return lookup(contexts, name)?.command;
}

/** Footer entries for the contexts, first context first, each command once. */
export function footerFor(contexts: KeyContext[]): { key: string; label: string }[] {
  const out: { key: string; label: string }[] = [];
  const seen = new Set<string>();
  for (const ctx of contexts) {
    for (const b of BINDINGS) {
      if (!b.label || !b.contexts.includes(ctx) || seen.has(b.command)) continue;
      // A command shadowed by an earlier context's binding of the same key is not offered twice.
      if (b.keys.some((k) => resolve(contexts, k) !== b.command)) continue;
      seen.add(b.command);
      out.push({ key: b.footerKey ?? displayKey(b.keys[0]!), label: b.label });
    }
  }
  return out;
}

/**
 * The key that does `command` in `ctx`, as hints in prompts name it: taken from the table so that
 * prose beside a prompt cannot name a key that does something else. Throws for an unbound pair
 * (a programming error that the tests of every prompt catch).
 */
export function keyOf(ctx: KeyContext, command: Command): string {
  const b = KEYS[command].find((x) => x.contexts.includes(ctx));
  if (!b) throw new Error(`no key for ${command} in ${ctx}`);
  return b.footerKey ?? displayKey(b.keys[0]!);
}

function displayKey(name: string): string {
  const map: Record<string, string> = {
    enter: 'enter',
    esc: 'esc',
    up: 'up',
    down: 'down',
    left: 'left',
    right: 'right',
    pageup: 'PgUp',
    pagedown: 'PgDn',
    end: 'End',
    tab: 'tab',
    'shift+tab': 'S-tab',
    'ctrl+c': '^C',
    'ctrl+u': '^U',
  };
  return map[name] ?? name;
}

/** Sections for the help overlay: every binding, grouped as the operator meets them. */
export function helpSections(): { title: string; rows: { keys: string; help: string }[] }[] {
  const groups: { title: string; contexts: KeyContext[] }[] = [
    { title: 'Runner', contexts: ['gate', 'failure', 'paused', 'stopped', 'runner'] },
    { title: 'Confirmations and questions', contexts: ['confirm', 'confirm-typed', 'declined', 'choice', 'text-answer', 'manual'] },
    { title: 'Start, forms and pickers', contexts: ['start', 'form', 'picker', 'drills', 'score'] },
    { title: 'Notes, milestones, timeline, help', contexts: ['note', 'skip', 'reopen', 'milestone', 'timeline', 'help'] },
    { title: 'Everywhere', contexts: ['global'] },
  ];
  // Each binding is listed once: in the first group that has one of its contexts, under the first
  // of its own contexts there; a group lists its contexts in the order above.
  const used = new Set<Binding>();
  return groups.map((g) => {
    const home = (b: Binding) => b.contexts.find((c) => g.contexts.includes(c));
    const rows = g.contexts.flatMap((ctx) => BINDINGS.filter((b) => !used.has(b) && home(b) === ctx));
    for (const b of rows) used.add(b);
    return { title: g.title, rows: rows.map((b) => ({ keys: b.keys.map(displayKey).join(' '), help: b.help })) };
  });
}

/**
 * Several keys in one read (fast typing, a paste, tmux send-keys) arrive as one string: control
 * characters inside it (Enter, Tab, Backspace, Ctrl+U, Ctrl+C…) are key presses of their own, in
 * order, between runs of text. Anything else is one press, as given.
 */
export function keyPresses(input: string, key: KeyLike): { input: string; key: KeyLike }[] {
  if (input.length <= 1 || !CONTROL.test(input) || key.ctrl || key.meta || key.escape) return [{ input, key }];
  // eslint-disable-next-line no-control-regex
  return (input.match(/[\u0000-\u001a\u007f]|[^\u0000-\u001a\u007f]+/g) ?? []).map((part) => {
    const k: KeyLike = { ...NO_KEY };
    let text = '';
    if (part === '\r' || part === '\n') k.return = true;
    else if (part === '\t') k.tab = true;
    else if (part === '\u007f' || part === '\u0008') k.backspace = true;
    else if (CONTROL.test(part)) {
      k.ctrl = true;
      text = String.fromCharCode(part.charCodeAt(0) + 96);
    } else text = part;
    return { input: text, key: k };
  });
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001a\u007f]/;

const NO_KEY: KeyLike = {
  upArrow: false,
  downArrow: false,
  leftArrow: false,
  rightArrow: false,
  pageDown: false,
  pageUp: false,
  return: false,
  escape: false,
  ctrl: false,
  shift: false,
  tab: false,
  backspace: false,
  delete: false,
  meta: false,
};
