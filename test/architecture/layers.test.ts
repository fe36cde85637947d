// The layers of src/ as the build enforces them: no import circle between files, and eslint refuses
// an import that goes the wrong way (the rules are in eslint.config.js, LAYERS).
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const SRC = join(ROOT, 'src');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : /\.tsx?$/.test(e.name) ? [join(dir, e.name)] : []));
}

/** Every relative import of every file under src/, type-only and dynamic ones included. */
function importGraph(): Map<string, string[]> {
  const files = new Set(sources(SRC).map((f) => relative(ROOT, f)));
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const text = readFileSync(join(ROOT, file), 'utf8');
    const targets: string[] = [];
    for (const m of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"](\.{1,2}\/[^'"]+)['"]/g)) {
      const base = normalize(join(dirname(file), m[1]!)).replace(/\.js$/, '');
      const hit = [`${base}.ts`, `${base}.tsx`].find((c) => files.has(c));
      if (hit) targets.push(hit);
    }
    graph.set(file, targets);
  }
  return graph;
}

/** Strongly connected components with more than one file (or a file importing itself): the circles. */
function circles(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) out.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return out;
}

describe('layers', () => {
  it('has no import circle in src/', () => {
    expect(circles(importGraph())).toEqual([]);
  });

  it('the circle finder finds a circle (so the test above can fail)', () => {
    const g = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts']],
      ['c.ts', ['a.ts']],
      ['d.ts', ['a.ts']],
    ]);
    expect(circles(g)).toEqual([['a.ts', 'b.ts', 'c.ts']]);
  });

  const eslint = new ESLint({ cwd: ROOT });
  const lint = async (file: string, code: string) => {
    const [result] = await eslint.lintText(code, { filePath: join(ROOT, file) });
    return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
  };

  it.each([
    ['src/journal/fixture.ts', "import { Engine } from '../engine/engine.js';", /journal\/ may not import engine\//],
    ['src/runbook/fixture.ts', "import type { StepKind } from '../core/step.js';", /runbook\/ may not import core\//],
    ['src/engine/fixture.ts', "import { shellKind } from '../executors/shell.js';", /engine\/ may not import executors\//],
    ['src/tui/fixture.ts', "import { EXIT } from '../commands/run.js';", /tui\/ may not import commands\//],
    ['src/plugins/fixture.ts', "import type { CommandIO } from '../commands/io.js';", /plugins\/ may not import commands\//],
    ['src/tui/fixture.ts', "import { headlessPorts } from '../headless/ports.js';", /same layer/],
    ['src/engine/fixture.ts', "import { Box } from 'ink';", /only src\/tui draws/],
  ])('lint refuses a wrong-way import in %s', async (file, code, message) => {
    const messages = await lint(file, code);
    expect(messages.length).toBe(1);
    expect(messages[0]).toMatch(message);
  });

  it('lint accepts imports that go down', async () => {
    expect(await lint('src/engine/fixture.ts', "import type { StepKind } from '../core/step.js';\nimport { Redactor } from '../journal/redact.js';\nexport type T = StepKind | Redactor;")).toEqual([]);
    expect(await lint('src/commands/fixture.ts', "import { launchTui } from '../tui/launch.js';\nexport const f = launchTui;")).toEqual([]);
  });
});
