// The live providers for tests that run real local processes and HTTP: no AWS profile, region or
// kube context of the machine's own.
import { liveProvidersFor } from '../../src/providers/live.js';
import type { Providers } from '../../src/providers/types.js';

export function localProviders(): Providers {
  return liveProvidersFor({ world: { aws: {}, kube: {} } });
}
