import type { StepKind } from './step.js';

/** Where a step kind came from: the built-ins, or a plugin (name and file). */
export interface KindSource {
  type: 'builtin' | 'plugin';
  plugin?: string;
  file?: string;
}

/** The step kinds a run can use. A name can be registered once: collisions are errors, never overrides. */
export class KindRegistry {
  private readonly kinds = new Map<string, { kind: StepKind; source: KindSource }>();

  register(kind: StepKind, source: KindSource = { type: 'builtin' }): this {
    const existing = this.kinds.get(kind.name);
    if (existing) {
      const from = existing.source.type === 'builtin' ? 'a built-in step kind' : `plugin '${existing.source.plugin}'`;
      throw new Error(`step kind '${kind.name}' is already defined by ${from}`);
    }
    this.kinds.set(kind.name, { kind, source });
    return this;
  }

  get(name: string): StepKind | undefined {
    return this.kinds.get(name)?.kind;
  }

  has(name: string): boolean {
    return this.kinds.has(name);
  }

  source(name: string): KindSource | undefined {
    return this.kinds.get(name)?.source;
  }

  names(): string[] {
    return [...this.kinds.keys()].sort();
  }
}
