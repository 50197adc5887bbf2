/** qcow2 v3 with 64 KiB clusters and 16-bit refcounts, the layout qemu-img itself writes by default. */
export const CLUSTER_BITS = 16;
export const CLUSTER = 1 << CLUSTER_BITS;
const L2_ENTRIES = CLUSTER / 8;
const REFCOUNTS_PER_BLOCK = CLUSTER / 2;
const REFCOUNT_TABLE_ENTRIES = CLUSTER / 8;
const COPIED = BigInt(1) << BigInt(63);
const HEADER_LENGTH = 112;

/** A run of bytes of the virtual disk that holds data (the rest reads as zeros). */
export type DataExtent = { start: number; length: number };

/**
 * Where everything of a qcow2 goes, computed from the extent map before a byte is written, so that the
 * file can be produced strictly in order (header, refcount table and blocks, L1, L2 tables, then the
 * data clusters in guest order) and streamed into an upload without a local copy: nothing is patched
 * afterwards. Only clusters that hold data are allocated; everything else reads as zero (no backing).
 */
export class Qcow2StreamLayout {
  /** Guest cluster indexes that are stored, ascending. */
  readonly guestClusters: number[];
  readonly l1Entries: number;
  readonly l1Clusters: number;
  /** L1 index of each L2 table, ascending. */
  readonly l2Tables: number[];
  readonly refcountBlocks: number;
  readonly refcountTableClusters: number;
  readonly totalClusters: number;

  constructor(readonly virtualSize: number, extents: readonly DataExtent[]) {
    const clusters = new Set<number>();
    for (const { start, length } of extents) {
      if (length <= 0) continue;
      const last = Math.floor(
        (Math.min(start + length, virtualSize) - 1) / CLUSTER,
      );
      for (let c = Math.floor(start / CLUSTER); c <= last; c++) clusters.add(c);
    }
    this.guestClusters = [...clusters].sort((a, b) => a - b);
    this.l1Entries = Math.max(
      1,
      Math.ceil(virtualSize / (CLUSTER * L2_ENTRIES)),
    );
    this.l1Clusters = Math.ceil((this.l1Entries * 8) / CLUSTER);
    this.l2Tables = [
      ...new Set(this.guestClusters.map(c => Math.floor(c / L2_ENTRIES))),
    ];
    const fixed =
      1 + this.l1Clusters + this.l2Tables.length + this.guestClusters.length;
    // the refcount structures count themselves: grow them until they cover every cluster
    let blocks = 1;
    let table = 1;
    for (;;) {
      const total = fixed + blocks + table;
      const needBlocks = Math.ceil(total / REFCOUNTS_PER_BLOCK);
      const needTable = Math.ceil(needBlocks / REFCOUNT_TABLE_ENTRIES);
      if (needBlocks <= blocks && needTable <= table) break;
      blocks = Math.max(blocks, needBlocks);
      table = Math.max(table, needTable);
    }
    this.refcountBlocks = blocks;
    this.refcountTableClusters = table;
    this.totalClusters = fixed + blocks + table;
  }

  get refcountTableOffset(): number {
    return CLUSTER;
  }
  get refcountBlocksOffset(): number {
    return this.refcountTableOffset + this.refcountTableClusters * CLUSTER;
  }
  get l1Offset(): number {
    return this.refcountBlocksOffset + this.refcountBlocks * CLUSTER;
  }
  get l2Offset(): number {
    return this.l1Offset + this.l1Clusters * CLUSTER;
  }
  get dataOffset(): number {
    return this.l2Offset + this.l2Tables.length * CLUSTER;
  }
  /** Bytes of the finished file. */
  get fileSize(): number {
    return this.totalClusters * CLUSTER;
  }
  /** Bytes of guest data stored (whole clusters). */
  get dataBytes(): number {
    return this.guestClusters.length * CLUSTER;
  }
  get metadataBytes(): number {
    return this.dataOffset;
  }

  /** Runs of consecutive stored guest clusters, as byte ranges of the virtual disk (clipped to its size). */
  dataRuns(maxLength: number): DataExtent[] {
    const runs: DataExtent[] = [];
    const perRun = Math.max(1, Math.floor(maxLength / CLUSTER));
    let i = 0;
    while (i < this.guestClusters.length) {
      let j = i + 1;
      while (
        j < this.guestClusters.length &&
        j - i < perRun &&
        this.guestClusters[j] === this.guestClusters[j - 1] + 1
      )
        j++;
      const start = this.guestClusters[i] * CLUSTER;
      const end = Math.min(
        (this.guestClusters[j - 1] + 1) * CLUSTER,
        this.virtualSize,
      );
      runs.push({ start, length: end - start });
      i = j;
    }
    return runs;
  }

  /** The metadata clusters, in file order, one cluster (or the L1 table) at a time. */
  *metadata(): Generator<Buffer> {
    yield this.header();
    const table = Buffer.alloc(this.refcountTableClusters * CLUSTER);
    for (let b = 0; b < this.refcountBlocks; b++)
      table.writeBigUInt64BE(
        BigInt(this.refcountBlocksOffset + b * CLUSTER),
        b * 8,
      );
    yield table;
    for (let b = 0; b < this.refcountBlocks; b++) {
      const block = Buffer.alloc(CLUSTER);
      const first = b * REFCOUNTS_PER_BLOCK;
      const count = Math.min(
        REFCOUNTS_PER_BLOCK,
        Math.max(0, this.totalClusters - first),
      );
      for (let i = 0; i < count; i++) block.writeUInt16BE(1, i * 2);
      yield block;
    }
    const l1 = Buffer.alloc(this.l1Clusters * CLUSTER);
    this.l2Tables.forEach((l1Index, n) =>
      l1.writeBigUInt64BE(
        BigInt(this.l2Offset + n * CLUSTER) | COPIED,
        l1Index * 8,
      ),
    );
    yield l1;
    let next = 0;
    for (const [n, l1Index] of this.l2Tables.entries()) {
      void n;
      const l2 = Buffer.alloc(CLUSTER);
      while (
        next < this.guestClusters.length &&
        Math.floor(this.guestClusters[next] / L2_ENTRIES) === l1Index
      ) {
        const c = this.guestClusters[next];
        l2.writeBigUInt64BE(
          BigInt(this.dataOffset + next * CLUSTER) | COPIED,
          (c % L2_ENTRIES) * 8,
        );
        next++;
      }
      yield l2;
    }
  }

  private header(): Buffer {
    const h = Buffer.alloc(CLUSTER);
    h.writeUInt32BE(0x514649fb, 0); // QFI\xfb
    h.writeUInt32BE(3, 4);
    h.writeUInt32BE(CLUSTER_BITS, 20);
    h.writeBigUInt64BE(BigInt(this.virtualSize), 24);
    h.writeUInt32BE(this.l1Entries, 36);
    h.writeBigUInt64BE(BigInt(this.l1Offset), 40);
    h.writeBigUInt64BE(BigInt(this.refcountTableOffset), 48);
    h.writeUInt32BE(this.refcountTableClusters, 56);
    h.writeUInt32BE(4, 96); // refcount_order: 16-bit refcounts
    h.writeUInt32BE(HEADER_LENGTH, 100);
    // byte 104: compression type 0 = zlib (what Scaleway imports); then the end-of-extensions marker (zeros)
    return h;
  }
}
