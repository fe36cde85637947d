// How the journal's events read as text, in one place. Headless progress and the TUI's timeline
// print an event's line (progressLine, lines.ts); the export lists it with a title and a body
// (timeline.ts); the Markdown and HTML renderers repeat the same phrases about the same events
// (a confirmation, an answer, a write left in doubt, a drill's result, where a milestone came
// from). An event's title is the headline of its progress line, mark included, so an export
// reads the way the terminal did during the incident.
import type { AnyEvent, Milestone } from '../journal/events.js';
import { formatDuration } from './format.js';

/** The sign each kind of event leads with, in progress lines, the TUI's timeline and export titles. */
export const MARK = {
  started: '▶',
  output: '│',
  ok: '✓',
  /** It ran, and what it found is bad (a probe with no answer). */
  problem: '!',
  failed: '✗',
  skipped: '↷',
  inDoubt: '?',
  approved: '✔',
  declined: '✘',
  decision: '◆',
  note: '✎',
  milestone: '★',
  rollback: '↺',
  completed: '■',
  drill: '◎',
} as const;

export interface EventText {
  /** What happened, in one line: an exported event's title. */
  title: string;
  /** The detail an exported event adds (may span lines; may be empty). */
  body: string;
  /** The progress line, or undefined for an event not worth one (identity, unknown record types). */
  line: string | undefined;
}

// ---------------------------------------------------------------------------------------------
// Phrases, shared by the events below and by the renderers

export function attemptNote(attempt: number): string {
  return attempt > 1 ? ` (attempt ${attempt})` : '';
}

/** What a write left in doubt means, wherever it is said. */
export const IN_DOUBT = 'the change may or may not have happened';

/** How an in-doubt write was settled. */
export function settled(how: 'verified' | 'human'): string {
  return how === 'verified' ? 'a read verified the change had happened' : 'a person said the change had happened';
}

/** A confirmation's verdict, e.g. `approved by alice (resource typed)`. */
export function confirmation(c: { approved: boolean; by: string; typed?: boolean | null }): string {
  return `${c.approved ? 'approved' : 'declined'} by ${c.by}${resourceTyped(c.typed)}`;
}

/** ` (resource typed)` for a confirmation given by typing the resource id. */
export function resourceTyped(typed: boolean | null | undefined): string {
  return typed ? ' (resource typed)' : '';
}

/** The answer to a decision: its value, and the text given with it. */
export function answer(d: { value: string; text?: string | null }): string {
  return d.text ? `${d.value}: ${d.text}` : d.value;
}

export function drillVerdict(passed: boolean): 'PASSED' | 'NOT PASSED' {
  return passed ? 'PASSED' : 'NOT PASSED';
}

/** `mitigated after 5m 00s`, `not mitigated`, or `nothing to mitigate` (a scenario with no healthy world to reach). */
export function mitigation(timeToMitigateS: number | null | undefined, expected = true): string {
  if (timeToMitigateS !== undefined && timeToMitigateS !== null) return `mitigated after ${formatDuration(timeToMitigateS * 1000)}`;
  return expected ? 'not mitigated' : 'nothing to mitigate';
}

/** Where a milestone's time comes from: a person's mark, or what the journal implies. */
export function milestoneSource(m: { source: 'marked' | 'opened' | 'drill-score' | 'run-finished'; by: string | null }): string {
  switch (m.source) {
    case 'marked':
      return `marked by ${m.by ?? 'someone'}`;
    case 'opened':
      return 'inferred: the incident was opened';
    case 'drill-score':
      return "inferred: the drill's time to mitigate";
    case 'run-finished':
      return 'inferred: the runbook completed';
  }
}

/** `★ mitigated (bob)` for a mark, `★ mitigated (inferred)` for a milestone the journal implies. */
export function milestoneTitle(milestone: Milestone, by: string | null, inferred = false): string {
  return `${MARK.milestone} ${milestone} (${inferred ? 'inferred' : (by ?? 'someone')})`;
}

/** `✎ bob: the note`. */
export function noteLine(by: string, text: string): string {
  return `${MARK.note} ${by}: ${text}`;
}

/** `◆ diagnose: carol answered raise-timeout`. */
export function decisionLine(step: string, by: string, value: string): string {
  return `${MARK.decision} ${step}: ${by} answered ${value}`;
}

function tornBytes(bytes: number): string {
  return `dropped ${bytes} bytes of a record torn by a crash`;
}

/** `AWS account=…, region=…; kube context=…` */
export function describeIdentity(id: { aws: Record<string, unknown> | null; kube: Record<string, unknown> | null }): string {
  const flat = (r: Record<string, unknown> | null) =>
    r
      ? Object.entries(r)
          .filter(([, v]) => v !== undefined && v !== null && v !== '')
          .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
          .join(', ')
      : '';
  return [id.aws ? `AWS ${flat(id.aws)}` : '', id.kube ? `kube ${flat(id.kube)}` : ''].filter(Boolean).join('; ');
}

const lines = (...parts: (string | false | null | undefined)[]): string => parts.filter(Boolean).join('\n');

// ---------------------------------------------------------------------------------------------
// Events

/**
 * How an event reads. Journals are read as they were written, by whichever oncall wrote them:
 * optional payload fields are treated as optional, and a record type this version does not know
 * is titled with its type.
 */
export function eventText(ev: AnyEvent): EventText {
  switch (ev.type) {
    case 'incident.opened': {
      const p = ev.payload;
      const title = `incident ${ev.incident} opened: ${p.title} [${p.severity}]${p.mode === 'drill' ? ' DRILL' : ''}${p.read_only ? ' READ-ONLY' : ''}`;
      return { title, body: p.drill ? `Page from ${p.drill.page.from} (${p.drill.page.severity}): ${p.drill.page.text}` : '', line: title };
    }
    case 'incident.resumed': {
      const p = ev.payload;
      const title = `incident ${ev.incident} resumed by ${p.operator}`;
      return { title, body: p.repaired_bytes ? `the journal ${tornBytes(p.repaired_bytes)}` : '', line: title };
    }
    case 'runbook.attached': {
      const p = ev.payload;
      const title = `runbook ${p.id} ${p.version}`;
      const inputs = Object.entries(p.inputs ?? {}).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
      return { title, body: inputs.length ? `inputs: ${inputs.join(', ')}` : '', line: title };
    }
    case 'identity.resolved': {
      const p = ev.payload;
      return { title: 'identity resolved', body: describeIdentity({ aws: p.aws ?? null, kube: p.kube ?? null }), line: undefined };
    }
    case 'step.started': {
      const p = ev.payload;
      const title = `${MARK.started} ${p.step}${attemptNote(p.attempt)}`;
      const summary = String(p.intent?.summary ?? '');
      // What a person must read (a manual step's instruction, a checklist) is printed whole.
      const detail = p.intent?.detail ? `\n${p.intent.detail.trimEnd().replace(/^/gm, '    ')}` : '';
      return { title, body: p.intent?.detail ?? summary, line: `${title}: ${summary}${detail}` };
    }
    case 'step.output': {
      const p = ev.payload;
      return { title: `${MARK.output} ${p.step}`, body: String(p.text), line: `  ${MARK.output} ${p.text}` };
    }
    case 'step.finished': {
      const p = ev.payload;
      const mark = p.status !== 'ok' ? MARK.failed : p.problem ? MARK.problem : MARK.ok;
      const took = typeof p.duration_ms === 'number' ? ` (${formatDuration(p.duration_ms)})` : '';
      const after = `${took}${p.retry_in_ms !== undefined ? `; retrying in ${formatDuration(p.retry_in_ms)}` : ''}${p.in_doubt ? ' — IN DOUBT' : ''}`;
      // The line says the result (or the error) in place of the status; the body says it in full.
      const what = p.status === 'ok' ? (p.summary ?? 'ok') : `${p.status}: ${p.error ?? ''}`;
      return {
        title: `${mark} ${p.step} ${p.status}${after}`,
        body: lines(p.summary, p.error, p.in_doubt && `in doubt: ${IN_DOUBT}`, p.reconciled && `settled after an interruption: ${settled(p.reconciled)}`),
        line: `${mark} ${p.step} ${what}${after}`,
      };
    }
    case 'step.skipped': {
      const p = ev.payload;
      const title = `${MARK.skipped} ${p.step} skipped${p.after_failure ? ' after failing' : ''}`;
      return { title, body: p.reason, line: `${title}: ${p.reason}` };
    }
    case 'step.in_doubt': {
      const p = ev.payload;
      const title = `${MARK.inDoubt} ${p.step} was interrupted mid-change`;
      const next = p.resolution === 'verify' ? 'checking with its verify read' : 'asking whether it happened';
      return { title, body: `${IN_DOUBT}; ${next}`, line: `${title}; ${next}` };
    }
    case 'confirm.given': {
      const p = ev.payload;
      const title = `${p.approved ? MARK.approved : MARK.declined} ${p.step} ${confirmation(p)}`;
      return { title, body: p.reason ?? '', line: title };
    }
    case 'decision.made': {
      const p = ev.payload;
      const title = decisionLine(p.step, p.by, p.value);
      return { title, body: `${p.question}\n→ ${answer(p)}`, line: title };
    }
    case 'note.added': {
      const p = ev.payload;
      return { title: `${MARK.note} ${p.by}`, body: p.text, line: noteLine(p.by, p.text) };
    }
    case 'milestone.marked': {
      const p = ev.payload;
      const title = milestoneTitle(p.milestone, p.by);
      return { title, body: `marked by ${p.by}`, line: title };
    }
    case 'rollback.started': {
      const p = ev.payload;
      const title = `${MARK.rollback} rolling back`;
      const steps = p.steps.join(', ');
      return { title, body: `${steps} (after ${p.failed_step} failed)`, line: `${title}: ${steps}` };
    }
    case 'run.finished': {
      const p = ev.payload;
      const mark = p.outcome === 'completed' ? MARK.completed : MARK.failed;
      return { title: `${mark} runbook ${p.outcome}`, body: p.summary ?? '', line: `${mark} ${p.summary}` };
    }
    case 'journal.repaired': {
      const body = tornBytes(ev.payload.dropped_bytes);
      return { title: 'journal repaired', body, line: `journal: ${body}` };
    }
    case 'drill.scored': {
      const p = ev.payload;
      const title = `${MARK.drill} drill ${drillVerdict(p.passed)}`;
      const ttm = mitigation(p.time_to_mitigate_s, p.expects_mitigation);
      const turns = `${(p.wrong_turns ?? []).length} wrong turns, ${(p.steps_skipped ?? []).length} skipped, ${(p.confirmations_declined ?? []).length} declined`;
      const target = p.time_to_mitigate_s !== undefined && p.time_to_mitigate_s !== null ? ` (target ${p.target_minutes} min)` : '';
      return {
        title,
        body: `outcome ${p.outcome} (expected ${p.expected_outcome}); ${ttm}${target}; ${turns}`,
        line: `${title}: ${p.outcome}, ${ttm}, ${turns}`,
      };
    }
    case 'incident.reopened': {
      const p = ev.payload;
      const title = `↻ incident reopened by ${p.by}${p.step ? ` at ${p.step}` : ''}`;
      return { title, body: `it had ${p.outcome}: ${p.reason}`, line: `${title} (it had ${p.outcome}): ${p.reason}` };
    }
    case 'step.spawned':
      return { title: `${ev.payload.step}: process ${ev.payload.pid}`, body: `process group ${ev.payload.pgid} on ${ev.payload.host}`, line: undefined };
    case 'journal.closed':
      // Bookkeeping of the hash chain: the head it was closed on.
      return { title: 'journal closed', body: `head ${ev.payload.head.slice(0, 12)}…`, line: undefined };
    default: {
      // Every record read back was checked against the vocabulary: nothing else reaches here.
      const never: never = ev;
      return never;
    }
  }
}
