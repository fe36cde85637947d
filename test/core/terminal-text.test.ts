import { describe, expect, it } from 'vitest';
import { jsonText, visible, visibleDeep } from '../../src/core/terminal-text.js';

/** Every control character a terminal may act on (C0 but tab and newline, DEL, C1). */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

describe('visible', () => {
  it('removes escape sequences and keeps the words around them', () => {
    expect(visible('a\u001b]0;pwned\u0007b')).toBe('ab');
    expect(visible('\u001b]8;;https://evil.example/\u001b\\click\u001b]8;;\u001b\\')).toBe('click');
    expect(visible('\u001b[2Jcleared\u001b[3;1Hmoved\u001b[31m red\u001b[0m')).toBe('clearedmoved red');
    expect(visible('\u009b2Jc1 csi')).toBe('c1 csi');
  });

  it('shows the control characters left as their pictures; a bare CR cannot overwrite the line', () => {
    expect(visible('10%\r20%')).toBe('10%␍20%');
    expect(visible('bell\u0007 nul\u0000 del\u007f lone esc \u001b')).toBe('bell␇ nul␀ del␡ lone esc ␛');
    expect(visible('c1 \u0085 \u009c')).toBe('c1 \ufffd \ufffd');
  });

  it('keeps newlines and tabs; CRLF is a newline', () => {
    expect(visible('a\tb\nc\r\nd')).toBe('a\tb\nc\nd');
  });

  it('leaves clean text as it is, and is idempotent', () => {
    const clean = 'exit 0 in 12 ms — ✓ 漢字 ⏎';
    expect(visible(clean)).toBe(clean);
    const dirty = 'x\u001b]0;t\u0007\u001b[1my\r\u0000\u009b';
    expect(visible(visible(dirty))).toBe(visible(dirty));
  });

  it('never leaves a control character but newline and tab, whatever the input', () => {
    for (let c = 0; c <= 0xa0; c++) {
      for (const text of [String.fromCharCode(c), `\u001b${String.fromCharCode(c)}x`, `\u001b[${String.fromCharCode(c)}`, `\u001b]${String.fromCharCode(c)}`]) {
        const out = visible(text);
        expect(CONTROL.test(out), JSON.stringify(text)).toBe(false);
      }
    }
  });
});

describe('visibleDeep', () => {
  it('makes every string visible, except at the paths kept', () => {
    const req = { stepId: 's', title: 't\u001b]0;x\u0007', options: [{ value: 'v\u0007', label: 'l\u0007' }], n: 1, ok: true, none: null };
    expect(visibleDeep(req, ['options.*.value'])).toEqual({ stepId: 's', title: 't', options: [{ value: 'v\u0007', label: 'l␇' }], n: 1, ok: true, none: null });
    expect(req.title).toBe('t\u001b]0;x\u0007');
  });

  it('returns what holds nothing to change as it is, not a copy', () => {
    const ev = { type: 'step.output', payload: { step: 's', text: 'plain', list: ['a', 'b'] } };
    expect(visibleDeep(ev)).toBe(ev);
    const dirty = { a: { x: 1 }, b: { y: '\u0007' } };
    const out = visibleDeep(dirty);
    expect(out.a).toBe(dirty.a);
    expect(out.b).toEqual({ y: '␇' });
  });
});

describe('jsonText', () => {
  it('is JSON.stringify with DEL and C1 escaped too: the same data, nothing raw a terminal acts on', () => {
    const value = { text: 'a\u001b]0;t\u0007 \u009b2J \u0085 \u007f ✓', n: [1, 'x'] };
    expect(JSON.stringify(value)).toMatch(/[\u007f-\u009f]/); // what JSON.stringify leaves raw
    for (const space of [undefined, 2]) {
      const text = jsonText(value, space);
      expect(CONTROL.test(text)).toBe(false);
      expect(JSON.parse(text)).toEqual(value);
    }
    expect(jsonText({ a: 'plain' }, 2)).toBe(JSON.stringify({ a: 'plain' }, null, 2));
  });
});
