import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newIncidentId } from '../../src/journal/ids.js';
import { JournalCorruptError, readJournal, readJournalStream, verifyJournal } from '../../src/journal/reader.js';
import { GENESIS, hashLine } from '../../src/journal/record.js';
import { Redactor } from '../../src/journal/redact.js';
import { JournalWriter } from '../../src/journal/writer.js';

let root: string;
let good: string; // 20 records, seq 0..19: 19 notes and the close
let lines: string[];

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'oncall-verify-'));
  const w = await JournalWriter.create(root, newIncidentId(), { redactor: new Redactor() });
  for (let i = 0; i < 19; i++) void w.append('note.added', { text: `output ${i}`, by: 'tester' });
  await w.close();
  good = w.path;
  lines = (await readFile(good, 'utf8')).split('\n').slice(0, -1);
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Writes a variant of the good journal and verifies it. */
async function verifyVariant(edit: (ls: string[]) => string[], tail = '\n') {
  const file = join(root, `variant-${Math.random().toString(36).slice(2)}.jsonl`);
  await writeFile(file, edit([...lines]).join('\n') + tail);
  return { file, result: await verifyJournal(file) };
}

describe('verifyJournal', () => {
  it('accepts an intact journal', async () => {
    expect(await verifyJournal(good)).toEqual({ ok: true, count: 20, torn: false, closed: true });
  });

  it('reports a changed middle record at the record that follows it', async () => {
    const { result } = await verifyVariant((ls) => {
      ls[7] = ls[7]!.replace('output 7', 'output 7 (edited)');
      return ls;
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.count).toBe(8);
    expect(result.firstBad.seq).toBe(8);
    expect(result.firstBad.line).toBe(9);
    expect(result.firstBad.reason).toMatch(/^record 8 says the previous record hashes to [0-9a-f]{8}…, but record 7 hashes to [0-9a-f]{8}…: record 7 was changed or a record was removed$/);
    expect(result.firstBad.reason).toContain(hashLine(lines[7]!).slice(0, 8));
  });

  it('reports a removed line', async () => {
    const { result } = await verifyVariant((ls) => ls.filter((_, i) => i !== 12));
    expect(result).toMatchObject({ ok: false, count: 12, firstBad: { seq: 13, line: 13 } });
    if (!result.ok) expect(result.firstBad.reason).toBe('record 13 follows record 11: record 12 is missing (removed?)');
  });

  it('reports a removed and renumbered line through the hash chain', async () => {
    const { result } = await verifyVariant((ls) => {
      const out = ls.filter((_, i) => i !== 5);
      return out.map((l, i) => (i >= 5 ? l.replace(/"seq":\d+/, `"seq":${i}`) : l));
    });
    expect(result).toMatchObject({ ok: false, firstBad: { seq: 5, line: 6 } });
    if (!result.ok) expect(result.firstBad.reason).toContain('record 4 was changed or a record was removed');
  });

  it('reports a removed beginning', async () => {
    const { result } = await verifyVariant((ls) => ls.slice(3));
    expect(result).toMatchObject({ ok: false, count: 0, firstBad: { seq: 3, line: 1 } });
    if (!result.ok) expect(result.firstBad.reason).toContain('instead of record 0');
  });

  it('reports a line that is not JSON in the middle', async () => {
    const { result } = await verifyVariant((ls) => {
      ls[3] = '{oops';
      return ls;
    });
    expect(result).toMatchObject({ ok: false, count: 3, firstBad: { seq: null, line: 4 } });
  });

  it('reports timestamps that go back', async () => {
    const { result } = await verifyVariant((ls) => {
      ls[4] = ls[4]!.replace(/"ts":"[^"]+"/, '"ts":"2000-01-01T00:00:00.000Z"');
      return ls;
    });
    expect(result).toMatchObject({ ok: false, firstBad: { seq: 4, line: 5 } });
    if (!result.ok) expect(result.firstBad.reason).toContain('timestamped before record 3');
  });

  it('treats a torn last line as torn, not broken', async () => {
    const { file, result } = await verifyVariant((ls) => [...ls, '{"v":1,"seq":20,"ts":"20'], '');
    expect(result).toEqual({ ok: true, count: 20, torn: true, closed: false });
    const read = await readJournal(file);
    expect(read.records).toHaveLength(20);
  });

  it('an empty file is an empty, valid journal', async () => {
    const file = join(root, 'empty.jsonl');
    await writeFile(file, '');
    expect(await verifyJournal(file)).toEqual({ ok: true, count: 0, torn: false, closed: false });
    expect(await readJournal(file)).toEqual({ records: [] });
  });
});

describe('readers', () => {
  it('readJournal and readJournalStream return the same records', async () => {
    const { records } = await readJournal(good);
    const streamed = [];
    for await (const r of readJournalStream(good)) streamed.push(r);
    expect(streamed).toEqual(records);
    expect(records.map((r) => r.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(records[3]).toMatchObject({ v: 1, type: 'note.added', payload: { text: 'output 3' } });
  });

  it('throw on a damaged line that is not the last', async () => {
    const { file } = await verifyVariant((ls) => {
      ls[2] = 'garbage';
      return ls;
    });
    await expect(readJournal(file)).rejects.toThrow(JournalCorruptError);
    await expect(readJournal(file)).rejects.toThrow(/:3: line 3 is not valid JSON/);
  });

  it('streams a long journal across read chunks', async () => {
    const w = await JournalWriter.create(root, newIncidentId(), { redactor: new Redactor() });
    const chunk = 'y'.repeat(3000);
    for (let i = 0; i < 1000; i++) void w.append('step.output', { step: 's', attempt: 1, stream: 'stdout', text: `${i} ${chunk}` }); // ~3 MB: several 1 MiB reads
    await w.close();
    let n = 0;
    for await (const r of readJournalStream(w.path)) expect(r.seq).toBe(n++);
    expect(n).toBe(1001); // and the close
    expect(await verifyJournal(w.path)).toEqual({ ok: true, count: 1001, torn: false, closed: true });
  });
});

describe('records are checked against the vocabulary when read', () => {
  /** The good journal with line `i` replaced by a record whose chain is recomputed from there on, as a forger would. */
  async function rewritten(i: number, change: (rec: Record<string, unknown>) => void) {
    const out: string[] = [];
    let prev = i === 0 ? GENESIS : hashLine(lines[i - 1]!);
    for (let k = 0; k < lines.length; k++) {
      if (k < i) {
        out.push(lines[k]!);
        continue;
      }
      const rec = JSON.parse(lines[k]!) as Record<string, unknown>;
      if (k === i) change(rec);
      rec.prev = prev;
      if (rec.type === 'journal.closed') (rec.payload as { head: string }).head = prev;
      const line = JSON.stringify(rec);
      out.push(line);
      prev = hashLine(line);
    }
    const file = join(root, `typed-${Math.random().toString(36).slice(2)}.jsonl`);
    await writeFile(file, out.join('\n') + '\n');
    return file;
  }

  it.each([
    ['an unknown type', (r: Record<string, unknown>) => (r.type = 'future.thing'), /record 5 has a type this oncall does not know \('future\.thing'\)/],
    ['a payload missing a field', (r: Record<string, unknown>) => delete (r.payload as Record<string, unknown>).by, /record 5 has a note\.added payload of the wrong shape \(by: /],
    ['a payload field of the wrong type', (r: Record<string, unknown>) => ((r.payload as Record<string, unknown>).text = 7), /record 5 has a note\.added payload of the wrong shape \(text: /],
  ])('%s is an error naming the seq, for every reader', async (_what, change, message) => {
    const file = await rewritten(5, change);
    const verified = await verifyJournal(file);
    expect(verified.ok).toBe(false);
    if (!verified.ok) {
      expect(verified.firstBad.seq).toBe(5);
      expect(verified.firstBad.reason).toMatch(message);
    }
    await expect(readJournal(file)).rejects.toThrow(message);
    await expect(readJournal(file)).rejects.toThrow(JournalCorruptError);
  });
});
