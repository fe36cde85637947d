// The runbook's paths besides the scenarios' expected ones, played on their simulated worlds:
// reclassifying keys by hand, declining the write, a wrong turn at a finding, read-only mode.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../../src/drill/scenario.js';
import { startDrill } from '../../../src/drill/session.js';
import { builtinRegistry } from '../../../src/executors/index.js';
import { headlessPorts } from '../../../src/headless/ports.js';
import { ROOT, tempDir } from '../../helpers/cli.js';

const scenario = (id: string) => join(ROOT, 'examples/drills', `${id}.yaml`);

async function play(id: string, answers: Record<string, string>, opts: { decline?: boolean } = {}) {
  const loaded = await loadScenario(scenario(id));
  const ports = headlessPorts({ yes: true, answers, operator: 'trainee' });
  const session = await startDrill({
    loaded,
    stateRoot: tempDir(),
    registry: builtinRegistry(),
    ports: opts.decline ? { ...ports, confirm: async () => ({ approved: false, by: 'trainee', reason: 'not today' }) } : ports,
    operator: 'trainee',
  });
  const result = await session.incident.engine.run();
  const score = await session.finish();
  return { session, result, score, state: session.incident.engine.state };
}

describe('secrets-env-migration runbook paths', () => {
  it('the operator moves keys between secret and plain config; the plan follows', async () => {
    const { state, result, session } = await play('secrets-clean-migration', {
      classify: 'adjust',
      adjust: '+SESSION_COOKIE_NAME,-WEBHOOK_TOKEN',
      'approve-plan': 'approve',
      deploy: 'done',
      'remove-env': 'examples/env/payments-api.env',
      rotate: 'done',
    });
    expect(result.outcome).toBe('completed');
    expect(state.steps.plan?.result).toMatchObject({ keys_migrated: 4 });
    const stored = JSON.parse([...session.aws!.secrets.secrets.find((s) => s.name === 'payments-api/prod/app')!.versions.values()][0]!.string!);
    expect(Object.keys(stored).sort()).toEqual(['DATABASE_URL', 'JWT_SIGNING_SECRET', 'SESSION_COOKIE_NAME', 'STRIPE_SECRET_KEY']);
  });

  it('declining the write skips everything after it and changes nothing', async () => {
    const { state, result, session } = await play('secrets-clean-migration', { classify: 'accept', 'approve-plan': 'approve' }, { decline: true });
    expect(result.outcome).toBe('completed');
    expect(state.steps.migrate?.phase).toBe('skipped');
    for (const id of ['verify', 'cutover', 'backup-env', 'deploy', 'remove-env', 'rotate']) expect(state.steps[id]?.phase, id).toBe('skipped');
    expect(session.aws!.secrets.secrets).toHaveLength(0);
  });

  it('migrating a .env whose values are not what they seem is scored as a wrong turn', async () => {
    const { score, session } = await play('secrets-malformed-env', { findings: 'migrate-effective', classify: 'accept', 'approve-plan': 'approve', deploy: 'done', 'remove-env': 'examples/env/malformed.env', rotate: 'done' });
    expect(score.passed).toBe(false);
    expect(score.wrong_turns).toEqual([expect.objectContaining({ step: 'findings', choice: 'migrate-effective' })]);
    // What it would have carried over: the cut-off password and the swallowed line, as dotenv reads them.
    expect(session.aws!.secrets.secrets.map((s) => s.name)).toEqual(['billing-worker/prod/app']);
  });
});
