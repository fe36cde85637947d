// The fast path (js-yaml) must never disagree with `yaml`: whenever it returns a value, `yaml`
// parses the same source without errors to the same value. Checked on real files, on snippets
// for each construct, and on thousands of random mutations.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { parseDocument } from 'yaml';
import { describe, expect, test } from 'vitest';
import { parseYamlFast } from '../../src/runbook/fast-yaml.js';

const root = join(import.meta.dirname, '..', '..');

function yamlValue(src: string): { ok: true; value: unknown } | { ok: false } {
  const doc = parseDocument(src, { uniqueKeys: true });
  if (doc.errors.length) return { ok: false };
  try {
    return { ok: true, value: doc.toJS() };
  } catch {
    return { ok: false };
  }
}

/** Fails when the fast parser returns something `yaml` would not. */
function agree(src: string): 'fast' | 'bail' {
  const fast = parseYamlFast(src);
  if (!fast) return 'bail';
  const slow = yamlValue(src);
  if (!slow.ok || !isDeepStrictEqual(fast.value, slow.value)) {
    throw new Error(`fast parser disagrees with yaml on:\n${src}\nfast: ${JSON.stringify(fast.value)}\nyaml: ${slow.ok ? JSON.stringify(slow.value) : '(error)'}`);
  }
  return 'fast';
}

function yamlFiles(dir: string): string[] {
  try {
    return readdirSync(join(root, dir))
      .filter((f) => /\.ya?ml$/.test(f))
      .map((f) => join(root, dir, f));
  } catch {
    return [];
  }
}

describe('fast YAML subset parser', () => {
  test('agrees with yaml on every runbook in the repository', () => {
    const files = [...yamlFiles('test/runbook/good'), ...yamlFiles('test/runbook/broken'), ...yamlFiles('runbooks'), ...yamlFiles('examples')];
    expect(files.length).toBeGreaterThan(20);
    for (const f of files) agree(readFileSync(f, 'utf8'));
  });

  test('reads the good fixture itself (the fast path is the common path)', () => {
    expect(agree(readFileSync(join(root, 'test/runbook/good/full.yaml'), 'utf8'))).toBe('fast');
  });

  const snippets: Record<string, string> = {
    scalars: 'a: 1\nb: 1.5\nc: true\nd: False\ne: null\nf: ~\ng: 0x1F\nh: 0o17\ni: 1e3\nj: .inf\nl: 1.0.0\nm: 30s\nn: -1\no: +2\np: .nan\nq: yes\nr: 010\n',
    strings: 'a: hello world\nb: "double \\"q\\" \\\\ \\n \\t"\nc: \'single \'\'q\'\'\'\nd: ${{ inputs.x == "a" }}\ne: ^i-[0-9a-f]{8,17}$\nf: a#b\ng: a # comment\nh: "a" # c\ni: --flag\nj: http://x:80/y\nk: ""\nl: \'\'\n',
    empty: 'a:\nb: # comment\nc:\n  # only a comment\nd: 1\n',
    flow: 'a: [x, "y z", \'w\', 1, true, null, --i]\nb: []\nc: [ ]\nd: {}\ne: [a b, c]\n',
    block: 'a: |\n  line 1\n    indented\n\n  line 3\nb: |-\n  no newline\nc: >\n  folded\n  text\n\n  para\nd: >-\n  x\n  y\ne: |\n  # not a comment\n  text\n\n\nf: 1\n',
    nested: 'steps:\n  - id: a\n    with:\n      argv: [echo, hi]\n      env:\n        K: v\n  -   id: b\n      list:\n      - 1\n      - - x\n        - y\n  -\n    id: c\n  - plain item\n  - "quoted item"\n  - [flow, item]\n',
    docstart: '---\na: 1\n',
    comments: '# top\na: 1 # trailing\n  # indented comment\nb:\n  - x # c\n\n# end\n',
    keys: 'a-b: 1\nwith spaces: 2\nContent-Type: 3\nunder_score: 4\nx.y: 5\n',
  };
  test.each(Object.entries(snippets))('agrees on %s', (_name, src) => {
    expect(agree(src)).toBe('fast');
  });

  const bails: Record<string, string> = {
    anchors: 'a: &x 1\nb: *x\n',
    tags: 'a: !!str 1\n',
    'multi-line plain': 'a: one\n  two\n',
    'multi-line quoted': 'a: "one\n  two"\n',
    tabs: 'a:\n\tb: 1\n',
    duplicate: 'a: 1\na: 2\n',
    'two documents': 'a: 1\n---\nb: 2\n',
    'complex key': '? a\n: b\n',
    'colon in value': 'a: b: c\n',
    'flow map': 'a: {b: 1}\n',
    'keep chomping': 'a: |+\n  x\n\n',
    'numeric key': '1: a\n',
    'bad indentation': 'a:\n    b: 1\n  c: 2\n',
    'unknown escape': 'a: "\\x41"\n',
    empty: '',
    scalar: 'just text\n',
    crlf: 'a: 1\r\nb: 2\r\n',
    'leading-dot number': 'a: -.5\nb: [.25]\n',
  };
  test.each(Object.entries(bails))('agrees with yaml, or leaves it to yaml, on %s', (_name, src) => {
    expect(['fast', 'bail']).toContain(agree(src));
  });

  test('agrees with yaml on 5,000 random mutations of real runbooks', () => {
    const bases = [...yamlFiles('test/runbook/good'), ...yamlFiles('examples')].map((f) => readFileSync(f, 'utf8')).filter((s) => parseYamlFast(s));
    bases.push(...Object.values(snippets));
    let seed = 42;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const pieces = [' ', '  ', ':', ': ', '-', '- ', '#', ' #', '"', "'", '\n', '\n  ', '[', ']', '{', '}', ',', '|', '>', '&', '*', '!', '?', '0', '1.5', 'true', 'null', '~', '\\', '${{ x }}', 'a'];
    let fast = 0;
    for (let i = 0; i < 5000; i++) {
      let s = bases[rand(bases.length)]!;
      for (let k = 1 + rand(3); k > 0; k--) {
        const at = rand(s.length + 1);
        const del = rand(3) === 0 ? rand(4) : 0;
        s = s.slice(0, at) + (rand(4) === 0 ? '' : pieces[rand(pieces.length)]) + s.slice(at + del);
      }
      if (agree(s) === 'fast') fast++;
    }
    // Most mutations stay inside the subset, so this really exercises the fast path.
    expect(fast).toBeGreaterThan(1000);
  });
});
