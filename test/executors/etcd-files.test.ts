// files.move and files.exist: the static-pod manifest moves of the etcd restore, on an in-memory
// filesystem and on the real one (coreutils through the live exec provider).
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { filesExist, filesMove } from '../../src/executors/files.js';
import { realClock } from '../../src/core/clock.js';
import { localProviders } from '../helpers/providers.js';

const localWorld = localProviders();
import { tempDir } from '../helpers/cli.js';
import { fakeCtx, FakeFs } from '../helpers/etcd.js';

const M = '/etc/kubernetes/manifests';
const S = '/etc/kubernetes/manifests-stopped';

describe('files.move (in memory)', () => {
  it('moves manifests out and back, creating the stopped directory, idempotent on a repeat', async () => {
    const fs = new FakeFs({ [`${M}/etcd.yaml`]: 'etcd', [`${M}/kube-apiserver.yaml`]: 'api' });
    const out = await filesMove.run(filesMove.params.parse({ from: M, to: S, files: 'kube-apiserver.yaml,kube-scheduler.yaml', missing_ok: true, watched: M }), fakeCtx(fs.handler));
    expect(out.result).toEqual({ from: M, to: S, moved: ['kube-apiserver.yaml'], already: [], missing: ['kube-scheduler.yaml'] });
    expect(fs.list(M)).toEqual(['etcd.yaml']);
    expect(fs.list(S)).toEqual(['kube-apiserver.yaml']);
    const again = await filesMove.run(filesMove.params.parse({ from: M, to: S, files: ['kube-apiserver.yaml'] }), fakeCtx(fs.handler));
    expect(again.result).toMatchObject({ moved: [], already: ['kube-apiserver.yaml'] });
    const back = await filesMove.run(filesMove.params.parse({ from: S, to: M, files: ['kube-apiserver.yaml'], watched: M }), fakeCtx(fs.handler));
    expect(back.result).toMatchObject({ moved: ['kube-apiserver.yaml'] });
    expect(fs.list(M)).toEqual(['etcd.yaml', 'kube-apiserver.yaml']);
  });

  it('refuses a second copy kubelet would run, before moving anything', async () => {
    const fs = new FakeFs({ [`${M}/etcd.yaml`]: 'etcd', [`${M}/etcd.yaml.bak`]: 'old etcd', [`${M}/.etcd.yaml.swp`]: 'hidden' });
    const ctx = fakeCtx(fs.handler);
    await expect(filesMove.run(filesMove.params.parse({ from: M, to: S, files: ['etcd.yaml'], watched: M }), ctx)).rejects.toThrow(
      /holds etcd\.yaml\.bak beside etcd\.yaml: kubelet runs every non-hidden file there as a pod/,
    );
    expect(fs.list(M)).toContain('etcd.yaml');
    expect(ctx.calls.some((c) => c[0] === 'mv')).toBe(false);
  });

  it('refuses overlapping directories, a file in both places, and a file in neither', async () => {
    expect(filesMove.params.safeParse({ from: M, to: `${M}/stopped`, files: 'etcd.yaml' }).success).toBe(false);
    expect(filesMove.params.safeParse({ from: M, to: S, files: '../etcd.yaml' }).success).toBe(false);
    expect(filesMove.params.safeParse({ from: 'etc/kubernetes', to: S, files: 'etcd.yaml' }).success).toBe(false);
    const both = new FakeFs({ [`${M}/etcd.yaml`]: 'a', [`${S}/etcd.yaml`]: 'b' });
    await expect(filesMove.run(filesMove.params.parse({ from: M, to: S, files: 'etcd.yaml' }), fakeCtx(both.handler))).rejects.toThrow(/both .* exist; the runbook never overwrites a manifest/);
    await expect(filesMove.run(filesMove.params.parse({ from: M, to: S, files: 'etcd.yaml' }), fakeCtx(new FakeFs().handler))).rejects.toThrow(/is in neither/);
  });
});

describe('files on the real filesystem', () => {
  const ctx = () => ({ ...fakeCtx(() => undefined), providers: localWorld, clock: realClock });

  it('moves with mv -n and checks existence with test -e', async () => {
    const dir = tempDir('oncall-files-');
    const manifests = join(dir, 'manifests');
    mkdirSync(manifests);
    writeFileSync(join(manifests, 'etcd.yaml'), 'kind: Pod\n');
    const out = await filesMove.run(filesMove.params.parse({ from: manifests, to: join(dir, 'stopped'), files: 'etcd.yaml', watched: manifests }), ctx());
    expect(out.result).toMatchObject({ moved: ['etcd.yaml'] });
    expect(readdirSync(manifests)).toEqual([]);
    expect(readdirSync(join(dir, 'stopped'))).toEqual(['etcd.yaml']);
    const exist = await filesExist.run(filesExist.params.parse({ paths: [join(dir, 'stopped', 'etcd.yaml'), join(manifests, 'etcd.yaml')] }), ctx());
    expect(exist.result).toMatchObject({ all: false, none: false, present: [join(dir, 'stopped', 'etcd.yaml')] });
  });
});
