import { describe, expect, it } from 'vitest';
import { BoundedText, boundJson, boundLine, isTruncatedJson } from '../../src/core/bounded.js';
import { Redactor } from '../../src/journal/redact.js';

const CANARY = 'CANARY-XYZ-123456';

function redactor(): Redactor {
  const r = new Redactor();
  r.add(CANARY, 'canary');
  return r;
}

/** Every piece of the canary of 3 or more characters that a text still holds. */
function pieces(text: string): string[] {
  const found: string[] = [];
  for (let i = 0; i < CANARY.length; i++) for (let j = i + 3; j <= CANARY.length; j++) if (text.includes(CANARY.slice(i, j))) found.push(CANARY.slice(i, j));
  return found;
}

describe('boundJson', () => {
  it('keeps a small value as it is, and cuts a large one to an excerpt', () => {
    expect(boundJson({ a: 1 })).toEqual({ a: 1 });
    const big = boundJson({ s: 'x'.repeat(100) }, 50);
    expect(isTruncatedJson(big)).toBe(true);
    expect(big).toEqual({ truncated: true, bytes: 108, excerpt: `{"s":"${'x'.repeat(44)}` });
  });

  it('redacts before it cuts: the secret across the cut leaves nothing of itself', () => {
    const value = { stdout: `${'x'.repeat(100)}${CANARY} and more ${'y'.repeat(100)}` };
    const start = '{"stdout":"'.length + 100;
    for (let kept = 0; kept <= CANARY.length + 1; kept++) {
      const cut = boundJson(value, start + kept, redactor());
      expect(pieces(JSON.stringify(cut)), `${kept} characters of it kept`).toEqual([]);
      // Cut first and redacted after, as it was, the piece left at the cut is no longer recognised.
      if (kept >= 3 && kept < CANARY.length) expect(pieces(redactor().redact(JSON.stringify(boundJson(value, start + kept))))).not.toEqual([]);
    }
  });

  it('masks what a step kind left of a secret at its own cut (an excerpt cut without a redactor)', () => {
    const raw = boundJson({ responses: [{ ConsoleOutput: `${'z'.repeat(40)}${CANARY}` }] }, '{"responses":[{"ConsoleOutput":"'.length + 48); // 8 characters of the canary
    expect(pieces(JSON.stringify(raw))).not.toEqual([]);
    const journaled = boundJson({ calls: 1, raw }, 16_384, redactor());
    expect(pieces(JSON.stringify(journaled))).toEqual([]);
    expect(JSON.stringify(journaled)).toContain('[redacted:canary]');
  });

  it('never splits a surrogate pair', () => {
    const cut = boundJson({ s: '😀'.repeat(10) }, 7) as { excerpt: string };
    expect(cut.excerpt).toBe('{"s":"');
    expect(() => encodeURIComponent(cut.excerpt)).not.toThrow();
  });
});

describe('boundLine', () => {
  it('leaves a line within the limit whole, redacted', () => {
    expect(boundLine(`token ${CANARY}`, 100, redactor())).toBe('token [redacted:canary]');
  });

  it('keeps the start and the end of a long line, with nothing of a secret at either cut', () => {
    const r = redactor();
    for (let shift = 0; shift < CANARY.length + 2; shift++) {
      const line = `${'a'.repeat(70 - shift)}${CANARY}${'b'.repeat(200)}${CANARY}${'c'.repeat(10 + shift)}`;
      const out = boundLine(line, 100, r);
      expect(pieces(out), `shift ${shift}: ${out}`).toEqual([]);
      expect(out).toMatch(/^a+.* \[…\d+ characters cut…\] .*c+$/);
    }
  });

  it('masks what, at a cut, could be the start of a secret: the kept part cannot tell', () => {
    const r = new Redactor();
    r.add('hello-world', 'pw');
    // "hello-wonderful" is no secret, but cut after "hello-wo" nobody can tell it from one.
    expect(boundLine(`say hello-wonderful${'.'.repeat(100)}`, 16, r)).toBe('say [redacted:pw] […103 characters cut…] ....');
    // Inside a longer word it is not a word-length secret's start.
    expect(boundLine(`sayhello-wonderful${'.'.repeat(100)}`, 16, r)).toBe('sayhello-won […102 characters cut…] ....');
  });
});

describe('BoundedText', () => {
  it('keeps whole lines from the end', () => {
    const b = new BoundedText(10);
    for (const l of ['one', 'two', 'three', 'four']) b.push(l);
    expect(b.text).toBe('[… 3 earlier lines dropped]\nfour');
    b.push('5');
    expect(b.text).toBe('[… 3 earlier lines dropped]\nfour\n5');
  });
});
