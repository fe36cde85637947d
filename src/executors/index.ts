import { KindRegistry } from '../core/registry.js';
import { AWS_KINDS } from './aws/index.js';
import { decision } from './decision.js';
import { ETCD_KINDS } from './etcd/index.js';
import { FILE_KINDS } from './files.js';
import { http } from './http.js';
import { K8S_KINDS } from './k8s.js';
import { K8S_OPS_KINDS } from './k8s/ops.js';
import { manual } from './manual.js';
import { SECRETS_KINDS } from './secrets/index.js';
import { shell } from './shell.js';
import { wait } from './wait.js';

export const BUILTIN_KINDS = [shell, http, wait, decision, manual, ...FILE_KINDS, ...ETCD_KINDS, ...K8S_KINDS, ...K8S_OPS_KINDS, ...AWS_KINDS, ...SECRETS_KINDS];

/** A registry holding the built-in step kinds; plugins add theirs to it. */
export function builtinRegistry(): KindRegistry {
  const registry = new KindRegistry();
  for (const kind of BUILTIN_KINDS) registry.register(kind);
  return registry;
}
