// kill -9 in the middle of the create step, after Secrets Manager applied a CreateSecret whose
// answer never came back: the step is in doubt. `oncall resume` settles it with its verify read
// (reading back and comparing by keyed digest) and, where the write is incomplete, runs the step
// again: the ClientRequestTokens and the migration-id tag make that a no-op for what exists.
// Nothing is ever created twice, and every journal verifies.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnyEvent } from '../../src/journal/events.js';
import { foldEvents } from '../../src/engine/state.js';
import { journalPath } from '../../src/journal/paths.js';
import { readJournal, verifyJournal } from '../../src/journal/reader.js';
import { BIN, ROOT, events, tempDir } from '../helpers/cli.js';
import { leaks } from '../executors/secrets/helpers.js';
import { startSecretsWire, type SecretsWire } from '../executors/secrets/wire-server.js';

const VALUES = ['CANARY-crash-db-4d1e9a', 'CANARY-crash-api-7b2f0c', 'CANARY-crash-mail-93ae51'];
const ENV_TEXT = `DB_PASSWORD=${VALUES[0]}\nAPI_TOKEN=${VALUES[1]}\nMAIL_SECRET=${VALUES[2]}\nPORT=8080\n`;

function cli(args: string[], env: Record<string, string>, stateDir: string, onStart?: (kill: () => void) => void): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, ...env, ONCALL_STATE_DIR: stateDir, ONCALL_OPERATOR: 'tester' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    onStart?.(() => child.kill('SIGKILL'));
    child.once('exit', (code, signal) => done({ code, signal, stdout, stderr }));
  });
}

const answers = (file: string) => ['--yes', '--answer', 'classify=accept', '--answer', 'approve-plan=approve', '--answer', 'deploy=done', '--answer', `remove-env=${file}`, '--answer', 'rotate=done'];

describe('a crash in the middle of creating secrets, then resume', () => {
  let wire: SecretsWire;
  beforeAll(async () => {
    wire = await startSecretsWire({ region: 'us-west-2' });
  });
  afterAll(() => wire.close());

  it.each([
    ['json', 1],
    ['per-key', 2],
  ] as const)('layout %s: killed after %i CreateSecret took effect; resume finishes, nothing twice', async (layout, killAfter) => {
    const app = `crash-${layout.replace('-', '')}`;
    const dir = tempDir('oncall-secrets-crash-');
    const file = join(dir, 'app.env');
    writeFileSync(file, ENV_TEXT, { mode: 0o600 });
    const stateDir = join(dir, 'state');
    const args = ['run', 'secrets-env-migration', '--input', `env_file=${file}`, '--input', `app=${app}`, '--input', 'env=prod', '--input', 'owner=team', '--input', `layout=${layout}`, ...answers(file), '--json'];

    // The first `killAfter` CreateSecrets are applied and their answers held back; any later one
    // never reaches the world. Once `killAfter` took effect: kill -9.
    let seen = 0;
    let applied = 0;
    let kill: () => void = () => {};
    const held: (() => void)[] = [];
    const neverApplied = { status: 503, type: 'ServiceUnavailable', message: 'the client is gone' };
    wire.hooks.before = (command) => {
      if (command !== 'CreateSecret' || ++seen <= killAfter) return undefined;
      return new Promise((answer) => held.push(() => answer(neverApplied)));
    };
    wire.hooks.after = (command) => {
      if (command !== 'CreateSecret') return;
      if (++applied === killAfter) setTimeout(() => kill(), 50);
      return new Promise<void>((release) => held.push(release));
    };
    const first = await cli(args, wire.env(), stateDir, (k) => (kill = k));
    delete wire.hooks.before;
    delete wire.hooks.after;
    for (const release of held) release();
    expect(first.signal).toBe('SIGKILL');

    const id = events(first.stdout)[0]!.incident;
    const file0 = journalPath(stateDir, id);
    expect((await verifyJournal(file0)).ok).toBe(true);
    const before = foldEvents(id, (await readJournal(file0)).records as unknown as AnyEvent[]);
    expect(before.steps.migrate).toMatchObject({ phase: 'running' });
    expect(before.steps.migrate?.inDoubt).toBe(true);

    const resumed = await cli(['resume', id, ...answers(file), '--json'], wire.env(), stateDir);
    expect(resumed.code, resumed.stderr).toBe(0);
    const evs = events(resumed.stdout);
    expect(evs.find((e) => e.type === 'step.in_doubt')?.payload).toMatchObject({ step: 'migrate', resolution: 'verify' });
    const migrate = evs.filter((e) => e.type === 'step.finished' && e.payload.step === 'migrate').at(-1)!.payload;
    if (layout === 'json') {
      // The one create went through: the verify read says so, and the step is not run again.
      expect(migrate).toMatchObject({ status: 'ok', reconciled: 'verified' });
    } else {
      // Two of three went through: the step runs again, recognises them, creates the third.
      expect(migrate.status).toBe('ok');
      expect(migrate.result).toMatchObject({ created: 3, confirmed: killAfter });
    }
    expect(evs.find((e) => e.type === 'run.finished')?.payload.outcome).toBe('completed');

    const mine = wire.world.secrets.secrets.filter((s) => s.name.startsWith(`${app}/`));
    expect(mine.length).toBe(layout === 'json' ? 1 : 3);
    for (const s of mine) expect(s.versions.size, s.name).toBe(1);
    const creates = wire.world.callsOf('secretsmanager', 'CreateSecret').filter((c) => c.ok && String((c.input as { Name?: string }).Name).startsWith(`${app}/`));
    expect(creates).toHaveLength(mine.length);
    const after = await readJournal(file0);
    expect((await verifyJournal(file0)).ok).toBe(true);
    expect(leaks(JSON.stringify(after.records) + first.stdout + first.stderr + resumed.stdout + resumed.stderr, VALUES)).toEqual([]);
  }, 120_000);
});
