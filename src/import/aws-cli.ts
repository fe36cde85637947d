// `aws <service> <operation> --option value …` one-liners as `aws.call` steps, where the mapping
// is exact: a service oncall ships, an operation of its SDK, and options that are members of the
// operation's input whose type the SDK's model states (text, numbers, booleans, lists of them).
// Anything else (shorthand structures, --query, --profile, `aws s3 cp`) stays a shell step.
import { AWS_SERVICES, loadAwsModule } from '../providers/aws/modules.js';
import type { AwsService } from '../providers/aws/sdk.js';
import { operationsOf, serviceOf } from '../executors/aws/call.js';
import type { Word } from './shell.js';

/** The part of the SDK's NormalizedSchema the mapping reads. */
interface Shape {
  isStructSchema(): boolean;
  isListSchema(): boolean;
  isNumericSchema(): boolean;
  isBooleanSchema(): boolean;
  isStringSchema(): boolean;
  isTimestampSchema(): boolean;
  structIterator(): Iterable<[string, Shape]>;
  getValueSchema(): Shape;
}

let schemaModule: Promise<{ NormalizedSchema: { of(schema: never): Shape } }> | undefined;
const loadSchemas = () => (schemaModule ??= import('@smithy/core/schema'));

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
export async function mapAwsCli(words: Word[], text: (w: Word) => string): Promise<{ ok: true; mapping: AwsCallMapping } | { ok: false; why: string }> {
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

  const [mod, schemas] = await Promise.all([loadAwsModule(service), loadSchemas()]);
  const exports = mod as Record<string, unknown>;
  const op = exports[`${operation}$`];
  if (!Array.isArray(op)) return { ok: false, why: `the SDK has no model of ${operation}` };
  const input = schemas.NormalizedSchema.of(op[4] as never);
  const members = new Map<string, [string, Shape]>();
  for (const [name, shape] of input.structIterator()) members.set(name.toLowerCase(), [name, shape]);

  const out: Record<string, unknown> = {};
  let region: string | undefined;
  for (let i = 3; i < words.length; i++) {
    const flag = plain[i]!;
    if (!flag.startsWith('--')) return { ok: false, why: `'${flag}' is not an option` };
    const [name, inline] = flag.includes('=') ? [flag.slice(0, flag.indexOf('=')), flag.slice(flag.indexOf('=') + 1)] : [flag, undefined];
    const values: Word[] = [];
    if (inline !== undefined) values.push([{ text: inline }]);
    else while (i + 1 < words.length && !plain[i + 1]!.startsWith('--')) values.push(words[++i]!);
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
    const [memberName, shape] = member;
    if (shape.isBooleanSchema()) {
      if (values.length) return { ok: false, why: `${name} is a flag` };
      out[memberName] = !negated;
      continue;
    }
    if (negated) return { ok: false, why: `${name} is not a flag` };
    if (!values.length) return { ok: false, why: `${name} has no value` };
    if (shape.isListSchema()) {
      const item = shape.getValueSchema();
      if (!(item.isStringSchema() || item.isNumericSchema())) return { ok: false, why: `${name} takes structures (the CLI's shorthand syntax)` };
      out[memberName] = values.map((v) => scalar(item, text(v)));
      continue;
    }
    if (values.length !== 1) return { ok: false, why: `${name} takes one value` };
    if (!(shape.isStringSchema() || shape.isNumericSchema() || shape.isTimestampSchema())) return { ok: false, why: `${name} takes a structure (the CLI's shorthand syntax)` };
    out[memberName] = scalar(shape, text(values[0]!));
  }
  // The CLI walks every page of a listing; so does the step.
  const paginate = typeof exports[`paginate${operation}`] === 'function';
  return {
    ok: true,
    mapping: {
      with: { service: cliService === 's3api' ? 's3' : (Object.keys(AWS_SERVICES).includes(cliService) ? cliService : service), operation, input: out, ...(region ? { region } : {}), ...(paginate ? { paginate: true } : {}) },
    },
  };
}

function scalar(shape: Shape, v: string): unknown {
  return shape.isNumericSchema() && /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v;
}

export type { AwsService };
