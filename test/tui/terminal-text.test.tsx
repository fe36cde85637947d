// The terminal is not an attack surface (#17): what a step prints and what an input holds may
// carry escape sequences (a window title, a hidden hyperlink, a clear screen, cursor moves, a
// bare CR). The TUI draws them as text; Ink keeps OSC sequences and colours it is given, so the
// frames as written must hold none of the foreign ones.
import { journal, KEY, renderTui, runbookDir, runStep, tempDir, toInputs } from './helpers.js';
import { describe, expect, it } from 'vitest';
import { createTuiStore } from '../../src/tui/store.js';
import type { RunbookListing } from '../../src/runbook/listing.js';

const HOSTILE = 'a\u001b]0;pwned\u0007b \u001b]8;;https://evil.example/\u001b\\click\u001b]8;;\u001b\\ \u001b[2Jcleared\u001b[3;1Hmoved 10%\r20%';
/** HOSTILE as a YAML double-quoted scalar (\e is ESC, \a is BEL). */
const YAML_HOSTILE = JSON.stringify(HOSTILE).replace(/\\u001b/g, '\\e').replace(/\\u0007/g, '\\a');

const RUNBOOK = `
id: vt
title: Terminal sequences
version: 1.0.0
summary: Prints escape sequences
inputs:
  note: { type: string, default: ${YAML_HOSTILE} }
steps:
  - id: show
    title: Show
    kind: shell
    with:
      argv: [node, -e, ${JSON.stringify(`process.stdout.write(${JSON.stringify(HOSTILE)} + '\\n'); process.stderr.write(${JSON.stringify(HOSTILE)} + '\\n')`)}]
      effect: read
  - id: change
    title: Change with the note
    kind: shell
    with:
      argv: [node, -e, "console.log(process.argv[1])", "\${{ inputs.note }}"]
      effect: write
    confirm:
      message: "\${{ inputs.note }}"
`;

/** What of the foreign sequences a frame may not hold; Ink's own colours are not among them. */
const FOREIGN = ['\u001b]0;pwned', '\u001b]8;;', '\u001b[2J', '\u001b[3;1H', '\u0007', '\r'];

function expectNoForeign(frames: string[]): void {
  for (const f of frames) for (const seq of FOREIGN) expect(f.includes(seq), `a frame holds ${JSON.stringify(seq)}:\n${JSON.stringify(f)}`).toBe(false);
}

describe('escape sequences in the TUI (#17)', () => {
  it('draws the input, the output, the confirmation and the timeline as text; the journal keeps the bytes', async () => {
    const stateDir = tempDir();
    const t = renderTui({ runbookDirs: [runbookDir({ 'vt.yaml': RUNBOOK }, false)], stateDir, columns: 160, rows: 48 });
    await toInputs(t, 'vt');
    // The input's default, echoed back in the form.
    await t.waitFor('Inputs for vt');
    await t.waitFor('click');
    expectNoForeign(t.rawFrames());
    t.press(KEY.enter);
    await t.until((s) => s.screen.kind === 'runner', { what: 'the runner' });
    const id = t.state().incidentId!;

    await runStep(t, 'Show');
    await t.waitFor('Next: Change with the note');
    t.press(KEY.up);
    let f = await t.waitFor('-- output | 2 lines');
    expect(f).toContain('cleared');
    expect(f).toContain('10%␍20%');
    t.press(KEY.end);

    // The confirmation: the argv and the message both carry the note.
    await runStep(t, 'Change with the note');
    f = await t.waitFor('Confirm change');
    expect(f).toContain('click');
    expectNoForeign(t.rawFrames());
    t.press('y');
    await t.waitFor('Runbook completed');

    t.press('t');
    f = await t.waitFor('Timeline');
    expect(f).toContain('click');
    expectNoForeign(t.rawFrames());
    await t.close();

    const records = await journal(stateDir, id);
    expect(records.filter((r) => r.type === 'step.output').map((r) => r.payload.text)).toEqual([HOSTILE, HOSTILE, HOSTILE]);
    expect(records.find((r) => r.type === 'runbook.attached')!.payload.inputs.note).toBe(HOSTILE);
  });
});

describe("the store's entrances (#17)", () => {
  it('make foreign text visible and keep exact what the flows act on', () => {
    const store = createTuiStore();
    const listing: RunbookListing = {
      id: 'vt',
      title: `T ${HOSTILE}`,
      version: '1.0.0',
      summary: HOSTILE,
      tags: [],
      file: '/runbooks/\u001b]0;x\u0007.yaml',
      inputs: { note: { type: 'enum', description: HOSTILE, default: HOSTILE, values: [HOSTILE, 'b'] } },
    };
    store.getState().setRunbooks({ loading: false, list: [listing], invalid: 0 });
    const shown = store.getState().runbooks.list[0]!;
    expect(shown.title).toBe('T ab click clearedmoved 10%␍20%');
    expect(shown.summary).not.toContain('\u001b');
    expect(shown.inputs.note!.description).not.toContain('\u001b');
    // A file to open, and the default and choices the inputs form is built from, stay exact.
    expect(shown.file).toBe(listing.file);
    expect(shown.inputs.note!.default).toBe(HOSTILE);
    expect(shown.inputs.note!.values).toEqual([HOSTILE, 'b']);

    store.getState().setMessage(`step failed: ${HOSTILE}`, 'error');
    expect(store.getState().message?.text).toBe('step failed: ab click clearedmoved 10%␍20%');

    const check = () => undefined;
    store.getState().setForm({ id: 'inputs', title: 'Inputs', subtitle: HOSTILE, fields: [{ name: 'note', label: 'note', type: 'text', help: HOSTILE }], values: { note: HOSTILE }, focus: 0, problems: {}, check });
    const form = store.getState().form!;
    expect(form.subtitle).not.toContain('\u001b');
    expect(form.fields[0]!.help).not.toContain('\u001b');
    expect(form.values.note).toBe(HOSTILE);
    expect(form.check).toBe(check);
  });
});
