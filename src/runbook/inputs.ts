// Input values against their declaration: used for defaults at load time and for the values an
// operator gives at run time, so both say the same thing.
import type { InputSpec } from './schema.js';
import { DURATION_RE } from './schema.js';
import { didYouMean } from './suggest.js';
import { patternRegExp } from './pattern.js';
import { MAX_INPUT_CHARS, quoted } from './limits.js';

/**
 * What is wrong with a (typed) value for this input, in words that follow the value; undefined when
 * fine. A value longer than MAX_INPUT_CHARS is refused without being shown; others are quoted cut
 * to a few dozen characters, except a secret's, which callers replace whole by its placeholder
 * (a cut secret could not be recognised, and its beginning would show).
 */
export function inputValueProblem(spec: InputSpec, value: unknown): string | undefined {
  if (typeof value === 'string' && value.length > MAX_INPUT_CHARS) {
    return `the value is ${value.length.toLocaleString('en-US')} characters long; an input takes at most ${MAX_INPUT_CHARS.toLocaleString('en-US')} (for more, pass a file path and read it in a step)`;
  }
  const shown = typeof value === 'string' ? (spec.secret ? `'${value}'` : quoted(value)) : JSON.stringify(value);
  switch (spec.type) {
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) return `${shown} is not a number`;
      if (spec.min !== undefined && value < spec.min) return `${shown} is below the minimum ${spec.min}`;
      if (spec.max !== undefined && value > spec.max) return `${shown} is above the maximum ${spec.max}`;
      return undefined;
    case 'boolean':
      return typeof value === 'boolean' ? undefined : `${shown} is not true or false`;
    case 'duration':
      if (typeof value !== 'string' || !DURATION_RE.test(value)) return `${shown} is not a duration like '30s', '5m' or '1h30m'`;
      break;
    case 'enum': {
      const values = spec.values ?? [];
      if (typeof value !== 'string' || !values.includes(value)) {
        const near = typeof value === 'string' ? didYouMean(value, values) : undefined;
        return `${shown} is not one of ${values.join(', ')}${near ? ` — did you mean '${near}'?` : ''}`;
      }
      break;
    }
    default:
      if (typeof value !== 'string') return `${shown} is not a string`;
  }
  if (spec.pattern !== undefined && typeof value === 'string') {
    let re: RegExp;
    try {
      re = patternRegExp(spec.pattern);
    } catch {
      return undefined; // reported on the pattern itself
    }
    if (!re.test(value)) return `${shown} does not match the pattern ${spec.pattern}`;
  }
  return undefined;
}
