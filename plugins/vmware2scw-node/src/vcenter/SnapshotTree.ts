import type { MoRef, XmlValue } from './VimXml';
import { at, bool, int, list, moref, text } from './VimValue';

/** One node of a VM's snapshot tree (`VirtualMachineSnapshotTree`), flattened. */
export interface SnapshotInfo {
  snapshot: MoRef;
  name: string;
  description?: string;
  /** Per-VM numeric id. */
  id?: number;
  createTime?: string;
  /** Power state of the VM when the snapshot was taken. */
  state?: string;
  quiesced?: boolean;
  /** The parent snapshot, absent for a root snapshot. */
  parent?: MoRef;
  /** Whether this is the VM's current snapshot (the running state's parent). */
  current: boolean;
}

/** Flattens `VirtualMachine.snapshot` (a `VirtualMachineSnapshotInfo`) depth first, roots first. */
export function flattenSnapshots(
  snapshotInfo: XmlValue | undefined,
): SnapshotInfo[] {
  if (snapshotInfo === undefined) return [];
  const current = moref(at(snapshotInfo, 'currentSnapshot'));
  const out: SnapshotInfo[] = [];
  const walk = (nodes: XmlValue[], parent?: MoRef) => {
    for (const node of nodes) {
      const ref = moref(at(node, 'snapshot'));
      if (!ref) continue;
      out.push({
        snapshot: ref,
        name: text(at(node, 'name')) ?? '',
        description: text(at(node, 'description')) || undefined,
        id: int(at(node, 'id')),
        createTime: text(at(node, 'createTime')),
        state: text(at(node, 'state')),
        quiesced: bool(at(node, 'quiesced')),
        parent,
        current: current?.value === ref.value,
      });
      walk(list(at(node, 'childSnapshotList')), ref);
    }
  };
  walk(list(at(snapshotInfo, 'rootSnapshotList')));
  return out;
}
