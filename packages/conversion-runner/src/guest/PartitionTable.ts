/**
 * Reads the start of a disk (MBR + GPT header and entries, 34 sectors) into a plain description, so
 * the runner can decide what ensure_uefi must do before launching an appliance.
 */
export const SECTOR = 512;
export const ESP_TYPE_GUID = 'C12A7328-F81F-11D2-BA4B-00A0C93EC93B';
export const BIOS_BOOT_TYPE_GUID = '21686148-6449-6E6F-744E-656564454649';

export type MbrPartition = {
  index: number; // 1..4
  type: number;
  bootable: boolean;
  startSector: number;
  sectorCount: number;
};

export type GptPartition = {
  index: number;
  typeGuid: string;
  firstLba: number;
  lastLba: number;
  name: string;
};

export type PartitionTable =
  | { kind: 'none' }
  | { kind: 'mbr'; partitions: MbrPartition[] }
  | { kind: 'gpt'; partitions: GptPartition[]; lastUsableLba: number };

export function parsePartitionTable(head: Buffer): PartitionTable {
  if (head.length < SECTOR || head[510] !== 0x55 || head[511] !== 0xaa)
    return { kind: 'none' };
  const partitions: MbrPartition[] = [];
  for (let i = 0; i < 4; i++) {
    const entry = head.subarray(446 + i * 16, 446 + (i + 1) * 16);
    const type = entry[4];
    if (type === 0) continue;
    partitions.push({
      index: i + 1,
      type,
      bootable: entry[0] === 0x80,
      startSector: entry.readUInt32LE(8),
      sectorCount: entry.readUInt32LE(12),
    });
  }
  if (partitions.some(p => p.type === 0xee) && head.length >= 34 * SECTOR) {
    const header = head.subarray(SECTOR, 2 * SECTOR);
    if (header.toString('latin1', 0, 8) === 'EFI PART') {
      const entriesLba = Number(header.readBigUInt64LE(72));
      const count = header.readUInt32LE(80);
      const size = header.readUInt32LE(84);
      const lastUsableLba = Number(header.readBigUInt64LE(48));
      const gpt: GptPartition[] = [];
      for (let i = 0; i < count; i++) {
        const offset = entriesLba * SECTOR + i * size;
        if (offset + size > head.length) break;
        const entry = head.subarray(offset, offset + size);
        const typeGuid = guidToString(entry.subarray(0, 16));
        if (typeGuid === '00000000-0000-0000-0000-000000000000') continue;
        gpt.push({
          index: i + 1,
          typeGuid,
          firstLba: Number(entry.readBigUInt64LE(32)),
          lastLba: Number(entry.readBigUInt64LE(40)),
          name: entry
            .subarray(56, 128)
            .toString('utf16le')
            .replace(/\0.*$/, ''),
        });
      }
      return { kind: 'gpt', partitions: gpt, lastUsableLba };
    }
  }
  return { kind: 'mbr', partitions };
}

function guidToString(bytes: Buffer): string {
  const hex = (b: Buffer) => b.toString('hex');
  const rev = (b: Buffer) => Buffer.from(b).reverse();
  return [
    hex(rev(bytes.subarray(0, 4))),
    hex(rev(bytes.subarray(4, 6))),
    hex(rev(bytes.subarray(6, 8))),
    hex(bytes.subarray(8, 10)),
    hex(bytes.subarray(10, 16)),
  ]
    .join('-')
    .toUpperCase();
}

/** GPT type for a partition that had MBR type `mbrType`. */
export function gptTypeForMbr(mbrType: number): string {
  switch (mbrType) {
    case 0x82:
      return '0657FD6D-A4AB-43C4-84E5-0933C84B4F4F'; // Linux swap
    case 0x8e:
      return 'E6D6D379-F507-44C2-A23C-238F2A3DF928'; // Linux LVM
    case 0xfd:
      return 'A19D880F-05FC-4D3B-A006-743F0F84911E'; // Linux RAID
    case 0x07:
    case 0x0b:
    case 0x0c:
      return 'EBD0A0A2-B9E5-4433-87C0-68B6B72699C7'; // basic data
    case 0xef:
      return ESP_TYPE_GUID;
    default:
      return '0FC63DAF-8483-4772-8E79-3D69D8477DE4'; // Linux filesystem
  }
}

export type UefiPlan =
  /** espIndex: the GPT partition number of the EFI system partition */
  | { action: 'none'; reason: string; espIndex: number }
  | {
      action: 'convert';
      from: 'mbr' | 'gpt';
      growBytes: number;
      espStartSector: number;
      espSectors: number;
    }
  | { action: 'refuse'; reason: string; remediation: string };

const MiB_SECTORS = (1024 * 1024) / SECTOR;

/**
 * What ensure_uefi will do with a disk of `diskBytes` holding `table`: nothing (already GPT + ESP),
 * convert (MBR->GPT or GPT without ESP, adding an ESP at the end, growing the disk if there is no room),
 * or refuse with a reason.
 */
export function planUefi(
  table: PartitionTable,
  diskBytes: number,
  espBytes: number,
): UefiPlan {
  const diskSectors = Math.floor(diskBytes / SECTOR);
  const espSectors = Math.ceil(espBytes / SECTOR / MiB_SECTORS) * MiB_SECTORS;
  if (table.kind === 'none') {
    return {
      action: 'refuse',
      reason:
        'the disk has no partition table (a filesystem or LVM PV on the whole disk), so there is nowhere to put an EFI system partition',
      remediation:
        'Migrate this disk as a data disk, or repartition the guest on VMware (boot disk with a partition table) and export again.',
    };
  }
  if (table.kind === 'gpt') {
    const esp = table.partitions.find(p => p.typeGuid === ESP_TYPE_GUID);
    if (esp) {
      return {
        action: 'none',
        reason: 'the disk is already GPT with an EFI system partition',
        espIndex: esp.index,
      };
    }
    const lastUsed = Math.max(0, ...table.partitions.map(p => p.lastLba));
    return withRoom('gpt', lastUsed + 1);
  }
  const partitions = table.partitions.filter(p => p.type !== 0xee);
  if (partitions.length === 0) {
    return {
      action: 'refuse',
      reason: 'the MBR has no partitions',
      remediation: 'Check that this is the boot disk of the VM.',
    };
  }
  const first = Math.min(...partitions.map(p => p.startSector));
  if (first < 34) {
    return {
      action: 'refuse',
      reason: `the first partition starts at sector ${first}, inside the area the GPT header and entries need (sectors 1-33)`,
      remediation:
        'Move the first partition to start at 1 MiB (e.g. with gparted on the source VM), or migrate the VM in BIOS mode elsewhere.',
    };
  }
  if (partitions.some(p => p.type === 0xee || p.type === 0x42)) {
    return {
      action: 'refuse',
      reason: 'the disk uses a hybrid MBR or Windows dynamic disk layout',
      remediation: 'Convert the disk to a basic disk on the source VM first.',
    };
  }
  const lastUsed = Math.max(
    ...partitions.map(p => p.startSector + p.sectorCount),
  );
  // An extended partition is a primary entry spanning its logical partitions, so it bounds them too.
  return withRoom('mbr', lastUsed);

  function withRoom(from: 'mbr' | 'gpt', firstFree: number): UefiPlan {
    // ESP aligned to 1 MiB after the last partition, then 1 MiB for the backup GPT (33 sectors) and slack.
    const espStart = Math.ceil(firstFree / MiB_SECTORS) * MiB_SECTORS;
    const neededSectors = espStart + espSectors + MiB_SECTORS;
    const growSectors = Math.max(0, neededSectors - diskSectors);
    const growBytes =
      Math.ceil((growSectors * SECTOR) / (1024 * 1024)) * 1024 * 1024;
    return {
      action: 'convert',
      from,
      growBytes,
      espStartSector: espStart,
      espSectors,
    };
  }
}
