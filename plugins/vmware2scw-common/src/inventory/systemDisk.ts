import type { Disk, Vm } from './model';

/**
 * The disk the guest boots from, as the migration treats it (Scaleway volume "0"): the first disk on
 * the first controller bus (`scsi0:0`), else the lowest device key. vSphere does not record a boot
 * order for most VMs, and the first-bus convention is what the official guide uses (`scsi0:0.fileName`).
 */
export function systemDisk(vm: Pick<Vm, 'disks'>): Disk | undefined {
  let best: Disk | undefined;
  for (const d of vm.disks) {
    if (!best || compareBootOrder(d, best) < 0) best = d;
  }
  return best;
}

function compareBootOrder(a: Disk, b: Disk): number {
  const bus = (d: Disk) => d.controller?.busNumber ?? Number.MAX_SAFE_INTEGER;
  const unit = (d: Disk) => d.controller?.unitNumber ?? Number.MAX_SAFE_INTEGER;
  return bus(a) - bus(b) || unit(a) - unit(b) || a.key - b.key;
}
