// The moves of a restore into the path kubeadm knows (#16): the old data directory renamed aside
// and put back on rollback, safe to run again after a crash at any point; and etcd's manifest never
// moved back into kubelet's directory onto a data directory without a member.
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { etcdDataDirMoveAside, etcdManifestMove } from '../../src/executors/etcd/move.js';
import { realClock } from '../../src/core/clock.js';
import { tempDir } from '../helpers/cli.js';
import { fakeCtx, FakeFs, type Handler } from '../helpers/etcd.js';
import { localProviders } from '../helpers/providers.js';

const D = '/var/lib/etcd';
const ASIDE = '/var/lib/etcd.before-restore-20260302T031200Z';
const ROLLED = '/var/lib/etcd.rolled-back-20260302T031200Z';
const dir = { path: D, aside: ASIDE, rolled_back: ROLLED };

/** Directories (and what is in them) by path, answering test -e and mv -n -T like coreutils. */
function dirWorld(initial: Record<string, string>, o: { failMv?: (from: string) => boolean } = {}) {
  const dirs = new Map(Object.entries(initial));
  const handler: Handler = (a) => {
    if (a[0] === 'test') return { code: dirs.has(a[2]!) ? 0 : 1 };
    if (a[0] === 'mv') {
      const [from, to] = a.slice(-2) as [string, string];
      if (o.failMv?.(from)) return { code: 1, stderr: `mv: cannot move '${from}' to '${to}': Device or resource busy` };
      if (!dirs.has(from)) return { code: 1, stderr: `mv: cannot stat '${from}': No such file or directory` };
      if (dirs.has(to)) return { code: 1, stderr: `mv: not replacing '${to}'` };
      dirs.set(to, dirs.get(from)!);
      dirs.delete(from);
      return { code: 0 };
    }
    return undefined;
  };
  return { dirs, handler };
}

const aside = (extra: Record<string, unknown> = {}) => etcdDataDirMoveAside.params.parse({ dirs: [dir], ...extra });
const back = (extra: Record<string, unknown> = {}) => aside({ put_back: true, ...extra });

describe('etcd.dataDir.moveAside', () => {
  it('renames the data directory aside with mv -n -T, and a repeat finds it done', async () => {
    const w = dirWorld({ [D]: 'disaster' });
    const ctx = fakeCtx(w.handler);
    const out = await etcdDataDirMoveAside.run(aside(), ctx);
    expect(ctx.calls.filter((c) => c[0] === 'mv')).toEqual([['mv', '-n', '-T', '--', D, ASIDE]]);
    expect(Object.fromEntries(w.dirs)).toEqual({ [ASIDE]: 'disaster' });
    expect(out.result).toMatchObject({ moved: [{ from: D, to: ASIDE }], kept: [ASIDE] });
    expect(etcdDataDirMoveAside.describe(aside()).argv).toEqual(['mv', '-n', '-T', '--', D, ASIDE]);
    // Resumed after a crash right after the rename: nothing is moved twice.
    const again = fakeCtx(w.handler);
    expect((await etcdDataDirMoveAside.run(aside(), again)).result).toMatchObject({ moved: [], already: [`${D} is already at ${ASIDE}`] });
    expect(again.calls.some((c) => c[0] === 'mv')).toBe(false);
  });

  it('never overwrites: refuses when the aside name exists, or when the directory is gone', async () => {
    const both = dirWorld({ [D]: 'disaster', [ASIDE]: 'an earlier copy' });
    const ctx = fakeCtx(both.handler);
    await expect(etcdDataDirMoveAside.run(aside(), ctx)).rejects.toThrow(/both \/var\/lib\/etcd and .* exist; the runbook never overwrites a data directory\. Nothing was moved/);
    expect(ctx.calls.some((c) => c[0] === 'mv')).toBe(false);
    expect(both.dirs.get(ASIDE)).toBe('an earlier copy');
    await expect(etcdDataDirMoveAside.run(aside(), fakeCtx(dirWorld({}).handler))).rejects.toThrow(/neither .* exists/);
    expect(etcdDataDirMoveAside.params.safeParse({ dirs: [{ ...dir, aside: `${D}/old` }] }).success).toBe(false);
    // Beside it only: a rename, never a copy across filesystems that could stop halfway.
    expect(etcdDataDirMoveAside.params.safeParse({ dirs: [{ ...dir, aside: '/srv/etcd-old' }] }).success).toBe(false);
  });

  it('looks at every directory first, and puts earlier renames back when a later one fails', async () => {
    const two = [dir, { path: '/var/lib/etcd-2', aside: '/var/lib/etcd-2.before-restore-20260302T031200Z', rolled_back: '/var/lib/etcd-2.rolled-back-20260302T031200Z' }];
    const w = dirWorld({ [D]: 'a', '/var/lib/etcd-2': 'b' }, { failMv: (from) => from === '/var/lib/etcd-2' });
    const ctx = fakeCtx(w.handler);
    const err = (await etcdDataDirMoveAside.run(etcdDataDirMoveAside.params.parse({ dirs: two }), ctx).then(
      () => new Error("did not fail"),
      (e: unknown) => e,
    )) as Error & { applied?: string };
    expect(err.message).toMatch(/renaming \/var\/lib\/etcd-2 to .* failed: .*Device or resource busy.*\. Nothing was moved \(\/var\/lib\/etcd put back\)/);
    expect(err.applied).toBe('no');
    expect(Object.fromEntries(w.dirs)).toEqual({ [D]: 'a', '/var/lib/etcd-2': 'b' });
  });

  it('waits until etcd no longer answers on this node before renaming anything', async () => {
    const w = dirWorld({ [D]: 'disaster' });
    let answers = 2;
    const etcd: Handler = (a) => {
      if (a[0] !== 'etcdctl') return undefined;
      const up = answers > 0;
      if (a[2] === 'status') answers -= 1;
      if (a[2] === 'health') return up ? { stdout: '[{"endpoint":"http://127.0.0.1:2379","health":true}]' } : { code: 1, stderr: 'Error: context deadline exceeded' };
      if (a[2] === 'status') return up ? { stdout: '[{"Endpoint":"http://127.0.0.1:2379","Status":{"header":{"member_id":1,"revision":5}}}]' } : { code: 1, stderr: 'Error: context deadline exceeded' };
      if (a[1] === 'member') return { stdout: '{"members":[]}' };
      return undefined;
    };
    // A clock that moves when the kind sleeps, as a drill's does.
    const ticking = (h: Handler) => {
      const ctx = fakeCtx(h);
      let t = ctx.clock.now();
      ctx.clock = { ...ctx.clock, now: () => t, sleep: async (ms) => void (t += ms) };
      return ctx;
    };
    const ctx = ticking((a) => w.handler(a) ?? etcd(a));
    await etcdDataDirMoveAside.run(aside({ stopped: { endpoints: 'http://127.0.0.1:2379' } }), ctx);
    const order = ctx.calls.map((c) => (c[0] === 'mv' ? 'mv' : c[0] === 'etcdctl' ? c[2] : '')).filter(Boolean);
    expect(order.indexOf('mv')).toBeGreaterThan(order.lastIndexOf('status'));
    expect(order.filter((x) => x === 'status')).toHaveLength(3);
    expect(ctx.lines.some((l) => /still answers .* waiting for it to stop/.test(l))).toBe(true);
    // One that never stops: nothing is moved.
    const stuck = dirWorld({ [D]: 'disaster' });
    answers = 1_000;
    await expect(etcdDataDirMoveAside.run(aside({ stopped: { endpoints: 'http://127.0.0.1:2379', max_wait: '10s' } }), ticking((a) => stuck.handler(a) ?? etcd(a)))).rejects.toThrow(
      /etcd still answers at http:\/\/127\.0\.0\.1:2379 after 10s, so nothing was moved/,
    );
    expect(stuck.dirs.has(D)).toBe(true);
  });

  it('puts the old data back from every state a crash can leave, the restored data kept beside it', async () => {
    // Restored, nothing put back yet.
    const w = dirWorld({ [D]: 'restored', [ASIDE]: 'disaster' });
    const out = await etcdDataDirMoveAside.run(back(), fakeCtx(w.handler));
    expect(out.result).toMatchObject({ moved: [{ from: D, to: ROLLED }, { from: ASIDE, to: D }], kept: [ROLLED] });
    expect(Object.fromEntries(w.dirs)).toEqual({ [D]: 'disaster', [ROLLED]: 'restored' });
    // Again: done.
    expect((await etcdDataDirMoveAside.run(back(), fakeCtx(w.handler))).result).toMatchObject({ moved: [] });
    expect(Object.fromEntries(w.dirs)).toEqual({ [D]: 'disaster', [ROLLED]: 'restored' });
    // Crashed between the two renames.
    const half = dirWorld({ [ROLLED]: 'restored', [ASIDE]: 'disaster' });
    await etcdDataDirMoveAside.run(back(), fakeCtx(half.handler));
    expect(Object.fromEntries(half.dirs)).toEqual({ [D]: 'disaster', [ROLLED]: 'restored' });
    // The restore failed before writing anything.
    const none = dirWorld({ [ASIDE]: 'disaster' });
    await etcdDataDirMoveAside.run(back(), fakeCtx(none.handler));
    expect(Object.fromEntries(none.dirs)).toEqual({ [D]: 'disaster' });
    // Three directories where there should be two: nothing is guessed.
    await expect(etcdDataDirMoveAside.run(back(), fakeCtx(dirWorld({ [D]: 'x', [ASIDE]: 'y', [ROLLED]: 'z' }).handler))).rejects.toThrow(/all exist; .*Nothing was moved/);
    await expect(etcdDataDirMoveAside.run(back(), fakeCtx(dirWorld({}).handler))).rejects.toThrow(/the old data is not where the plan put it/);
  });

  it('renames real directories, contents and all', async () => {
    const root = tempDir('oncall-aside-');
    const data = join(root, 'etcd');
    mkdirSync(join(data, 'member', 'wal'), { recursive: true });
    writeFileSync(join(data, 'member', 'wal', '0.wal'), 'old');
    const ctx = { ...fakeCtx(() => undefined), providers: localProviders(), clock: realClock };
    const d = { path: data, aside: `${data}.before-restore-X`, rolled_back: `${data}.rolled-back-X` };
    await etcdDataDirMoveAside.run(etcdDataDirMoveAside.params.parse({ dirs: [d] }), ctx);
    expect(readdirSync(root)).toEqual(['etcd.before-restore-X']);
    mkdirSync(data); // what a restore writes
    await etcdDataDirMoveAside.run(etcdDataDirMoveAside.params.parse({ dirs: [d], put_back: true }), ctx);
    expect(readdirSync(root).sort()).toEqual(['etcd', 'etcd.rolled-back-X']);
    expect(readdirSync(join(data, 'member', 'wal'))).toEqual(['0.wal']);
  });
});

describe('etcd.manifest.move', () => {
  const M = '/etc/kubernetes/manifests';
  const S = '/etc/kubernetes/manifests-stopped';
  const manifest = (hostPath: string) =>
    `apiVersion: v1\nkind: Pod\nmetadata:\n  name: etcd\nspec:\n  containers:\n  - command:\n    - etcd\n    - --data-dir=/var/lib/etcd\n    - --name=cp-1\n    name: etcd\n    volumeMounts:\n    - mountPath: /var/lib/etcd\n      name: etcd-data\n  volumes:\n  - hostPath:\n      path: ${hostPath}\n      type: DirectoryOrCreate\n    name: etcd-data\n`;
  const start = () => etcdManifestMove.params.parse({ from: S, to: M, files: 'etcd.yaml', watched: M });

  it('never starts etcd on a data directory without a member: kubelet would create it empty', async () => {
    const fs = new FakeFs({ [`${S}/etcd.yaml`]: manifest(D) });
    fs.mkdirp(M);
    const ctx = fakeCtx(fs.handler);
    await expect(etcdManifestMove.run(start(), ctx)).rejects.toThrow(/etcd\.yaml was not moved back: its data directory \/var\/lib\/etcd holds no member\/ .*a new, EMPTY cluster/);
    expect(ctx.calls.some((c) => c[0] === 'mv')).toBe(false);
    fs.mkdirp(`${D}/member`);
    expect((await etcdManifestMove.run(start(), fakeCtx(fs.handler))).result).toMatchObject({ moved: ['etcd.yaml'] });
    expect(fs.list(M)).toEqual(['etcd.yaml']);
  });

  it('moves out (stopping etcd) without looking at the data', async () => {
    const fs = new FakeFs({ [`${M}/etcd.yaml`]: manifest(D) });
    const out = await etcdManifestMove.run(etcdManifestMove.params.parse({ from: M, to: S, files: 'etcd.yaml', watched: M }), fakeCtx(fs.handler));
    expect(out.result).toMatchObject({ moved: ['etcd.yaml'] });
    expect(etcdManifestMove.describe(start()).summary).toMatch(/only onto a data directory that holds a member/);
  });
});
