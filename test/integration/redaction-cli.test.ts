// Redaction as people meet it: the built binary's --json stdout, its stderr, the journal on disk
// and every export format. A canary in an output longer than the journal keeps (its streamed line
// and its result are cut) leaves no piece of itself anywhere; a pin that is also a word of the
// runbook or a status leaves the incident resumable.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { events, oncall, tempDir } from '../helpers/cli.js';

const NODE = process.execPath;

function writeRunbook(yaml: string): string {
  const file = join(tempDir(), 'rb.yaml');
  writeFileSync(file, yaml);
  return file;
}

/** Pieces of `secret` (5 characters or more: 4 could be a date's "-12-") found in `text`. */
function pieces(text: string, secret: string): string[] {
  const found = new Set<string>();
  for (let i = 0; i < secret.length; i++) for (let j = i + 5; j <= secret.length; j++) if (text.includes(secret.slice(i, j))) found.add(secret.slice(i, j));
  return [...found];
}

async function everything(stateDir: string, id: string, run: { stdout: string; stderr: string }): Promise<Record<string, string>> {
  const out: Record<string, string> = { stdout: run.stdout, stderr: run.stderr, journal: readFileSync(join(stateDir, 'incidents', id, 'journal.jsonl'), 'utf8') };
  for (const format of ['md', 'html', 'json', 'csv']) {
    const res = await oncall(['export', id, '--format', format], { stateDir });
    expect(res.code, res.stderr).toBe(0);
    out[`export.${format}`] = res.stdout;
  }
  return out;
}

describe('oncall run: a secret at the cut of a long output', () => {
  // Built by the step from the secret input, so the runbook (journaled as is) holds no secret. The
  // canary sits across the result's cut (16,384 characters of JSON) in one line, and across the
  // streamed line's cuts in another.
  const SCRIPT =
    "const c = process.argv[1]; const line = (n, at) => { const a = Array(n).fill('.'); for (const i of at) a.splice(i, c.length, ...c); return a.join(''); }; " +
    "console.log(line(16400, [16384 - 25 - 5])); console.log(line(30000, [12288 - 8, 30000 - 4096 - 4]))";
  const RUNBOOK = writeRunbook(`
id: long-output
title: Long output
version: 1.0.0
summary: prints long lines with a secret in them
inputs:
  token: { type: string, secret: true }
steps:
  - id: print
    title: Print
    kind: shell
    with:
      argv: [${JSON.stringify(NODE)}, -e, ${JSON.stringify(SCRIPT)}, "\${{ inputs.token }}"]
      effect: read
`);

  it.each(['CANARY-XYZ-12-7f3e9a', 'CANARY-ab12cd34ef56gh78'])('%s: no piece of it in --json stdout, stderr, the journal or any export', async (canary) => {
    const stateDir = tempDir();
    const res = await oncall(['run', RUNBOOK, '--input', `token=${canary}`, '--json'], { stateDir });
    expect(res.code, res.stderr.slice(0, 500)).toBe(0);
    const id = events(res.stdout)[0]!.incident;
    const finished = events(res.stdout).find((e) => e.type === 'step.finished')!;
    expect(finished.payload.result.truncated).toBe(true);
    for (const [where, text] of Object.entries(await everything(stateDir, id, res))) expect(pieces(text, canary), where).toEqual([]);
  });
});

describe('oncall run and resume: a pin that is also a word of the journal', () => {
  const RUNBOOK = writeRunbook(`
id: pin-check
title: Pin check
version: 1.0.0
summary: hello, step, echo, ok, true and 1 are words of this runbook
inputs:
  pin: { type: string, secret: true }
steps:
  - id: hello
    title: Say hello
    kind: shell
    with: { argv: [${JSON.stringify(NODE)}, -e, "console.log('hello step ok true 1')"], effect: read }
  - id: step
    title: A step for a human
    kind: manual
    with: { instruction: "say hello; echo ok" }
  - id: echo
    title: Echo the pin
    kind: shell
    with: { argv: [${JSON.stringify(NODE)}, -e, "console.log(process.argv[1])", "\${{ inputs.pin }}"], effect: read }
`);

  it.each(['true', 'hello', 'step', 'ok', '1'])('pin=%s: the run stops for a human, resume finishes it', async (pin) => {
    const stateDir = tempDir();
    const first = await oncall(['run', RUNBOOK, '--input', `pin=${pin}`, '--json'], { stateDir });
    expect(first.code, first.stderr).toBe(4);
    expect(first.stderr).toContain("warning: secret input 'pin'");
    const [id] = readdirSync(join(stateDir, 'incidents'));
    const again = await oncall(['resume', id!, '--input', `pin=${pin}`, '--answer', 'step=done', '--json'], { stateDir });
    expect(again.code, again.stderr).toBe(0);
    const finished = events(again.stdout).filter((e) => e.type === 'step.finished');
    expect(finished.map((e) => `${e.payload.step}:${e.payload.status}`)).toEqual(['step:ok', 'echo:ok']);
    const echoed = events(again.stdout).find((e) => e.type === 'step.output' && e.payload.step === 'echo')!;
    expect(echoed.payload.text).toBe('[redacted:pin]');
    const verify = await oncall(['verify', id!], { stateDir });
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
  });
});
