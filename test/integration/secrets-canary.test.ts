// Canary values planted everywhere a secret can come from: the .env, a value already in Secrets
// Manager that is not valid JSON (V8's JSON.parse message would quote it), and a note the operator
// types with a pasted password. Every output is scanned: the journal, every export format, the
// headless terminal lines, the TUI's frames and store, and the argument vector of every process a
// step kind asked for.
// The TUI is one of the outputs scanned; its test helpers must be imported first (they hide CI from Ink).
import { KEY, fill, renderTui, toInputs } from '../tui/helpers.js';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { drillAwsProvider } from '../../src/drill/aws/middleware.js';
import { AwsAccount } from '../../src/drill/aws/account.js';
import type { AnyEvent } from '../../src/journal/events.js';
import { openSession } from '../../src/engine/session.js';
import { builtinRegistry } from '../../src/executors/index.js';
import { EXPORT_FORMATS, exportIncident } from '../../src/export/index.js';
import { headlessPorts } from '../../src/headless/ports.js';
import { progressLine } from '../../src/export/lines.js';
import { journalPath } from '../../src/journal/paths.js';
import type { Providers, ExecRequest } from '../../src/providers/types.js';
import { loadRunbook } from '../../src/runbook/load.js';
import { ROOT, tempDir } from '../helpers/cli.js';
import { leaks } from '../executors/secrets/helpers.js';

const CANARY = {
  db: 'CANARY-note-db-58c1e0f7',
  api: 'CANARY-note-api-a9d24b33',
  parse: 'CANARY-parse-3e7f19c2',
};
const ENV_TEXT = `PORT=8080\nDB_PASSWORD=${CANARY.db}\nAPI_TOKEN="${CANARY.api}"\n`;
/** Stored earlier by someone, cut off mid-way: not valid JSON. */
const BROKEN = `{"DB_PASSWORD": "${CANARY.parse}", "API_TOKEN": "x`;
const ALL = [...Object.values(CANARY), BROKEN];

function world() {
  const clock = { now: () => Date.now(), sleep: async () => {}, deadline: () => new Promise<void>(() => {}) };
  const aws = new AwsAccount(
    { region: 'eu-west-1', latency_ms: 0, secretsmanager: { secrets: [{ name: 'canary-app/prod/app', value: BROKEN, tags: { app: 'canary-app' } }] } },
    clock,
  );
  const execs: ExecRequest[] = [];
  const providers: Providers = {
    exec: async (req) => {
      execs.push(req);
      return { canceled: false, notFound: true };
    },
    fetch: () => Promise.reject(new Error('no network here')),
    aws: drillAwsProvider(aws, clock),
  };
  return { aws, providers, execs };
}

let file: string;
let stateDir: string;
beforeEach(() => {
  const dir = tempDir('oncall-secrets-canary-');
  file = join(dir, 'app.env');
  writeFileSync(file, ENV_TEXT, { mode: 0o600 });
  stateDir = join(dir, 'state');
  vi.stubEnv('ONCALL_STATE_DIR', stateDir);
});

async function exportsOf(id: string): Promise<Record<string, string>> {
  const out: Record<string, string> = { journal: readFileSync(journalPath(stateDir, id), 'utf8') };
  for (const format of EXPORT_FORMATS) out[`export.${format}`] = String(await exportIncident(stateDir, id, format));
  return out;
}

describe('canaries through the engine (headless)', () => {
  it('a pasted password in a note, a broken stored value, the .env: none of them reaches any output', async () => {
    const { providers, execs } = world();
    const registry = builtinRegistry();
    const loaded = await loadRunbook(join(ROOT, 'runbooks/secrets-env-migration.yaml'), registry);
    const seen: AnyEvent[] = [];
    const inc = await openSession({
      root: stateDir,
      loaded,
      registry,
      ports: headlessPorts({ yes: true, answers: { classify: 'accept', 'approve-plan': 'approve', conflicts: 'abort' }, operator: 'tester' }),
      inputs: { env_file: file, app: 'canary-app', env: 'prod', owner: 'team' },
      operator: 'tester',
      providers,
      onRecord: (ev) => seen.push(ev),
    });
    inc.engine.on((ev) => {
      // Once the inventory has read the file, the operator pastes a password into a note.
      if (ev.type === 'step.finished' && ev.payload.step === 'inventory') void inc.engine.note(`the old password was ${CANARY.db}, do not reuse`);
    });
    const result = await inc.engine.run();
    await inc.close();
    expect(result.outcome).toBe('completed'); // ended at the conflicts decision (abort)
    const precheck = seen.find((e) => e.type === 'step.finished' && e.payload.step === 'precheck')!.payload as { result: { existing: { detail: string }[] } };
    expect(precheck.result.existing[0]!.detail).toBe('secret canary-app/prod/app is not valid JSON (or not a JSON object)');
    const note = seen.find((e) => e.type === 'note.added')!.payload as { text: string };
    expect(note.text).toBe('the old password was [redacted:DB_PASSWORD], do not reuse');

    const outputs: Record<string, string> = {
      ...(await exportsOf(inc.id)),
      terminal: seen.map((e) => progressLine(e) ?? '').join('\n'),
      argv: execs.map((e) => [e.file, ...e.args].join(' ')).join('\n'),
    };
    for (const [where, text] of Object.entries(outputs)) {
      expect(leaks(text, ALL), where).toEqual([]);
      // Not even the fragment V8's JSON.parse error would have quoted.
      expect(text.includes(CANARY.parse.slice(0, 12)), where).toBe(false);
      expect(text, where).not.toMatch(/SyntaxError|Unexpected token|in JSON at position/);
    }
    expect(outputs['export.md']).toMatch(/redacted:DB\\?_PASSWORD/);
    // The only process a kind asked for: git, with a path (is the .env tracked?).
    expect(execs.map((e) => e.file)).toEqual(['git']);
  });
});

describe('canaries through the TUI', () => {
  it('no frame and nothing in the store shows a value, through the inventory, the decisions and the plan', async () => {
    const { providers } = world();
    const t = renderTui({ stateDir, runbookDirs: [join(ROOT, 'runbooks')], providers, columns: 140, rows: 60 });
    const frames = new Set<string>();
    const look = () => {
      frames.add(t.frame());
      frames.add(JSON.stringify(t.state()));
    };
    const timer = setInterval(look, 5);
    try {
      await toInputs(t, 'secrets-env', 'Move the canary secrets');
      await t.waitFor('Inputs for secrets-env-migration');
      fill(t, file);
      fill(t, 'canary-app');
      fill(t, 'prod');
      fill(t, 'team');
      // The rest keep their defaults.
      for (let i = 0; i < 7; i++) t.press(KEY.enter);
      await t.waitFor('Next: Inventory the .env file');
      t.press(KEY.enter);
      await t.waitFor('Next: Confirm which keys are secrets');
      t.press(KEY.enter);
      // An approval is never highlighted for the operator: they pick it.
      await t.waitFor('1. Yes, the classification is right');
      look();
      t.press('1'); // accept
      await t.waitFor('Next: Plan the secrets');
      t.press(KEY.enter);
      await t.waitFor('Next: Approve the plan');
      t.press(KEY.enter);
      await t.waitFor('1. Yes, this is the plan');
      t.press('1'); // approve
      await t.waitFor('Next: Check the account');
      t.press(KEY.enter);
      await t.waitFor('Next: Decide about secrets that exist');
      t.press('n');
      await t.waitFor('Note for the journal');
      t.type(`pasted ${CANARY.api} here`);
      t.press(KEY.enter);
      await t.waitFor('note added');
      look();
      t.press(KEY.up);
      look();
      t.press(KEY.up);
      look();
      t.press(KEY.end);
      look();
    } finally {
      clearInterval(timer);
    }
    const id = t.state().incidentId!;
    await t.close();
    expect(frames.size).toBeGreaterThan(10);
    const all = [...frames].join('\n');
    expect(all).toContain('DB_PASSWORD');
    expect(all).toContain('pasted [redacted:API_TOKEN] here');
    expect(leaks(all, ALL)).toEqual([]);
    expect(all.includes(CANARY.parse.slice(0, 12))).toBe(false);
    for (const [where, text] of Object.entries(await exportsOf(id))) expect(leaks(text, ALL), where).toEqual([]);
  }, 60_000);
});
