// Runbook inputs: typed, checked against their patterns, defaults applied, secrets registered
// with the redactor before the value goes anywhere else.
import { reachOf, type Redactor } from '../journal/redact.js';
import { inputValueProblem } from '../runbook/inputs.js';
import type { InputSpec, Runbook } from '../runbook/schema.js';

export interface InputProblem {
  input: string;
  message: string;
}

/** `warnings`: what the operator should know about a secret input (never its value). */
export type ResolvedInputs = { ok: true; values: Record<string, unknown>; warnings: InputProblem[] } | { ok: false; problems: InputProblem[] };

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
 * the redactor first, so even an error about them cannot show them. With the runbook's `source`,
 * the warnings also tell of a secret that is one of its words.
 */
export function resolveInputs(runbook: Runbook, given: Record<string, string>, redactor: Redactor, source?: string): ResolvedInputs {
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
  return problems.length ? { ok: false, problems } : { ok: true, values, warnings: secretInputWarnings(runbook, given, source) };
}

/**
 * What the redactor cannot do for a secret input, said without its value. A secret of 1–4
 * characters is masked only where a whole field or line equals it: inside text, masking it would
 * destroy ordinary words and numbers (a pin "1" would blank every digit). A longer one that is
 * also a word of the runbook is masked wherever that word appears, which shows where the runbook
 * says it, and so, to a reader of the export, what it is. Each message is whole (it names the
 * input); of the ways to say it, the first that does not contain the value is used, and an input
 * whose name contains its value is not named.
 */
export function secretInputWarnings(runbook: Runbook, given: Record<string, string>, source?: string): InputProblem[] {
  const warnings: InputProblem[] = [];
  for (const [name, spec] of Object.entries(runbook.inputs)) {
    if (!spec.secret) continue;
    const raw = given[name] ?? spec.default;
    if (raw === undefined) continue;
    const value = String(raw);
    if (value === '') continue;
    const who = shows(name, value) ? 'a secret input' : `secret input '${name}'`;
    // Each message is said whole, as the operator will read it (the session journals it as is).
    if (reachOf(value) === 'exact') {
      warnings.push({
        input: name,
        message: firstHiding(value, [
          `warning: ${who} is too short to hide in text: oncall masks it only where a whole value or output line equals it, never inside text (that would destroy ordinary words and numbers); use a longer secret, or treat this one as seen`,
          `warning: ${who} is too short to hide in text; use a longer secret`,
          `${who}: too short to mask in text`,
          `${who}: too short`,
          // Not naming the input, for a value that its name or the words above contain.
          'a secret is too short to mask',
          'short secret: not hidden',
          'weak secret',
        ]),
      });
    } else if (source !== undefined && wordIn(source, value)) {
      warnings.push({
        input: name,
        message: firstHiding(value, [
          `warning: ${who} is also a word of the runbook: it is masked wherever that word appears in output, which can tell a reader what it is; use a secret that is not an ordinary word`,
          `warning: ${who} is also a word of the runbook; masking it there shows what it is`,
          `${who}: a word of the runbook`,
          'a secret is a word of the runbook',
          'a secret shows by context',
        ]),
      });
    }
  }
  return warnings;
}

/** Whether `text` shows `value` (ignoring case; a single letter only as a word of its own). */
function shows(text: string, value: string): boolean {
  const t = text.toLowerCase();
  const v = value.toLowerCase();
  return v.length === 1 && /\p{L}/u.test(v) ? wordIn(t, v) : t.includes(v);
}

function firstHiding(value: string, messages: string[]): string {
  return messages.find((m) => !shows(m, value)) ?? messages.at(-1)!;
}

/** `word` occurs in `text` with no letter, digit or underscore right before or after it. */
function wordIn(text: string, word: string): boolean {
  for (let i = text.indexOf(word); i !== -1; i = text.indexOf(word, i + 1)) {
    if (!/[\p{L}\p{N}_]/u.test(text[i - 1] ?? ' ') && !/[\p{L}\p{N}_]/u.test(text[i + word.length] ?? ' ')) return true;
  }
  return false;
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
