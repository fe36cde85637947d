// Guidance markdown for the terminal: marked's lexer, a small renderer, wrapped to the pane.
import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { markdownLines, preload } from '../../src/tui/markdown.js';

const plain = (lines: string[]) => lines.map((l) => stripVTControlCharacters(l));

describe('markdown', () => {
  it('renders emphasis, code, lists, quotes and links, wrapped to the width', async () => {
    await preload();
    const md = [
      '# Check the proxy',
      '',
      'A **504** after roughly the *proxy timeout* means the proxy gave up waiting; run `ctl.mjs status` to see both timings before you change anything at all.',
      '',
      '- first item',
      '- second item that is long enough to wrap onto a second line in a narrow pane',
      '',
      '1. one',
      '2. two',
      '',
      '> careful: this restarts every client',
      '',
      'See [the dashboard](https://grafana.example/d/504).',
      '',
      '```',
      'kubectl get pods',
      '```',
    ].join('\n');
    const lines = markdownLines(md, true, 40);
    const text = plain(lines);
    expect(text[0]).toBe('Check the proxy');
    expect(text).toContain('• first item');
    expect(text.some((l) => l.startsWith('  onto a second line') || l.startsWith('  second line') || /^ {2}\S/.test(l))).toBe(true);
    expect(text).toContain('1. one');
    expect(text).toContain('│ careful: this restarts every client');
    expect(text.join(' ')).toContain('the dashboard (https://grafana.example/d/504)');
    expect(text).toContain('  kubectl get pods');
    for (const l of text) expect(l.length, l).toBeLessThanOrEqual(40);
    // Styles are applied per word, so a wrapped line never starts inside an open style.
    expect(lines.join('\n')).toContain('\u001b[1m504\u001b[22m');
    expect(lines.join('\n')).toContain('\u001b[36mctl.mjs\u001b[39m');
  });

  it('drops colours but keeps emphasis under NO_COLOR', async () => {
    await preload();
    const lines = markdownLines('Run `this` **now**', false, 40).join('\n');
    // eslint-disable-next-line no-control-regex
    expect(lines).not.toMatch(/\u001b\[3\dm/);
    expect(lines).toContain('\u001b[1mnow\u001b[22m');
  });
});
