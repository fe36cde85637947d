// JSON: the Timeline itself, documented by timeline.schema.json (emitted from schema.ts). One
// event shape (occurred_at, kind, title, body, actor, source, idempotency_key) so a single mapper
// can push events to an incident platform, re-sending safely.
import { jsonText } from '../core/terminal-text.js';
import type { Timeline } from './schema.js';
import { Lines, type Write } from './sink.js';

/**
 * Byte for byte JSON.stringify(tl, null, 2) + '\n' (with DEL and C1 controls escaped too, see
 * jsonText: the exact text, nothing a terminal acts on), written element by element so the long
 * arrays (events, steps) never exist as one string. JSON.stringify never puts a raw newline
 * inside a string, so re-indenting an element is a plain replace.
 */
export function renderJson(tl: Timeline, write: Write): void {
  const out = new Lines(write, '');
  const entries = Object.entries(tl);
  out.push('{\n');
  entries.forEach(([key, value], i) => {
    const comma = i < entries.length - 1 ? ',' : '';
    if (Array.isArray(value) && value.length > 0) {
      out.push(`  ${jsonText(key)}: [\n`);
      value.forEach((item, j) => out.push(`    ${jsonText(item, 2).replace(/\n/g, '\n    ')}${j < value.length - 1 ? ',' : ''}\n`));
      out.push(`  ]${comma}\n`);
    } else {
      out.push(`  ${jsonText(key)}: ${jsonText(value, 2).replace(/\n/g, '\n  ')}${comma}\n`);
    }
  });
  out.push('}\n');
  out.flush();
}
