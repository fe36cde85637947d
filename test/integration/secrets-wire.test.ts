// The secrets-env-migration runbook, headless, through the built binary, in live mode: the real
// AWS SDK signs with fake static keys and reaches a local endpoint speaking Secrets Manager's JSON
// protocol (AWS_ENDPOINT_URL_SECRETS_MANAGER) and STS's (AWS_ENDPOINT_URL_STS). Canary values are
// planted in the .env, and every output is scanned for them: stdout, stderr, the journal, every
// export format, and the command line of the process and of any child it starts, read from /proc
// while it runs.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXPORT_FORMATS, exportIncident } from '../../src/export/index.js';
import { journalPath } from '../../src/journal/paths.js';
import { verifyJournal } from '../../src/journal/reader.js';
import { BIN, ROOT, events, tempDir } from '../helpers/cli.js';
import { leaks } from '../executors/secrets/helpers.js';
import { startSecretsWire, type SecretsWire } from '../executors/secrets/wire-server.js';


const CANARY = {
  db: 'CANARY-db-7f1c9b2e-Qm4v',
  api: 'CANARY-api-0d4e8a61-Zx8W',
  pem: 'CANARYPEMLINE0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRST',
  url: 'CANARY-url-pass-5b3c',
};
const ALL = Object.values(CANARY);
const ENV_TEXT = [
  '# canary .env: every value below must never be seen outside Secrets Manager',
  'NODE_ENV=production',
  'PORT=8080',
  `DB_PASSWORD=${CANARY.db}`,
  `export API_TOKEN="${CANARY.api}"`,
  `TLS_PRIVATE_KEY="-----BEGIN PRIVATE KEY-----\n${CANARY.pem}\n-----END PRIVATE KEY-----"`,
  `DATABASE_URL=postgres://app:${CANARY.url}@db.internal:5432/app`,
  '',
].join('\n');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Every command line seen in /proc for the process and its descendants while it ran. */
  cmdlines: string[];
}

/** Runs the CLI and samples /proc/<pid>/cmdline of it and every descendant until it exits. */
function oncallLive(args: string[], env: Record<string, string>, stateDir: string): Promise<Run> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env, ONCALL_STATE_DIR: stateDir, ONCALL_OPERATOR: 'tester' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const cmdlines = new Set<string>();
    const sample = () => {
      const family = new Set([child.pid!]);
      let procs: string[];
      try {
        procs = readdirSync('/proc').filter((p) => /^\d+$/.test(p));
      } catch {
        return;
      }
      const parent = new Map<number, number>();
      for (const p of procs) {
        try {
          const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
          parent.set(Number(p), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
        } catch {
          // gone
        }
      }
      for (let grew = true; grew; ) {
        grew = false;
        for (const [pid, ppid] of parent) {
          if (family.has(ppid) && !family.has(pid)) {
            family.add(pid);
            grew = true;
          }
        }
      }
      for (const pid of family) {
        try {
          cmdlines.add(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' '));
        } catch {
          // gone
        }
      }
    };
    const timer = setInterval(sample, 3);
    sample();
    child.once('exit', (code) => {
      clearInterval(timer);
      done({ code, stdout, stderr, cmdlines: [...cmdlines] });
    });
  });
}

function runArgs(file: string, extra: string[] = []): string[] {
  return [
    'run',
    'secrets-env-migration',
    '--input',
    `env_file=${file}`,
    '--input',
    'app=canary-app',
    '--input',
    'env=prod',
    '--input',
    'owner=team-canary',
    '--input',
    'platform=ecs',
    '--yes',
    '--answer',
    'findings=migrate-effective',
    '--answer',
    'classify=accept',
    '--answer',
    'approve-plan=approve',
    '--answer',
    'deploy=done',
    '--answer',
    `remove-env=${file}`,
    '--answer',
    'rotate=done',
    '--json',
    ...extra,
  ];
}

/** Every text a person or a program could see of an incident: journal lines and all exports. */
async function everyOutput(stateDir: string, id: string): Promise<Record<string, string>> {
  const out: Record<string, string> = { journal: readFileSync(journalPath(stateDir, id), 'utf8') };
  for (const format of EXPORT_FORMATS) out[`export.${format}`] = String(await exportIncident(stateDir, id, format));
  return out;
}

describe('secrets-env-migration on the wire (live mode, local endpoint)', () => {
  let wire: SecretsWire;
  beforeAll(async () => {
    wire = await startSecretsWire({ region: 'eu-central-1' });
    // Slow answers keep the process alive long enough for /proc to be sampled many times.
    wire.hooks.after = () => new Promise((r) => setTimeout(r, 40));
  });
  afterAll(() => wire.close());

  it('migrates, verifies, backs up and removes the .env; no value appears anywhere; a rerun creates nothing', async () => {
    const dir = tempDir('oncall-secrets-wire-');
    const file = join(dir, 'app.env');
    writeFileSync(file, ENV_TEXT, { mode: 0o640 });
    const stateDir = join(dir, 'state');
    const res = await oncallLive(runArgs(file), wire.env(), stateDir);
    expect(res.code, res.stderr).toBe(0);
    const evs = events(res.stdout);
    const id = evs[0]!.incident;
    const finished = (step: string) => evs.find((e) => e.type === 'step.finished' && e.payload.step === step)?.payload;
    expect(evs.find((e) => e.type === 'identity.resolved')?.payload.aws).toMatchObject({ account: '123456789012', region: 'eu-central-1' });
    expect(finished('inventory').result).toMatchObject({ secret_count: 4, plain_count: 2 });
    expect(finished('migrate').result).toMatchObject({ created: 1, new_versions: 0, unchanged: 0 });
    expect(finished('verify').result).toMatchObject({ all_match: true });
    expect(finished('remove-env').result).toMatchObject({ all_removed: true, simulated: false });

    // Secrets Manager holds exactly the effective values, once.
    const secret = wire.world.secrets.secrets.find((s) => s.name === 'canary-app/prod/app')!;
    expect(secret.versions.size).toBe(1);
    expect(JSON.parse([...secret.versions.values()][0]!.string!)).toEqual({
      API_TOKEN: CANARY.api,
      DATABASE_URL: `postgres://app:${CANARY.url}@db.internal:5432/app`,
      DB_PASSWORD: CANARY.db,
      TLS_PRIVATE_KEY: `-----BEGIN PRIVATE KEY-----\n${CANARY.pem}\n-----END PRIVATE KEY-----`,
    });
    expect(Object.fromEntries(secret.tags)).toMatchObject({ app: 'canary-app', env: 'prod', owner: 'team-canary', source: 'dotenv-migration', 'source-file': 'app.env', 'migration-id': id });
    // The .env is gone; its backup is the owner's alone and holds the same bytes.
    expect(existsSync(file)).toBe(false);
    const backup = `${file}.oncall-backup-${id}`;
    expect(statSync(backup).mode & 0o777).toBe(0o600);
    expect(readFileSync(backup, 'utf8')).toBe(ENV_TEXT);

    // No value anywhere: terminal, journal, exports, process arguments.
    const outputs = { stdout: res.stdout, stderr: res.stderr, ...(await everyOutput(stateDir, id)), cmdlines: res.cmdlines.join('\n') };
    for (const [where, text] of Object.entries(outputs)) expect(leaks(text, ALL), where).toEqual([]);
    expect(res.cmdlines.length).toBeGreaterThan(0);
    expect(res.cmdlines.some((c) => c.includes('secrets-env-migration'))).toBe(true);
    expect((await verifyJournal(journalPath(stateDir, id))).ok).toBe(true);
    // The values only ever travelled to the Secrets Manager endpoint, in request bodies.
    expect(wire.requests.filter((r) => r.body.includes(CANARY.db)).map((r) => r.command)).toEqual(['CreateSecret']);

    // A rerun from the same content (another incident) finds everything in place.
    writeFileSync(file, ENV_TEXT, { mode: 0o600 });
    const again = await oncallLive(runArgs(file), wire.env(), join(dir, 'state2'));
    expect(again.code, again.stderr).toBe(0);
    const ev2 = events(again.stdout);
    expect(ev2.find((e) => e.type === 'step.finished' && e.payload.step === 'precheck')?.payload.result).toMatchObject({ to_create: 0, unchanged: 1, conflicts: 0 });
    expect(ev2.find((e) => e.type === 'step.finished' && e.payload.step === 'migrate')?.payload.result).toMatchObject({ created: 0, unchanged: 1 });
    expect(secret.versions.size).toBe(1);
    expect(wire.world.callsOf('secretsmanager', 'CreateSecret').filter((c) => c.ok)).toHaveLength(1);
  }, 120_000);

  it('an AWS error that echoes the request (whole, partly, or as Value \'…\') never shows the value; the run fails and rolls back nothing it did not create', async () => {
    const dir = tempDir('oncall-secrets-wire-');
    const file = join(dir, 'app.env');
    writeFileSync(file, ENV_TEXT.replace('canary', 'echo'), { mode: 0o600 });
    wire.hooks.before = (command, input) =>
      command === 'CreateSecret'
        ? {
            status: 400,
            type: 'ValidationException',
            message: `1 validation error: Value '${String(input.SecretString)}' at 'secretString' failed; near ${CANARY.db.slice(0, 14)}; got ${String(input.SecretString)}`,
          }
        : undefined;
    try {
      const res = await oncallLive(runArgs(file, ['--input', 'env=echo']), wire.env(), join(dir, 'state'));
      expect(res.code).toBe(1);
      const evs = events(res.stdout);
      const id = evs[0]!.incident;
      const migrate = evs.find((e) => e.type === 'step.finished' && e.payload.step === 'migrate')!.payload;
      expect(migrate.status).toBe('failed');
      expect(migrate.error).toContain("Secrets Manager refused CreateSecret for canary-app/echo/app (ValidationException): a parameter was not accepted");
      expect(migrate.error).toContain("oncall does not repeat AWS's message");
      const outputs = { stdout: res.stdout, stderr: res.stderr, ...(await everyOutput(join(dir, 'state'), id)), cmdlines: res.cmdlines.join('\n') };
      for (const [where, text] of Object.entries(outputs)) {
        expect(leaks(text, ALL), where).toEqual([]);
        expect(text.includes(CANARY.db.slice(0, 14)), `${where} holds the partial echo`).toBe(false);
      }
      expect(existsSync(file)).toBe(true);
      expect(wire.world.secrets.secrets.find((s) => s.name === 'canary-app/echo/app')).toBeUndefined();
    } finally {
      delete wire.hooks.before;
    }
  }, 120_000);
});
