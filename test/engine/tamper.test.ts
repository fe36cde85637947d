// Resume trusts nothing it has not checked: a journal whose runbook was edited to run something
// else is refused before anything runs, whether the edit broke the hash chain or the chain was
// recomputed around it.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSession, resumeSession } from '../../src/engine/session.js';
import { builtinRegistry } from '../../src/executors/index.js';
import { headlessPorts } from '../../src/headless/ports.js';
import { journalPath } from '../../src/journal/paths.js';
import { GENESIS, hashLine } from '../../src/journal/record.js';
import { parseRunbook } from '../../src/runbook/load.js';
import { tempDir } from '../helpers/cli.js';
import { localProviders } from '../helpers/providers.js';

const NODE = JSON.stringify(process.execPath);
const RUNBOOK = `id: t
title: t
version: 1.0.0
summary: s
steps:
  - id: ask
    title: ask
    kind: manual
    with: { instruction: "Look" }
  - id: act
    title: act
    kind: shell
    with: { argv: [${NODE}, "-e", ""] }
`;

async function pausedIncident(): Promise<{ root: string; id: string; file: string }> {
  const root = tempDir();
  const parsed = parseRunbook(RUNBOOK, 'rb.yaml', builtinRegistry());
  if (!parsed.ok) throw new Error('bad runbook');
  const s = await openSession({ root, loaded: parsed.value, registry: builtinRegistry(), ports: headlessPorts({ yes: true, answers: {}, operator: 't' }), providers: localProviders(), operator: 't', inputs: {} });
  await s.engine.run().catch(() => undefined); // stops at the manual step: a human is needed
  await s.close();
  return { root, id: s.id, file: journalPath(root, s.id) };
}

/** Rewrites the journal with `edit` applied to each record, recomputing the chain (and the close's head) as a forger would. */
function forge(file: string, edit: (rec: Record<string, any>) => void, recompute: boolean): void {
  const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
  let prev = GENESIS;
  const out = lines.map((line) => {
    const rec = JSON.parse(line) as Record<string, any>;
    edit(rec);
    if (recompute) {
      rec.prev = prev;
      if (rec.type === 'journal.closed') rec.payload.head = prev;
    }
    const text = JSON.stringify(rec);
    prev = hashLine(text);
    return text;
  });
  writeFileSync(file, out.join('\n') + '\n');
}

const resume = (root: string, id: string) =>
  resumeSession({ root, id, registry: builtinRegistry(), ports: headlessPorts({ yes: true, answers: { ask: 'done' }, operator: 't' }), providers: localProviders(), operator: 't', inputs: {} });

describe('a tampered journal is not resumed', () => {
  it('an edited runbook source breaks the chain: refused, naming the record, nothing run', async () => {
    const { root, id, file } = await pausedIncident();
    const marker = join(root, 'pwned');
    forge(file, (r) => r.type === 'runbook.attached' && (r.payload.source = r.payload.source.replace('"-e", ""', `"-e", "require('fs').writeFileSync('${marker}', '')"`)), false);
    await expect(resume(root, id)).rejects.toThrow(/record 2 says the previous record hashes to .*record 1 was changed/);
    expect(existsSync(marker)).toBe(false);
  });

  it('with the chain recomputed and the head removed, the source no longer matches its recorded hash: refused, nothing run', async () => {
    const { root, id, file } = await pausedIncident();
    const marker = join(root, 'pwned');
    forge(file, (r) => r.type === 'runbook.attached' && (r.payload.source = r.payload.source.replace('"-e", ""', `"-e", "require('fs').writeFileSync('${marker}', '')"`)), true);
    // A thorough forger also drops the head file and the closes that say there should be one.
    rmSync(join(dirname(file), 'head.json'));
    writeFileSync(file, readFileSync(file, 'utf8').trimEnd().split('\n').filter((l) => !l.includes('"type":"journal.closed"')).join('\n') + '\n');
    await expect(resume(root, id)).rejects.toThrow(/does not match its recorded hash .*the journal was edited; nothing was run/);
    expect(existsSync(marker)).toBe(false);
  });
});

describe('the head kept beside the journal', () => {
  it('catches a chain rewritten end to end, runbook hash and all', async () => {
    const { root, id, file } = await pausedIncident();
    const marker = join(root, 'pwned');
    const { sourceHash } = await import('../../src/runbook/load.js');
    forge(
      file,
      (r) => {
        if (r.type !== 'runbook.attached') return;
        r.payload.source = r.payload.source.replace('"-e", ""', `"-e", "require('fs').writeFileSync('${marker}', '')"`);
        r.payload.hash = sourceHash(r.payload.source);
      },
      true,
    );
    await expect(resume(root, id)).rejects.toThrow(/is not the one the journal's writer closed it on .*rewritten after it was closed/);
    expect(existsSync(marker)).toBe(false);
    const { verifyJournal } = await import('../../src/journal/reader.js');
    expect(await verifyJournal(file)).toMatchObject({ ok: false, firstBad: { reason: expect.stringMatching(/rewritten after it was closed/) } });
  });

  it('a closed journal whose head file is gone is not resumed', async () => {
    const { root, id, file } = await pausedIncident();
    rmSync(join(dirname(file), 'head.json'));
    await expect(resume(root, id)).rejects.toThrow(/its head file \(head.json\) is missing/);
  });

  it('catches the last record removed (the close after it with it: the head names the record before the close)', async () => {
    const { root, id, file } = await pausedIncident();
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    expect(JSON.parse(lines.at(-1)!).type).toBe('journal.closed');
    writeFileSync(file, lines.slice(0, -2).join('\n') + '\n');
    await expect(resume(root, id)).rejects.toThrow(/records were removed from its end/);
  });
});
