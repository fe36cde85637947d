import { describe, expect, it } from 'vitest';
import { parsePairs, resolveInputs } from '../../src/engine/inputs.js';
import { Redactor } from '../../src/journal/redact.js';
import type { Runbook } from '../../src/runbook/schema.js';

const runbook = {
  inputs: {
    instance_id: { type: 'string', pattern: 'i-[0-9a-f]{8,17}', description: 'the instance' },
    count: { type: 'number', min: 1, max: 5, default: 2 },
    force: { type: 'boolean', default: false },
    window: { type: 'duration', default: '15m' },
    mode: { type: 'enum', values: ['reboot', 'stop-start'] },
    token: { type: 'string', secret: true, pattern: 'tok_[a-z]+' },
  },
} as unknown as Runbook;

describe('inputs', () => {
  it('types values, applies defaults and anchors patterns to the whole value', () => {
    const r = resolveInputs(runbook, { instance_id: 'i-0123456789abcdef0', mode: 'reboot', token: 'tok_abc', force: 'yes' }, new Redactor());
    expect(r).toEqual({ ok: true, values: { instance_id: 'i-0123456789abcdef0', count: 2, force: true, window: '15m', mode: 'reboot', token: 'tok_abc' }, warnings: [] });
    const partial = resolveInputs(runbook, { instance_id: 'xi-0123456789abcdef0; rm -rf /', mode: 'reboot', token: 'tok_abc' }, new Redactor());
    expect(partial.ok).toBe(false);
  });

  it('says what is wrong with each input, without showing a secret value', () => {
    const redactor = new Redactor();
    const r = resolveInputs(runbook, { count: '9', mode: 'rebot', token: 'hunter2-secret', colour: 'blue' }, redactor);
    expect(r.ok).toBe(false);
    const text = JSON.stringify(r);
    expect(text).not.toContain('hunter2-secret');
    const byInput = Object.fromEntries((r as { problems: { input: string; message: string }[] }).problems.map((p) => [p.input, p.message]));
    expect(byInput.instance_id).toMatch(/required/);
    expect(byInput.count).toMatch(/above the maximum 5/);
    expect(byInput.mode).toMatch(/did you mean 'reboot'/);
    expect(byInput.colour).toMatch(/no input 'colour'/);
    expect(byInput.token).toMatch(/'\[redacted:token\]' does not match/);
  });

  it('warns about a secret too short to mask inside text, or that is a word of the runbook, without showing it', () => {
    const rb = { inputs: { pin: { type: 'string', secret: true }, key: { type: 'string', secret: true, default: 'abc' }, plain: { type: 'string' } } } as unknown as Runbook;
    const short = resolveInputs(rb, { pin: '1234', plain: 'x' }, new Redactor(), 'steps: [{ id: hello }]');
    expect(short.ok && short.warnings.map((w) => w.input)).toEqual(['pin', 'key']); // a default is an input too
    expect(short.ok && short.warnings[0]!.message).toMatch(/^warning: secret input 'pin' is too short to hide in text: oncall masks it only where a whole value or output line equals it/);
    expect(JSON.stringify(short.ok && short.warnings)).not.toMatch(/1234|abc/);
    const word = resolveInputs(rb, { pin: 'hello', key: 'k3y-not-a-word', plain: 'x' }, new Redactor(), 'steps: [{ id: hello }]');
    expect(word.ok && word.warnings).toEqual([{ input: 'pin', message: expect.stringMatching(/also a word of the runbook/) }]);
    expect(JSON.stringify(word.ok && word.warnings)).not.toContain('hello');
    const inside = resolveInputs(rb, { pin: 'hello', key: 'k3y-not-a-word', plain: 'x' }, new Redactor(), 'steps: [{ id: say_hello_world }]');
    expect(inside.ok && inside.warnings).toEqual([]);
  });

  it('never says the value in its warning, whatever the value', () => {
    const rb = { inputs: { pin: { type: 'string', secret: true }, short: { type: 'string', secret: true } } } as unknown as Runbook;
    for (const value of ['1', '4', 'ok', 'true', 'echo', 'step', 'a', 'it', 'in', 'to', 'is', 'text', 'use', 'pin', 'PIN', 'shor', 'e', 'warn', 'ning']) {
      const r = resolveInputs(rb, { pin: value, short: 'k3y-long-enough' }, new Redactor());
      expect(r.ok && r.warnings.length, value).toBe(1);
      const message = (r.ok && r.warnings[0]!.message) || '';
      const shown = value.length === 1 && /[a-z]/i.test(value) ? new RegExp(`\\b${value}\\b`, 'i').test(message) : message.toLowerCase().includes(value.toLowerCase());
      expect(shown, `${value}: ${message}`).toBe(false);
    }
  });

  it('splits name=value pairs at the first =', () => {
    expect(parsePairs(['a=b=c', 'empty='], '--input')).toEqual({ ok: true, values: { a: 'b=c', empty: '' } });
    expect(parsePairs(['novalue'], '--input')).toMatchObject({ ok: false });
  });
});
