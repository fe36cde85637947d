// The AWS drills scored off their expected path: a reboot where the host failed, and a hand-off
// when the load balancer's own timeout was the cause, are wrong turns and leave the world broken.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/drill/scenario.js';
import { startDrill } from '../../src/drill/session.js';
import { builtinRegistry } from '../../src/executors/index.js';
import { headlessPorts } from '../../src/headless/ports.js';
import { ROOT, tempDir } from '../helpers/cli.js';

async function play(id: string, answers: Record<string, string>) {
  const loaded = await loadScenario(join(ROOT, 'examples/drills', `${id}.yaml`));
  const session = await startDrill({ loaded, stateRoot: tempDir(), registry: builtinRegistry(), ports: headlessPorts({ yes: true, answers, operator: 'trainee' }), operator: 'trainee' });
  await session.incident.engine.run().catch(() => undefined);
  return { session, score: await session.finish() };
}

describe('AWS drills off the expected path', () => {
  it('ec2-system-check-host: a reboot keeps the failed host; the runbook sends the trainee to rescue, not mitigated', async () => {
    const id = 'i-0abc1234def567890';
    const { score, session } = await play('ec2-system-check-host', { choose: 'reboot', reboot: id, rescue: 'CASE-1', 'offer-alarm': 'skip', summary: 'done' });
    expect(score.passed).toBe(false);
    expect(score.wrong_turns.map((w) => `${w.step}${w.choice ? `:${w.choice}` : ''}`)).toEqual(['choose:reboot', 'reboot']);
    expect(score.time_to_mitigate_s).toBeUndefined();
    expect(session.aws!.snapshot().ec2.instances[id]).toMatchObject({ state: 'running', ok: false, checks: { system: 'impaired' } });
    // The waiter gave the reboot its full status_wait on the simulated clock.
    expect(score.simulated_minutes).toBeGreaterThanOrEqual(15);
  });

  it('elb-idle-timeout: calling it "not the load balancer" is a wrong turn and the 504s go on', async () => {
    const { score, session } = await play('elb-idle-timeout', { diagnose: 'not-lb', 'hand-to-app': 'APP-1', summary: 'done' });
    expect(score).toMatchObject({ passed: false, outcome: 'completed', expects_mitigation: true });
    expect(score.wrong_turns).toEqual([expect.objectContaining({ step: 'diagnose', choice: 'not-lb' })]);
    expect(session.aws!.snapshot().elbv2.load_balancers.web!.idle_timeout_s).toBe(60);
  });

  it('a declined destructive stop is recorded and nothing is stopped', async () => {
    const loaded = await loadScenario(join(ROOT, 'examples/drills/ec2-system-check-host.yaml'));
    const ports = headlessPorts({ yes: true, answers: loaded.scenario.expect.answers, operator: 'trainee' });
    const session = await startDrill({
      loaded,
      stateRoot: tempDir(),
      registry: builtinRegistry(),
      ports: { ...ports, confirm: async (req) => (req.destructive ? { approved: false, by: 'trainee', reason: 'not on my watch' } : ports.confirm(req)) },
      operator: 'trainee',
    });
    await session.incident.engine.run().catch(() => undefined);
    const score = await session.finish();
    expect(score.confirmations_declined).toEqual(['stop']);
    expect(session.aws!.callsOf('ec2', 'StopInstances')).toEqual([]);
    expect(score.passed).toBe(false);
    // Nothing was stopped, so nothing is waited for: straight to the summary, which says so.
    const steps = session.incident.engine.state.steps;
    expect(steps['wait-stopped']).toMatchObject({ phase: 'skipped' });
    expect(steps['summary']!.captures).toMatchObject({ incident_summary: expect.stringContaining('action: none') });
    expect(score.outcome).toBe('completed');
    expect(score.simulated_minutes).toBeLessThan(1);
  });
});
