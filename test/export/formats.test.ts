import { Lexer, marked, type Tokens } from 'marked';
import { beforeAll, describe, expect, it } from 'vitest';
import { csvCell } from '../../src/export/csv.js';
import { buildTimeline, exportIncident, renderTimeline, streamTimeline, type Timeline } from '../../src/export/index.js';
import { mdCell, mdCode, mdFence } from '../../src/export/markdown.js';
import { timelineSchema } from '../../src/export/schema.js';
import { richEntries, T0, writeJournal } from './fixtures.js';

/** RFC 4180, strictly: CRLF records, quoted fields with doubled quotes. Throws on anything else. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let i = 0;
  for (;;) {
    let field = '';
    if (text[i] === '"') {
      i++;
      for (;;) {
        const q = text.indexOf('"', i);
        if (q < 0) throw new Error('unterminated quote');
        field += text.slice(i, q);
        if (text[q + 1] === '"') {
          field += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
    } else {
      const m = /[,\r\n"]/.exec(text.slice(i));
      const end = m ? i + m.index : text.length;
      field = text.slice(i, end);
      if (text[end] === '"' || text[end] === '\n') throw new Error(`bare ${JSON.stringify(text[end])} at ${end}`);
      i = end;
    }
    row.push(field);
    if (text[i] === ',') {
      i++;
      continue;
    }
    if (text.startsWith('\r\n', i)) {
      rows.push(row);
      row = [];
      i += 2;
      if (i === text.length) return rows;
      continue;
    }
    throw new Error(`unexpected ${JSON.stringify(text[i])} at ${i}`);
  }
}

let live: { root: string; id: string };
let drill: { root: string; id: string };
let tl: Timeline;

beforeAll(async () => {
  live = await writeJournal(richEntries());
  drill = await writeJournal(
    [
      [0, 'incident.opened', { title: 'Practice 504s', severity: 'SEV2', mode: 'drill', read_only: false, operator: 'drill-auto', host: 'h', oncall_version: '0', drill: { scenario: 'local-504', title: 'Practice 504s', page: { from: 'PagerDuty', severity: 'SEV2', text: '[FIRING] 504s' } } }],
      [10, 'step.started', { step: 'probe', attempt: 1, kind: 'http', effect: 'read', intent: { summary: 'GET /health', params: {} }, write_ahead: false }],
      [20, 'step.finished', { step: 'probe', attempt: 1, status: 'ok', duration_ms: 10, summary: 'HTTP 504' }],
      [30, 'run.finished', { outcome: 'completed', summary: 'done' }],
    ],
    { id: 'inc-20260302-031200-drll' },
  );
  tl = await buildTimeline(live.root, live.id, { now: new Date(T0) });
});

describe('Markdown', () => {
  it('is a blameless post-mortem draft with every section', () => {
    const md = renderTimeline(tl, 'md');
    const headings = Lexer.lex(md)
      .filter((t): t is Tokens.Heading => t.type === 'heading' && t.depth === 2)
      .map((t) => t.text);
    expect(headings).toEqual(['Summary', 'Impact', 'Root cause', 'Trigger', 'Detection', 'Resolution', 'Timeline', 'Actions taken', 'Decisions', 'Confirmations', 'Notes', 'Errors', 'What went well', 'What was hard', 'Where we got lucky', 'Follow-ups']);
    expect(md).toMatch(/^# Post-mortem: /);
    expect(md).toContain('| **AWS identity** | account=123456789012, arn=arn:aws:iam::123456789012:user/alice, region=eu-west-1 |');
    expect(md).toContain('| **Kubernetes context** | context=prod-eu |');
    expect(md).toContain('| **Time to mitigate** | 9.4 s |');
    // Suggested follow-ups come from the journal.
    expect(md).toMatch(/- \[ \] Review why the change at `cleanup` was declined/);
    expect(md).toMatch(/- \[ \] Find out why `verify` failed/);
  });

  it('renders on GitHub as intended: tables keep their columns, journal text never becomes HTML', () => {
    const md = renderTimeline(tl, 'md');
    const tokens = Lexer.lex(md, { gfm: true });
    const tables = tokens.filter((t): t is Tokens.Table => t.type === 'table');
    expect(tables.length).toBeGreaterThanOrEqual(5);
    for (const t of tables) for (const r of t.rows) expect(r).toHaveLength(t.header.length);
    const timeline = tables.find((t) => t.header.map((h) => h.text).join() === 'Time (UTC),T+,Event,Took,Detail,By')!;
    // Every milestone was marked: no inferred rows. Three step runs read as one row each (#22):
    // probe's two attempts and diagnose; restart was interrupted, so its start row stays.
    expect(timeline.rows).toHaveLength(tl.events.length - 3);
    const note = timeline.rows.find((r) => r[2]!.text === '✎ bob')!; // an event reads as its progress line did (text.ts)
    // GFM takes the escaped pipe back as a literal one inside the cell.
    expect(note[4]!.text).toBe('=HYPERLINK("http://evil") ⏎ second | line \\<b\\>bold\\</b\\>');
    const html = marked.parse(md, { gfm: true, async: false });
    expect(html).not.toMatch(/<script|<b>bold/);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    // No raw HTML anywhere in the Markdown itself (outside code).
    const prose = md.replace(/^(`{3,})[^\n]*\n[\s\S]*?^\1$/gm, '').replace(/(`+)[^`]*?\1/g, '');
    expect(prose).not.toMatch(/(?<!\\)<[a-z/!]/i);
    // Multi-line text in a list item keeps its lines, inside the item.
    expect(html).toMatch(/<li><strong>Error:<\/strong> HTTP 504 \| (&quot;|")gateway(&quot;|")<br>second line<\/li>/);
    // A fence longer than any backtick run in the output keeps the excerpt one block.
    expect(md).toContain('`````text\nline 0');
  });

  it('escapes cells, code spans and fences against any content', () => {
    expect(mdCell('a|b\nc\r\nd')).toBe('a\\|b ⏎ c ⏎ d');
    expect(mdCell('<img src=x onerror=alert(1)>')).toBe('\\<img src=x onerror=alert(1)\\>');
    expect(mdCode('a ` b', true)).toBe('``a ` b``');
    expect(mdCode('x|y', true)).toBe('`x\\|y`');
    expect(mdFence(['```', 'x'])).toBe('````text\n```\nx\n````');
  });

  it('says DRILL in the title and a banner', async () => {
    const md = await exportIncident(drill.root, drill.id, 'md');
    expect(md).toMatch(/^# \[DRILL\] Post-mortem: Practice 504s/);
    expect(md).toMatch(/^> \*\*DRILL\*\* — this was a practice drill \(scenario `local-504`\)/m);
    expect(md).toContain('| **Mode** | **DRILL**');
    expect(md).toContain('## Drill score');
  });
});

describe('CSV', () => {
  it('is RFC 4180 with one row per event', () => {
    const csv = renderTimeline(tl, 'csv');
    expect(csv.endsWith('\r\n')).toBe(true);
    expect(csv.replace(/"[^"]*(?:""[^"]*)*"/g, '')).not.toMatch(/[^\r]\n/); // bare LFs only inside quotes
    const rows = parseCsv(csv);
    expect(rows[0]).toEqual(['occurred_at', 'elapsed_s', 'mode', 'incident', 'seq', 'kind', 'step', 'status', 'title', 'body', 'actor', 'source', 'idempotency_key']);
    expect(rows).toHaveLength(tl.events.length + 1);
    for (const r of rows) expect(r).toHaveLength(13);
    const note = rows.find((r) => r[5] === 'note.added')!;
    expect(note[9]).toBe(`'=HYPERLINK("http://evil")\nsecond | line <b>bold</b>`);
    const failed = rows.find((r) => r[5] === 'step.finished' && r[7] === 'failed')!;
    expect(failed[9]).toBe('HTTP 504 | "gateway"\nsecond line');
    expect(rows[1]!.slice(0, 5)).toEqual([new Date(T0).toISOString(), '0.000', 'LIVE', live.id, '0']);
    expect(rows.at(-1)![12]).toBe(`oncall:${live.id}:${rows.at(-1)![4]}`);
  });

  it('defuses spreadsheet formulas and quotes what needs it', () => {
    expect(['=1+1', '+1', '-1', '@SUM(A1)', '\tx', '\rx'].map(csvCell)).toEqual(["'=1+1", "'+1", "'-1", "'@SUM(A1)", "'\tx", `"'\rx"`]);
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell(null)).toBe('');
  });

  it('has a DRILL mode column', async () => {
    const rows = parseCsv(await exportIncident(drill.root, drill.id, 'csv'));
    expect(rows.slice(1).every((r) => r[2] === 'DRILL')).toBe(true);
  });
});

describe('JSON', () => {
  it('is the Timeline, valid against its schema, with a version and a mode', async () => {
    const json = JSON.parse(renderTimeline(tl, 'json'));
    expect(timelineSchema.safeParse(json).success).toBe(true);
    expect(json).toMatchObject({ schema: 'oncall.timeline', version: 1, mode: 'live' });
    expect(json.events[0]).toEqual({
      seq: 0,
      occurred_at: new Date(T0).toISOString(),
      elapsed_ms: 0,
      kind: 'incident.opened',
      title: `incident ${live.id} opened: Checkout | 504s <script>alert(1)</script> [SEV1]`,
      body: '',
      actor: 'alice',
      source: 'oncall',
      step: null,
      status: 'live',
      idempotency_key: `oncall:${live.id}:0`,
    });
    const d = JSON.parse(await exportIncident(drill.root, drill.id, 'json'));
    expect(d).toMatchObject({ mode: 'drill', incident: { mode: 'drill', drill: { scenario: 'local-504' } } });
  });
});

describe('HTML', () => {
  it('is self-contained: no scripts, no external references, a CSP that forbids both', () => {
    const html = renderTimeline(tl, 'html');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?\/\//i);
    expect(html).not.toMatch(/<(?:link|img|iframe|object|embed)\b/i);
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"`);
    expect(html).toContain('@media print');
    expect(html).toContain('Checkout | 504s &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toMatch(/<svg id="timeline-chart"/);
    expect(html).toMatch(/class="bar status-failed"/);
  });

  it('says DRILL in the title, a banner and the mode badge', async () => {
    const html = await exportIncident(drill.root, drill.id, 'html');
    expect(html).toContain('<title>[DRILL] Post-mortem timeline: Practice 504s</title>');
    expect(html).toMatch(/<div class="banner drill" id="drill-banner"[^>]*>DRILL — /);
    expect(html).toContain('<span class="badge drill" id="mode">DRILL</span>');
    expect(renderTimeline(tl, 'html')).not.toContain('drill-banner');
  });
});

describe('streaming', () => {
  it('writes the same bytes in chunks as in one piece (JSON exactly as JSON.stringify would)', () => {
    expect(renderTimeline(tl, 'json')).toBe(`${JSON.stringify(tl, null, 2)}\n`);
    for (const format of ['md', 'html', 'json', 'csv'] as const) {
      const chunks: string[] = [];
      streamTimeline(tl, format, (c) => chunks.push(c));
      expect(chunks.join('')).toBe(renderTimeline(tl, format));
    }
  });
});
