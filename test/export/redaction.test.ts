// Canary secrets planted through a real run of the engine must not reach any export: the
// journal holds placeholders, and export reads nothing but the journal.
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXPORT_FORMATS, exportIncident } from '../../src/export/index.js';
import { journalPath } from '../../src/journal/paths.js';
import { tempDir } from '../helpers/cli.js';
import { NODE, runRunbook, T0 } from './fixtures.js';

const CANARY = 'CANARY-s3cr3t-7f1c9b2e';

const RUNBOOK = `
id: canary
title: Canary
version: 1.0.0
summary: plants a secret everywhere it can go
inputs:
  token: { type: string, secret: true }
steps:
  - id: echo
    title: Echo the token
    kind: shell
    with:
      argv: [${JSON.stringify(NODE)}, "-e", "console.log('token=' + process.argv[1]); console.error('stderr says ' + process.argv[1])", "\${{ inputs.token }}"]
      effect: read
    capture: { said: "\${{ result.stdout }}" }
  - id: boom
    title: Run the token as a program
    kind: shell
    with: { argv: ["\${{ inputs.token }}"], effect: read }
`;

describe('export redaction', () => {
  it('no format contains a secret from an input, output, a note or an error message', async () => {
    const { root, id, result, seen } = await runRunbook(RUNBOOK, {
      inputs: { token: CANARY },
      during: async (inc) => {
        await inc.engine.note(`pasted ${CANARY} by mistake`);
        await inc.engine.milestone('mitigated');
      },
    });
    expect(result).toMatchObject({ outcome: 'failed', failedStep: 'boom' });
    // The secret really went through every path: output lines, the error, the note.
    const placeholders = seen.filter((e) => JSON.stringify(e.payload).includes('[redacted:token]')).map((e) => e.type);
    expect(placeholders).toEqual(expect.arrayContaining(['runbook.attached', 'step.started', 'step.output', 'step.finished', 'run.finished', 'note.added']));
    for (const format of EXPORT_FORMATS) {
      const text = String(await exportIncident(root, id, format));
      for (const form of [CANARY, JSON.stringify(CANARY).slice(1, -1), 's3cr3t-7f1c9b2e', Buffer.from(CANARY).toString('base64')]) {
        expect(text.includes(form), `${format} export contains ${form}`).toBe(false);
      }
      expect(text, `${format} export shows where the secret was`).toContain('redacted:token');
    }
    const md = await exportIncident(root, id, 'md');
    expect(md).toContain('token=\\[redacted:token\\]'); // the output excerpt, escaped
    expect(md).toContain('command not found: \\[redacted:token\\]');
    expect(md).toContain('pasted \\[redacted:token\\] by mistake');
  });

  it('reads nothing but the journal: a lone copy of journal.jsonl exports the same', async () => {
    const { root, id } = await runRunbook(RUNBOOK, { inputs: { token: CANARY } });
    const now = new Date(T0);
    const before = await Promise.all(EXPORT_FORMATS.map((f) => exportIncident(root, id, f, { now })));
    const copy = tempDir();
    mkdirSync(dirname(journalPath(copy, id)), { recursive: true });
    cpSync(journalPath(root, id), journalPath(copy, id));
    rmSync(root, { recursive: true, force: true });
    const after = await Promise.all(EXPORT_FORMATS.map((f) => exportIncident(copy, id, f, { now })));
    expect(after).toEqual(before);
  });
});
