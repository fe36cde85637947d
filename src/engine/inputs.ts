// Runbook inputs: typed, checked against their patterns, defaults applied, secrets registered
// with the redactor before the value goes anywhere else.
import type { Redactor } from '../journal/redact.js';
import { inputValueProblem } from '../runbook/inputs.js';
import type { InputSpec, Runbook } from '../runbook/schema.js';

export interface InputProblem {
  input: string;
  message: string;
}

export type ResolvedInputs = { ok: true; values: Record<string, unknown> } | { ok: false; problems: InputProblem[] };

/**
 * Converts a raw value from the command line (or a form) to the input's type, then checks it with
 * the same rules the loader applies to defaults, so both say the same thing.
 */
export function checkInput(spec: InputSpec, raw: string | number | boolean): { value: unknown } | { problem: string } {
  let value: unknown = raw;
  if (typeof raw === 'string') {
    const text = raw.trim();
    if (spec.type === 'number' && text !== '' && Number.isFinite(Number(text))) value = Number(text);
    else if (spec.type === 'boolean' && /^(true|yes|1)$/i.test(text)) value = true;
    else if (spec.type === 'boolean' && /^(false|no|0)$/i.test(text)) value = false;
  }
  const problem = inputValueProblem(spec, value);
  return problem ? { problem: spec.description ? `${problem} (${spec.description})` : problem } : { value };
}

/**
 * Resolves the runbook's inputs from what the operator gave. Secret values are registered with
 * the redactor first, so even an error about them cannot show them.
 */
export function resolveInputs(runbook: Runbook, given: Record<string, string>, redactor: Redactor): ResolvedInputs {
  const problems: InputProblem[] = [];
  const values: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(runbook.inputs)) {
    if (spec.secret && given[name] !== undefined) redactor.add(given[name], name);
  }
  for (const name of Object.keys(given)) {
    if (!(name in runbook.inputs)) {
      const known = Object.keys(runbook.inputs);
      problems.push({ input: name, message: `this runbook has no input '${name}'${known.length ? ` (inputs: ${known.join(', ')})` : ''}` });
    }
  }
  for (const [name, spec] of Object.entries(runbook.inputs)) {
    const raw = given[name] ?? spec.default;
    if (raw === undefined) {
      if (spec.required !== false) problems.push({ input: name, message: `required${spec.description ? `: ${spec.description}` : ''}` });
      continue;
    }
    const checked = checkInput(spec, raw);
    // A secret's value never reaches an error message either.
    if ('problem' in checked) problems.push({ input: name, message: redactor.redact(checked.problem) });
    else values[name] = checked.value;
  }
  return problems.length ? { ok: false, problems } : { ok: true, values };
}

/**
 * A secret input left to its default: the default is registered with the redactor, so that no
 * output, note or error shows it. Called once `runbook.attached` is journaled: the default is
 * written in the runbook source that record carries, and redacting it there would change the
 * source a resume parses (the checker warns that such a default is not kept secret in the file).
 */
export function registerSecretDefaults(runbook: Runbook, given: Record<string, string>, redactor: Redactor): void {
  for (const [name, spec] of Object.entries(runbook.inputs)) {
    if (spec.secret && given[name] === undefined && spec.default !== undefined) redactor.add(String(spec.default), name);
  }
}

/** Inputs as they may be journaled: secret ones replaced by a marker. */
export function journaledInputs(runbook: Runbook, values: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, runbook.inputs[k]?.secret ? `[redacted:${k}]` : v]));
}

/** `k=v` pairs from the command line; the first `=` splits, so values may contain `=`. */
export function parsePairs(pairs: string[] | undefined, flag: string): { ok: true; values: Record<string, string> } | { ok: false; message: string } {
  const values: Record<string, string> = {};
  for (const pair of pairs ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) return { ok: false, message: `${flag} takes name=value, got '${pair.length > 40 ? `${pair.slice(0, 39)}…` : pair}'` };
    values[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return { ok: true, values };
}
