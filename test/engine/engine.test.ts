import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { AnyEvent } from '../../src/journal/events.js';
import { openSession, resumeSession } from '../../src/engine/session.js';
import { localProviders } from '../helpers/providers.js';
import { NeedsHumanError, type Clock, type Ports, type FlowPorts } from '../../src/core/step.js';
import { builtinRegistry } from '../../src/executors/index.js';
import { headlessPorts } from '../../src/headless/ports.js';
import { journalPath } from '../../src/journal/paths.js';
import { readJournal, verifyJournal } from '../../src/journal/reader.js';
import { parseRunbook } from '../../src/runbook/load.js';
import { tempDir } from '../helpers/cli.js';

const NODE = process.execPath;

/** A clock whose sleeps return at once and move time forward: retries and timeouts without waiting. */
function virtualClock(): Clock & { slept: number[] } {
  let now = Date.parse('2026-01-01T00:00:00Z');
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    sleep: async (ms, signal) => {
      if (signal?.aborted) throw signal.reason;
      slept.push(ms);
      now += ms;
      await new Promise((r) => setImmediate(r));
      if (signal?.aborted) throw signal.reason;
    },
    // Deadlines pass at once here: a step with a timeout times out before it can finish.
    deadline: async (_ms, signal) => {
      await new Promise((r) => setImmediate(r));
      if (signal?.aborted) throw signal.reason;
    },
  };
}

function runbook(yaml: string) {
  const parsed = parseRunbook(yaml, 'inline.yaml', builtinRegistry());
  if (!parsed.ok) throw new Error(parsed.issues.map((i) => `${i.line}:${i.col} ${i.message}`).join('\n'));
  return parsed.value;
}

async function start(yaml: string, opts: { inputs?: Record<string, string>; answers?: Record<string, string>; yes?: boolean; readOnly?: boolean; ports?: Partial<Ports & FlowPorts>; root?: string } = {}) {
  const root = opts.root ?? tempDir();
  const ports = { ...headlessPorts({ yes: opts.yes ?? false, answers: opts.answers ?? {}, operator: 'tester' }, opts.ports?.clock ?? virtualClock()), ...opts.ports };
  const seen: AnyEvent[] = [];
  const incident = await openSession({ root, loaded: runbook(yaml), registry: builtinRegistry(), ports, providers: localProviders(), inputs: opts.inputs ?? {}, readOnly: opts.readOnly, operator: 'tester', onRecord: (ev) => seen.push(ev) });
  return { root, incident, seen, types: () => seen.map((e) => e.type) };
}

const echoArgv = (arg: string) => `[${JSON.stringify(NODE)}, "-e", "process.stdout.write(JSON.stringify(process.argv.slice(1)))", ${arg}]`;

describe('engine', () => {
  it('captures values, branches on them and skips steps whose condition fails', async () => {
    const { incident, seen } = await start(`
id: t
title: t
version: 1.0.0
summary: s
inputs:
  n: { type: number, default: 3 }
steps:
  - id: count
    title: count
    kind: shell
    with: { argv: ${echoArgv('"${{ string(inputs.n * 2) }}"')}, effect: read }
    capture: { doubled: "\${{ int(result.json[0]) }}" }
    branches:
      - when: \${{ vars.doubled > 5 }}
        next: big
  - id: small
    title: small
    kind: shell
    with: { argv: [${JSON.stringify(NODE)}, "-e", ""], effect: read }
  - id: big
    title: big
    kind: shell
    when: \${{ vars.doubled == 6 }}
    with: { argv: [${JSON.stringify(NODE)}, "-e", "console.log('big')"], effect: read }
  - id: never
    title: never
    kind: shell
    when: \${{ steps.small.status == 'ok' }}
    with: { argv: [${JSON.stringify(NODE)}, "-e", ""], effect: read }
`);
    const result = await incident.engine.run();
    await incident.close();
    expect(result.outcome).toBe('completed');
    const st = incident.engine.state;
    expect(st.vars.doubled).toBe(6);
    expect(st.steps.small).toBeUndefined();
    expect(st.steps.big!.phase).toBe('ok');
    expect(st.steps.never!.phase).toBe('skipped');
    expect(seen.some((e) => e.type === 'step.output' && e.payload.text === 'big')).toBe(true);
  });

  it('fails on a false assertion and retries with backoff before giving up', async () => {
    const clock = virtualClock();
    const { incident, seen } = await start(
      `
id: t
title: t
version: 1.0.0
summary: s
steps:
  - id: flaky
    title: flaky
    kind: shell
    with: { argv: [${JSON.stringify(NODE)}, "-e", "console.log(JSON.stringify({ready:false}))"], effect: read }
    assert:
      - that: \${{ result.json.ready }}
        message: service not ready
    retry: { attempts: 3, delay: 2s, backoff: 3 }
`,
      { ports: { clock } },
    );
    const result = await incident.engine.run();
    await incident.close();
    expect(result).toMatchObject({ outcome: 'failed', failedStep: 'flaky', error: 'assertion failed: service not ready' });
    const finished = seen.filter((e) => e.type === 'step.finished');
    expect(finished.map((e) => e.payload.attempt)).toEqual([1, 2, 3]);
    expect(clock.slept).toEqual([2000, 6000]);
  });

  it('times a step out through the clock and reports it', async () => {
    const { incident } = await start(`
id: t
title: t
version: 1.0.0
summary: s
steps:
  - id: slow
    title: slow
    kind: shell
    timeout: 30s
    with: { argv: [${JSON.stringify(NODE)}, "-e", "setTimeout(()=>{}, 60000)"], effect: read }
`);
    const result = await incident.engine.run();
    await incident.close();
    expect(result.outcome).toBe('failed');
    expect(incident.engine.state.steps.slow!.phase).toBe('timeout');
    expect(result.error).toMatch(/timed out after 30s/);
  });

  it('aborts a running write step on request and leaves it in doubt', async () => {
    const { incident } = await start(
      `
id: t
title: t
version: 1.0.0
summary: s
steps:
  - id: change
    title: change
    kind: shell
    with: { argv: [${JSON.stringify(NODE)}, "-e", "console.log('started'); setTimeout(()=>{}, 60000)"] }
`,
      { yes: true, ports: { clock: (await import('../../src/core/clock.js')).realClock } },
    );
    incident.engine.on((e) => {
      if (e.type === 'step.output') incident.engine.abortCurrent();
    });
    const result = await incident.engine.run();
    await incident.close();
    expect(result.outcome).toBe('aborted');
    expect(incident.engine.state.steps.change).toMatchObject({ phase: 'aborted', inDoubt: true });
    expect(incident.engine.state.outcome).toBeUndefined();
  });

  it('asks before a write, refuses it in read-only mode, and needs a human without --yes', async () => {
    const yaml = `
id: t
title: t
version: 1.0.0
summary: s
steps:
  - id: change
    title: change
    kind: shell
    with: { argv: [${JSON.stringify(NODE)}, "-e", ""] }
`;
    const ro = await start(yaml, { readOnly: true });
    expect((await ro.incident.engine.run()).outcome).toBe('completed');
    await ro.incident.close();
    expect(ro.incident.engine.state.steps.change).toMatchObject({ phase: 'skipped' });
    expect(ro.incident.engine.state.steps.change!.skipReason).toMatch(/read-only/);
    expect(ro.types()).not.toContain('step.started');

    const noYes = await start(yaml);
    await expect(noYes.incident.engine.run()).rejects.toBeInstanceOf(NeedsHumanError);
    await noYes.incident.close();
    expect(noYes.types()).not.toContain('step.started');

    const declined = await start(yaml, { ports: { confirm: async () => ({ approved: false, by: 'tester', reason: 'not now' }) } });
    expect((await declined.incident.engine.run()).outcome).toBe('completed');
    await declined.incident.close();
    expect(declined.seen.find((e) => e.type === 'confirm.given')?.payload).toMatchObject({ approved: false, by: 'tester' });
    expect(declined.incident.engine.state.steps.change!.skipReason).toBe('declined by tester: not now');
  });

  it('destructive steps need the typed resource id', async () => {
    const yaml = `
id: t
title: t
version: 1.0.0
summary: s
inputs:
  target: { type: string, pattern: '^i-[0-9a-f]{8,17}$' }
steps:
  - id: stop
    title: stop
    kind: shell
    confirm: { destructive: true, resource: "\${{ inputs.target }}" }
    with: { argv: [${JSON.stringify(NODE)}, "-e", ""] }
`;
    const a = await start(yaml, { yes: true, inputs: { target: 'i-0123456789abcdef0' } });
    await expect(a.incident.engine.run()).rejects.toThrow(/--answer stop=i-0123456789abcdef0/);
    await a.incident.close();
    const b = await start(yaml, { yes: true, inputs: { target: 'i-0123456789abcdef0' }, answers: { stop: 'i-0123456789abcdef0' } });
    expect((await b.incident.engine.run()).outcome).toBe('completed');
    await b.incident.close();
    expect(b.seen.find((e) => e.type === 'confirm.given')?.payload).toMatchObject({ approved: true, typed: true });
  });

  it('fills expressions in confirmation messages', async () => {
    const seen: string[] = [];
    const { incident } = await start(
      `
id: t
title: t
version: 1.0.0
summary: s
inputs:
  seconds: { type: number, default: 120 }
steps:
  - id: change
    title: change
    kind: shell
    confirm: { message: "The idle timeout goes to \${{ inputs.seconds }} s." }
    with: { argv: [${JSON.stringify(NODE)}, "-e", ""] }
`,
      { ports: { confirm: async (req) => (seen.push(req.message ?? ''), { approved: true, by: 'tester' }) } },
    );
    await incident.engine.run();
    await incident.close();
    expect(seen).toEqual(['The idle timeout goes to 120 s.']);
  });

  it('refuses writes outside the allowed accounts', async () => {
    const yaml = `
id: t
title: t
version: 1.0.0
summary: s
allowed_accounts: ["111111111111"]
steps:
  - id: change
    title: change
    kind: shell
    with: { argv: [${JSON.stringify(NODE)}, "-e", ""] }
`;
    const other = await start(yaml, { yes: true, ports: { identity: async () => ({ account: '222222222222' }) } });
    await other.incident.engine.run();
    await other.incident.close();
    expect(other.incident.engine.state.steps.change!.skipReason).toMatch(/222222222222 is not one this runbook may change/);
    const same = await start(yaml, { yes: true, ports: { identity: async () => ({ account: '111111111111' }) } });
    await same.incident.engine.run();
    await same.incident.close();
    expect(same.incident.engine.state.steps.change!.phase).toBe('ok');
  });

  it('rolls back completed writes when a later step fails, once the rollback itself is approved', async () => {
    const root = tempDir();
    const marker = `${root}/marker`;
    const { incident, seen } = await start(
      `
id: t
title: t
version: 1.0.0
summary: s
steps:
  - id: change
    title: change
    kind: shell
    with: { argv: [${JSON.stringify(NODE)}, "-e", "require('fs').writeFileSync(process.argv[1], 'changed')", ${JSON.stringify(marker)}] }
    rollback:
      note: put it back
      kind: shell
      with: { argv: [${JSON.stringify(NODE)}, "-e", "require('fs').writeFileSync(process.argv[1], 'restored')", ${JSON.stringify(marker)}] }
  - id: check
    title: check
    kind: shell
    with: { argv: [${JSON.stringify(NODE)}, "-e", "process.exit(3)"], effect: read }
`,
      { yes: true, root, ports: { confirm: headlessPorts({ yes: true, rollback: true, answers: {}, operator: 'tester' }).confirm } },
    );
    const result = await incident.engine.run();
    await incident.close();
    expect(result).toMatchObject({ outcome: 'failed', failedStep: 'check' });
    expect(readFileSync(marker, 'utf8')).toBe('restored');
    expect(seen.find((e) => e.type === 'rollback.started')?.payload).toMatchObject({ failed_step: 'check', steps: ['change'] });
    expect((seen.find((e) => e.type === 'step.finished' && e.payload.step === 'check')?.payload as { error?: string }).error).toMatch(/exited with code 3/);
  });

  it('decides by rule, or asks the human and journals the answer', async () => {
    const yaml = `
id: t
title: t
version: 1.0.0
summary: s
inputs:
  auto: { type: boolean, default: false }
steps:
  - id: pick
    title: pick
    kind: decision
    with:
      question: Which way?
      options: [{ value: left, label: Left }, { value: right, label: Right }]
      rule: "\${{ inputs.auto ? 'left' : '' }}"
    branches:
      - { choice: left, next: end }
  - id: note
    title: note
    kind: manual
    with: { instruction: Write it down, answer: { prompt: Ticket, pattern: '^T-\\d+$' } }
`;
    const byRule = await start(yaml, { inputs: { auto: 'true' } });
    expect((await byRule.incident.engine.run()).outcome).toBe('completed');
    await byRule.incident.close();
    expect(byRule.incident.engine.state.steps.pick!.result).toMatchObject({ choice: 'left', decided_by: 'rule' });
    expect(byRule.incident.engine.state.steps.note).toBeUndefined();

    const byHuman = await start(yaml, { answers: { pick: 'right', note: 'T-42' } });
    expect((await byHuman.incident.engine.run()).outcome).toBe('completed');
    await byHuman.incident.close();
    const decisions = byHuman.seen.filter((e) => e.type === 'decision.made').map((e) => e.payload);
    expect(decisions).toMatchObject([
      { step: 'pick', value: 'right', by: 'tester', type: 'choice' },
      { step: 'note', value: 'T-42', by: 'tester', type: 'text' },
    ]);
    expect(byHuman.incident.engine.state.steps.note!.result).toMatchObject({ answer: 'T-42' });
  });

  it('never writes a secret input or a value a step marks secret', async () => {
    const root = tempDir();
    const { incident } = await start(
      `
id: t
title: t
version: 1.0.0
summary: s
inputs:
  token: { type: string, secret: true }
steps:
  - id: use
    title: use
    kind: shell
    with:
      argv: [${JSON.stringify(NODE)}, "-e", "console.log('token is ' + process.env.TOKEN); console.error(JSON.stringify({t: process.env.TOKEN}))"]
      env: { TOKEN: "\${{ inputs.token }}" }
      effect: read
    capture: { echoed: "\${{ result.stdout }}" }
`,
      { root, inputs: { token: 'hunter2-"quoted"\nline' } },
    );
    expect((await incident.engine.run()).outcome).toBe('completed');
    await incident.close();
    const bytes = readFileSync(journalPath(root, incident.id), 'utf8');
    expect(bytes).not.toContain('hunter2');
    expect(bytes).toContain('[redacted:token]');
    expect((await verifyJournal(journalPath(root, incident.id))).ok).toBe(true);
  });

  it('resumes a write left in doubt through its verify read, without repeating it', async () => {
    const root = tempDir();
    const marker = `${root}/count`;
    const yaml = `
id: t
title: t
version: 1.0.0
summary: s
steps:
  - id: change
    title: change
    kind: shell
    with: { argv: [${JSON.stringify(NODE)}, "-e", "require('fs').appendFileSync(process.argv[1], 'x'); setTimeout(()=>{}, 60000)", ${JSON.stringify(marker)}] }
    verify:
      kind: shell
      with: { argv: [${JSON.stringify(NODE)}, "-e", "console.log(JSON.stringify({n: require('fs').readFileSync(process.argv[1], 'utf8').length}))", ${JSON.stringify(marker)}], effect: read }
      done: \${{ result.json.n >= 1 }}
  - id: after
    title: after
    kind: shell
    with: { argv: [${JSON.stringify(NODE)}, "-e", ""], effect: read }
`;
    const first = await start(yaml, { yes: true, root, ports: { clock: (await import('../../src/core/clock.js')).realClock } });
    first.incident.engine.on((e) => {
      if (e.type === 'step.started') setTimeout(() => first.incident.engine.abortCurrent(), 300);
    });
    expect((await first.incident.engine.run()).outcome).toBe('aborted');
    await first.incident.close();
    expect(readFileSync(marker, 'utf8')).toBe('x');

    const seen: AnyEvent[] = [];
    const resumed = await resumeSession({ root, id: first.incident.id, registry: builtinRegistry(), ports: headlessPorts({ yes: true, answers: {}, operator: 'tester' }, virtualClock()), providers: localProviders(), operator: 'tester', inputs: {}, onRecord: (e, replayed) => replayed || seen.push(e) });
    expect((await resumed.engine.run()).outcome).toBe('completed');
    await resumed.close();
    expect(readFileSync(marker, 'utf8')).toBe('x');
    expect(seen.map((e) => e.type)).toContain('step.in_doubt');
    expect(resumed.engine.state.steps.change).toMatchObject({ phase: 'ok', inDoubt: false });
    expect(resumed.engine.state.steps.after!.phase).toBe('ok');
  });

  it('hands an in-doubt write without a verify read to a human', async () => {
    const root = tempDir();
    const yaml = `
id: t
title: t
version: 1.0.0
summary: s
steps:
  - id: change
    title: change
    kind: shell
    with: { argv: [${JSON.stringify(NODE)}, "-e", "setTimeout(()=>{}, 60000)"] }
`;
    const first = await start(yaml, { yes: true, root, ports: { clock: (await import('../../src/core/clock.js')).realClock } });
    first.incident.engine.on((e) => {
      if (e.type === 'step.started') setTimeout(() => first.incident.engine.abortCurrent(), 100);
    });
    await first.incident.engine.run();
    await first.incident.close();
    const again = await resumeSession({ root, id: first.incident.id, registry: builtinRegistry(), ports: headlessPorts({ yes: true, answers: {}, operator: 'tester' }), providers: localProviders(), operator: 'tester', inputs: {} });
    // Its own key: `--answer change=…` is the step's typed resource or choice, never this.
    await expect(again.engine.run()).rejects.toThrow(/--answer change\.outcome=done/);
    await again.close();
    const answered = await resumeSession({ root, id: first.incident.id, registry: builtinRegistry(), ports: headlessPorts({ yes: true, answers: { 'change.outcome': 'done' }, operator: 'tester' }), providers: localProviders(), operator: 'tester', inputs: {} });
    expect((await answered.engine.run()).outcome).toBe('completed');
    await answered.close();
    expect(answered.engine.state.steps.change).toMatchObject({ phase: 'ok', attempts: 1 });
  });
});

describe('policy is the engine\'s, whatever the driver checks', () => {
  const ticket = `
id: t
title: t
version: 1.0.0
summary: s
steps:
  - id: ticket
    title: ticket
    kind: manual
    with: { instruction: "Open a ticket", answer: { prompt: "Ticket?", pattern: "INC-[0-9]+" } }
`;
  it('a headless answer that only contains a match is refused, naming the flag; a whole match is taken', async () => {
    const bad = await start(ticket, { answers: { ticket: 'see INC-1234 maybe' } });
    const err = await bad.incident.engine.run().catch((e: unknown) => e);
    await bad.incident.close();
    expect(err).toBeInstanceOf(NeedsHumanError);
    expect((err as NeedsHumanError).message).toBe("--answer ticket=see INC-1234 maybe: 'see INC-1234 maybe' does not match INC-[0-9]+");
    expect((err as NeedsHumanError).flag).toBe('--answer ticket=<text matching INC-[0-9]+>');
    expect(bad.types()).not.toContain('decision.made');

    const good = await start(ticket, { answers: { ticket: 'INC-1234' } });
    expect((await good.incident.engine.run()).outcome).toBe('completed');
    await good.incident.close();
    expect(good.seen.find((e) => e.type === 'decision.made')?.payload).toMatchObject({ value: 'INC-1234' });
  });

  it('a driver that approves a destructive step with the wrong resource typed is asked again', async () => {
    const yaml = `
id: t
title: t
version: 1.0.0
summary: s
steps:
  - id: wipe
    title: wipe
    kind: shell
    with: { argv: [${JSON.stringify(NODE)}, "-e", ""] }
    confirm: { destructive: true, resource: "db-primary" }
`;
    const asked: (string | undefined)[] = [];
    const typed = ['db-primar', 'db-primary'];
    const run = await start(yaml, {
      ports: {
        confirm: async (req) => {
          asked.push(req.problem);
          return { approved: true, by: 'careless-driver', typed: typed.shift() };
        },
      },
    });
    expect((await run.incident.engine.run()).outcome).toBe('completed');
    await run.incident.close();
    expect(asked).toEqual([undefined, "'db-primar' is not db-primary: type the resource exactly as shown"]);
    expect(run.seen.filter((e) => e.type === 'confirm.given').map((e) => e.payload)).toEqual([{ step: 'wipe', approved: true, by: 'careless-driver', typed: true, purpose: 'action' }]);
  });
});

describe('rollback is a change of its own', () => {
  const yaml = (marker: string, check: string) => `
id: t
title: t
version: 1.0.0
summary: s
steps:
  - id: change
    title: change
    kind: shell
    with: { argv: [${JSON.stringify(NODE)}, "-e", "require('fs').writeFileSync(process.argv[1], 'changed')", ${JSON.stringify(marker)}] }
    rollback:
      note: put it back
      kind: shell
      with: { argv: [${JSON.stringify(NODE)}, "-e", "require('fs').writeFileSync(process.argv[1], 'restored')", ${JSON.stringify(marker)}] }
  - id: check
    title: check
    kind: shell
    ${check}
`;
  const failing = 'with: { argv: ["' + NODE + '", "-e", "process.exit(3)"], effect: read }';

  it('--yes alone does not approve a rollback: the run stops naming the flag, and nothing is undone', async () => {
    const marker = `${tempDir()}/marker`;
    const { incident, types, seen } = await start(yaml(marker, failing), { yes: true });
    const err = await incident.engine.run().catch((e: unknown) => e);
    await incident.close();
    expect(err).toBeInstanceOf(NeedsHumanError);
    expect((err as NeedsHumanError).flag).toBe('--answer change.rollback=yes');
    expect(readFileSync(marker, 'utf8')).toBe('changed');
    expect(types()).toContain('rollback.started');
    expect(seen.filter((e) => e.type === 'confirm.given').map((e) => e.payload.purpose)).toEqual(['action']);
  });

  it('--answer <step>.rollback=no leaves the change in place, journaled, with the hand-undo note', async () => {
    const marker = `${tempDir()}/marker`;
    const { incident, seen } = await start(yaml(marker, failing), { yes: true, answers: { 'change.rollback': 'no' } });
    const result = await incident.engine.run();
    await incident.close();
    expect(result.outcome).toBe('failed');
    expect(readFileSync(marker, 'utf8')).toBe('changed');
    expect(seen.filter((e) => e.type === 'confirm.given').at(-1)?.payload).toMatchObject({ step: 'change:rollback', approved: false, purpose: 'rollback' });
    expect(seen.find((e) => e.type === 'run.finished')?.payload).toMatchObject({ summary: expect.stringContaining('change: put it back') });
  });

  it('a write that timed out is no definite failure: it is settled (not retried), and nothing is rolled back on a guess', async () => {
    const marker = `${tempDir()}/marker`;
    const hang = 'timeout: 200ms\n    retry: { attempts: 3, delay: 10ms }\n    with: { argv: ["' + NODE + '", "-e", "setTimeout(() => {}, 60000)"], effect: write }';
    const clock = (await import('../../src/core/clock.js')).realClock;
    // Without an answer the run stops, asking: the write may have happened.
    const first = await start(yaml(marker, hang), { yes: true, answers: { 'change.rollback': 'yes' }, ports: { clock } });
    await expect(first.incident.engine.run()).rejects.toThrow(/--answer check\.outcome=done/);
    await first.incident.close();
    expect(first.seen.filter((e) => e.type === 'step.started' && e.payload.step === 'check')).toHaveLength(1);
    // Answered ("skip"): the run goes on without it, and nothing was rolled back.
    const { incident, types } = await start(yaml(marker, hang), { yes: true, answers: { 'change.rollback': 'yes', 'check.outcome': 'skip' }, ports: { clock } });
    const result = await incident.engine.run();
    await incident.close();
    expect(result.outcome).toBe('completed');
    expect(types()).not.toContain('rollback.started');
    expect(readFileSync(marker, 'utf8')).toBe('changed');
  });
});

describe('who and where, before any write', () => {
  const yaml = (marker: string) => `
id: t
title: t
version: 1.0.0
summary: s
steps:
  - id: look
    title: look
    kind: shell
    with: { argv: [${JSON.stringify(NODE)}, "-e", ""], effect: read }
  - id: change
    title: change
    kind: shell
    with: { argv: [${JSON.stringify(NODE)}, "-e", "require('fs').writeFileSync(process.argv[1], 'changed')", ${JSON.stringify(marker)}] }
`;
  it('when STS cannot say who we are, no write runs: the run ends blocked, naming the STS error and the fix', async () => {
    const marker = `${tempDir()}/marker`;
    const { incident, seen } = await start(yaml(marker), { yes: true, ports: { identity: async () => ({ error: 'the SSO session for profile prod has expired' }) } });
    const result = await incident.engine.run();
    await incident.close();
    expect(result.outcome).toBe('blocked');
    expect(result.failedStep).toBe('change');
    expect(() => readFileSync(marker)).toThrow();
    const finished = seen.find((e) => e.type === 'run.finished')!.payload as { outcome: string; error: string };
    expect(finished.outcome).toBe('blocked');
    expect(finished.error).toContain('STS did not answer: the SSO session for profile prod has expired');
    expect(finished.error).toContain('aws sso login --profile');
    expect(seen.find((e) => e.type === 'step.finished' && e.payload.step === 'look')?.payload).toMatchObject({ status: 'ok' });
  });

  it('an account outside allowed_accounts blocks the run instead of completing it', async () => {
    const marker = `${tempDir()}/marker`;
    const { incident } = await start(`allowed_accounts: ['111122223333']\n${yaml(marker)}`, { yes: true, ports: { identity: async () => ({ account: '999999999999' }) } });
    const result = await incident.engine.run();
    await incident.close();
    expect(result).toMatchObject({ outcome: 'blocked', failedStep: 'change' });
    expect(result.error).toContain('AWS account 999999999999 is not one this runbook may change');
  });

  it('read-only still passes over writes and completes: that is what was asked for', async () => {
    const marker = `${tempDir()}/marker`;
    const { incident } = await start(yaml(marker), { readOnly: true, ports: { identity: async () => ({ error: 'no credentials' }) } });
    expect((await incident.engine.run()).outcome).toBe('completed');
    await incident.close();
  });
});

describe('reopening a failed or blocked incident', () => {
  const yaml = (flag: string) => `
id: t
title: t
version: 1.0.0
summary: s
steps:
  - id: change
    title: change
    kind: shell
    with: { argv: [${JSON.stringify(NODE)}, "-e", "process.exit(require('fs').existsSync(process.argv[1]) ? 0 : 3)", ${JSON.stringify(flag)}] }
  - id: after
    title: after
    kind: shell
    with: { argv: [${JSON.stringify(NODE)}, "-e", ""], effect: read }
`;
  const resume = (root: string, id: string, ports: Partial<Ports & FlowPorts> = {}) =>
    resumeSession({ root, id, registry: builtinRegistry(), ports: { ...headlessPorts({ yes: true, answers: {}, operator: 'tester' }), ...ports }, providers: localProviders(), operator: 'fixer', inputs: {} });

  it('a failed step runs again as a new attempt once reopened, journaled with who and why', async () => {
    const dir = tempDir();
    const flag = `${dir}/fixed`;
    const first = await start(yaml(flag), { yes: true, root: dir });
    expect((await first.incident.engine.run()).outcome).toBe('failed');
    await first.incident.close();

    writeFileSync(flag, ''); // the operator fixed the cause
    const again = await resume(dir, first.incident.id);
    await again.engine.reopen('restored the credentials');
    const result = await again.engine.run();
    await again.close();
    expect(result.outcome).toBe('completed');
    expect(again.engine.state.steps.change).toMatchObject({ phase: 'ok', attempts: 2 });
    const { records } = await readJournal(journalPath(dir, first.incident.id));
    expect(records.find((r) => r.type === 'incident.reopened')?.payload).toEqual({ by: 'fixer', reason: 'restored the credentials', step: 'change', outcome: 'failed' });
  });

  it('a blocked run re-decides the refused step when reopened', async () => {
    const dir = tempDir();
    const flag = `${dir}/fixed`;
    writeFileSync(flag, '');
    const first = await start(yaml(flag), { yes: true, root: dir, ports: { identity: async () => ({ error: 'expired SSO session' }) } });
    expect((await first.incident.engine.run()).outcome).toBe('blocked');
    await first.incident.close();
    const again = await resume(dir, first.incident.id, { identity: async () => ({ account: '111122223333' }) });
    await again.engine.reopen('aws sso login');
    expect((await again.engine.run()).outcome).toBe('completed');
    await again.close();
  });

  it('is refused without a reason, and for an incident that is still open', async () => {
    const dir = tempDir();
    const first = await start(yaml(`${dir}/never`), { yes: true, root: dir });
    await expect(first.incident.engine.reopen('x')).rejects.toThrow(/only a failed or blocked incident is reopened/);
    await first.incident.engine.run();
    await expect(first.incident.engine.reopen('  ')).rejects.toThrow(/say why/);
    await first.incident.close();
  });
});
