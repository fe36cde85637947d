// The inventory agrees with dotenv: the values come from dotenv.parse, and the line scan that
// reports the pitfalls must find the very assignments dotenv reads (same keys, same winner, same
// value), on the tricky sample files and on thousands of generated ones.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import dotenv from 'dotenv';
import { describe, expect, it } from 'vitest';
import { decodeEnvText, readEnvFile, scanEnvText, type FactCode } from '../../../src/executors/secrets/envfile.js';
import { inventory } from '../../../src/executors/secrets/inventory.js';
import { ROOT } from '../../helpers/cli.js';
import { envFile, runKind, testCtx } from './helpers.js';

const sample = (name: string) => readFileSync(join(ROOT, 'examples/env', name), 'utf8');

function scan(text: string) {
  const parsed = dotenv.parse(text);
  return { parsed, ...scanEnvText(text, 'x.env', parsed) };
}

function codes(text: string): Record<string, FactCode[]> {
  const out: Record<string, FactCode[]> = {};
  for (const f of scan(text).facts) (out[f.key ?? `line ${f.line}`] ??= []).push(f.code);
  return out;
}

describe('the line scan agrees with dotenv.parse', () => {
  it.each(['tricky.env', 'malformed.env', 'payments-api.env', 'orders-api.env'])('%s: same keys, same winners, no disagreement', (name) => {
    const text = sample(name);
    const { parsed, facts, occurrences } = scan(text);
    expect(facts.filter((f) => f.code === 'scan-disagrees')).toEqual([]);
    expect(new Set(occurrences.map((o) => o.key))).toEqual(new Set(Object.keys(parsed)));
  });

  it('finds every pitfall of the tricky file where it is', () => {
    const c = codes(sample('tricky.env'));
    expect(c.EXPORTED).toContain('export');
    expect(c.COLON).toContain('colon');
    expect(c.SINGLE).toContain('quoted');
    expect(c.DOUBLE).toEqual(expect.arrayContaining(['quoted', 'escapes']));
    expect(c.HASH).toContain('hash-truncated');
    expect(c.URL).toContain('hash-truncated');
    expect(c.HASH_SPACED).toContain('comment');
    expect(c.HASH_SPACED).not.toContain('hash-truncated');
    expect(c.HASH_FIRST).toContain('hash-empties');
    expect(c.EMPTY).toContain('empty');
    expect(c.EMPTY_QUOTED).toContain('empty');
    expect(c.MULTILINE).toContain('multiline');
    expect(c.PRIVATE_KEY).toContain('multiline');
    expect(c.DUP).toContain('duplicate');
    expect(c.SAME).toContain('duplicate-same');
    expect(c.INTERP).toContain('interpolation');
    expect(c['dotted.key']).toContain('key-not-identifier');
    expect(c['dashed-key']).toContain('key-not-identifier');
    expect(c.UNTERMINATED).toContain('unterminated-quote');
    expect(c.TRAILING).toContain('text-after-quote');
    expect(c['line 31']).toEqual(['ignored-line']);
    // A comment on the next line is not the value's inline comment.
    expect(c.BASIC).toBeUndefined();
    const { facts, parsed } = scan(sample('tricky.env'));
    const dup = facts.find((f) => f.code === 'duplicate')!;
    expect(dup.message).toMatch(/lines 22, 23.*keeps the last one, line 23/);
    expect(parsed.DUP).toBe('second');
    expect(parsed.HASH).toBe('ab');
    expect(parsed.SPACED).toBe('spaced value');
    expect(parsed.PRIVATE_KEY).toMatch(/^-----BEGIN RSA PRIVATE KEY-----\n.*\n-----END RSA PRIVATE KEY-----$/);
  });

  it('sees the unclosed quote that swallowed the next line (dotenv lost API_TOKEN)', () => {
    const { parsed, facts } = scan(sample('malformed.env'));
    expect(parsed.API_TOKEN).toBeUndefined();
    expect(parsed.SMTP_PASSWORD).toContain('\nAPI_TOKEN=');
    const swallowed = facts.find((f) => f.code === 'swallowed-lines')!;
    expect(swallowed).toMatchObject({ key: 'SMTP_PASSWORD', line: 5, severity: 'human' });
    expect(swallowed.message).toMatch(/line 6 inside it looks like an assignment/);
    expect(facts.filter((f) => f.key === 'DB_PASSWORD').map((f) => f.code)).toEqual(['duplicate']);
  });

  it('a PEM or base64 body whose lines end in = padding is a multiline value, not swallowed lines', () => {
    const pem = ['-----BEGIN PUBLIC KEY-----', 'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAu1SU1LfVLPHCozMxH2Mo', 'AB2cD3eF4gH5iJ6kL7mN8oP9qR0sT1uV2wX3yZ4aB5cD6eF7gH8iJ9kL0mN1oPQ=', '-----END PUBLIC KEY-----'].join('\n');
    const bare = ['QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo=', 'YWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXo=='].join('\n');
    const { parsed, facts } = scan(`PEM_KEY="${pem}"\nBLOB="${bare}"\nAFTER=1\n`);
    expect(parsed.PEM_KEY).toBe(pem);
    expect(parsed.BLOB).toBe(bare);
    expect(parsed.AFTER).toBe('1');
    expect(facts.filter((f) => f.code === 'swallowed-lines')).toEqual([]);
    // A real unclosed quote is still seen: malformed.env, in the test before this one.
  });

  it('never puts a value in a finding', () => {
    for (const name of ['tricky.env', 'malformed.env', 'payments-api.env', 'orders-api.env']) {
      const { parsed, facts } = scan(sample(name));
      const text = facts.map((f) => f.message).join('\n');
      for (const v of Object.values(parsed)) if (v.length >= 6) expect(text, `${name}: ${v}`).not.toContain(v);
    }
  });

  it('reads CRLF line endings and a BOM as dotenv does, with the right line numbers', () => {
    const text = '\ufeffA=1\r\nexport B="two"\r\n# c\r\nC=x#y\r\n';
    const { parsed, facts, occurrences } = scan(text);
    expect(parsed).toEqual({ A: '1', B: 'two', C: 'x' });
    expect(occurrences.map((o) => [o.key, o.line])).toEqual([
      ['A', 1],
      ['B', 2],
      ['C', 4],
    ]);
    expect(facts.filter((f) => f.code === 'scan-disagrees')).toEqual([]);
    expect(facts.find((f) => f.code === 'hash-truncated')?.line).toBe(4);
  });

  it('agrees with dotenv on 3,000 generated files of awkward lines', () => {
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const pieces = ['A', 'B_1', 'k.e-y', 'export ', ' ', '  ', '=', ': ', ':', '#', ' #c', '"', "'", '`', '\\"', '\\n', 'x', 'y z', '\n', '\r\n', '\t', '${V}', 'é', '==', '"a"', "'b'", '`c`'];
    for (let i = 0; i < 3000; i++) {
      let text = '';
      const lines = 1 + rand(6);
      for (let l = 0; l < lines; l++) {
        text += ['A', 'B', 'C_D', 'export E', ' F', 'g.h'][rand(6)]!;
        text += ['=', ' = ', ': ', '=', '='][rand(5)]!;
        const n = rand(6);
        for (let k = 0; k < n; k++) text += pieces[rand(pieces.length)]!;
        text += rand(4) === 0 ? '\r\n' : '\n';
      }
      const { facts, parsed, occurrences } = scan(text);
      const bad = facts.filter((f) => f.code === 'scan-disagrees');
      expect(bad, JSON.stringify(text)).toEqual([]);
      expect(new Set(occurrences.map((o) => o.key)), JSON.stringify(text)).toEqual(new Set(Object.keys(parsed)));
    }
  });
});

describe('files that are not text', () => {
  it('refuses a binary file, naming where, never what', async () => {
    const file = envFile(Buffer.from([0x41, 0x3d, 0x31, 0x0a, 0x42, 0x3d, 0x00, 0x53, 0x45, 0x43, 0x52, 0x45, 0x54]));
    const t = testCtx();
    const err = await runKind(inventory, { source: { files: file } }, t).catch((e) => e);
    expect(err.message).toBe(`${file} is not a text .env file: it holds a NUL byte at offset 6 (line 2); is it binary, or UTF-16? Save it as UTF-8 text.`);
    expect(t.registered).toEqual([]);
  });

  it('refuses a file that is not UTF-8, naming the offset', () => {
    const latin1 = Buffer.concat([Buffer.from('PASSWORD=caf'), Buffer.from([0xe9]), Buffer.from('-SECRETVALUE\n')]);
    expect(() => decodeEnvText('latin1.env', latin1)).toThrow(/^latin1\.env is not valid UTF-8 \(the first bad byte is at offset 12, line 1\)/);
    expect(() => decodeEnvText('latin1.env', latin1)).not.toThrow(/SECRETVALUE|caf/);
    // UTF-16 with a BOM has NUL bytes.
    expect(() => decodeEnvText('utf16.env', Buffer.from('\ufeffA=1\n', 'utf16le'))).toThrow(/NUL byte at offset 3/);
    expect(decodeEnvText('ok.env', Buffer.from('A=é\n'))).toBe('A=é\n');
  });

  it('says plainly when the file is missing or a directory', async () => {
    await expect(readEnvFile('nope.env', '/nonexistent/nope.env')).rejects.toThrow('cannot read the .env file nope.env: there is no such file');
    await expect(readEnvFile('dir', ROOT)).rejects.toThrow('cannot read the .env file dir: it is a directory');
  });
});
