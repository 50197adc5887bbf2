import type { DiskInput } from '@internal/plugin-vmware2scw-common';
import { AmbiguousSnapshotError, SnapshotNotFoundError } from './faults';
import { flattenSnapshots, type SnapshotInfo } from './SnapshotTree';
import type { WaitOptions } from './TaskWaiter';
import type { VcenterConnection } from './VcenterConnection';
import { snapshotRef, vmRef, type SnapshotRef, type VmRef } from './VimRefs';
import { morefXml, xml } from './VimXml';
import { mapHardware } from './VmHardwareMapper';

export interface CreateSnapshotOptions extends WaitOptions {
  description?: string;
  /** Include the memory state (slow, large); default false. */
  memory?: boolean;
  /** Quiesce the guest file systems through VMware Tools; default false. */
  quiesce?: boolean;
}

export interface RemoveSnapshotOptions extends WaitOptions {
  removeChildren?: boolean;
  /** Consolidate the disk chain afterwards (default true, as vCenter does). */
  consolidate?: boolean;
}

/** Snapshots of VMs: list, find by name, take, remove, and the disks as a snapshot froze them. */
export class VmSnapshots {
  constructor(private readonly vc: VcenterConnection) {}

  /** Every snapshot of a VM, depth first. */
  async list(
    vm: VmRef,
    opts: { signal?: AbortSignal } = {},
  ): Promise<SnapshotInfo[]> {
    return this.vc.run(async ({ pc }) => {
      const o = await pc.retrieveOne(vmRef(vm), ['snapshot'], opts);
      return flattenSnapshots(o?.props.snapshot);
    }, opts.signal);
  }

  /**
   * The snapshot of that name, or `undefined`. Two snapshots with the same name are an error: the
   * migration engine names snapshots after the migration id, so a duplicate means a human stepped in.
   */
  async find(
    vm: VmRef,
    name: string,
    opts: { signal?: AbortSignal } = {},
  ): Promise<SnapshotInfo | undefined> {
    const matches = (await this.list(vm, opts)).filter(s => s.name === name);
    if (matches.length > 1) {
      throw new AmbiguousSnapshotError({
        code: 'VCENTER_AMBIGUOUS_SNAPSHOT',
        message: `VM ${vmRef(vm).value} has ${
          matches.length
        } snapshots named "${name}" (${matches
          .map(s => s.snapshot.value)
          .join(', ')})`,
        remediation:
          'Delete the extra snapshots in vCenter, keeping the one to migrate from, then retry.',
      });
    }
    return matches[0];
  }

  /** Takes a snapshot and waits for it; returns it as listed in the VM's tree. */
  async create(
    vm: VmRef,
    name: string,
    opts: CreateSnapshotOptions = {},
  ): Promise<SnapshotInfo> {
    const ref = vmRef(vm);
    // Each step is retried on its own after a lost session: re-running the whole would take a
    // second snapshot if the session died while waiting for the first.
    const res = await this.vc.call(
      'CreateSnapshot_Task',
      xml`${morefXml('_this', ref)}<name>${name}</name>${
        opts.description !== undefined
          ? xml`<description>${opts.description}</description>`
          : undefined
      }<memory>${opts.memory ?? false}</memory><quiesce>${
        opts.quiesce ?? false
      }</quiesce>`,
      { signal: opts.signal },
    );
    const done = await this.vc.waitTask(
      res.returnval,
      'CreateSnapshot_Task',
      opts,
    );
    const snapshots = await this.list(ref, opts);
    const created =
      snapshots.find(s => s.snapshot.value === done.resultRef?.value) ??
      snapshots.filter(s => s.name === name).pop();
    if (!created) {
      throw new SnapshotNotFoundError({
        code: 'VCENTER_SNAPSHOT_NOT_FOUND',
        message: `Snapshot "${name}" of VM ${ref.value} is not in its tree after creation`,
        remediation:
          'Check the VM snapshots in vCenter (it may have been deleted at once).',
      });
    }
    return created;
  }

  async remove(
    snapshot: SnapshotRef,
    opts: RemoveSnapshotOptions = {},
  ): Promise<void> {
    const res = await this.vc.call(
      'RemoveSnapshot_Task',
      xml`${morefXml('_this', snapshotRef(snapshot))}<removeChildren>${
        opts.removeChildren ?? false
      }</removeChildren><consolidate>${opts.consolidate ?? true}</consolidate>`,
      { signal: opts.signal },
    );
    await this.vc.waitTask(res.returnval, 'RemoveSnapshot_Task', opts);
  }

  /**
   * The disks as frozen in a snapshot: backing files at that point of the chain and CBT `changeId`s,
   * which is what an incremental copy starts from.
   */
  async disks(
    snapshot: SnapshotRef,
    opts: { signal?: AbortSignal } = {},
  ): Promise<DiskInput[]> {
    return this.vc.run(async ({ pc }) => {
      const o = await pc.retrieveOne(
        snapshotRef(snapshot),
        ['config.hardware'],
        opts,
      );
      const none = {
        byMoref: () => undefined,
        byPortgroupKey: () => undefined,
        byOpaqueId: () => undefined,
      };
      return mapHardware(o?.props['config.hardware'], none).disks;
    }, opts.signal);
  }
}
