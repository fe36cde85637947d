// Events as one line of text each: headless progress on stderr, the TUI's timeline. Plain and
// line-oriented, fit for logs and CI. The wording is text.ts's, the same the export uses.
import type { AnyEvent } from '../journal/events.js';
import { eventText } from './text.js';

/** The line to print for an event, or undefined for events that are not worth a line. */
export function progressLine(ev: AnyEvent, opts: { output: boolean } = { output: true }): string | undefined {
  if (ev.type === 'step.output' && !opts.output) return undefined;
  return eventText(ev).line;
}
