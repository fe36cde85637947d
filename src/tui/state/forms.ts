// The forms: the new incident's draft (kept when the operator goes back), and the form on screen,
// validated as it is typed.
import { applyEdit, clamp } from './derived.js';
import type { FormsActions, FormsState, Slice } from './types.js';

export const formsSlice: Slice<FormsState & FormsActions> = (set, get) => ({
  draft: { title: '', severity: 'SEV3', service: '' },

  setDraft: (draft) => set({ draft }),
  setForm: (form) => set({ form }),
  editField: (edit) => {
    const form = get().form;
    const field = form?.fields[form.focus];
    if (!form || !field) return;
    if (field.type === 'boolean' || field.type === 'enum') return;
    const value = applyEdit(form.values[field.name] ?? '', edit);
    set({ form: { ...form, values: { ...form.values, [field.name]: value }, problems: { ...form.problems, [field.name]: form.check(field, value) }, error: undefined } });
  },
  cycleField: (delta) => {
    const form = get().form;
    const field = form?.fields[form.focus];
    if (!form || !field) return;
    const values = field.type === 'boolean' ? ['true', 'false'] : field.type === 'enum' ? (field.values ?? []) : undefined;
    if (!values?.length) return;
    const i = values.indexOf(form.values[field.name] ?? '');
    const value = values[(i + delta + values.length * 2) % values.length]!;
    set({ form: { ...form, values: { ...form.values, [field.name]: value }, problems: { ...form.problems, [field.name]: form.check(field, value) }, error: undefined } });
  },
  focusField: (delta) => {
    const form = get().form;
    if (!form) return;
    set({ form: { ...form, focus: clamp(form.focus + delta, 0, form.fields.length - 1) } });
  },
  setFormError: (error) => {
    const form = get().form;
    if (form) set({ form: { ...form, error } });
  },
});
