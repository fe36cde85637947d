// A drill can never reach the live world: the session has no default providers to fall back on,
// and the live providers are never made while a drill plays (the module throws if asked here).
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';

const made: string[] = [];
vi.mock('../../src/providers/live.js', () => ({
  liveProvidersFor: () => {
    made.push(new Error().stack ?? 'liveProvidersFor');
    throw new Error('a drill asked for the live world');
  },
}));

const { loadScenario } = await import('../../src/drill/scenario.js');
const { startDrill } = await import('../../src/drill/session.js');
const { builtinRegistry } = await import('../../src/executors/index.js');
const { headlessPorts } = await import('../../src/headless/ports.js');
const { ROOT, tempDir } = await import('../helpers/cli.js');

describe('drills and the live world', () => {
  // One scenario per world a runbook can touch: AWS (EC2, ELB, Secrets Manager), Kubernetes, and local commands.
  it.each(['ec2-system-check-host', 'elb-idle-timeout', 'secrets-clean-migration', 'etcd-restore-clean', 'local-504-short-timeout'])(
    '%s plays to its score without making a live provider',
    async (id) => {
      const loaded = await loadScenario(join(ROOT, 'examples/drills', `${id}.yaml`));
      const session = await startDrill({
        loaded,
        stateRoot: tempDir(),
        registry: builtinRegistry(),
        ports: headlessPorts({ yes: true, answers: loaded.scenario.expect.answers, operator: 'trainee' }),
        operator: 'trainee',
      });
      await session.incident.engine.run();
      const score = await session.finish();
      expect(score.passed).toBe(true);
      expect(made).toEqual([]);
    },
    30_000,
  );
});
