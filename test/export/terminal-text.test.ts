// Escape sequences in the journal's text (#17): the formats people read show them, never carry
// them, and still escape for their own syntax what is left; JSON keeps the exact text.
import { describe, expect, it } from 'vitest';
import { exportIncident } from '../../src/export/index.js';
import { writeJournal } from './fixtures.js';

const TITLE = 'Checkout\u001b]0;pwned\u0007 504s';
// A lone ESC before markup, a hyperlink hiding its target, and a formula behind a colour.
const NOTE = 'see \u001b]8;;https://evil.example/\u001b\\the dashboard\u001b]8;;\u001b\\ <b>now</b>\u001b';
const ERROR = '\u001b[31m=HYPERLINK("http://evil")\u001b[0m\r\u001b[2Kall fine';
const OUTPUT = '\u001b[2J\u001b[Hcleared 10%\r20%';

async function incident() {
  return writeJournal([
    [0, 'incident.opened', { title: TITLE, severity: 'SEV2', mode: 'live', read_only: false, operator: 'alice', host: 'h', oncall_version: '0' }],
    [10, 'step.started', { step: 'probe', attempt: 1, kind: 'shell', effect: 'read', intent: { summary: 'run probe', params: {} }, write_ahead: false }],
    [20, 'step.output', { step: 'probe', attempt: 1, stream: 'stdout', text: OUTPUT }],
    [30, 'step.finished', { step: 'probe', attempt: 1, status: 'failed', duration_ms: 20, error: ERROR }],
    [40, 'note.added', { text: NOTE, by: 'bob' }],
  ]);
}

// eslint-disable-next-line no-control-regex
const RAW = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]|\r(?!\n)/;

describe('exports of text carrying escape sequences', () => {
  it('Markdown, HTML and CSV show the words and no sequence', async () => {
    const { root, id } = await incident();
    for (const format of ['md', 'html', 'csv'] as const) {
      const text = await exportIncident(root, id, format);
      expect(RAW.test(text), format).toBe(false);
      expect(text, format).not.toContain('evil.example');
      expect(text, format).toContain('the dashboard');
      // The CSV has a row per event, not per output line.
      if (format !== 'csv') expect(text, format).toContain('cleared 10%␍20%');
      expect(text, format).toContain('all fine');
    }
  });

  it('HTML stays escaped: a sequence removed never takes markup with it', async () => {
    const { root, id } = await incident();
    const html = await exportIncident(root, id, 'html');
    expect(html).toContain('&lt;b&gt;now&lt;/b&gt;␛');
    expect(html).not.toContain('<b>now');
    // Every cell and block that held text is closed as oncall wrote it.
    expect(html.match(/<td/g)?.length).toBe(html.match(/<\/td>/g)?.length);
  });

  it('Markdown escapes what is left, and no hyperlink survives', async () => {
    const { root, id } = await incident();
    const md = await exportIncident(root, id, 'md');
    expect(md).toContain('# Post-mortem: Checkout 504s');
    expect(md).toContain('\\<b\\>now\\</b\\>␛');
    expect(md).not.toMatch(/\]8;;/);
  });

  it('CSV defuses a formula that an escape sequence hid', async () => {
    const { root, id } = await incident();
    const csv = await exportIncident(root, id, 'csv');
    expect(csv).toContain(`'=HYPERLINK(""http://evil"")␍all fine`);
    expect(csv).not.toMatch(/(^|,)"?=HYPERLINK/m);
  });

  it('JSON keeps the exact text, escaped by JSON', async () => {
    const { root, id } = await incident();
    const json = await exportIncident(root, id, 'json');
    expect(RAW.test(json)).toBe(false);
    const tl = JSON.parse(json);
    expect(tl.incident.title).toBe(TITLE);
    expect(tl.notes[0].text).toBe(NOTE);
    expect(tl.steps[0].error).toBe(ERROR);
    expect(tl.steps[0].output.excerpt).toEqual([OUTPUT]);
  });
});
