// The etcd step kinds: detect the tooling, read the cluster and the manifests, check and take
// snapshots, plan and run a restore (the old data directory moved aside first), and move or
// re-point the static pod manifest.
import { etcdCluster } from './cluster.js';
import { etcdManifestRead, etcdManifestSetDataDir } from './manifest.js';
import { MOVE_KINDS } from './move.js';
import { etcdPlan } from './plan.js';
import { etcdSnapshotInspect, etcdSnapshotRestore, etcdSnapshotSave } from './snapshot.js';
import { etcdTooling } from './tooling.js';

export const ETCD_KINDS = [etcdTooling, etcdCluster, etcdManifestRead, etcdManifestSetDataDir, etcdSnapshotInspect, etcdSnapshotSave, etcdPlan, etcdSnapshotRestore, ...MOVE_KINDS];
