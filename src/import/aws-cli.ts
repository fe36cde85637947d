// `aws <service> <operation> --option value …` one-liners as `aws.call` steps, where the mapping
// is exact: a service oncall ships, an operation of its SDK, and options that are members of the
// operation's input whose type the SDK's model states (text, numbers, booleans, lists of them).
// Anything else (shorthand structures, --query, --profile, `aws s3 cp`) stays a shell step.
import { AWS_SERVICES } from '../providers/aws/modules.js';
import { hasPaginator, memberType, operationsOf, serviceOf } from '../executors/aws/call.js';
import type { Word } from './shell.js';

/** Options the CLI takes for itself: what they mean for the step, or why the mapping is not exact. */
const GLOBAL: Record<string, 'region' | 'ignore' | string> = {
  '--region': 'region',
  '--output': 'ignore',
  '--no-cli-pager': 'ignore',
  '--no-paginate': 'ignore',
  '--color': 'ignore',
  '--profile': 'the run picks the profile (--profile), not the step',
  '--query': 'a JMESPath --query (write it as a capture over result)',
  '--cli-input-json': '--cli-input-json',
  '--cli-input-yaml': '--cli-input-yaml',
  '--endpoint-url': '--endpoint-url',
  '--debug': 'ignore',
};

export interface AwsCallMapping {
  with: Record<string, unknown>;
}

/**
 * The aws.call parameters for a command line, or why it stays a shell step. `text` renders a word
 * (placeholders become `${{ inputs.x }}`).
 */
export function mapAwsCli(words: Word[], text: (w: Word) => string): { ok: true; mapping: AwsCallMapping } | { ok: false; why: string } {
  const plain = words.map((w) => w.map((p) => ('text' in p ? p.text : '\0')).join(''));
  if (plain[0] !== 'aws') return { ok: false, why: 'not the AWS CLI' };
  const cliService = plain[1] ?? '';
  if (cliService === 's3') return { ok: false, why: "'aws s3' is the CLI's own file commands, not one API call" };
  const service = serviceOf(cliService === 's3api' ? 's3' : cliService);
  if (!service) return { ok: false, why: `oncall ships no SDK client for '${cliService}'` };
  const cliOp = plain[2] ?? '';
  if (cliOp.startsWith('wait')) return { ok: false, why: "an 'aws … wait' (use a wait step with an aws.call probe)" };
  const flat = cliOp.replace(/-/g, '').toLowerCase();
  const operation = [...operationsOf(service).keys()].find((op) => op.toLowerCase() === flat);
  if (!operation) return { ok: false, why: `${AWS_SERVICES[service].label} has no operation for '${cliOp}'` };

  // Types come from the catalog generated from the SDK's model (operations.ts): no SDK is loaded.
  const members = new Map<string, string>();
  for (const name of operationsOf(service).get(operation) ?? []) members.set(name.toLowerCase(), name);

  const out: Record<string, unknown> = {};
  let region: string | undefined;
  let onePage = false;
  for (let i = 3; i < words.length; i++) {
    const flag = plain[i]!;
    if (!flag.startsWith('--')) return { ok: false, why: `'${flag}' is not an option` };
    const [name, inline] = flag.includes('=') ? [flag.slice(0, flag.indexOf('=')), flag.slice(flag.indexOf('=') + 1)] : [flag, undefined];
    const values: Word[] = [];
    if (inline !== undefined) values.push([{ text: inline }]);
    else while (i + 1 < words.length && !plain[i + 1]!.startsWith('--')) values.push(words[++i]!);
    if (name === '--no-paginate') {
      onePage = true;
      continue;
    }
    const global = GLOBAL[name];
    if (global === 'region') {
      if (values.length !== 1) return { ok: false, why: '--region takes one value' };
      region = text(values[0]!);
      continue;
    }
    if (global === 'ignore') continue;
    if (global) return { ok: false, why: global };
    const negated = name.startsWith('--no-');
    const key = (negated ? name.slice(5) : name.slice(2)).replace(/-/g, '').toLowerCase();
    const member = members.get(key);
    if (!member) return { ok: false, why: `${operation} has no input member for ${name}` };
    const memberName = member;
    const type = memberType(service, operation, memberName);
    if (type === 'b') {
      if (values.length) return { ok: false, why: `${name} is a flag` };
      out[memberName] = !negated;
      continue;
    }
    if (negated) return { ok: false, why: `${name} is not a flag` };
    if (!values.length) return { ok: false, why: `${name} has no value` };
    if (type === 'L') {
      out[memberName] = values.map((v) => scalar(text(v)));
      continue;
    }
    if (values.length !== 1) return { ok: false, why: `${name} takes one value` };
    if (type !== 's' && type !== 'n' && type !== 't') return { ok: false, why: `${name} takes a structure (the CLI's shorthand syntax)` };
    out[memberName] = type === 'n' ? scalar(text(values[0]!)) : text(values[0]!);
  }
  // The CLI walks every page of a listing; so does the step (the SDK's paginator).
  const paginate = hasPaginator(service, operation) && !onePage;
  return {
    ok: true,
    mapping: {
      with: { service: cliService === 's3api' ? 's3' : (Object.keys(AWS_SERVICES).includes(cliService) ? cliService : service), operation, input: out, ...(region ? { region } : {}), ...(paginate ? { paginate: true } : {}) },
    },
  };
}

/** Text that is a number is a number (a list of numbers, a numeric member); aws.call converts the rest by the model. */
function scalar(v: string): unknown {
  return /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v;
}

