// The forms: a new incident (title, severity, service), then the chosen runbook's inputs (typed
// fields, defaults filled in, secrets masked, validated as they are typed). Submitting walks the
// fields and goes on only once every one is valid; what comes next (the picker, opening, resuming)
// is another flow's, reached through FormsNext.
import type { InputSpec } from '../../runbook/schema.js';
import type { RunbookListing } from '../../runbook/listing.js';
import type { FieldSpec, FormState } from '../store.js';
import type { Shared } from './shared.js';

/** Where a submitted form leads. */
export interface FormsNext {
  /** The new-incident form is done: the runbook picker shows the runbooks. */
  loadRunbooks(): Promise<void>;
  /** The inputs are valid: open the incident. */
  open(form: FormState): Promise<void>;
  /** The secrets an incident being resumed needs again. */
  resume(secrets: Record<string, string>): Promise<void>;
  /** The secrets form was left: the incident read back is let go (its lock too). */
  dropResume(): Promise<void>;
  /** Back on the start screen: its list may have changed. */
  refreshIncidents(): Promise<void>;
}

const SEVERITIES = ['SEV0', 'SEV1', 'SEV2', 'SEV3', 'SEV4', 'SEV5'];

export class FormsFlow {
  constructor(
    private readonly tui: Shared,
    private readonly next: FormsNext,
  ) {}

  private get store() {
    return this.tui.store;
  }

  /** The new-incident form, filled with the draft so far. */
  newIncident(): void {
    const s = this.store.getState();
    const d = s.draft;
    const fields: FieldSpec[] = [
      { name: 'title', label: 'Title', type: 'text', help: 'What is happening, in a few words', placeholder: "the runbook's title" },
      { name: 'severity', label: 'Severity', type: 'enum', values: SEVERITIES, help: 'SEV0 is the worst; left/right to change' },
      { name: 'service', label: 'Service', type: 'text', help: 'The service affected (optional)', placeholder: 'optional' },
    ];
    s.setForm({
      id: 'new-incident',
      title: 'New incident',
      subtitle: 'Then pick the runbook to follow.',
      fields,
      values: { title: d.title, severity: d.severity, service: d.service },
      focus: 0,
      problems: {},
      check: (f, v) => (f.name === 'title' && v.length > 200 ? 'keep the title under 200 characters' : undefined),
    });
    s.setScreen({ kind: 'new-incident' });
  }

  /** The runbook chosen in the picker: its inputs form, or straight on when it has none. */
  async chooseRunbook(item: RunbookListing): Promise<void> {
    const s = this.store.getState();
    s.choose(item);
    s.setScreen({ kind: 'busy', message: `Loading ${item.id}...` });
    const { checkInput } = await import('../../engine/inputs.js');
    const form = inputsForm('inputs', `Inputs for ${item.id}`, item.inputs, checkInput);
    form.subtitle = item.title;
    const st = this.store.getState();
    st.setForm(form);
    if (!form.fields.length) return this.next.open(form);
    st.setScreen({ kind: 'inputs' });
  }

  /** Enter: the next field; on the last one, every field is checked and the form goes on. */
  async submit(): Promise<void> {
    const s = this.store.getState();
    const form = s.form;
    if (!form) return;
    if (form.focus < form.fields.length - 1) return s.focusField(1);
    const problems: Record<string, string | undefined> = {};
    for (const f of form.fields) problems[f.name] = form.check(f, form.values[f.name] ?? '');
    const bad = form.fields.findIndex((f) => problems[f.name]);
    if (bad >= 0) {
      s.setForm({ ...form, problems, focus: bad, error: `${form.fields[bad]!.label}: ${problems[form.fields[bad]!.name]}` });
      return;
    }
    switch (form.id) {
      case 'new-incident':
        s.setDraft({ title: form.values.title ?? '', severity: form.values.severity ?? 'SEV3', service: form.values.service ?? '' });
        s.setForm(undefined);
        s.setScreen({ kind: 'picker' });
        void this.next.loadRunbooks();
        return;
      case 'inputs':
        return this.next.open(form);
      case 'resume-secrets':
        return this.next.resume(pick(form.values));
    }
  }

  /** Esc on a form: the inputs go back to the picker; the others to the start screen. */
  back(): void {
    const s = this.store.getState();
    if (s.form?.id === 'inputs') {
      s.setForm(undefined);
      return s.setScreen({ kind: 'picker' });
    }
    if (s.form?.id === 'resume-secrets') void this.next.dropResume();
    s.setForm(undefined);
    if (!this.tui.open) s.endIncident();
    s.setScreen({ kind: 'start' });
    void this.next.refreshIncidents();
  }
}

/** Non-empty values: an empty field means "use the default" (or is reported as missing). */
export function pick(values: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== ''));
}

type CheckInput = (spec: InputSpec, raw: string) => { value: unknown } | { problem: string };

/** A form for runbook inputs: typed fields, defaults filled in, secrets masked, validation as you type. */
export function inputsForm(id: FormState['id'], title: string, specs: Record<string, InputSpec>, checkInput: CheckInput): FormState {
  const fields: FieldSpec[] = [];
  const values: Record<string, string> = {};
  for (const [name, spec] of Object.entries(specs)) {
    const type = spec.type === 'string' ? 'text' : spec.type;
    const hasDefault = spec.default !== undefined;
    fields.push({
      name,
      label: name,
      type,
      values: spec.values,
      secret: spec.secret,
      help: [spec.description, spec.pattern ? `pattern ${spec.pattern}` : '', spec.min !== undefined || spec.max !== undefined ? `range ${spec.min ?? '…'}–${spec.max ?? '…'}` : '']
        .filter(Boolean)
        .join(' | '),
      placeholder: spec.secret && hasDefault ? 'a default is set; leave empty to use it' : spec.required === false || hasDefault ? 'optional' : 'required',
    });
    values[name] = hasDefault && !spec.secret ? String(spec.default) : '';
  }
  const check = (f: FieldSpec, value: string): string | undefined => {
    const spec = specs[f.name];
    if (!spec) return undefined;
    if (value === '') return spec.default !== undefined || spec.required === false ? undefined : 'required';
    const r = checkInput(spec, value);
    if (!('problem' in r)) return undefined;
    // A secret's value is never drawn, not even inside an error message.
    return spec.secret ? r.problem.split(value).join('••••') : r.problem;
  };
  const problems: Record<string, string | undefined> = {};
  for (const f of fields) if (values[f.name] !== '') problems[f.name] = check(f, values[f.name]!);
  return { id, title, fields, values, focus: 0, problems, check };
}
