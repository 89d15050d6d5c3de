// Pseudo file systems (/proc, /sys, debugfs, cgroups, ...): their "files" report sizes that lie
// (0, or 4096 whatever they hold) and change on every read, so tailing them reads the same bytes in
// a "truncated" loop forever. They are never tailed, and a `/**` glob does not descend into them.
// Known by statfs's f_type, once per device.
import * as fs from 'node:fs';

const PSEUDO_TYPES = new Set<number>([
  0x9fa0,     // proc
  0x62656572, // sysfs
  0x64626720, // debugfs
  0x74726163, // tracefs
  0x27e0eb,   // cgroup
  0x63677270, // cgroup2
  0x73636673, // securityfs
  0x1cd1,     // devpts
  0x6165676c, // pstore
  0xcafe4a11, // bpf
  0x62656570, // configfs
  0x65735543, // fusectl
  0x50495045, // pipefs
  0x534f434b, // sockfs
  0x42494e4d, // binfmt_misc
  0xde5e81e4, // efivarfs
  0x19800202, // mqueue
]);

const byDev = new Map<number, boolean>();

/** True when `p` (on device `dev`) lives on a pseudo file system. */
export function isPseudoFs(p: string | Buffer, dev: number): boolean {
  let v = byDev.get(dev);
  if (v === undefined) {
    try {
      v = PSEUDO_TYPES.has(Number(fs.statfsSync(p).type));
    } catch {
      v = false;
    }
    if (byDev.size > 4096) byDev.clear();
    byDev.set(dev, v);
  }
  return v;
}
