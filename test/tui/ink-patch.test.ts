// patches/ink+8.0.0.patch (applied to node_modules by `npm run build` through patch-package) keeps Ink's text caches
// from one frame to the next; upstream rebuilds them every frame, which was a third of the work of
// a key press on a busy screen (bench/tui.mjs). If the patch is not applied (an Ink upgrade, tests
// run before any build), these fail and say so, instead of the TUI quietly getting slower.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

interface Cache {
  current: Map<string, unknown>;
  previous: Map<string, unknown>;
}
interface OutputCaches {
  styledChars: Cache;
  getStyledChars(line: string): unknown[];
  getLines(text: string): string[];
}
interface InkOutput {
  caches: OutputCaches;
  write(x: number, y: number, text: string, options: { transformers: unknown[] }): void;
  clip(clip: { x1?: number; x2?: number; y1?: number; y2?: number }): void;
  unclip(): void;
  get(): { output: string; height: number };
}
type OutputClass = new (options: { width: number; height: number }) => InkOutput;

// Ink's package exports only its entry; its Output class sits next to it.
const inkEntry = createRequire(import.meta.url).resolve('ink');
const { default: Output } = (await import(pathToFileURL(join(dirname(inkEntry), 'output.js')).href)) as {
  default: OutputClass;
};

const NOT_PATCHED = 'Ink is not patched: run `npm run build` (it applies patches/ink+*.patch with patch-package)';

describe('patched Ink output caches', () => {
  it('a later frame reuses what an earlier frame tokenized', () => {
    const text = '\u001b[1mcheckout\u001b[22m 504s · \u001b[2mstep 3/9\u001b[22m';
    const first = new Output({ width: 40, height: 2 });
    first.write(0, 0, text, { transformers: [] });
    const drawn = first.get().output;
    const second = new Output({ width: 40, height: 2 });
    expect(typeof second.caches.getLines, NOT_PATCHED).toBe('function');
    expect(second.caches.getStyledChars(text), NOT_PATCHED).toBe(first.caches.getStyledChars(text));
    second.write(0, 0, text, { transformers: [] });
    expect(second.get().output).toBe(drawn);
  });

  it('stays bounded: old strings are dropped, recent ones kept', () => {
    const output = new Output({ width: 120, height: 1 });
    const { styledChars } = output.caches;
    const early = `early ${'x'.repeat(100)}`;
    output.caches.getStyledChars(early);
    // 1,000,000 characters of distinct lines, as a long stream of step output would bring.
    for (let i = 0; i < 10_000; i++) output.caches.getStyledChars(`line ${i} ${'y'.repeat(100)}`);
    const held = [...styledChars.current.keys(), ...styledChars.previous.keys()];
    const heldChars = held.reduce((n, k) => n + k.length, 0);
    expect(heldChars).toBeLessThanOrEqual(2 * 65_536);
    expect(held).not.toContain(early);
    expect(held).toContain(`line 9999 ${'y'.repeat(100)}`);
  });

  it('draws the same frame as before across clipping and wide characters', () => {
    const text = 'wide 漢字 and \u001b[31mred\u001b[39m text';
    for (let frame = 0; frame < 2; frame++) {
      const output = new Output({ width: 20, height: 2 });
      output.clip({ x1: 2, x2: 17, y1: 0, y2: 2 });
      output.write(0, 0, text, { transformers: [] });
      // Cut through the middle of 漢: its cell keeps its width as a blank.
      output.write(-4, 1, text, { transformers: [] });
      output.unclip();
      expect(output.get().output).toBe(`  de 漢字 and \u001b[31mred\u001b[39m\n   字 and \u001b[31mred\u001b[39m tex`);
    }
  });
});
