// The key table is the single source for the dispatcher, the footer and the help overlay.
import { describe, expect, it } from 'vitest';
import { TuiController } from '../../src/tui/controller.js';
import { BINDINGS, footerFor, helpSections, keyName, keyOf, keyPresses, resolve, TEXT_CONTEXTS, type KeyContext, type KeyLike } from '../../src/tui/keys.js';

const none: KeyLike = { upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, pageDown: false, pageUp: false, return: false, escape: false, ctrl: false, shift: false, tab: false, backspace: false, delete: false, meta: false };
const CONTEXTS: KeyContext[][] = [
  ['start'],
  ['form'],
  ['picker'],
  ['runner'],
  ['gate', 'runner'],
  ['failure', 'runner'],
  ['confirm', 'runner'],
  ['confirm-typed'],
  ['choice', 'runner'],
  ['text-answer'],
  ['manual', 'runner'],
  ['paused', 'runner'],
  ['help'],
  ['timeline'],
  ['note'],
  ['skip'],
  ['milestone'],
];

describe('keys', () => {
  it('names key presses', () => {
    expect(keyName('', { ...none, return: true })).toBe('enter');
    expect(keyName('', { ...none, escape: true })).toBe('esc');
    expect(keyName('', { ...none, tab: true, shift: true })).toBe('shift+tab');
    expect(keyName('c', { ...none, ctrl: true })).toBe('ctrl+c');
    expect(keyName('', { ...none, pageUp: true })).toBe('pageup');
    expect(keyName('?', none)).toBe('?');
  });

  it('gives every footer hint a key that the dispatcher maps to that very command', () => {
    for (const ctx of CONTEXTS) {
      for (const hint of footerFor(ctx)) {
        const binding = BINDINGS.find((b) => b.label === hint.label && b.contexts.some((c) => ctx.includes(c)));
        expect(binding, `${ctx.join('+')}: ${hint.label}`).toBeDefined();
        expect(resolve(ctx, binding!.keys[0]!), `${ctx.join('+')}: ${hint.label}`).toBe(binding!.command);
      }
    }
  });

  it('binds no printable key where the operator is typing (text goes to the field)', () => {
    for (const b of BINDINGS) {
      for (const ctx of b.contexts) {
        if (!TEXT_CONTEXTS.has(ctx)) continue;
        for (const k of b.keys) expect(k.length > 1, `'${k}' in ${ctx} would be swallowed instead of typed`).toBe(true);
      }
    }
  });

  it('never binds one key to two commands in one context', () => {
    for (const ctx of CONTEXTS.map((c) => c[0]!)) {
      const seen = new Map<string, string>();
      for (const b of BINDINGS.filter((x) => x.contexts.includes(ctx))) {
        for (const k of b.keys) {
          expect(seen.get(k) ?? b.command, `${ctx}: ${k}`).toBe(b.command);
          seen.set(k, b.command);
        }
      }
    }
  });

  it('maps the issue keys: enter run · s skip · r retry · n note · t timeline · m milestone · ? help · q quit · Ctrl+C', () => {
    expect(resolve(['gate', 'runner'], 'enter')).toBe('run-step');
    expect(resolve(['gate', 'runner'], 's')).toBe('skip-step');
    expect(resolve(['failure', 'runner'], 'r')).toBe('retry-step');
    expect(resolve(['runner'], 'n')).toBe('note');
    expect(resolve(['runner'], 't')).toBe('timeline');
    expect(resolve(['runner'], 'm')).toBe('milestone');
    expect(resolve(['runner'], '?')).toBe('help');
    expect(resolve(['runner'], 'q')).toBe('quit');
    expect(resolve(['confirm-typed'], 'ctrl+c')).toBe('interrupt');
    expect(resolve(['note'], 'q')).toBeUndefined();
    expect(resolve(['confirm', 'runner'], 'esc')).toBe('decline');
    expect(resolve(['confirm', 'runner'], 'enter')).toBe('submit');
  });

  it('lists every binding once in the help overlay', () => {
    const rows = helpSections().flatMap((s) => s.rows);
    expect(rows).toHaveLength(BINDINGS.length);
    for (const b of BINDINGS) expect(rows.some((r) => r.help === b.help)).toBe(true);
  });

  it('names in prompt hints the key the table binds, as the footer names it', () => {
    expect(keyOf('gate', 'skip-step')).toBe('s');
    expect(keyOf('confirm', 'toggle-choice')).toBe('left/right');
    expect(keyOf('confirm-typed', 'decline')).toBe('esc');
    expect(keyOf('paused', 'rerun')).toBe('enter');
    // And what a hint names really does that there.
    for (const [ctx, command] of [['gate', 'skip-step'], ['failure', 'stop-run'], ['confirm', 'approve'], ['skip', 'close']] as const) {
      expect(resolve([ctx], keyOf(ctx, command))).toBe(command);
    }
    expect(() => keyOf('note', 'approve')).toThrow('no key for approve in note');
  });

  it('dispatches through a handler for every binding, in its context, and has no handler without one', () => {
    const { keys } = new TuiController({ stateDir: '/nonexistent', operator: 'tester' });
    for (const b of BINDINGS) for (const ctx of b.contexts) expect(keys[ctx][b.command], `${b.command} in ${ctx}`).toBeTypeOf('function');
    for (const [ctx, handlers] of Object.entries(keys)) {
      for (const command of Object.keys(handlers)) expect(BINDINGS.some((b) => b.command === command && b.contexts.includes(ctx as KeyContext)), `${command} in ${ctx}`).toBe(true);
    }
  });

  it('splits keys that arrive in one read (a paste, tmux send-keys) at control characters, in order', () => {
    const presses = keyPresses('ab\rc\u0015d\u007f', none).map((p) => keyName(p.input, p.key));
    expect(presses).toEqual(['ab', 'enter', 'c', 'ctrl+u', 'd', 'backspace']);
    expect(keyPresses('abc', none)).toEqual([{ input: 'abc', key: none }]);
    expect(keyPresses('\r', none)).toEqual([{ input: '\r', key: none }]);
  });
});
