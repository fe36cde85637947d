// One incident session: listeners see every record from the first, resume reads the journal once,
// and nothing falls back to the live world.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';

// Every way this process could open a file, counted by path: resume must open the journal once.
const opened: string[] = [];
vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  const open: typeof real.open = (path, ...rest) => {
    opened.push(String(path));
    return real.open(path, ...rest);
  };
  const readFile: typeof real.readFile = ((path: Parameters<typeof real.readFile>[0], ...rest: [never]) => {
    opened.push(String(path));
    return real.readFile(path, ...rest);
  }) as typeof real.readFile;
  return { ...real, default: { ...real, open, readFile }, open, readFile };
});
vi.mock('node:fs', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs')>();
  const wrap = <F extends (...a: never[]) => unknown>(f: F): F =>
    ((...a: Parameters<F>) => {
      opened.push(String(a[0]));
      return f(...a);
    }) as F;
  const createReadStream = wrap(real.createReadStream);
  const openSync = wrap(real.openSync);
  return { ...real, default: { ...real, createReadStream, openSync }, createReadStream, openSync };
});

const { openSession, loadSession, resumeSession } = await import('../../src/engine/session.js');
const { builtinRegistry } = await import('../../src/executors/index.js');
const { headlessPorts } = await import('../../src/headless/ports.js');
const { journalPath } = await import('../../src/journal/paths.js');
const { JournalWriter } = await import('../../src/journal/writer.js');
const { Redactor } = await import('../../src/journal/redact.js');
const { loadRunbook } = await import('../../src/runbook/load.js');
const { localProviders } = await import('../helpers/providers.js');
const { tempDir } = await import('../helpers/cli.js');

const ROOT = join(import.meta.dirname, '..', '..');

afterEach(() => {
  opened.length = 0;
});

/** An open incident of the example runbook with `n` records of streamed output after its preamble. */
async function longIncident(n: number): Promise<{ root: string; id: string }> {
  const root = tempDir();
  const registry = builtinRegistry();
  const loaded = await loadRunbook(join(ROOT, 'examples/local-504.yaml'), registry);
  const session = await openSession({
    root,
    loaded,
    registry,
    ports: headlessPorts({ yes: true, answers: {}, operator: 'tester' }),
    providers: localProviders(),
    operator: 'tester',
    inputs: { url: 'http://127.0.0.1:9', state: join(root, 'state.json') },
  });
  await session.close();
  const w = await JournalWriter.open(root, session.id, { redactor: new Redactor() });
  for (let i = 0; i < n; i++) void w.append('step.output', { step: 'probe', attempt: 1, stream: 'stdout', text: `line ${i}` });
  await w.close();
  return { root, id: session.id };
}

describe('incident session', () => {
  it('resume of a 10,000-record incident opens and reads its journal once, and hands every record to the listener first', async () => {
    const { root, id } = await longIncident(10_000);
    const file = journalPath(root, id);
    const total = readFileSync(file, 'utf8').trimEnd().split('\n').length;
    opened.length = 0;
    const seen: { type: string; replayed: boolean }[] = [];
    const session = await resumeSession({
      root,
      id,
      registry: builtinRegistry(),
      ports: headlessPorts({ yes: true, answers: {}, operator: 'tester' }),
      providers: localProviders(),
      operator: 'tester',
      inputs: {},
      onRecord: (ev, replayed) => seen.push({ type: ev.type, replayed }),
    });
    await session.close();
    expect(opened.filter((p) => p === file)).toHaveLength(1);
    expect(seen.filter((s) => s.replayed)).toHaveLength(total);
    expect(seen.find((s) => !s.replayed)?.type).toBe('incident.resumed');
    expect(session.engine.state.steps.probe?.outputLines).toBe(10_000);
  });

  it('an incident waiting for its secret inputs stays loaded and locked, and is not read again to start', async () => {
    const { root, id } = await longIncident(10);
    const file = journalPath(root, id);
    opened.length = 0;
    const loaded = await loadSession({ root, id, registry: builtinRegistry(), ports: headlessPorts({ yes: true, answers: {}, operator: 'tester' }), providers: localProviders(), operator: 'tester' });
    expect(loaded.state.runbook?.id).toBe('local-504');
    await expect(loadSession({ root, id, registry: builtinRegistry(), ports: headlessPorts({ yes: true, answers: {}, operator: 'x' }), providers: localProviders(), operator: 'x' })).rejects.toThrow(/is locked by/);
    const session = await loaded.start({});
    await session.close();
    expect(opened.filter((p) => p === file)).toHaveLength(1);
  });

  it('providers are required: a session cannot be opened without naming its world', () => {
    type Options = Parameters<typeof openSession>[0];
    // @ts-expect-error providers is required: there is no default (live) world to fall back on
    const missing: Options = { root: '', registry: builtinRegistry(), ports: headlessPorts({ yes: false, answers: {}, operator: 'x' }), operator: 'x', loaded: undefined as never, inputs: {} };
    expect(missing.providers).toBeUndefined();
  });
});
