// Events as one line of text each: headless progress on stderr, the TUI's timeline. Plain and line-oriented, fit for logs and CI.
import type { AnyEvent } from '../journal/events.js';

function secs(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** The line to print for an event, or undefined for events that are not worth a line. */
export function progressLine(ev: AnyEvent, opts: { output: boolean } = { output: true }): string | undefined {
  switch (ev.type) {
    case 'incident.opened':
      return `incident ${ev.incident} opened: ${ev.payload.title} [${ev.payload.severity}]${ev.payload.mode === 'drill' ? ' DRILL' : ''}${ev.payload.read_only ? ' READ-ONLY' : ''}`;
    case 'incident.resumed':
      return `incident ${ev.incident} resumed by ${ev.payload.operator}`;
    case 'runbook.attached':
      return `runbook ${ev.payload.id} ${ev.payload.version}`;
    case 'step.started':
      return `▶ ${ev.payload.step}${ev.payload.attempt > 1 ? ` (attempt ${ev.payload.attempt})` : ''}: ${ev.payload.intent.summary}`;
    case 'step.output':
      return opts.output ? `  │ ${ev.payload.text}` : undefined;
    case 'step.finished': {
      const p = ev.payload;
      const mark = p.status === 'ok' ? '✓' : '✗';
      const what = p.status === 'ok' ? (p.summary ?? 'ok') : `${p.status}: ${p.error ?? ''}`;
      const retry = p.retry_in_ms !== undefined ? `; retrying in ${secs(p.retry_in_ms)}` : '';
      return `${mark} ${p.step} ${what} (${secs(p.duration_ms)})${retry}${p.in_doubt ? ' — IN DOUBT' : ''}`;
    }
    case 'step.skipped':
      return `↷ ${ev.payload.step} skipped${ev.payload.after_failure ? ' after failing' : ''}: ${ev.payload.reason}`;
    case 'step.in_doubt':
      return `? ${ev.payload.step} was interrupted mid-change; ${ev.payload.resolution === 'verify' ? 'checking with its verify read' : 'asking whether it happened'}`;
    case 'confirm.given':
      return `${ev.payload.approved ? '✔' : '✘'} ${ev.payload.step} ${ev.payload.approved ? 'approved' : 'declined'} by ${ev.payload.by}${ev.payload.typed ? ' (resource typed)' : ''}`;
    case 'decision.made':
      return `◆ ${ev.payload.step}: ${ev.payload.by} answered ${ev.payload.value}`;
    case 'note.added':
      return `✎ ${ev.payload.by}: ${ev.payload.text}`;
    case 'milestone.marked':
      return `★ ${ev.payload.milestone} (${ev.payload.by})`;
    case 'rollback.started':
      return `↺ rolling back: ${ev.payload.steps.join(', ')}`;
    case 'run.finished':
      return `${ev.payload.outcome === 'completed' ? '■' : '✗'} ${ev.payload.summary}`;
    case 'drill.scored': {
      const p = ev.payload;
      const ttm = p.time_to_mitigate_s === undefined ? (p.expects_mitigation ? 'not mitigated' : 'nothing to mitigate') : `mitigated after ${secs(p.time_to_mitigate_s * 1000)}`;
      return `◎ drill ${p.passed ? 'PASSED' : 'NOT PASSED'}: ${p.outcome}, ${ttm}, ${p.wrong_turns.length} wrong turns, ${p.steps_skipped.length} skipped, ${p.confirmations_declined.length} declined`;
    }
    case 'journal.repaired':
      return `journal: dropped ${ev.payload.dropped_bytes} bytes of a record torn by a crash`;
    default:
      return undefined;
  }
}
