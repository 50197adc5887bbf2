import { GuestfishSession, parseGuestfishStructs } from './GuestfishSession';
import {
  ESP_TYPE_GUID,
  gptTypeForMbr,
  SECTOR,
  UefiPlan,
} from './PartitionTable';

export type UefiConversionPlan = Extract<UefiPlan, { action: 'convert' }>;

/** MBR types of an extended partition: a container of logical partitions, not a partition of its own on GPT. */
const EXTENDED_TYPES = [0x05, 0x0f, 0x85];

/**
 * Rewrites the partition table of `device` in the appliance: an MBR becomes a GPT with the same
 * partitions at the same sectors (primary and logical, the extended container dropped, so logical
 * partitions get new numbers), then an EFI system partition is added and formatted where `plan` says.
 * The volume groups are deactivated while the table is rewritten (the kernel cannot re-read the table
 * of a disk whose partitions are in use: parted fails) and reactivated after. Nothing may be mounted.
 */
export async function rewriteAsGpt(
  g: GuestfishSession,
  device: string,
  plan: UefiConversionPlan,
): Promise<{
  renumbered: Array<{ from: number; to: number }>;
  espDevice: string;
  espUuid: string;
}> {
  const before = parseGuestfishStructs(await g.run('part-list', device)).map(
    p => ({
      num: Number(p.part_num),
      startSector: Number(p.part_start) / SECTOR,
      // part_end is the last byte (inclusive)
      endSector: (Number(p.part_end) + 1) / SECTOR - 1,
    }),
  );
  const renumbered: Array<{ from: number; to: number }> = [];
  await g.run('vg-activate-all', 'false');
  if (plan.from === 'mbr') {
    const kept: Array<(typeof before)[number] & { type: number }> = [];
    for (const part of before) {
      // guestfish prints it in hex ("0x83")
      const type = Number(
        (await g.run('part-get-mbr-id', device, String(part.num))).trim(),
      );
      if (!Number.isInteger(type))
        throw new Error(`unreadable MBR type of partition ${part.num}`);
      if (!EXTENDED_TYPES.includes(type)) kept.push({ ...part, type });
    }
    kept.sort((a, b) => a.startSector - b.startSector);
    await g.run('part-init', device, 'gpt');
    for (const [index, part] of kept.entries()) {
      await g.run(
        'part-add',
        device,
        'p',
        String(part.startSector),
        String(part.endSector),
      );
      await g.run(
        'part-set-gpt-type',
        device,
        String(index + 1),
        gptTypeForMbr(part.type),
      );
      if (part.num !== index + 1)
        renumbered.push({ from: part.num, to: index + 1 });
    }
  }
  await g.run(
    'part-add',
    device,
    'p',
    String(plan.espStartSector),
    String(plan.espStartSector + plan.espSectors - 1),
  );
  const esp = parseGuestfishStructs(await g.run('part-list', device))
    .map(p => ({
      num: Number(p.part_num),
      startSector: Number(p.part_start) / SECTOR,
    }))
    .find(p => p.startSector === plan.espStartSector);
  if (!esp)
    throw new Error(
      'the new EFI system partition is missing from the partition list',
    );
  const espDevice = `${device}${esp.num}`;
  await g.run('part-set-gpt-type', device, String(esp.num), ESP_TYPE_GUID);
  await g.run('part-set-name', device, String(esp.num), 'EFI System Partition');
  await g.run('vg-activate-all', 'true');
  await g.run('mkfs', 'vfat', espDevice);
  const espUuid = (await g.run('vfs-uuid', espDevice)).trim();
  return { renumbered, espDevice, espUuid };
}
