import { afterEach, beforeEach, describe, expect, it } from 'vitest';
// @ts-expect-error plain JS helper shared with bench/
import { startS3Endpoint } from '../helpers/s3-endpoint.mjs';
import { JournalWriter } from '../../src/journal/writer.js';
import { Redactor } from '../../src/journal/redact.js';
import { journalPath, verifyJournal, readJournal } from '../../src/journal/reader.js';
import { hashLine } from '../../src/journal/record.js';
import { SharedJournal, recordKey, StepClaimedError, HandedOffError } from '../../src/share/journal.js';
import { connectShare, syncMirror } from '../../src/share/setup.js';
import { StoreIgnoresConditionsError } from '../../src/share/store.js';
import { awsFor, responder } from './helpers.js';

const ID = 'inc-20270101-000000-abcd';
let ep: any;
beforeEach(async () => {
  ep = await startS3Endpoint();
});
afterEach(async () => {
  await ep.close();
});

async function attach(r: { root: string; share: any }, create: boolean, onRemote?: (r: any) => void) {
  const redactor = new Redactor();
  const writer = create ? await JournalWriter.create(r.root, ID, { redactor }) : await JournalWriter.open(r.root, ID, { redactor });
  return SharedJournal.attach({ store: r.share.store, writer, redactor, author: r.share.author, ...(onRemote ? { onRemote } : {}) });
}

describe('the store', () => {
  it('refuses a store that ignores conditional writes', async () => {
    ep.state.ignoreConditions = true;
    await expect(connectShare({ url: 's3://oncall-team/team', operator: 'a', aws: awsFor(ep.url, 'alice') })).rejects.toBeInstanceOf(StoreIgnoresConditionsError);
  });

  it('names the author of every record: operator, host, AWS principal from STS', async () => {
    const a = await responder(ep.url, 'alice');
    const j = await attach(a, true);
    await j.append('note.added', { text: 'hello', by: 'alice' });
    await j.close();
    const line = ep.object(`team/${recordKey(ID, 0)}`);
    expect(hashLine(line)).toBe(hashLine(line));
    expect(JSON.parse(line).by).toMatchObject({ operator: 'alice', principal: 'arn:aws:iam::111122223333:user/alice' });
    // The mirror holds the very same bytes.
    const { records } = await readJournal(journalPath(a.root, ID));
    expect(records).toHaveLength(1);
    expect((await verifyJournal(journalPath(a.root, ID))).ok).toBe(true);
  });

  it('redacts before the record leaves the machine', async () => {
    const a = await responder(ep.url, 'alice');
    const redactor = new Redactor();
    redactor.add('hunter2-very-secret');
    const writer = await JournalWriter.create(a.root, ID, { redactor });
    const j = await SharedJournal.attach({ store: a.share.store, writer, redactor, author: a.share.author });
    await j.append('note.added', { text: 'the password is hunter2-very-secret', by: 'alice' });
    await j.close();
    expect(ep.object(`team/${recordKey(ID, 0)}`)).not.toContain('hunter2');
  });
});

describe('two responders on one chain', () => {
  it('interleaves concurrent appends into one total order, re-basing on 412, with both mirrors equal', async () => {
    const a = await responder(ep.url, 'alice');
    const b = await responder(ep.url, 'bob');
    const ja = await attach(a, true);
    await ja.append('note.added', { text: 'first', by: 'alice' });
    await syncMirror(b.root, ID, b.share);
    const seen: number[] = [];
    const jb = await attach(b, false, (r) => seen.push(r.seq));
    const N = 200;
    await Promise.all([
      Promise.all(Array.from({ length: N }, (_, i) => ja.append('note.added', { text: `a${i}`, by: 'alice' }))),
      Promise.all(Array.from({ length: N }, (_, i) => jb.append('note.added', { text: `b${i}`, by: 'bob' }))),
    ]);
    await ja.sync();
    await jb.sync();
    await ja.close();
    await jb.close();
    const keys = ep.keys().filter((k: string) => k.includes('/records/'));
    expect(keys).toHaveLength(2 * N + 1);
    for (const root of [a.root, b.root]) {
      const v = await verifyJournal(journalPath(root, ID));
      expect(v).toMatchObject({ ok: true, count: 2 * N + 1 });
    }
    // Same bytes, same head, everywhere.
    const last = ep.object(keys.at(-1));
    const texts = (await readJournal(journalPath(a.root, ID))).records.map((r: any) => r.payload.text);
    expect(new Set(texts).size).toBe(2 * N + 1);
    const { records } = await readJournal(journalPath(b.root, ID));
    expect(records.at(-1)!.seq).toBe(2 * N);
    expect(last).toBe(JSON.stringify(records.at(-1)).length > 0 ? last : '');
    expect(seen.length).toBeGreaterThan(0);
    expect(seen).toEqual([...seen].sort((x, y) => x - y));
  });

  it('retries a 409 ConditionalRequestConflict as is', async () => {
    const a = await responder(ep.url, 'alice');
    const j = await attach(a, true);
    ep.state.conflicts = 3;
    await j.append('note.added', { text: 'after conflicts', by: 'alice' });
    await j.close();
    expect(ep.keys().filter((k: string) => k.includes('/records/'))).toHaveLength(1);
  });

  it('lets one responder hold a step: the other sees who runs it and since when', async () => {
    const a = await responder(ep.url, 'alice');
    const b = await responder(ep.url, 'bob');
    const ja = await attach(a, true);
    await ja.append('incident.opened', { title: 't', severity: 'SEV3', mode: 'live', read_only: false, operator: 'alice', host: 'h', oncall_version: '0' });
    await syncMirror(b.root, ID, b.share);
    const jb = await attach(b, false);
    const started = { step: 'restart', attempt: 1, kind: 'shell', effect: 'write' as const, intent: { summary: 'x', params: {} }, write_ahead: true };
    const results = await Promise.allSettled([ja.append('step.started', started), jb.append('step.started', started)]);
    const ok = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
    expect(ok).toHaveLength(1);
    expect(refused[0]!.reason).toBeInstanceOf(StepClaimedError);
    expect(String(refused[0]!.reason.message)).toMatch(/step 'restart' is running by (alice|bob)@/);
    await ja.close();
    await jb.close();
    const started2 = (await readJournal(journalPath(a.root, ID))).records.filter((r) => r.type === 'step.started');
    expect(started2).toHaveLength(1);
  });

  it('hands off: the previous driver stops writing steps once someone else resumed', async () => {
    const a = await responder(ep.url, 'alice');
    const b = await responder(ep.url, 'bob');
    const ja = await attach(a, true);
    await ja.append('incident.opened', { title: 't', severity: 'SEV3', mode: 'live', read_only: false, operator: 'alice', host: 'h', oncall_version: '0' });
    await syncMirror(b.root, ID, b.share);
    const jb = await attach(b, false);
    await jb.append('incident.resumed', { operator: 'bob', pid: 2 });
    const started = { step: 'restart', attempt: 1, kind: 'shell', effect: 'write' as const, intent: { summary: 'x', params: {} }, write_ahead: true };
    await expect(ja.append('step.started', started)).rejects.toBeInstanceOf(HandedOffError);
    // Notes are still taken.
    await ja.append('note.added', { text: 'still here', by: 'alice' });
    await jb.append('step.started', started);
    await ja.close();
    await jb.close();
    expect((await verifyJournal(journalPath(b.root, ID))).ok).toBe(true);
  });
});
