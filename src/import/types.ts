// What an importer hands back: a runbook as a plain document (written out as YAML and validated
// like any other), and everything it could not map or wants a person to look at — never dropped.

export interface ImportNote {
  /** The line of the source the note is about (1-based), when there is one. */
  line?: number;
  /** The step it ended up in, if any. */
  step?: string;
  /** unmapped: left out of the steps (kept as guidance where it could be); review: mapped, but look at it. */
  kind: 'unmapped' | 'review';
  message: string;
}

export interface StepDoc {
  id: string;
  title: string;
  kind: string;
  with?: Record<string, unknown>;
  when?: string;
  capture?: Record<string, string>;
  assert?: (string | { that: string; message?: string })[];
  retry?: { attempts: number };
  timeout?: string;
  confirm?: { message?: string; destructive?: boolean; resource?: string };
  next?: string;
  branches?: { when?: string; choice?: string; next: string }[];
  guidance?: string;
}

export interface InputDoc {
  type: 'string' | 'number' | 'boolean' | 'duration' | 'enum';
  description?: string;
  pattern?: string;
  values?: string[];
  default?: string | number | boolean;
  required?: boolean;
  secret?: boolean;
}

export interface RunbookDoc {
  id: string;
  title: string;
  version: string;
  summary: string;
  tags: string[];
  inputs: Record<string, InputDoc>;
  steps: StepDoc[];
}

export interface ImportResult {
  format: 'markdown' | 'ssm';
  runbook: RunbookDoc;
  notes: ImportNote[];
}

/** A step id from a title or a name: lowercase words joined by '-', unique within `taken`. */
export function stepId(raw: string, taken: Set<string>): string {
  const base =
    raw
      .normalize('NFKD')
      .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 50)
      .replace(/-+$/, '') || 'step';
  let id = base;
  for (let n = 2; taken.has(id); n++) id = `${base}-${n}`;
  taken.add(id);
  return id;
}
