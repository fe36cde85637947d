import { describe, expect, it } from 'vitest';
import { Redactor, reachOf, STRUCTURE } from '../../src/journal/redact.js';
import { eventSchemas } from '../../src/journal/events.js';

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
    r.add('abcdefgh', 'short');
    r.add('abcdefghijklmnop', 'long');
    expect(r.redact('abcdefghijklmnop abcdefgh abcdefghijk')).toBe('[redacted:long] [redacted:short] abcdefghijk');
    r.add('Xabcdefgh1234', 'anywhere');
    expect(r.redact('abcdefghijklmnop.Xabcdefgh1234Y')).toBe('[redacted:long].[redacted:anywhere]Y');
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
    r.add('first');
    expect(r.redact('first second')).toBe('[redacted:secret] second');
    r.add('second');
    expect(r.redact('first second')).toBe('[redacted:secret] [redacted:secret]');
  });

  it('never rewrites its own placeholders', () => {
    const r = new Redactor();
    r.add('secret');
    r.add('redacted');
    const once = r.redact('a secret');
    expect(once).toBe('a [redacted:secret]');
    expect(r.redact(once)).toBe(once);
  });

  it('redacts deep structures into a new structure, values only: keys are never rewritten', () => {
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
    expect(out.headers.Authorization).toBe('Bearer [redacted:token]');
    expect(out.list).toEqual(['x', { deep: ['[redacted:token]'] }]);
    expect(out.tok123).toBe('as a key'); // a key is structure: renaming it would change what the record says
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

describe('Redactor: what a value is, and where it is looked for', () => {
  it('masks a secret of 1–4 characters only where a whole string equals it', () => {
    for (const pin of ['1', 'ok', 'true', 'echo', 'step']) {
      const r = new Redactor();
      r.add(pin, 'pin');
      expect(reachOf(pin)).toBe('exact');
      // Inside text it is left alone: masking it there would destroy ordinary words and numbers.
      const text = 'step 1: echo "ok" is true; exit 0 in 126 ms';
      expect(r.redact(text)).toBe(text);
      // A whole value (or output line) that is the secret is always masked, even with white space around.
      expect(r.redact(pin)).toBe('[redacted:pin]');
      expect(r.redact(` ${pin}\t`)).toBe('[redacted:pin]');
      expect(r.redactDeep({ status: pin, list: [pin, `${pin}x`] })).toEqual({ status: '[redacted:pin]', list: ['[redacted:pin]', `${pin}x`] });
    }
  });

  it('masks a secret of 5–11 characters as a word or name of its own, never inside another', () => {
    const r = new Redactor();
    r.add('STRING', 'multi');
    r.add('secret', 'pw');
    expect(reachOf('secret')).toBe('word');
    expect(r.redact('pw=STRING; STRING. (STRING) "STRING" /srv/STRING/x --STRING')).toBe(
      'pw=[redacted:multi]; [redacted:multi]. ([redacted:multi]) "[redacted:multi]" /srv/[redacted:multi]/x --[redacted:multi]',
    );
    // Key names, file names and identifiers that merely contain it are not rewritten.
    for (const name of ['RETAIN_INNER_QUOTES_AS_STRING', 'STRINGS', 'xSTRING', 'secrets-env-migration', 'devpw-secret-x1', 'app.secret.yaml', '/tmp/oncall-secret-keys-Ab12/app.env', 'secret_key']) {
      expect(r.redact(name), name).toBe(name);
    }
    expect(r.redact('3 secret, 2 plain config')).toBe('3 [redacted:pw], 2 plain config');
    expect(r.redact('the password is secret.')).toBe('the password is [redacted:pw].');
  });

  it('masks a secret of 12 characters or more wherever it occurs, inside words too', () => {
    const r = new Redactor();
    r.add('CANARY-XYZ-1234', 'canary');
    expect(reachOf('CANARY-XYZ-1234')).toBe('anywhere');
    expect(r.redact('xCANARY-XYZ-1234y and pre_CANARY-XYZ-1234.post')).toBe('x[redacted:canary]y and pre_[redacted:canary].post');
  });

  it('treats each substantial line of a multi-line secret by its own length', () => {
    const r = new Redactor();
    r.add('THIS\nIS\nA\nMULTILINE\nSTRING', 'multi');
    expect(r.redact('STRING')).toBe('[redacted:multi]');
    expect(r.redact('  MULTILINE')).toBe('  [redacted:multi]');
    expect(r.redact('RETAIN_INNER_QUOTES_AS_STRING A IS THIS')).toBe('RETAIN_INNER_QUOTES_AS_STRING A IS THIS');
    expect(r.redact('{"v":"THIS\\nIS\\nA\\nMULTILINE\\nSTRING"}')).toBe('{"v":"[redacted:multi]"}');
  });
});

describe('Redactor: a text cut short', () => {
  const r = new Redactor();
  r.add('CANARY-XYZ-123456', 'canary');
  r.add('hello-world', 'word');

  it('masks the beginning of a secret left at a cut end, however short', () => {
    for (let k = 1; k < 'CANARY-XYZ-123456'.length; k++) {
      const text = `{"stdout":"aaaa ${'CANARY-XYZ-123456'.slice(0, k)}`;
      const out = r.redact(text, { cut: 'end' });
      expect(out, String(k)).toBe('{"stdout":"aaaa [redacted:canary]');
      // Without the cut, a prefix is just text.
      expect(r.redact(text)).toBe(text);
    }
  });

  it('masks the end of a secret left at a cut start', () => {
    for (let k = 1; k < 'CANARY-XYZ-123456'.length; k++) {
      const text = `${'CANARY-XYZ-123456'.slice(-k)} and more`;
      expect(r.redact(text, { cut: 'start' }), String(k)).toBe('[redacted:canary] and more');
    }
    expect(r.redact('Z-123456 x CANARY-XYZ-12', { cut: 'both' })).toBe('[redacted:canary] x [redacted:canary]');
  });

  it('respects words at a cut: a word-length secret is cut only where a word of its own begins', () => {
    expect(r.redact('say hello-wo', { cut: 'end' })).toBe('say [redacted:word]');
    expect(r.redact('sayhello-wo', { cut: 'end' })).toBe('sayhello-wo');
    expect(r.redact('lo-world said', { cut: 'start' })).toBe('[redacted:word] said');
    expect(r.redact('lo-worlds said', { cut: 'start' })).toBe('lo-worlds said');
  });

  it('leaves a cut text with nothing of a secret at its ends as it is', () => {
    expect(r.redact('nothing here', { cut: 'both' })).toBe('nothing here');
    expect(r.redact('a [redacted:canary] b', { cut: 'both' })).toBe('a [redacted:canary] b');
  });
});

describe('Redactor: many secrets', () => {
  it('finds any of 5,000 secrets in one pass over a long text', () => {
    const r = new Redactor();
    const values = Array.from({ length: 5000 }, (_, i) => `tok-${i.toString(36).padStart(4, '0')}-${(i * 7919).toString(16).padStart(6, '0')}`);
    values.forEach((v, i) => r.add(v, `K${i}`));
    const words = Array.from({ length: 20_000 }, (_, i) => (i % 97 === 0 ? values[(i * 31) % values.length]! : `word${i}`));
    const text = words.join(' ');
    const started = performance.now();
    const out = r.redact(text);
    const ms = performance.now() - started;
    const expected = words.map((w, i) => (i % 97 === 0 ? `[redacted:K${(i * 31) % values.length}]` : w)).join(' ');
    expect(out).toBe(expected);
    expect(ms).toBeLessThan(3000);
  });
});

describe('Redactor.redactRecord: values, never structure', () => {
  it('keeps ids, statuses, kinds, the runbook source and choices, whatever the secret', () => {
    const source = 'id: echo\nsteps:\n  - id: step\n    title: Say hello\n    kind: shell\n';
    for (const pin of ['ok', 'step', 'echo', 'shell', 'hello', '1', 'true', 'accept']) {
      const r = new Redactor();
      r.add(pin, 'pin');
      const attached = { id: 'echo', version: '1.0.0', hash: 'ab'.repeat(32), file: '/rb/echo.yaml', source, inputs: { pin: '[redacted:pin]', other: pin }, secret_inputs: ['pin'] };
      expect(r.redactRecord('runbook.attached', attached), pin).toEqual({ ...attached, inputs: { pin: '[redacted:pin]', other: '[redacted:pin]' } });
      const started = { step: 'step', title: 'Say hello', attempt: 1, kind: 'shell', effect: 'read', intent: { summary: 'run x', api: 'shell', argv: ['x', pin], params: { argv: ['x', pin] } }, write_ahead: false };
      const out = r.redactRecord('step.started', started);
      expect(out.intent.argv, pin).toEqual(['x', '[redacted:pin]']);
      expect({ ...out, intent: started.intent }).toEqual(started);
      const finished = { step: 'step', attempt: 1, status: 'ok', duration_ms: 1, result: { ok: pin, keys: [pin] }, next: 'echo', assertions: [{ that: 'result.ok == "ok"', ok: true }] };
      expect(r.redactRecord('step.finished', finished), pin).toEqual({ ...finished, result: { ok: '[redacted:pin]', keys: ['[redacted:pin]'] } });
      const choice = { step: 'step', attempt: 1, question: `pick ${pin}`, value: pin, by: 'ann', type: 'choice' };
      expect(r.redactRecord('decision.made', choice).value).toBe(pin);
      expect(r.redactRecord('decision.made', { ...choice, type: 'text' }).value).toBe('[redacted:pin]');
    }
  });

  it('names a structure for every record type', () => {
    expect(Object.keys(STRUCTURE).sort()).toEqual(Object.keys(eventSchemas).sort());
  });
});
