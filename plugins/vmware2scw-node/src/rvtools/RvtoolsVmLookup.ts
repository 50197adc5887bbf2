import type { RvtoolsCells } from './RvtoolsCells';
import { decodeVmName, type VmDraft } from './RvtoolsVmRows';

/** Finds the vInfo VM of a row of another sheet: by VM ID, then VM UUID, then (unique) VM name. */
export class VmLookup {
  private readonly byId = new Map<string, VmDraft>();
  private readonly byUuid = new Map<string, VmDraft>();
  private readonly byName = new Map<string, VmDraft[]>();

  constructor(
    drafts: VmDraft[],
    private readonly hasId: boolean,
    private readonly hasUuid: boolean,
  ) {
    for (const d of drafts) {
      if (hasId) this.byId.set(d.vm.moref, d);
      if (d.vm.instanceUuid)
        this.byUuid.set(d.vm.instanceUuid.toLowerCase(), d);
      const n = d.vm.name.toLowerCase();
      this.byName.set(n, [...(this.byName.get(n) ?? []), d]);
    }
  }

  find<K extends string>(
    c: RvtoolsCells<K | 'vm' | 'vmId' | 'vmUuid'>,
  ): VmDraft | undefined {
    const id = c.text('vmId');
    if (id && this.hasId) {
      const d = this.byId.get(id);
      if (!d) c.bad('vmId', `no VM with VM ID "${id}" in vInfo`);
      return d;
    }
    const uuid = c.text('vmUuid');
    if (uuid && this.hasUuid) {
      const d = this.byUuid.get(uuid.toLowerCase());
      if (!d) c.bad('vmUuid', `no VM with VM UUID "${uuid}" in vInfo`);
      return d;
    }
    const name = c.text('vm');
    if (!name) {
      c.bad('vm', 'empty: expected the name of a VM of vInfo');
      return undefined;
    }
    const found = this.byName.get(decodeVmName(name).toLowerCase()) ?? [];
    if (found.length === 1) return found[0];
    c.bad(
      'vm',
      found.length
        ? `${found.length} VMs are named "${name}" in vInfo (rows ${found
            .map(d => d.row)
            .join(', ')}): add the VM ID column to tell them apart`
        : `no VM named "${name}" in vInfo`,
    );
    return undefined;
  }
}
