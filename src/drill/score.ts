// Scoring a drill from its journal (what the responder did) and the world (when it got healthy).
import type { DrillScore } from '../journal/events.js';
import type { IncidentState } from '../engine/state.js';
import type { Scenario } from './scenario.js';

/** When each phase was reached, in simulated and wall milliseconds since the page. */
export type PhaseTimes = Partial<Record<Phase, { sim: number; wall: number }>>;
export type Phase = 'acknowledge' | 'diagnose' | 'mitigate' | 'recover';
export const PHASES: readonly Phase[] = ['acknowledge', 'diagnose', 'mitigate', 'recover'];

/**
 * Whether a decision is the correct diagnosis: the scenario's expect.diagnosis, or else the first
 * choice answered as expect.answers expects.
 */
export function diagnosisOf(s: Scenario): (d: { step: string; value: string; type: string }) => boolean {
  const pin = s.expect.diagnosis;
  if (pin) return (d) => d.step === pin.step && (pin.choice === undefined || d.value === pin.choice);
  return (d) => d.type === 'choice' && s.expect.answers[d.step] === d.value;
}

/** The scenario's target for each phase, in simulated minutes. */
export function targetsOf(s: Scenario): NonNullable<DrillScore['targets']> {
  const t = s.expect.targets;
  return {
    acknowledge_minutes: t.acknowledge_minutes ?? 5,
    diagnose_minutes: t.diagnose_minutes ?? s.expect.target_minutes / 2,
    mitigate_minutes: s.expect.target_minutes,
    recover_minutes: t.recover_minutes ?? s.expect.target_minutes * 1.5,
  };
}

const seconds = (ms: number | undefined) => (ms === undefined ? undefined : Math.round(ms / 1000));

export function scoreDrill(
  s: Scenario,
  state: IncidentState,
  facts: { phases: PhaseTimes; elapsedMs: number; declined: string[]; hints?: { used: number; offered: number }; wall?: { startedAt: number; ms: number; humanMs: number; pace: number } },
): DrillScore {
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
  const time_to_mitigate_s = seconds(facts.phases.mitigate?.sim);
  const mitigatedInTime = s.expect.mitigated === undefined || (time_to_mitigate_s !== undefined && time_to_mitigate_s <= s.expect.target_minutes * 60);
  const optional = (k: string, v: number | undefined) => (v === undefined ? {} : { [k]: v });
  const wall = facts.wall;
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
    ...optional('time_to_acknowledge_s', seconds(facts.phases.acknowledge?.sim)),
    ...optional('time_to_diagnose_s', seconds(facts.phases.diagnose?.sim)),
    ...optional('time_to_recover_s', seconds(facts.phases.recover?.sim)),
    ...(facts.hints ? { hints_used: facts.hints.used, hints_offered: facts.hints.offered } : {}),
    targets: targetsOf(s),
    ...(wall
      ? {
          wall: {
            started_at: new Date(wall.startedAt).toISOString(),
            seconds: Math.round(wall.ms / 100) / 10,
            human_seconds: Math.round(wall.humanMs / 100) / 10,
            pace: wall.pace,
            phases_s: Object.fromEntries(PHASES.flatMap((p) => (facts.phases[p] ? [[p, Math.round(facts.phases[p].wall / 100) / 10]] : []))),
          },
        }
      : {}),
  };
}

/** Each phase of the response against its target: text for a person, and whether it was late (or never came). */
export function phaseRows(score: DrillScore): { phase: Phase; label: string; text: string; late: boolean }[] {
  const t = score.targets;
  if (!t) return [];
  const row = (phase: Phase, label: string, at: number | undefined, target: number, applies = true) => {
    if (!applies) return { phase, label, text: 'not part of this scenario', late: false };
    if (at === undefined) return { phase, label, text: 'not reached', late: true };
    return { phase, label, text: `${formatSeconds(at)} (target ${target} min)`, late: at > target * 60 };
  };
  return [
    row('acknowledge', 'Time to acknowledge', score.time_to_acknowledge_s, t.acknowledge_minutes),
    row('diagnose', 'Time to diagnose', score.time_to_diagnose_s, t.diagnose_minutes),
    { phase: 'mitigate', label: 'Time to mitigate', ...mitigation(score) },
    row('recover', 'Time to recover', score.time_to_recover_s, t.recover_minutes, score.expected_outcome === 'completed'),
  ];
}

/** How the score's clock counted: the operator at the given pace, or machine time only. */
export function clockNote(score: DrillScore): string | undefined {
  const w = score.wall;
  if (!w) return undefined;
  if (w.pace === 0) return 'machine time only: waits on the operator were not counted (--auto)';
  return `${w.seconds} s wall, ${w.human_seconds} s of it waiting on the operator${w.pace !== 1 ? ` (counted at ${w.pace}×)` : ''}`;
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
  ];
  const phases = phaseRows(score).filter((p) => p.phase !== 'mitigate');
  if (phases.length) lines.push(`  ${phases.map((p) => `${p.label.replace(/^Time to /, '')} ${p.text}${p.late && !p.text.startsWith('not') ? ' LATE' : ''}`).join('; ')}`);
  const note = clockNote(score);
  if (note) lines.push(`  clock: ${note}`);
  lines.push(
    `  steps skipped: ${score.steps_skipped.length}${score.steps_skipped.length ? ` (${score.steps_skipped.map((s) => s.step).join(', ')})` : ''}; confirmations declined: ${score.confirmations_declined.length}${score.hints_offered ? `; hints used: ${score.hints_used ?? 0} of ${score.hints_offered}` : ''}`,
  );
  for (const w of score.wrong_turns) lines.push(`  wrong turn at ${w.step}${w.choice ? ` (${w.choice})` : ''}: ${w.why}`);
  return lines;
}

/** 95 → "1 min 35 s". */
export function formatSeconds(s: number): string {
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
}
