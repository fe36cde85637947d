// Secret or plain config, from the name and the value's shape; the operator's corrections win.
import { describe, expect, it } from 'vitest';
import { applyOverrides, classify, parseOverrides, shannon, valueSignals } from '../../../src/executors/secrets/classify.js';

const cls = (k: string, v: string) => classify(k, v).class;

describe('classification', () => {
  it('reads secret-looking names', () => {
    for (const k of ['DB_PASSWORD', 'SMTP_PASS', 'API_TOKEN', 'STRIPE_SECRET_KEY', 'AWS_SECRET_ACCESS_KEY', 'SENTRY_DSN', 'JWT_SIGNING_SECRET', 'privateKey', 'encryption.key', 'GITHUB_TOKENS', 'PASSWORD_SALT']) {
      expect(cls(k, 'anything-at-all'), k).toBe('secret');
    }
    expect(classify('STRIPE_SECRET_KEY', 'x').reasons).toEqual(['name contains SECRET', 'name ends in _KEY']);
  });

  it('reads plain config as plain', () => {
    for (const [k, v] of [
      ['PORT', '8080'],
      ['NODE_ENV', 'production'],
      ['LOG_LEVEL', 'debug'],
      ['REDIS_HOST', 'redis.internal.example'],
      ['DATABASE_URL', 'postgres://db.internal:5432/app'],
      ['PUBLIC_URL', 'https://example.com/app'],
      ['CACHE_DIR', '/var/cache/app/very/long/path/name'],
      ['KEYCLOAK_REALM', 'main'],
      ['AWS_ACCESS_KEY_ID_FILE', '/run/secrets/id'],
    ]) {
      expect(cls(k!, v!), k).toBe('plain');
    }
  });

  it('reads the value’s shape without showing it', () => {
    expect(valueSignals('-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n-----END OPENSSH PRIVATE KEY-----')).toEqual(['value looks like a PEM private key']);
    expect(valueSignals('AKIAIOSFODNN7EXAMPLE')).toEqual(['value looks like an AWS access key id']);
    expect(valueSignals('eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl')).toEqual(['value looks like a JWT']);
    expect(valueSignals('postgres://app:hunter2@db:5432/app')).toEqual(['value is a URL with a password']);
    expect(valueSignals('ghp_0123456789abcdefghijklmnopqrstuvwxyz')).toEqual(['value has a GitHub token prefix']);
    expect(valueSignals('Zx8q!Lm2#Rt7vB9wQ4pK')).toEqual(['value has high entropy']);
    expect(valueSignals('the quick brown fox jumps')).toEqual([]);
    expect(valueSignals('https://example.com/a/long/path/to/something')).toEqual([]);
    expect(valueSignals('payments.internal.example.com')).toEqual([]);
    expect(valueSignals('2026-03-02T03:12:00')).toEqual([]);
    expect(cls('UPSTREAM', 'postgres://app:hunter2@db:5432/app')).toBe('secret');
    expect(cls('SOMETHING', 'Zx8q!Lm2#Rt7vB9wQ4pK')).toBe('secret');
    expect(shannon('aaaa')).toBe(0);
    // A reason never holds the value, a length or a digest.
    for (const r of classify('X_TOKEN', 'Zx8q!Lm2#Rt7vB9wQ4pK').reasons) expect(r).not.toMatch(/Zx8|\d{2}/);
  });

  it('treats a switch under a secret-looking name, or a public key, as plain', () => {
    expect(classify('ENABLE_TOKEN_AUTH', 'true')).toEqual({ class: 'plain', reasons: ['a true/false or 0/1 switch under a secret-looking name'] });
    expect(classify('STRIPE_PUBLISHABLE_KEY', 'pk_test_abc')).toEqual({ class: 'plain', reasons: ['name says the value is public'] });
  });

  it('lets the operator overrule it, with * patterns, later entries winning', () => {
    const o = parseOverrides('+SESSION_COOKIE_NAME, -FEATURE_*,+FEATURE_KEYRING');
    expect(applyOverrides('SESSION_COOKIE_NAME', classify('SESSION_COOKIE_NAME', 'sid'), o)).toMatchObject({ class: 'secret', byOperator: true });
    expect(applyOverrides('FEATURE_FLAG_TOKEN', classify('FEATURE_FLAG_TOKEN', 'abcdefgh'), o)).toMatchObject({ class: 'plain', reasons: ['operator: plain configuration', 'rules said: name contains TOKEN'] });
    expect(applyOverrides('FEATURE_KEYRING', classify('FEATURE_KEYRING', 'x'), o).class).toBe('secret');
    expect(o.filter((x) => !x.used).map((x) => x.pattern)).toEqual([]);
    expect(parseOverrides(['', ' , ']).length).toBe(0);
    expect(() => parseOverrides('FOO')).toThrow("reclassify: 'FOO' is not +KEY or -KEY");
    expect(() => parseOverrides('+A;rm -rf')).toThrow(/is not \+KEY or -KEY/);
  });
});
