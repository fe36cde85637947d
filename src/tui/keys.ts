// Keys as data: one table from key to command, with the label the footer shows and the sentence
// the help overlay shows. The dispatcher, the footer and the help overlay all read this table, so
// they cannot disagree.

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
  | 'choice'
  | 'text-answer'
  | 'manual'
  | 'paused'
  | 'help'
  | 'timeline'
  | 'note'
  | 'skip'
  | 'milestone';

/** Contexts where printable keys are text being typed (bindings there use only non-printable keys). */
export const TEXT_CONTEXTS: ReadonlySet<KeyContext> = new Set(['form', 'picker', 'drills', 'confirm-typed', 'text-answer', 'note', 'skip']);

export type Command =
  | 'interrupt'
  | 'quit'
  | 'help'
  | 'close'
  | 'up'
  | 'down'
  | 'page-up'
  | 'page-down'
  | 'follow'
  | 'select'
  | 'back'
  | 'new-incident'
  | 'next-field'
  | 'prev-field'
  | 'cycle-next'
  | 'cycle-prev'
  | 'clear-field'
  | 'submit'
  | 'run-step'
  | 'skip-step'
  | 'retry-step'
  | 'stop-run'
  | 'approve'
  | 'toggle-choice'
  | 'decline'
  | 'choose'
  | 'answer'
  | 'done'
  | 'rerun'
  | 'note'
  | 'timeline'
  | 'export'
  | 'milestone'
  | 'milestone-detected'
  | 'milestone-mitigated'
  | 'milestone-resolved'
  | 'step-prev'
  | 'step-next';

export interface Binding {
  command: Command;
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

const RUNNER_ANY: KeyContext[] = ['runner', 'gate', 'failure', 'confirm', 'choice', 'manual', 'paused'];
const BROWSE: KeyContext[] = ['start', 'score', ...RUNNER_ANY];

/** The table. Order matters only for the footer (left to right) and the help overlay. */
export const BINDINGS: Binding[] = [
  // prompts: the engine is waiting on these
  { command: 'run-step', keys: ['enter'], label: 'run', help: 'Run the step shown (the runbook waits for you before every step)', contexts: ['gate'] },
  { command: 'skip-step', keys: ['s'], label: 'skip', help: 'Skip the step; you are asked for a reason, which is journaled', contexts: ['gate', 'failure'] },
  { command: 'retry-step', keys: ['r'], label: 'retry', help: 'Run the failed step again', contexts: ['failure'] },
  { command: 'stop-run', keys: ['x'], label: 'stop', help: 'Stop the run at the failed step (completed writes are offered for rollback)', contexts: ['failure'] },
  { command: 'toggle-choice', keys: ['left', 'right', 'tab'], label: 'choose', footerKey: 'left/right', help: 'Move between Cancel and Approve', contexts: ['confirm'] },
  { command: 'submit', keys: ['enter'], label: 'confirm', help: 'Do what is highlighted (Cancel unless you moved to Approve)', contexts: ['confirm'] },
  { command: 'approve', keys: ['y'], label: 'approve', help: 'Approve the change shown', contexts: ['confirm'] },
  { command: 'submit', keys: ['enter'], label: 'approve', help: 'Approve once the typed resource id matches exactly', contexts: ['confirm-typed'] },
  { command: 'decline', keys: ['esc'], label: 'cancel', help: 'Decline the change: the step is skipped and the decision journaled', contexts: ['confirm', 'confirm-typed'] },
  { command: 'up', keys: ['up'], help: 'Previous option', contexts: ['choice'] },
  { command: 'down', keys: ['down'], label: 'pick', footerKey: 'up/down', help: 'Next option', contexts: ['choice'] },
  { command: 'choose', keys: ['enter'], label: 'choose', help: 'Answer with the highlighted option (1–9 pick directly)', contexts: ['choice'] },
  { command: 'answer', keys: ['enter'], label: 'answer', help: 'Send the typed answer', contexts: ['text-answer'] },
  { command: 'clear-field', keys: ['ctrl+u'], help: 'Clear the field', contexts: ['text-answer', 'form', 'picker', 'drills', 'note', 'skip', 'confirm-typed'] },
  { command: 'done', keys: ['enter'], label: 'done', help: 'Say the manual step was carried out', contexts: ['manual'] },
  { command: 'rerun', keys: ['enter'], label: 'continue', help: 'Continue the runbook from the step that was stopped', contexts: ['paused'] },

  // runner
  { command: 'note', keys: ['n'], label: 'note', help: 'Add a note to the incident journal', contexts: RUNNER_ANY },
  { command: 'milestone', keys: ['m'], label: 'milestone', help: 'Mark a milestone: detected, mitigated or resolved', contexts: RUNNER_ANY },
  { command: 'timeline', keys: ['t'], label: 'timeline', help: 'Show the incident so far, times relative to its start', contexts: [...RUNNER_ANY, 'score'] },
  { command: 'step-prev', keys: ['up'], help: 'Look at the previous step (its output, result and captures)', contexts: ['runner', 'gate', 'failure', 'confirm', 'manual', 'paused'] },
  { command: 'step-next', keys: ['down'], help: 'Look at the next step; past the last one follows the current step again', contexts: ['runner', 'gate', 'failure', 'confirm', 'manual', 'paused'] },
  { command: 'page-up', keys: ['pageup'], label: 'scroll output', footerKey: 'PgUp/PgDn', help: 'Scroll the output up', contexts: RUNNER_ANY },
  { command: 'page-down', keys: ['pagedown'], help: 'Scroll the output down', contexts: RUNNER_ANY },
  { command: 'follow', keys: ['end'], help: 'Follow the tail of the output (and the current step)', contexts: RUNNER_ANY },

  // start
  { command: 'up', keys: ['up', 'k'], help: 'Previous entry', contexts: ['start'] },
  { command: 'down', keys: ['down', 'j'], label: 'move', footerKey: 'up/down', help: 'Next entry', contexts: ['start'] },
  { command: 'select', keys: ['enter'], label: 'open', help: 'Start a new incident, or resume the highlighted one', contexts: ['start'] },
  { command: 'new-incident', keys: ['+'], help: 'Start a new incident', contexts: ['start'] },

  // forms and picker
  { command: 'next-field', keys: ['tab', 'down'], label: 'next', footerKey: 'tab', help: 'Next field', contexts: ['form'] },
  { command: 'prev-field', keys: ['shift+tab', 'up'], help: 'Previous field', contexts: ['form'] },
  { command: 'cycle-next', keys: ['right'], help: 'Next value of a choice or yes/no field', contexts: ['form'] },
  { command: 'cycle-prev', keys: ['left'], label: 'value', footerKey: 'left/right', help: 'Previous value of a choice or yes/no field', contexts: ['form'] },
  { command: 'submit', keys: ['enter'], label: 'next / start', help: 'Next field; on the last one, go on once every field is valid', contexts: ['form'] },
  { command: 'back', keys: ['esc'], label: 'back', help: 'Back to the previous screen', contexts: ['form', 'picker'] },
  { command: 'up', keys: ['up'], help: 'Previous runbook', contexts: ['picker'] },
  { command: 'down', keys: ['down'], label: 'move', footerKey: 'up/down', help: 'Next runbook', contexts: ['picker'] },
  { command: 'select', keys: ['enter'], label: 'choose', help: 'Choose the highlighted runbook (type to filter by id, title, tags, summary)', contexts: ['picker'] },

  // drills: the scenario picker, and the score once a drill ends
  { command: 'up', keys: ['up'], help: 'Previous scenario', contexts: ['drills'] },
  { command: 'down', keys: ['down'], label: 'move', footerKey: 'up/down', help: 'Next scenario', contexts: ['drills'] },
  { command: 'select', keys: ['enter'], label: 'start drill', help: 'Start the highlighted drill (type to filter by id, title, runbook)', contexts: ['drills'] },
  { command: 'quit', keys: ['esc'], label: 'quit', help: 'Leave drill practice', contexts: ['drills'] },
  { command: 'select', keys: ['enter'], label: 'another drill', help: 'Back to the scenarios for another drill', contexts: ['score'] },

  // overlays
  { command: 'submit', keys: ['enter'], label: 'save', help: 'Journal the note', contexts: ['note'] },
  { command: 'submit', keys: ['enter'], label: 'skip step', help: 'Skip the step with this reason', contexts: ['skip'] },
  { command: 'close', keys: ['esc'], label: 'cancel', help: 'Close without journaling anything', contexts: ['note', 'skip', 'milestone'] },
  { command: 'milestone-detected', keys: ['d'], label: 'detected', help: 'Mark the incident detected', contexts: ['milestone'] },
  { command: 'milestone-mitigated', keys: ['m'], label: 'mitigated', help: 'Mark the incident mitigated', contexts: ['milestone'] },
  { command: 'milestone-resolved', keys: ['r'], label: 'resolved', help: 'Mark the incident resolved', contexts: ['milestone'] },
  { command: 'up', keys: ['up'], help: 'Scroll up', contexts: ['timeline', 'help'] },
  { command: 'down', keys: ['down'], label: 'scroll', footerKey: 'up/down', help: 'Scroll down', contexts: ['timeline', 'help'] },
  { command: 'page-up', keys: ['pageup'], help: 'Scroll a page up', contexts: ['timeline', 'help'] },
  { command: 'page-down', keys: ['pagedown'], help: 'Scroll a page down', contexts: ['timeline', 'help'] },
  { command: 'follow', keys: ['end'], help: 'Go to the latest entry', contexts: ['timeline'] },
  { command: 'export', keys: ['e'], label: 'export', help: 'Write the timeline for the post-mortem to <incident>.md in the current directory', contexts: ['timeline'] },
  { command: 'close', keys: ['esc', 't', 'q'], label: 'close', help: 'Close the timeline', contexts: ['timeline'] },
  { command: 'close', keys: ['esc', '?', 'q'], label: 'close', help: 'Close the help', contexts: ['help'] },

  // everywhere that is not typing
  { command: 'help', keys: ['?'], label: 'help', help: 'Show every key', contexts: [...BROWSE, 'timeline'] },
  { command: 'quit', keys: ['q'], label: 'quit', help: 'Quit; an open incident stays resumable (a drill ends and is scored); while a step runs, press it twice', contexts: BROWSE },
  { command: 'interrupt', keys: ['ctrl+c'], help: 'Abort the running step; a second Ctrl+C quits (an open incident stays resumable)', contexts: ['global'] },
];

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

/** The command bound to a key in the given contexts (searched in order, then 'global'). */
export function resolve(contexts: KeyContext[], name: string): Command | undefined {
  for (const ctx of [...contexts, 'global' as const]) {
    for (const b of BINDINGS) if (b.contexts.includes(ctx) && b.keys.includes(name)) return b.command;
  }
  return undefined;
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
  const b = BINDINGS.find((x) => x.command === command && x.contexts.includes(ctx));
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
    { title: 'Runner', contexts: ['runner', 'gate', 'failure', 'paused'] },
    { title: 'Confirmations and questions', contexts: ['confirm', 'confirm-typed', 'choice', 'text-answer', 'manual'] },
    { title: 'Start, forms and pickers', contexts: ['start', 'form', 'picker', 'drills', 'score'] },
    { title: 'Notes, milestones, timeline, help', contexts: ['note', 'skip', 'milestone', 'timeline', 'help'] },
    { title: 'Everywhere', contexts: ['global'] },
  ];
  const used = new Set<Binding>();
  return groups.map((g) => ({
    title: g.title,
    rows: BINDINGS.filter((b) => {
      if (used.has(b) || !b.contexts.some((c) => g.contexts.includes(c))) return false;
      used.add(b);
      return true;
    }).map((b) => ({ keys: b.keys.map(displayKey).join(' '), help: b.help })),
  }));
}
