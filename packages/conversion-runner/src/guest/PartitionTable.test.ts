import {
  ESP_TYPE_GUID,
  parsePartitionTable,
  planUefi,
  SECTOR,
} from './PartitionTable';

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

function mbr(
  partitions: Array<{
    type: number;
    start: number;
    count: number;
    bootable?: boolean;
  }>,
): Buffer {
  const head = Buffer.alloc(34 * SECTOR);
  partitions.forEach((p, i) => {
    const offset = 446 + i * 16;
    head[offset] = p.bootable ? 0x80 : 0;
    head[offset + 4] = p.type;
    head.writeUInt32LE(p.start, offset + 8);
    head.writeUInt32LE(p.count, offset + 12);
  });
  head[510] = 0x55;
  head[511] = 0xaa;
  return head;
}

function gptWithEsp(): Buffer {
  const head = mbr([{ type: 0xee, start: 1, count: 0xffffffff }]);
  const header = head.subarray(SECTOR, 2 * SECTOR);
  header.write('EFI PART', 0, 'latin1');
  header.writeBigUInt64LE(BigInt(6291422), 48);
  header.writeBigUInt64LE(BigInt(2), 72);
  header.writeUInt32LE(128, 80);
  header.writeUInt32LE(128, 84);
  const entry = head.subarray(2 * SECTOR, 2 * SECTOR + 128);
  // C12A7328-F81F-11D2-BA4B-00A0C93EC93B, mixed-endian as on disk
  Buffer.from('28732AC11FF8D211BA4B00A0C93EC93B', 'hex').copy(entry, 0);
  entry.writeBigUInt64LE(BigInt(2048), 32);
  entry.writeBigUInt64LE(BigInt(526335), 40);
  return head;
}

describe('parsePartitionTable', () => {
  it('reads an MBR', () => {
    const table = parsePartitionTable(
      mbr([{ type: 0x83, start: 2048, count: 4096, bootable: true }]),
    );
    expect(table).toEqual({
      kind: 'mbr',
      partitions: [
        {
          index: 1,
          type: 0x83,
          bootable: true,
          startSector: 2048,
          sectorCount: 4096,
        },
      ],
    });
  });

  it('reads a GPT and recognises the EFI system partition', () => {
    const table = parsePartitionTable(gptWithEsp());
    expect(table.kind).toBe('gpt');
    expect(table.kind === 'gpt' && table.partitions[0]).toMatchObject({
      typeGuid: ESP_TYPE_GUID,
      firstLba: 2048,
    });
  });

  it('sees no table on a blank disk', () => {
    expect(parsePartitionTable(Buffer.alloc(34 * SECTOR))).toEqual({
      kind: 'none',
    });
  });
});

describe('planUefi', () => {
  it('does nothing to a disk that is already GPT with an ESP', () => {
    expect(
      planUefi(parsePartitionTable(gptWithEsp()), 3 * GiB, 256 * MiB).action,
    ).toBe('none');
  });

  it('grows a full MBR disk just enough for the ESP and the backup GPT', () => {
    const sectors = (3 * GiB) / SECTOR;
    const plan = planUefi(
      parsePartitionTable(
        mbr([{ type: 0x83, start: 2048, count: sectors - 2048 }]),
      ),
      3 * GiB,
      256 * MiB,
    );
    expect(plan).toMatchObject({
      action: 'convert',
      from: 'mbr',
      espStartSector: sectors,
      espSectors: (256 * MiB) / SECTOR,
    });
    expect(plan.action === 'convert' && plan.growBytes).toBe(257 * MiB);
  });

  it('uses free space at the end without growing', () => {
    const plan = planUefi(
      parsePartitionTable(
        mbr([{ type: 0x83, start: 2048, count: 2 * 1024 * 1024 }]),
      ),
      3 * GiB,
      256 * MiB,
    );
    expect(plan).toMatchObject({ action: 'convert', growBytes: 0 });
  });

  it('refuses, with a reason, layouts that cannot take a GPT', () => {
    const oldStyle = planUefi(
      parsePartitionTable(mbr([{ type: 0x83, start: 16, count: 1000 }])),
      GiB,
      256 * MiB,
    );
    expect(oldStyle).toMatchObject({
      action: 'refuse',
      reason: expect.stringContaining('sector 16'),
    });
    const bare = planUefi({ kind: 'none' }, GiB, 256 * MiB);
    expect(bare).toMatchObject({
      action: 'refuse',
      reason: expect.stringContaining('no partition table'),
    });
  });
});
