import type { VcenterConnection } from './VcenterConnection';
import { snapshotRef, vmRef, type SnapshotRef, type VmRef } from './VimRefs';
import { morefXml, xml } from './VimXml';
import { at, int, list } from './VimValue';

export interface DiskChangeInfo {
  startOffset: number;
  length: number;
  changedAreas: Array<{ start: number; length: number }>;
}

export interface DiskArea {
  start: number;
  length: number;
}

/** Changed block tracking (CBT): which areas of a disk changed since a `changeId`, as of a snapshot. */
export class ChangedBlockTracking {
  constructor(private readonly vc: VcenterConnection) {}

  /**
   * Areas of a disk that changed since `changeId` (`*`: all allocated areas), relative to a snapshot.
   * One call covers part of the disk; see {@link ChangedBlockTracking.allChangedAreas}.
   */
  async changedAreas(
    vm: VmRef,
    snapshot: SnapshotRef,
    deviceKey: number,
    startOffset: number,
    changeId: string,
    opts: { signal?: AbortSignal } = {},
  ): Promise<DiskChangeInfo> {
    const res = await this.vc.call(
      'QueryChangedDiskAreas',
      xml`${morefXml('_this', vmRef(vm))}${morefXml(
        'snapshot',
        snapshotRef(snapshot),
      )}<deviceKey>${deviceKey}</deviceKey><startOffset>${startOffset}</startOffset><changeId>${changeId}</changeId>`,
      opts,
    );
    const r = res.returnval;
    return {
      startOffset: int(at(r, 'startOffset')) ?? startOffset,
      length: int(at(r, 'length')) ?? 0,
      changedAreas: list(at(r, 'changedArea')).map(a => ({
        start: int(at(a, 'start')) ?? 0,
        length: int(at(a, 'length')) ?? 0,
      })),
    };
  }

  /** All changed areas up to `capacityBytes`, calling QueryChangedDiskAreas as often as needed. */
  async allChangedAreas(
    vm: VmRef,
    snapshot: SnapshotRef,
    deviceKey: number,
    changeId: string,
    capacityBytes: number,
    opts: { signal?: AbortSignal } = {},
  ): Promise<DiskArea[]> {
    const areas: DiskArea[] = [];
    let offset = 0;
    while (offset < capacityBytes) {
      const info = await this.changedAreas(
        vm,
        snapshot,
        deviceKey,
        offset,
        changeId,
        opts,
      );
      areas.push(...info.changedAreas);
      const next = info.startOffset + info.length;
      // A zero-length answer would loop forever; vCenter only does that at the end of the disk.
      if (next <= offset) break;
      offset = next;
    }
    return areas;
  }
}
