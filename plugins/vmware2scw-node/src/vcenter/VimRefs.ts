import type { MoRef } from './VimXml';

/** A VM or snapshot given by its moref value (`vm-42`) or as a full MoRef. */
export type VmRef = string | MoRef;
export type SnapshotRef = string | MoRef;

export function vmRef(vm: VmRef): MoRef {
  return typeof vm === 'string' ? { type: 'VirtualMachine', value: vm } : vm;
}

export function snapshotRef(s: SnapshotRef): MoRef {
  return typeof s === 'string'
    ? { type: 'VirtualMachineSnapshot', value: s }
    : s;
}
