// The terminal is not an attack surface (#17): a step's output and an operator's input that carry
// escape sequences (a window title, a hidden hyperlink, a clear screen, cursor moves, a bare CR)
// reach people as visible text in headless output and the exports, while the journal and the JSON
// forms keep the exact bytes.
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { events, oncall, tempDir } from '../helpers/cli.js';

/** One line of output with every kind of sequence in it. */
export const HOSTILE = 'a\u001b]0;pwned\u0007b \u001b]8;;https://evil.example/\u001b\\click\u001b]8;;\u001b\\ \u001b[2Jcleared\u001b[3;1Hmoved 10%\r20% \u009b2Jc1\u007f';
/** What of HOSTILE a person must still read. */
const WORDS = ['click', 'cleared', 'moved', '10%', '20%', 'c1␡'];

const ESC = '\u001b';
const BEL = '\u0007';
const BARE_CR = /\r(?!\n)/;

/** A JavaScript string literal of plain ASCII (YAML refuses raw C1 controls in a file). */
const jsLiteral = (s: string) => JSON.stringify(s).replace(/[\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/** Prints HOSTILE (from its own code), then the input it is given. */
function runbook(): string {
  const file = join(tempDir(), 'vt.yaml');
  writeFileSync(
    file,
    `id: vt
title: Terminal sequences
version: 1.0.0
summary: Prints escape sequences.
inputs:
  note: {type: string}
steps:
  - id: show
    title: Show
    kind: shell
    with:
      argv: [${JSON.stringify(process.execPath)}, -e, ${JSON.stringify(`process.stdout.write(${jsLiteral(HOSTILE)} + '\\n')`)}]
      effect: read
  - id: echo
    title: Echo the note
    kind: shell
    with:
      argv: [${JSON.stringify(process.execPath)}, -e, "process.stdout.write(process.argv[1] + '\\\\n')", "\${{ inputs.note }}"]
      effect: read
`,
  );
  return file;
}

function expectHarmless(text: string, what: string): void {
  expect(text.includes(ESC), `${what} holds a raw ESC`).toBe(false);
  expect(text.includes(BEL), `${what} holds a raw BEL`).toBe(false);
  expect(text.includes('\u009b'), `${what} holds a raw C1 CSI`).toBe(false);
  expect(text.includes('\u007f'), `${what} holds a raw DEL`).toBe(false);
  expect(BARE_CR.test(text), `${what} holds a bare CR`).toBe(false);
}

describe('foreign text on a terminal (#17)', () => {
  let file: string;
  let stateDir: string;
  let id: string;
  let human: { code: number; stdout: string; stderr: string };
  let json: { code: number; stdout: string; stderr: string };

  beforeAll(async () => {
    file = runbook();
    stateDir = tempDir();
    [human, json] = await Promise.all([
      oncall(['run', file, '--input', `note=${HOSTILE}`], { stateDir }),
      oncall(['run', file, '--input', `note=${HOSTILE}`, '--json'], { stateDir }),
    ]);
    id = events(json.stdout)[0]!.incident;
  });

  it('headless lines show the text and no sequence: stderr and stdout', () => {
    expect(human.code, human.stderr).toBe(0);
    expectHarmless(human.stderr, 'stderr');
    expectHarmless(human.stdout, 'stdout');
    for (const w of WORDS) expect(human.stderr).toContain(w);
    // The output line and the echoed input both, with the CR shown where it was.
    expect(human.stderr.match(/10%␍20%/g)).toHaveLength(3); // the output, the echo's intent (its argv), the echo
  });

  it('--json carries the exact bytes, escaped by JSON', () => {
    expect(json.code, json.stderr).toBe(0);
    expectHarmless(json.stdout, '--json stdout');
    expectHarmless(json.stderr, 'stderr beside --json');
    const out = events(json.stdout).filter((e) => e.type === 'step.output').map((e) => e.payload.text);
    expect(out).toEqual([HOSTILE, HOSTILE]);
    const echo = events(json.stdout).find((e) => e.type === 'step.started' && e.payload.step === 'echo')!;
    expect(echo.payload.intent.argv.at(-1)).toBe(HOSTILE);
  });

  it('the journal keeps the exact output', () => {
    const records = readFileSync(join(stateDir, 'incidents', id, 'journal.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(records.filter((r) => r.type === 'step.output').map((r) => r.payload.text)).toEqual([HOSTILE, HOSTILE]);
    expect(records.find((r) => r.type === 'runbook.attached').payload.inputs.note).toBe(HOSTILE);
  });

  it('the Markdown, HTML and CSV exports show the text and no sequence', async () => {
    for (const format of ['md', 'html', 'csv']) {
      const res = await oncall(['export', id, '--format', format], { stateDir });
      expect(res.code, res.stderr).toBe(0);
      expectHarmless(res.stdout, `the ${format} export`);
      for (const w of WORDS) expect(res.stdout, format).toContain(w);
    }
  });

  it('oncall verify shows a broken line it quotes, never obeys it', async () => {
    const copy = tempDir();
    cpSync(join(stateDir, 'incidents', id), join(copy, 'incidents', id), { recursive: true });
    const file = join(copy, 'incidents', id, 'journal.jsonl');
    const lines = readFileSync(file, 'utf8').split('\n');
    lines[1] = HOSTILE; // JSON.parse quotes what it could not read
    writeFileSync(file, lines.join('\n'));
    const res = await oncall(['verify', id], { stateDir: copy });
    expect(res.code).toBe(1);
    expect(res.stdout).toContain('BROKEN at line 2');
    expectHarmless(res.stdout, 'verify stdout');
    expectHarmless(res.stderr, 'verify stderr');
  });

  it('the JSON export keeps the exact bytes', async () => {
    const res = await oncall(['export', id, '--format', 'json'], { stateDir });
    expect(res.code, res.stderr).toBe(0);
    expectHarmless(res.stdout, 'the json export');
    const tl = JSON.parse(res.stdout);
    expect(tl.steps.flatMap((s: { output: { excerpt: string[] } }) => s.output.excerpt)).toEqual([HOSTILE, HOSTILE]);
  });
});
