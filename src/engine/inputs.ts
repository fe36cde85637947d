// Runbook inputs: typed, checked against their patterns, defaults applied, secrets registered
// with the redactor before the value goes anywhere else.
import type { Redactor } from '../journal/redact.js';
import { parseDuration } from '../runbook/duration.js';
import type { InputSpec, Runbook } from '../runbook/schema.js';

export interface InputProblem {
  input: string;
  message: string;
}

export type ResolvedInputs = { ok: true; values: Record<string, unknown> } | { ok: false; problems: InputProblem[] };

/** Converts and checks one raw value against its spec; returns the typed value or a problem in plain words. */
export function checkInput(name: string, spec: InputSpec, raw: string | number | boolean): { value: unknown } | { problem: string } {
  const text = String(raw);
  const shown = spec.secret ? 'the value given' : `'${text.length > 60 ? `${text.slice(0, 59)}…` : text}'`;
  let value: unknown = raw;
  switch (spec.type) {
    case 'number': {
      const n = typeof raw === 'number' ? raw : Number(text.trim());
      if (text.trim() === '' || !Number.isFinite(n)) return { problem: `${shown} is not a number` };
      if (spec.min !== undefined && n < spec.min) return { problem: `${n} is below the minimum ${spec.min}` };
      if (spec.max !== undefined && n > spec.max) return { problem: `${n} is above the maximum ${spec.max}` };
      value = n;
      break;
    }
    case 'boolean': {
      if (typeof raw === 'boolean') value = raw;
      else if (/^(true|yes|1)$/i.test(text)) value = true;
      else if (/^(false|no|0)$/i.test(text)) value = false;
      else return { problem: `${shown} is not true or false` };
      break;
    }
    case 'duration': {
      try {
        parseDuration(text);
      } catch {
        return { problem: `${shown} is not a duration like 30s, 5m or 1h30m` };
      }
      value = text;
      break;
    }
    case 'enum': {
      if (!spec.values?.includes(text)) return { problem: `${shown} is not one of ${spec.values?.join(', ')}` };
      value = text;
      break;
    }
    case 'string':
      value = text;
      break;
  }
  if (spec.pattern && !new RegExp(spec.pattern).test(text)) {
    return { problem: `${shown} does not match ${spec.pattern}${spec.description ? ` (${spec.description})` : ''}` };
  }
  void name;
  return { value };
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
    const checked = checkInput(name, spec, raw);
    if ('problem' in checked) problems.push({ input: name, message: checked.problem });
    else values[name] = checked.value;
  }
  return problems.length ? { ok: false, problems } : { ok: true, values };
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
