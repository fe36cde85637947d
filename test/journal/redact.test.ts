import { describe, expect, it } from 'vitest';
import { Redactor } from '../../src/journal/redact.js';

describe('Redactor', () => {
  it('is the identity without secrets, and ignores empty values', () => {
    const r = new Redactor();
    r.add('');
    expect(r.size).toBe(0);
    const s = 'nothing to hide';
    expect(r.redact(s)).toBe(s);
    expect(r.redactDeep({ a: [s, 1, true, null] })).toEqual({ a: [s, 1, true, null] });
  });

  it('replaces every occurrence with a labelled placeholder', () => {
    const r = new Redactor();
    r.add('hunter2', 'db-password');
    r.add('AKIAEXAMPLE');
    expect(r.size).toBe(2);
    expect(r.redact('pw=hunter2 again hunter2 key=AKIAEXAMPLE')).toBe(
      'pw=[redacted:db-password] again [redacted:db-password] key=[redacted:secret]',
    );
  });

  it('treats regex metacharacters literally', () => {
    const r = new Redactor();
    r.add('a.b*c(d)[e]$^|\\');
    expect(r.redact('x a.b*c(d)[e]$^|\\ y aXbbc')).toBe('x [redacted:secret] y aXbbc');
  });

  it('prefers the longest of overlapping secrets', () => {
    const r = new Redactor();
    r.add('abc', 'short');
    r.add('abcdef', 'long');
    expect(r.redact('abcdef abc abcde')).toBe('[redacted:long] [redacted:short] [redacted:short]de');
  });

  it('catches the JSON-escaped form of a value', () => {
    const r = new Redactor();
    const secret = 'p@ss"wo\\rd\nline2';
    r.add(secret, 'pw');
    const once = JSON.stringify({ pw: secret });
    const twice = JSON.stringify({ doc: once });
    expect(r.redact(once)).toBe('{"pw":"[redacted:pw]"}');
    expect(r.redact(twice)).not.toContain('wo\\');
    expect(r.redact(twice)).toContain('[redacted:pw]');
  });

  it('redacts each substantial line of a multi-line secret, since output arrives line by line', () => {
    const r = new Redactor();
    r.add('-----BEGIN KEY-----\nMIIEowIBAAKCAQEA\nab\n-----END KEY-----', 'key');
    expect(r.redact('MIIEowIBAAKCAQEA')).toBe('[redacted:key]');
    expect(r.redact('ab cd')).toBe('ab cd'); // too short to redact on its own
    expect(r.redact('x -----BEGIN KEY-----\nMIIEowIBAAKCAQEA\nab\n-----END KEY----- y')).toBe('x [redacted:key] y');
    expect(r.size).toBe(1);
  });

  it('rebuilds its pattern when secrets are added later', () => {
    const r = new Redactor();
    r.add('one');
    expect(r.redact('one two')).toBe('[redacted:secret] two');
    r.add('two');
    expect(r.redact('one two')).toBe('[redacted:secret] [redacted:secret]');
  });

  it('never rewrites its own placeholders', () => {
    const r = new Redactor();
    r.add('secret');
    r.add('redacted');
    const once = r.redact('a secret');
    expect(once).toBe('a [redacted:secret]');
    expect(r.redact(once)).toBe(once);
  });

  it('redacts deep structures, keys included, into a new structure', () => {
    const r = new Redactor();
    r.add('tok123', 'token');
    const input = {
      headers: { Authorization: 'Bearer tok123' },
      tok123: 'as a key',
      list: ['x', { deep: ['tok123'] }],
      n: 42,
      ok: false,
      none: null,
      when: new Date(0),
      err: new Error('bad token tok123'),
    };
    const out = r.redactDeep(input);
    expect(out).not.toBe(input);
    expect(out.headers).not.toBe(input.headers);
    expect(input.headers.Authorization).toBe('Bearer tok123'); // the input is untouched
    expect(JSON.stringify(out)).not.toContain('tok123');
    expect(out.headers.Authorization).toBe('Bearer [redacted:token]');
    expect(Object.keys(out)).toContain('[redacted:token]');
    expect(out.n).toBe(42);
    expect(out.ok).toBe(false);
    expect(out.none).toBeNull();
    expect(out.when).toEqual(new Date(0));
    expect(out.err).toEqual({ name: 'Error', message: 'bad token [redacted:token]' });
  });

  it('replaces cycles but keeps shared references', () => {
    const r = new Redactor();
    r.add('s3cr3t');
    const shared = { v: 's3cr3t' };
    const a: Record<string, unknown> = { shared, again: shared };
    a.self = a;
    const out = r.redactDeep(a) as Record<string, unknown>;
    expect(out.self).toBe('[cycle]');
    expect(out.shared).toEqual({ v: '[redacted:secret]' });
    expect(out.again).toEqual({ v: '[redacted:secret]' });
    expect(() => JSON.stringify(out)).not.toThrow();
  });

  it('keeps a "__proto__" key as data', () => {
    const r = new Redactor();
    r.add('x1');
    const out = r.redactDeep(JSON.parse('{"__proto__":{"polluted":"x1"}}')) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(JSON.stringify(out)).toBe('{"__proto__":{"polluted":"[redacted:secret]"}}');
  });
});
