// DescribeInstanceTypes in a drill: the facts status-check recovery turns on — whether the type
// has instance-store volumes (lost on stop), supports automatic recovery, runs on Nitro or Xen,
// and is bare metal — derived from the type's name the way EC2 names its families.
import type { InstanceTypeInfo } from '@aws-sdk/client-ec2';

const XEN_FAMILIES = new Set(['t1', 't2', 'm1', 'm2', 'm3', 'm4', 'c1', 'c3', 'c4', 'r3', 'r4', 'i2', 'i3', 'd2', 'h1', 'x1', 'x1e', 'g3', 'p2', 'p3', 'f1']);
/** Families whose instances always carry instance-store volumes. */
const STORAGE_FAMILIES = /^(i\d|im\d|is\d|d\d|h1|x1|x1e|f1|m3|c3|r3)/;
const SIZE_VCPUS: Record<string, number> = { nano: 2, micro: 2, small: 2, medium: 2, large: 2, xlarge: 4 };

export function instanceTypeInfo(name: string): InstanceTypeInfo | undefined {
  const m = /^([a-z][a-z0-9-]*)\.(nano|micro|small|medium|large|xlarge|\d+xlarge|metal(-\d+xl)?)$/.exec(name);
  if (!m) return undefined;
  const family = m[1]!;
  const size = m[2]!;
  // A 'd' among the family's suffix letters (c5d, m6id, g4dn, r6gd) means local NVMe storage.
  const suffix = /^[a-z]+\d+([a-z-]*)$/.exec(family)?.[1] ?? '';
  const storage = STORAGE_FAMILIES.test(family) || suffix.includes('d');
  const metal = size.startsWith('metal');
  const vcpus = SIZE_VCPUS[size] ?? (size.endsWith('xlarge') ? 4 * Number(size.slice(0, -6)) : 96);
  const storageGb = storage ? Math.max(75, 75 * Math.ceil(vcpus / 2)) : 0;
  return {
    InstanceType: name as InstanceTypeInfo['InstanceType'],
    CurrentGeneration: !/^(t1|m1|m2|m3|c1|c3|r3|i2|g2|cc2|cr1|hs1)$/.test(family),
    BareMetal: metal,
    Hypervisor: metal ? undefined : XEN_FAMILIES.has(family) ? 'xen' : 'nitro',
    VCpuInfo: { DefaultVCpus: vcpus },
    InstanceStorageSupported: storage,
    ...(storage ? { InstanceStorageInfo: { TotalSizeInGB: storageGb, Disks: [{ SizeInGB: storageGb, Count: 1, Type: 'ssd' }], NvmeSupport: 'required' } } : {}),
    // Simplified automatic recovery: not with instance store, not on metal.
    AutoRecoverySupported: !storage && !metal,
  };
}
