// Input values against their declaration: used for defaults at load time and for the values an
// operator gives at run time, so both say the same thing.
import type { InputSpec } from './schema.js';
import { DURATION_RE } from './schema.js';
import { didYouMean } from './suggest.js';
import { patternRegExp } from './pattern.js';

/** What is wrong with a (typed) value for this input, in words that follow the value; undefined when fine. */
export function inputValueProblem(spec: InputSpec, value: unknown): string | undefined {
  const shown = typeof value === 'string' ? `'${value}'` : JSON.stringify(value);
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
