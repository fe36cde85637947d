// The secrets runbook on a .env whose secret values are ordinary words ("secret", "keys",
// "plain"), switches ("true") and digits ("1"), beside dotenv's parsing corner cases (a multi-line
// value whose lines are also the ends of other key names). Redaction must act on values only:
// the run completes, Secrets Manager receives every value unchanged, and the journal keeps key
// names, file paths, record structure and step results intact, while a real secret is still
// nowhere to be seen.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import dotenv from 'dotenv';
import { drillAwsProvider } from '../../src/drill/aws/middleware.js';
import { AwsAccount } from '../../src/drill/aws/account.js';
import type { AnyEvent } from '../../src/journal/events.js';
import { openSession } from '../../src/engine/session.js';
import { builtinRegistry } from '../../src/executors/index.js';
import { EXPORT_FORMATS, exportIncident } from '../../src/export/index.js';
import { headlessPorts } from '../../src/headless/ports.js';
import { progressLine } from '../../src/export/lines.js';
import { journalPath } from '../../src/journal/paths.js';
import type { Providers } from '../../src/providers/types.js';
import { loadRunbook } from '../../src/runbook/load.js';
import { ROOT, tempDir } from '../helpers/cli.js';
import { leaks } from '../executors/secrets/helpers.js';

const CANARY = 'CANARY-sk-4f9e2a7c1b';

// Parsing corner cases in the spirit of dotenv's own test fixtures: quotes, a JSON value, spaces,
// an empty value, and multi-line values whose lines ("STRING", "MULTILINE") end other key names.
const ENV_TEXT = [
  'BASIC=basic',
  '',
  '# previous line intentionally left blank',
  'AFTER_LINE=after_line',
  'EMPTY=',
  "SINGLE_QUOTED='single quoted'",
  'DOUBLE_EXPANDED="expand\\nnew\\nlines"',
  'INNER_QUOTES={"foo": "bar"}',
  "INNER_QUOTES_AS_STRING='{\"foo\": \"bar\"}'",
  'LAST_AS_STRING=kept as is',
  'CONTACT=someone@example.test',
  '    SPACED_KEY = parsed',
  'MULTI_DOUBLE_QUOTED="THIS',
  'IS',
  'A',
  'MULTILINE',
  'STRING"',
  'DB_PASSWORD=secret',
  'API_KEY=keys',
  'SESSION_TOKEN=plain',
  'FLAG_SECRET=true',
  'PIN_CODE=1',
  `STRIPE_SECRET_KEY=${CANARY}`,
  '',
].join('\n');

function world() {
  const clock = { now: () => Date.now(), sleep: async () => {}, deadline: () => new Promise<void>(() => {}) };
  const aws = new AwsAccount({ region: 'eu-west-1', latency_ms: 0, secretsmanager: { secrets: [] } }, clock);
  const providers: Providers = {
    exec: async () => ({ canceled: false, notFound: true }),
    fetch: () => Promise.reject(new Error('no network here')),
    aws: drillAwsProvider(aws, clock),
  };
  return { aws, providers };
}

let file: string;
let stateDir: string;
beforeEach(() => {
  // A directory name that shares words with the values: paths are not to be rewritten either.
  const dir = tempDir('oncall-secret-keys-plain-');
  file = join(dir, 'app.env');
  writeFileSync(file, ENV_TEXT, { mode: 0o600 });
  stateDir = join(dir, 'state');
  vi.stubEnv('ONCALL_STATE_DIR', stateDir);
});

/** Every string anywhere in a value. */
function strings(v: unknown, out: string[] = []): string[] {
  if (typeof v === 'string') out.push(v);
  else if (Array.isArray(v)) for (const x of v) strings(x, out);
  else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      out.push(k);
      strings(x, out);
    }
  }
  return out;
}

describe('the secrets runbook with secret values that are ordinary words', () => {
  it('migrates every value unchanged and journals key names, paths and structure unmangled', async () => {
    const { aws, providers } = world();
    const registry = builtinRegistry();
    const loaded = await loadRunbook(join(ROOT, 'runbooks/secrets-env-migration.yaml'), registry);
    const seen: AnyEvent[] = [];
    const inc = await openSession({
      root: stateDir,
      loaded,
      registry,
      ports: headlessPorts({
        yes: true,
        answers: { findings: 'migrate-effective', classify: 'accept', 'approve-plan': 'approve', deploy: 'done', 'remove-env': file, rotate: 'done' },
        operator: 'tester',
      }),
      inputs: { env_file: file, app: 'vals-app', env: 'prod', owner: 'team', reclassify: '+MULTI_*,+FLAG_SECRET,+PIN_CODE' },
      operator: 'tester',
      providers,
      mode: 'drill',
      onRecord: (ev) => seen.push(ev),
    });
    const result = await inc.engine.run();
    await inc.close();
    const state = inc.engine.state;
    expect(result, JSON.stringify(state.steps.classify)).toMatchObject({ outcome: 'completed' });

    // Secrets Manager holds exactly what dotenv reads, "secret", "keys", "true" and "1" included.
    const parsed = dotenv.parse(ENV_TEXT);
    const secretKeys = ['API_KEY', 'DB_PASSWORD', 'FLAG_SECRET', 'MULTI_DOUBLE_QUOTED', 'PIN_CODE', 'SESSION_TOKEN', 'SPACED_KEY', 'STRIPE_SECRET_KEY'];
    const stored = aws.secrets.secrets.find((s) => s.name === 'vals-app/prod/app')!;
    expect(stored, 'the JSON secret was created').toBeDefined();
    const fields = JSON.parse([...stored.versions.values()][0]!.string!) as Record<string, string>;
    expect(fields).toEqual(Object.fromEntries(secretKeys.map((k) => [k, parsed[k]])));
    expect(fields).toMatchObject({ DB_PASSWORD: 'secret', API_KEY: 'keys', SESSION_TOKEN: 'plain', FLAG_SECRET: 'true', PIN_CODE: '1' });
    expect(state.steps.verify?.result).toMatchObject({ all_match: true });

    // The inventory, as journaled and as later steps read it: every key, by its own name.
    const inventory = seen.find((e) => e.type === 'step.finished' && e.payload.step === 'inventory')!.payload as { result: Record<string, any> };
    const keys = Object.keys(parsed);
    expect(inventory.result.keys_total).toBe(keys.length);
    expect(inventory.result.keys.map((k: { key: string }) => k.key).sort()).toEqual([...keys].sort());
    expect([...inventory.result.secret].sort()).toEqual(secretKeys);
    expect(inventory.result.files.map((f: { path: string }) => f.path)).toEqual([file]);
    expect(state.steps.classify?.phase).toBe('ok');

    // No key name, path or identifier anywhere in the journal has a placeholder glued into it.
    const journal = readFileSync(journalPath(stateDir, inc.id), 'utf8');
    const records = journal.trim().split('\n').map((l) => JSON.parse(l));
    for (const s of strings(records.map((r) => r.payload))) expect(s, s).not.toMatch(/\w\[redacted:|\[redacted:[\w.:-]*\]\w/);
    for (const k of keys) expect(journal, k).toContain(k);
    expect(journal).toContain(JSON.stringify(file).slice(1, -1));
    const attached = records.find((r) => r.type === 'runbook.attached')!;
    expect(attached.payload.source).toBe(loaded.source);

    // And the real secret is nowhere: journal, exports, progress lines.
    const outputs: Record<string, string> = { journal, terminal: seen.map((e) => progressLine(e) ?? '').join('\n') };
    for (const format of EXPORT_FORMATS) outputs[`export.${format}`] = String(await exportIncident(stateDir, inc.id, format));
    for (const [where, text] of Object.entries(outputs)) {
      expect(leaks(text, [CANARY, parsed.MULTI_DOUBLE_QUOTED!]), where).toEqual([]);
      expect(text.includes(CANARY.slice(0, 10)), where).toBe(false);
    }
  }, 60_000);
});
