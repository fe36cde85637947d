// Redaction through the engine: secret inputs whose values are also words of the journal (a step
// id, a status, a word of the runbook, a digit) leave the incident runnable and resumable, and a
// secret in an output too long to journal whole is redacted before it is cut, so no piece of it
// survives at the cut.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadSession, openSession } from '../../src/engine/session.js';
import { builtinRegistry } from '../../src/executors/index.js';
import { headlessPorts } from '../../src/headless/ports.js';
import type { AnyEvent, EventPayloads } from '../../src/journal/events.js';
import { journalPath, readJournal, verifyJournal } from '../../src/journal/reader.js';
import { parseRunbook } from '../../src/runbook/load.js';
import { localProviders } from '../helpers/providers.js';
import { tempDir } from '../helpers/cli.js';

const NODE = process.execPath;

const PIN_RUNBOOK = `
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
    with:
      argv: [${JSON.stringify(NODE)}, -e, "console.log('pin is ' + process.argv[1]); console.log(process.argv[1])", "\${{ inputs.pin }}"]
      effect: read
`;

function load(yaml: string) {
  const parsed = parseRunbook(yaml, 'inline.yaml', builtinRegistry());
  if (!parsed.ok) throw new Error(parsed.issues.map((i) => i.message).join('\n'));
  return parsed.value;
}

describe('secret inputs that are also words of the journal', () => {
  it.each(['true', 'hello', 'echo', 'step', 'ok', '1'])('pin=%s: runs, stops for a human, resumes and completes, with ids, statuses and the source intact', async (pin) => {
    const root = tempDir('oncall-pin-');
    const loaded = load(PIN_RUNBOOK);
    const registry = builtinRegistry();
    const seen: AnyEvent[] = [];
    // No answer for the manual step: the headless run stops there, as `oncall run` does (exit 4).
    const first = await openSession({ root, loaded, registry, ports: headlessPorts({ yes: true, answers: {}, operator: 'tester' }), providers: localProviders(), inputs: { pin }, operator: 'tester', onRecord: (e) => seen.push(e) });
    await expect(first.engine.run()).rejects.toThrow(/step/);
    await first.close();

    const loadedAgain = await loadSession({ root, id: first.id, registry, ports: headlessPorts({ yes: true, answers: { step: 'done' }, operator: 'tester' }), providers: localProviders(), operator: 'tester', onRecord: (e) => seen.push(e) });
    expect(loadedAgain.runbook.id).toBe('pin-check');
    expect(loadedAgain.state.steps.hello?.phase).toBe('ok');
    const resumed = await loadedAgain.start({ pin });
    const result = await resumed.engine.run();
    await resumed.close();
    expect(result.outcome).toBe('completed');

    const { records } = await readJournal(journalPath(root, first.id));
    expect((await verifyJournal(journalPath(root, first.id))).ok).toBe(true);
    const attached = records.find((r) => r.type === 'runbook.attached')!;
    expect(attached.payload).toMatchObject({ id: 'pin-check', version: '1.0.0', source: loaded.source, inputs: { pin: '[redacted:pin]' } });
    const finished = records.filter((r) => r.type === 'step.finished').map((r) => r.payload as { step: string; status: string });
    expect(finished.map((p) => `${p.step}:${p.status}`)).toEqual(['hello:ok', 'step:ok', 'echo:ok']);
    const run = records.find((r) => r.type === 'run.finished')!.payload as { summary: string };
    expect(run.summary).toBe('pin-check completed: 3 steps ok, 0 skipped');

    // The line that is the pin is masked, whatever its length; text around a short pin is not
    // rewritten (masking "1" there would blank every digit), a longer one is masked as a word.
    const lines = records.filter((r) => r.type === 'step.output' && (r.payload as { step: string }).step === 'echo').map((r) => (r.payload as { text: string }).text);
    expect(lines).toEqual([pin.length <= 4 ? `pin is ${pin}` : 'pin is [redacted:pin]', '[redacted:pin]']);
    expect(records.find((r) => r.type === 'step.output' && (r.payload as { step: string }).step === 'hello')!.payload).toMatchObject({ text: pin === 'hello' ? '[redacted:pin] step ok true 1' : 'hello step ok true 1' });

    // The operator is told, at input time and again on resume, and the warning does not show the pin.
    const warnings = records.filter((r) => r.type === 'note.added').map((r) => (r.payload as { text: string; by: string }));
    expect(warnings).toHaveLength(2);
    for (const w of warnings) {
      expect(w.by).toBe('oncall');
      expect(w.text).toMatch(pin.length <= 4 ? /^warning: secret input 'pin' is too short to hide in text/ : /^warning: secret input 'pin' is also a word of the runbook/);
      expect(w.text.toLowerCase()).not.toContain(pin);
    }
  }, 30_000);

  it('gives no warning for a secret that is long and not a word of the runbook', async () => {
    const root = tempDir('oncall-pin-');
    const session = await openSession({ root, loaded: load(PIN_RUNBOOK), registry: builtinRegistry(), ports: headlessPorts({ yes: true, answers: { step: 'done' }, operator: 'tester' }), providers: localProviders(), inputs: { pin: 'k3y-7f1c9b2e-long' }, operator: 'tester' });
    await session.engine.run();
    await session.close();
    const text = readFileSync(journalPath(root, session.id), 'utf8');
    expect(text).not.toContain('note.added');
    expect(text).not.toContain('7f1c9b2e');
  });
});

describe('a plain input whose value held a secret', () => {
  const RUNBOOK = `
id: plain-and-secret
title: Plain and secret
version: 1.0.0
summary: a plain input that happens to equal the secret
inputs:
  pin: { type: string, secret: true }
  mode: { type: string }
steps:
  - id: ask
    title: A step for a human
    kind: manual
    with: { instruction: "go on" }
  - id: show
    title: Show the mode
    kind: shell
    with: { argv: [${JSON.stringify(NODE)}, -e, "console.log(process.argv[1] === process.argv[2] ? 'same' : 'different')", "\${{ inputs.mode }}", "\${{ inputs.pin }}"], effect: read }
`;

  it('is journaled redacted, and asked again on resume instead of resuming with the placeholder', async () => {
    const root = tempDir('oncall-pin-');
    const registry = builtinRegistry();
    const first = await openSession({ root, loaded: load(RUNBOOK), registry, ports: headlessPorts({ yes: true, answers: {}, operator: 'tester' }), providers: localProviders(), inputs: { pin: 'tango7', mode: 'tango7' }, operator: 'tester' });
    await expect(first.engine.run()).rejects.toThrow(/ask/);
    await first.close();
    const { records } = await readJournal(journalPath(root, first.id));
    expect(records.find((r) => r.type === 'runbook.attached')!.payload).toMatchObject({ inputs: { pin: '[redacted:pin]', mode: '[redacted:pin]' } });

    const loaded = await loadSession({ root, id: first.id, registry, ports: headlessPorts({ yes: true, answers: { ask: 'done' }, operator: 'tester' }), providers: localProviders(), operator: 'tester' });
    expect(loaded.secretInputs).toEqual(['pin', 'mode']);
    await expect(loaded.start({ pin: 'tango7' })).rejects.toThrow(/input 'mode': required/);
    const resumed = await loaded.start({ pin: 'tango7', mode: 'tango7' });
    expect(await resumed.engine.run()).toMatchObject({ outcome: 'completed' });
    await resumed.close();
    expect(resumed.engine.state.steps.show?.result).toMatchObject({ stdout: 'same' });
  });
});

describe('output too long to journal whole', () => {
  const CANARY = 'CANARY-XYZ-123456';
  // One line with the canary across every cut: the streamed line's (its first 12,288 characters
  // and its last 4,096 are kept) and the result's (16,384 characters of its JSON).
  const HEAD = 12_288;
  const RESULT_CUT = 16_384 - '{"exit_code":0,"stdout":"'.length;
  const TAIL_START_FROM_END = 4_096;
  const LENGTH = 30_000;
  // Made by the step itself from the secret input: the runbook source (journaled as is) holds no secret.
  const SCRIPT = "const [c, ...at] = process.argv.slice(1); const a = Array(Number(at.shift())).fill('.'); for (const i of at) a.splice(Number(i), c.length, ...c); console.log(a.join(''))";
  const AT = [HEAD - 6, RESULT_CUT - 7, LENGTH - TAIL_START_FROM_END - 9];

  const RUNBOOK = `
id: long-output
title: Long output
version: 1.0.0
summary: prints one long line with a secret in it
inputs:
  token: { type: string, secret: true }
steps:
  - id: print
    title: Print
    kind: shell
    with:
      argv: [${JSON.stringify(NODE)}, -e, ${JSON.stringify(SCRIPT)}, "\${{ inputs.token }}", "${LENGTH}", ${AT.map((n) => `"${n}"`).join(', ')}]
      effect: read
`;

  it('redacts before it cuts: not a prefix or suffix of the secret is left at any cut', async () => {
    const root = tempDir('oncall-cut-');
    const session = await openSession({ root, loaded: load(RUNBOOK), registry: builtinRegistry(), ports: headlessPorts({ yes: true, answers: {}, operator: 'tester' }), providers: localProviders(), inputs: { token: CANARY }, operator: 'tester' });
    const result = await session.engine.run();
    await session.close();
    expect(result.outcome).toBe('completed');
    const journal = readFileSync(journalPath(root, session.id), 'utf8');
    const { records } = await readJournal(journalPath(root, session.id));
    const output = records.find((r) => r.type === 'step.output')!.payload as { text: string };
    expect(output.text.length).toBeLessThan(16_500);
    expect(output.text).toMatch(/ \[…\d+ characters cut…\] /);
    const finished = records.find((r) => r.type === 'step.finished')!.payload as EventPayloads['step.finished'];
    expect(finished.result).toMatchObject({ truncated: true });
    const excerpt = String(finished.result!.excerpt);
    for (let k = 4; k <= CANARY.length; k++) {
      expect(journal.includes(CANARY.slice(0, k)), `prefix ${CANARY.slice(0, k)}`).toBe(false);
      expect(journal.includes(CANARY.slice(-k)), `suffix ${CANARY.slice(-k)}`).toBe(false);
    }
    // Each secret was masked before the cut, so the cuts went through placeholders, not secrets.
    expect(output.text).toMatch(/\[redac[^\]]* \[…\d+ characters cut…\] [^[]*:token\]/);
    const end = excerpt.slice(excerpt.lastIndexOf('['));
    expect(end.length).toBeGreaterThan(1);
    expect('[redacted:token]'.startsWith(end), end).toBe(true);
  });
});
