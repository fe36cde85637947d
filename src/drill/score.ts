// Scoring a drill from its journal (what the responder did) and the world (when it got healthy).
import type { DrillScore } from '../journal/events.js';
import type { IncidentState } from '../engine/state.js';
import type { Scenario } from './scenario.js';

export function scoreDrill(s: Scenario, state: IncidentState, facts: { mitigatedAtMs?: number; elapsedMs: number; declined: string[] }): DrillScore {
  const steps = Object.values(state.steps).filter((st) => !st.id.includes(':'));
  const wrong_turns = s.expect.wrong_turns.filter((w) => {
    const st = state.steps[w.step];
    if (!st || st.phase !== 'ok') return false;
    return w.choice === undefined || st.result?.choice === w.choice;
  });
  // Skips the runbook made by rule are not the responder's; the rest (skips, declines, refusals) are.
  const steps_skipped = steps
    .filter((st) => st.phase === 'skipped' && !st.skipReason?.startsWith('condition not met'))
    .map((st) => ({ step: st.id, reason: st.skipReason ?? '' }));
  const outcome = state.outcome ?? 'open';
  const time_to_mitigate_s = facts.mitigatedAtMs === undefined ? undefined : Math.round(facts.mitigatedAtMs / 1000);
  const mitigatedInTime = s.expect.mitigated === undefined || (time_to_mitigate_s !== undefined && time_to_mitigate_s <= s.expect.target_minutes * 60);
  return {
    scenario: s.id,
    outcome,
    expected_outcome: s.expect.outcome,
    expects_mitigation: s.expect.mitigated !== undefined,
    ...(time_to_mitigate_s !== undefined ? { time_to_mitigate_s } : {}),
    target_minutes: s.expect.target_minutes,
    simulated_minutes: Math.round((facts.elapsedMs / 60_000) * 10) / 10,
    steps_skipped,
    wrong_turns,
    confirmations_declined: facts.declined,
    passed: outcome === s.expect.outcome && mitigatedInTime && wrong_turns.length === 0,
  };
}

/** How mitigation went, in words, and whether it missed the target (or never came). */
export function mitigation(score: DrillScore): { text: string; late: boolean } {
  if (!score.expects_mitigation) return { text: 'no fix to reach in this scenario', late: false };
  if (score.time_to_mitigate_s === undefined) return { text: 'NOT mitigated', late: true };
  return { text: `${formatSeconds(score.time_to_mitigate_s)} (target ${score.target_minutes} min)`, late: score.time_to_mitigate_s > score.target_minutes * 60 };
}

/** The score in a few lines, for the terminal. */
export function formatScore(score: DrillScore): string[] {
  const m = mitigation(score);
  const ttm = score.time_to_mitigate_s === undefined ? m.text : `mitigated after ${m.text}`;
  const lines = [
    `drill ${score.passed ? 'PASSED' : 'NOT PASSED'}: ${score.scenario}`,
    `  outcome ${score.outcome} (expected ${score.expected_outcome}); ${ttm}; ${score.simulated_minutes} simulated minutes`,
    `  steps skipped: ${score.steps_skipped.length}${score.steps_skipped.length ? ` (${score.steps_skipped.map((s) => s.step).join(', ')})` : ''}; confirmations declined: ${score.confirmations_declined.length}`,
  ];
  for (const w of score.wrong_turns) lines.push(`  wrong turn at ${w.step}${w.choice ? ` (${w.choice})` : ''}: ${w.why}`);
  return lines;
}

/** 95 → "1 min 35 s". */
export function formatSeconds(s: number): string {
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
}
