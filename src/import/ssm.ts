// AWS Systems Manager Automation documents (schemaVersion 0.3, YAML or JSON) as oncall runbooks:
//
//   parameters                       → typed inputs (allowedPattern → pattern, allowedValues → enum)
//   aws:executeAwsApi                → aws.call (outputs' Selectors → captures)
//   aws:waitForAwsResourceProperty   → wait, with an aws.call probe and an `until` over it
//   aws:assertAwsResourceProperty    → aws.call with an assert
//   aws:changeInstanceState          → aws.call Start/Stop/TerminateInstances, then a wait for the state
//   aws:approve                      → a decision a person takes (deny fails the run)
//   aws:branch                       → a decision taken by a rule, with branches
//   aws:sleep                        → wait for the duration
//   aws:runCommand, aws:executeScript, … → manual steps with the script as guidance (reported)
//
// `{{ Param }}` becomes `${{ inputs.param }}`, `{{ step.Output }}` `${{ vars.step_output }}`.
import { readYamlValue } from '../runbook/yaml.js';
import { operationsOf, serviceOf } from '../executors/aws/call.js';
import { basename } from './markdown.js';
import { inputName, isSecretName } from './shell.js';
import { stepId, type ImportNote, type ImportResult, type InputDoc, type StepDoc } from './types.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Whether a parsed document is an Automation document. */
export function isSsmDocument(v: unknown): boolean {
  return isObj(v) && String(v.schemaVersion) === '0.3' && Array.isArray(v.mainSteps);
}

export function importSsm(source: string, file: string): ImportResult {
  const doc = readYamlValue(source);
  if (!isSsmDocument(doc) || !isObj(doc)) throw new Error(`${file} is not an SSM Automation document (schemaVersion '0.3' with mainSteps), or it is not valid YAML/JSON within oncall's limits`);
  return new SsmImport(doc, file).run();
}

class SsmImport {
  private readonly notes: ImportNote[] = [];
  private readonly inputs: Record<string, InputDoc> = {};
  private readonly params = new Map<string, { name: string; type: string }>();
  private readonly ids = new Map<string, string>();
  private readonly taken = new Set<string>();
  /** `step.Output` → the capture's name. */
  private readonly outputs = new Map<string, string>();
  private readonly steps: StepDoc[] = [];

  constructor(
    private readonly doc: Obj,
    private readonly file: string,
  ) {}

  run(): ImportResult {
    const description = typeof this.doc.description === 'string' ? this.doc.description.trim() : '';
    this.parameters();
    const mainSteps = (this.doc.mainSteps as unknown[]).filter(isObj);
    // Ids first: steps refer to later ones (nextStep, branches).
    for (const s of mainSteps) this.ids.set(String(s.name ?? ''), stepId(String(s.name ?? 'step'), this.taken));
    for (const s of mainSteps) {
      for (const o of Array.isArray(s.outputs) ? s.outputs.filter(isObj) : []) this.outputs.set(`${String(s.name)}.${String(o.Name)}`, inputName(`${String(s.name)}_${String(o.Name)}`));
    }
    for (const s of mainSteps) this.step(s);
    if (this.doc.outputs !== undefined) this.notes.push({ kind: 'review', message: `document outputs (${JSON.stringify(this.doc.outputs).slice(0, 120)}) are the captures of their steps (vars.<step>_<output>)` });
    const name = basename(this.file).replace(/\.(ya?ml|json)$/i, '');
    const firstLine = description.split('\n').find((l) => l.trim())?.replace(/^#+\s*/, '').trim() ?? '';
    return {
      format: 'ssm',
      runbook: {
        id: stepId(name, new Set()),
        title: firstLine && firstLine.length <= 80 ? firstLine : name,
        version: '1.0.0',
        summary: (description.replace(/\s+/g, ' ').slice(0, 300) || `Imported from the SSM Automation document ${name}.`).trim(),
        tags: ['imported', 'ssm'],
        inputs: this.inputs,
        steps: this.steps.length ? this.steps : [{ id: 'empty', title: 'Nothing to do', kind: 'manual', with: { instruction: 'The document had no steps oncall could read.' } }],
      },
      notes: this.notes,
    };
  }

  private parameters(): void {
    const params = isObj(this.doc.parameters) ? this.doc.parameters : {};
    for (const [raw, spec] of Object.entries(params)) {
      if (!isObj(spec)) continue;
      const type = String(spec.type ?? 'String');
      if (raw === 'AutomationAssumeRole') {
        this.notes.push({ kind: 'unmapped', message: 'AutomationAssumeRole: oncall acts with the operator\'s own credentials (--profile), it assumes no role' });
        continue;
      }
      const name = inputName(raw);
      this.params.set(raw, { name, type });
      const input: InputDoc = { type: 'string' };
      if (typeof spec.description === 'string') input.description = spec.description.trim().slice(0, 300);
      if (type === 'Integer') input.type = 'number';
      else if (type === 'Boolean') input.type = 'boolean';
      else if (Array.isArray(spec.allowedValues) && spec.allowedValues.length && type === 'String') {
        input.type = 'enum';
        input.values = spec.allowedValues.map(String);
      } else if (type !== 'String') {
        this.notes.push({ kind: 'review', message: `parameter ${raw} is a ${type}: it became one text input (a ${type === 'StringList' ? 'list takes one value' : 'map is not a type oncall inputs have'})` });
      }
      if (typeof spec.allowedPattern === 'string' && input.type === 'string') input.pattern = spec.allowedPattern;
      const d = spec.default;
      if (d !== undefined && d !== '' && !(Array.isArray(d) && d.length === 0)) {
        const v = Array.isArray(d) ? d.map(String).join(',') : d;
        if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') {
          if (/\{\{/.test(String(v))) this.notes.push({ kind: 'unmapped', message: `the default of ${raw} (${String(v)}) refers to other values: left out` });
          else input.default = input.type === 'number' ? Number(v) : input.type === 'boolean' ? v === true || v === 'true' : String(v);
        }
      } else if (d !== undefined) input.required = false;
      if (isSecretName(raw)) input.secret = true;
      this.inputs[name] = input;
    }
  }

  // ── templating ──

  /** `{{ X }}` as a CEL expression (without `${{ }}`), or undefined when it refers to nothing oncall has. */
  private ref(inner: string, stepName: string): string | undefined {
    const r = inner.trim();
    const param = this.params.get(r);
    if (param) return `inputs.${param.name}`;
    const out = this.outputs.get(r);
    if (out) return `vars.${out}`;
    if (r === 'automation:EXECUTION_ID') return 'incident.id';
    if (r === 'global:REGION' || r === 'global:ACCOUNT_ID' || r === 'global:AWS_PARTITION') {
      const name = inputName(r.slice(7));
      this.inputs[name] ??= { type: 'string', description: `SSM's {{ ${r} }}: oncall acts where the run is (--profile/--region); give it here` };
      return `inputs.${name}`;
    }
    this.notes.push({ step: this.ids.get(stepName), kind: 'unmapped', message: `{{ ${r} }} refers to nothing oncall knows: left as text` });
    return undefined;
  }

  private value(v: unknown, stepName: string, inList = false): unknown {
    if (typeof v === 'string') {
      // A list parameter used whole (`InstanceIds: '{{ InstanceIds }}'`) is a list of its one value.
      const whole = /^\s*\{\{\s*([^}]+?)\s*\}\}\s*$/.exec(v);
      if (whole && !inList && this.params.get(whole[1]!)?.type === 'StringList') return [`\${{ inputs.${this.params.get(whole[1]!)!.name} }}`];
      return v.replace(/\{\{\s*([^}]+?)\s*\}\}/g, (m, inner: string) => {
        const e = this.ref(inner, stepName);
        return e ? `\${{ ${e} }}` : m;
      });
    }
    if (Array.isArray(v)) return v.map((x) => this.value(x, stepName, true));
    if (isObj(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, this.value(x, stepName)]));
    return v;
  }

  /** Text with `{{ X }}` in it as a CEL string expression: `"recover-" + string(inputs.instance_id)`. */
  private celString(v: string, stepName: string): string {
    const parts: string[] = [];
    let last = 0;
    for (const m of v.matchAll(/\{\{\s*([^}]+?)\s*\}\}/g)) {
      if (m.index > last) parts.push(JSON.stringify(v.slice(last, m.index)));
      const e = this.ref(m[1]!, stepName);
      parts.push(e ? `string(${e})` : JSON.stringify(m[0]));
      last = m.index + m[0].length;
    }
    if (last < v.length || !parts.length) parts.push(JSON.stringify(v.slice(last)));
    return parts.join(' + ');
  }

  /** A `{{ X }}` condition variable as an expression. */
  private variable(v: unknown, stepName: string): string | undefined {
    const m = typeof v === 'string' ? /^\s*\{\{\s*([^}]+?)\s*\}\}\s*$/.exec(v) : null;
    return m ? this.ref(m[1]!, stepName) : undefined;
  }

  // ── steps ──

  private step(s: Obj): void {
    const name = String(s.name ?? '');
    const id = this.ids.get(name)!;
    const action = String(s.action ?? '');
    const inputs = isObj(s.inputs) ? s.inputs : {};
    const title = `${name} (${action})`;
    let made: StepDoc[];
    switch (action) {
      case 'aws:executeAwsApi':
        made = [this.apiStep(id, title, name, inputs, s)];
        break;
      case 'aws:waitForAwsResourceProperty':
        made = [this.waitStep(id, title, name, inputs, s)];
        break;
      case 'aws:assertAwsResourceProperty':
        made = [this.assertStep(id, title, name, inputs)];
        break;
      case 'aws:changeInstanceState':
        made = this.instanceState(id, title, name, inputs, s);
        break;
      case 'aws:approve':
        made = [this.approve(id, title, name, inputs)];
        break;
      case 'aws:branch':
        made = [this.branch(id, title, name, inputs)];
        break;
      case 'aws:sleep':
        made = [this.sleep(id, title, name, inputs)];
        break;
      case 'aws:pause':
        made = [{ id, title, kind: 'manual', with: { instruction: `The automation pauses here (${name}). Go on when you are ready.` } }];
        break;
      default:
        made = [this.manualFor(id, title, name, action, inputs)];
    }
    this.options(made, s, name);
    this.steps.push(...made);
  }

  /** nextStep, isEnd, onFailure, maxAttempts, timeoutSeconds on the last step made. */
  private options(made: StepDoc[], s: Obj, name: string): void {
    const first = made[0]!;
    const last = made[made.length - 1]!;
    if (typeof s.nextStep === 'string') {
      const target = this.ids.get(s.nextStep);
      if (target) last.next = target;
      else this.notes.push({ step: last.id, kind: 'unmapped', message: `nextStep '${s.nextStep}' is not a step of the document` });
    }
    if (s.isEnd === true) last.next = 'end';
    const attempts = Number(s.maxAttempts);
    if (Number.isInteger(attempts) && attempts > 1 && first.kind !== 'decision' && first.kind !== 'manual') first.retry = { attempts: Math.min(attempts, 20) };
    const seconds = Number(s.timeoutSeconds);
    if (Number.isFinite(seconds) && seconds > 0) {
      if (first.kind === 'wait' && first.with && 'probe' in first.with) first.with.max_wait = `${Math.round(seconds)}s`;
      else if (first.kind !== 'decision' && first.kind !== 'manual') first.timeout = `${Math.round(seconds)}s`;
    }
    if (s.onFailure !== undefined && s.onFailure !== 'Abort') {
      this.notes.push({ step: first.id, kind: 'unmapped', message: `onFailure: ${String(s.onFailure)} of ${name}: oncall stops at a failure and the operator retries, stops or skips it (with a reason)` });
    }
    if (s.onCancel !== undefined) this.notes.push({ step: first.id, kind: 'unmapped', message: `onCancel of ${name} has no counterpart: an aborted run stays resumable` });
    if (s.isCritical === false) this.notes.push({ step: first.id, kind: 'review', message: `${name} was not critical in SSM; in oncall every step's failure stops the run unless skipped` });
  }

  /** The aws.call parameters for Service/Api/… inputs, or the reason it cannot be one. */
  private call(inputs: Obj, stepName: string, drop: string[]): { with: Obj } | { why: string } {
    const serviceName = String(inputs.Service ?? '');
    const api = String(inputs.Api ?? '');
    const service = serviceOf(serviceName);
    if (!service) return { why: `oncall ships no AWS SDK client for '${serviceName}'` };
    const ops = operationsOf(service);
    const operation = ops.get(api) ? api : [...ops.keys()].find((o) => o.toLowerCase() === api.toLowerCase());
    if (!operation) return { why: `${serviceName} has no operation '${api}'` };
    const members = ops.get(operation)!;
    const input: Obj = {};
    for (const [k, v] of Object.entries(inputs)) {
      if (k === 'Service' || k === 'Api' || drop.includes(k)) continue;
      if (!members.includes(k)) {
        this.notes.push({ step: this.ids.get(stepName), kind: 'unmapped', message: `${api} takes no input '${k}': left out` });
        continue;
      }
      input[k] = this.value(v, stepName);
    }
    return { with: { service: serviceName.toLowerCase(), operation, input } };
  }

  private apiStep(id: string, title: string, name: string, inputs: Obj, s: Obj): StepDoc {
    const c = this.call(inputs, name, []);
    if ('why' in c) return this.manualFor(id, title, name, 'aws:executeAwsApi', inputs, c.why);
    const step: StepDoc = { id, title, kind: 'aws.call', with: c.with };
    const capture: Record<string, string> = {};
    for (const o of Array.isArray(s.outputs) ? s.outputs.filter(isObj) : []) {
      const expr = selector(String(o.Selector ?? ''));
      const key = this.outputs.get(`${name}.${String(o.Name)}`)!;
      if (expr) capture[key] = `\${{ ${expr} }}`;
      else this.notes.push({ step: id, kind: 'unmapped', message: `output ${String(o.Name)}: the selector ${String(o.Selector)} is not a path oncall can follow (only $.a.b[0].c and one [*])` });
    }
    if (Object.keys(capture).length) step.capture = capture;
    return step;
  }

  private desired(inputs: Obj, id: string): { expr: string; values: string } | undefined {
    const path = selector(String(inputs.PropertySelector ?? ''));
    const values = Array.isArray(inputs.DesiredValues) ? inputs.DesiredValues.map(String) : [];
    if (!path || !values.length) {
      this.notes.push({ step: id, kind: 'unmapped', message: `PropertySelector ${String(inputs.PropertySelector)} with DesiredValues ${JSON.stringify(inputs.DesiredValues)} cannot be a condition` });
      return undefined;
    }
    const list = `[${values.map((v) => this.celString(v, stepNameOf(id, this.ids))).join(', ')}]`;
    return { expr: `${path} in ${list}`, values: values.join(', ') };
  }

  private waitStep(id: string, title: string, name: string, inputs: Obj, _s: Obj): StepDoc {
    const c = this.call(inputs, name, ['PropertySelector', 'DesiredValues']);
    const d = this.desired(inputs, id);
    if ('why' in c || !d) return this.manualFor(id, title, name, 'aws:waitForAwsResourceProperty', inputs, 'why' in c ? c.why : 'its condition could not be read');
    // SSM waits up to an hour by default.
    return { id, title, kind: 'wait', with: { probe: { kind: 'aws.call', with: c.with }, until: `\${{ ${d.expr} }}`, interval: '15s', max_wait: '1h' } };
  }

  private assertStep(id: string, title: string, name: string, inputs: Obj): StepDoc {
    const c = this.call(inputs, name, ['PropertySelector', 'DesiredValues']);
    const d = this.desired(inputs, id);
    if ('why' in c || !d) return this.manualFor(id, title, name, 'aws:assertAwsResourceProperty', inputs, 'why' in c ? c.why : 'its condition could not be read');
    return { id, title, kind: 'aws.call', with: c.with, assert: [{ that: `\${{ ${d.expr} }}`, message: `${String(inputs.PropertySelector)} is not one of ${d.values}` }] };
  }

  private instanceState(id: string, title: string, name: string, inputs: Obj, _s: Obj): StepDoc[] {
    const ids = this.value(inputs.InstanceIds, name);
    const state = String(inputs.DesiredState ?? '');
    const ops: Record<string, [string, string[]]> = { running: ['StartInstances', ['running']], stopped: ['StopInstances', ['stopped']], terminated: ['TerminateInstances', ['terminated']] };
    const op = ops[state];
    if (!op || !Array.isArray(ids)) return [this.manualFor(id, title, name, 'aws:changeInstanceState', inputs, `DesiredState ${state} or InstanceIds cannot be mapped`)];
    const probe = { kind: 'aws.call', with: { service: 'ec2', operation: 'DescribeInstances', input: { InstanceIds: ids } } };
    const until = `\${{ result.Reservations.all(r, r.Instances.all(i, i.State.Name in ${JSON.stringify(op[1])})) }}`;
    const waitId = stepId(`${name}-wait`, this.taken);
    const wait: StepDoc = { id: waitId, title: `${name}: wait until ${state}`, kind: 'wait', with: { probe, until, interval: '15s', max_wait: '1h' } };
    if (inputs.CheckStateOnly === true) return [{ ...wait, id }];
    const input: Obj = { InstanceIds: ids };
    if (inputs.Force === true && state === 'stopped') input.Force = true;
    return [{ id, title, kind: 'aws.call', with: { service: 'ec2', operation: op[0], input } }, wait];
  }

  private approve(id: string, title: string, name: string, inputs: Obj): StepDoc {
    const message = typeof inputs.Message === 'string' ? String(this.value(inputs.Message, name)) : `Approve ${name}?`;
    if (inputs.NotificationArn !== undefined || inputs.Approvers !== undefined) {
      this.notes.push({ step: id, kind: 'review', message: `aws:approve ${name}: the approval is the operator's, at the terminal (Approvers, NotificationArn and MinRequiredApprovals are not used)` });
    }
    return {
      id,
      title,
      kind: 'decision',
      with: { question: message, options: [{ value: 'approve', label: 'Approve: go on' }, { value: 'deny', label: 'Deny: stop the run' }] },
      assert: [{ that: "${{ result.choice == 'approve' }}", message: 'the approval was denied' }],
    };
  }

  private branch(id: string, title: string, name: string, inputs: Obj): StepDoc {
    const choices = Array.isArray(inputs.Choices) ? inputs.Choices.filter(isObj) : [];
    const arms: { cond: string; target: string }[] = [];
    for (const c of choices) {
      const target = this.ids.get(String(c.NextStep ?? ''));
      const cond = this.condition(c, name);
      if (!target || !cond) {
        this.notes.push({ step: id, kind: 'unmapped', message: `a choice of ${name} (${JSON.stringify(c).slice(0, 160)}) could not be mapped` });
        continue;
      }
      arms.push({ cond, target });
    }
    const fallback = typeof inputs.Default === 'string' ? this.ids.get(inputs.Default) : undefined;
    const targets = [...new Set([...arms.map((a) => a.target), ...(fallback ? [fallback] : [])])];
    let rule = fallback ? JSON.stringify(fallback) : "''";
    for (const a of [...arms].reverse()) rule = `${a.cond} ? ${JSON.stringify(a.target)} : ${rule}`;
    if (!fallback) this.notes.push({ step: id, kind: 'review', message: `${name} has no Default: when no choice holds, the operator picks` });
    return {
      id,
      title,
      kind: 'decision',
      with: { question: `Which way from ${name}?`, options: targets.map((t) => ({ value: t, label: `go to ${t}` })), rule: `\${{ ${rule} }}` },
      branches: targets.map((t) => ({ choice: t, next: t })),
    };
  }

  /** One choice's condition (with And/Or/Not) as CEL. */
  private condition(c: Obj, name: string): string | undefined {
    if (Array.isArray(c.And)) {
      const parts = c.And.filter(isObj).map((x) => this.condition(x, name));
      return parts.every(Boolean) ? `(${parts.join(' && ')})` : undefined;
    }
    if (Array.isArray(c.Or)) {
      const parts = c.Or.filter(isObj).map((x) => this.condition(x, name));
      return parts.every(Boolean) ? `(${parts.join(' || ')})` : undefined;
    }
    if (isObj(c.Not)) {
      const inner = this.condition(c.Not, name);
      return inner ? `!(${inner})` : undefined;
    }
    const v = this.variable(c.Variable, name);
    if (!v) return undefined;
    const str = (x: unknown) => JSON.stringify(String(x));
    const num = (x: unknown) => (Number.isFinite(Number(x)) ? String(Number(x)) : undefined);
    if ('StringEquals' in c) return `string(${v}) == ${str(c.StringEquals)}`;
    if ('EqualsIgnoreCase' in c) {
      this.notes.push({ kind: 'review', message: `EqualsIgnoreCase in ${name} became an exact comparison (CEL here has no case folding)` });
      return `string(${v}) == ${str(c.EqualsIgnoreCase)}`;
    }
    if ('StartsWith' in c) return `string(${v}).startsWith(${str(c.StartsWith)})`;
    if ('EndsWith' in c) return `string(${v}).endsWith(${str(c.EndsWith)})`;
    if ('Contains' in c) return `string(${v}).contains(${str(c.Contains)})`;
    if ('BooleanEquals' in c) return `${v} == ${c.BooleanEquals === true || c.BooleanEquals === 'true' ? 'true' : 'false'}`;
    const numeric: Record<string, string> = { NumericEquals: '==', NumericGreater: '>', NumericLesser: '<', NumericGreaterOrEquals: '>=', NumericLesserOrEquals: '<=' };
    for (const [k, op] of Object.entries(numeric)) {
      if (k in c) {
        const n = num(c[k]);
        return n === undefined ? undefined : `double(${v}) ${op} ${n.includes('.') ? n : `${n}.0`}`;
      }
    }
    return undefined;
  }

  private sleep(id: string, title: string, name: string, inputs: Obj): StepDoc {
    const d = typeof inputs.Duration === 'string' ? isoDuration(inputs.Duration) : undefined;
    if (!d) return this.manualFor(id, title, name, 'aws:sleep', inputs, inputs.Timestamp !== undefined ? 'sleeping until a timestamp' : 'its Duration is not an ISO 8601 duration');
    return { id, title, kind: 'wait', with: { for: d } };
  }

  /** A step oncall cannot run for the document: a person does it, with what SSM would have run as guidance. */
  private manualFor(id: string, title: string, name: string, action: string, inputs: Obj, why?: string): StepDoc {
    const body = inputs.Script ?? inputs.Parameters;
    const script = typeof inputs.Script === 'string' ? `\`\`\`${String(inputs.Runtime ?? '').startsWith('python') ? 'python' : 'powershell'}\n${inputs.Script}\n\`\`\`` : '';
    const rest = Object.fromEntries(Object.entries(inputs).filter(([k]) => k !== 'Script'));
    const instruction = [
      `In SSM this step was \`${action}\`${why ? ` (${why})` : ''}; oncall does not run it. Do it yourself, then confirm.`,
      Object.keys(rest).length ? `Inputs:\n\n\`\`\`json\n${JSON.stringify(this.value(rest, name), null, 2)}\n\`\`\`` : '',
      script,
    ]
      .filter(Boolean)
      .join('\n\n');
    this.notes.push({ step: id, kind: 'unmapped', message: `${name} (${action}) became a manual step${why ? `: ${why}` : ''}${body !== undefined ? '; its script/parameters are its guidance' : ''}` });
    return { id, title, kind: 'manual', with: { instruction } };
  }
}

function stepNameOf(id: string, ids: Map<string, string>): string {
  for (const [name, v] of ids) if (v === id) return name;
  return id;
}

/** A JSONPath selector (`$.Reservations[0].Instances[0].State.Name`, one `[*]`) as CEL over `result`. */
export function selector(sel: string): string | undefined {
  const m = /^\$((?:\.[A-Za-z_][A-Za-z0-9_]*|\[\d+\]|\[\*\])*)$/.exec(sel.trim());
  if (!m) return undefined;
  const parts: string[] = m[1]!.match(/\.[A-Za-z_][A-Za-z0-9_]*|\[\d+\]|\[\*\]/g) ?? [];
  const stars = parts.filter((p) => p === '[*]').length;
  if (stars > 1) return undefined;
  const at = parts.indexOf('[*]');
  if (at < 0) return `result${parts.join('')}`;
  const tail = parts.slice(at + 1).join('');
  return `result${parts.slice(0, at).join('')}${tail ? `.map(x, x${tail})` : ''}`;
}

/** ISO 8601 durations as SSM writes them (PT5M, PT1H30M, PT30S) in oncall's form. */
export function isoDuration(s: string): string | undefined {
  const m = /^PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?$/.exec(s.trim());
  if (!m || (!m[1] && !m[2] && !m[3])) return undefined;
  return `${m[1] ? `${m[1]}h` : ''}${m[2] ? `${m[2]}m` : ''}${m[3] ? `${m[3]}s` : ''}`;
}
