import { open } from 'fs/promises';
import { basename, dirname, resolve } from 'path';
import { RunnerError } from '../RunnerError';
import { qemuImgInfo, QemuImgInfo } from './QemuImg';

/** VMDK create types qemu-img may read: self-contained files (one extent, the file itself). */
const SELF_CONTAINED_VMDK = new Set(['streamOptimized', 'monolithicSparse']);
/** "KDMV": the magic of a hosted sparse VMDK (monolithicSparse, streamOptimized). */
const SPARSE_VMDK_MAGIC = Buffer.from('KDMV', 'latin1');

/**
 * Checks that an exported disk is what it claims to be before any qemu-img reads it. A VMDK may be a
 * text descriptor naming other files (`RW 2048 FLAT "/etc/shadow" 0`, a block device): qemu-img,
 * running as root, would copy them into the image that is uploaded. So a VMDK must be a sparse file
 * (magic KDMV, never a descriptor), of create type streamOptimized or monolithicSparse, whose only
 * extent is itself, without a backing file or data file. Raw exports are read as raw (`-f raw`), which
 * interprets nothing.
 */
export async function inspectSourceImage(
  path: string,
  format: 'vmdk' | 'raw',
  what: string,
): Promise<QemuImgInfo> {
  if (format === 'vmdk') {
    const head = Buffer.alloc(4);
    const handle = await open(path, 'r');
    try {
      await handle.read(head, 0, 4, 0);
    } finally {
      await handle.close();
    }
    if (!head.equals(SPARSE_VMDK_MAGIC)) {
      throw refused(
        what,
        'it is not a sparse VMDK (no KDMV header): a descriptor-only VMDK names other files, which are never read',
      );
    }
  }
  const info = await qemuImgInfo(path, format);
  const problems = sourceImageProblems(path, format, info);
  if (problems.length > 0) throw refused(what, problems.join('; '));
  return info;
}

function sourceImageProblems(
  path: string,
  format: 'vmdk' | 'raw',
  info: QemuImgInfo,
): string[] {
  const problems: string[] = [];
  if (info.format !== format)
    problems.push(`qemu-img reads it as ${info.format}, not ${format}`);
  const backing = info['backing-filename'] ?? info['full-backing-filename'];
  if (backing) problems.push(`it has a backing file (${backing})`);
  const data = info['format-specific']?.data ?? {};
  if (data['data-file'])
    problems.push(`it has a data file (${data['data-file']})`);
  if (format !== 'vmdk') return problems;
  const createType = String(data['create-type'] ?? '(none)');
  if (!SELF_CONTAINED_VMDK.has(createType))
    problems.push(
      `its create type is ${createType} (only streamOptimized and monolithicSparse are read)`,
    );
  const extents = Array.isArray(data.extents)
    ? (data.extents as Array<{ filename?: string }>)
    : [];
  const self = resolve(path);
  for (const extent of extents) {
    const file = resolve(dirname(self), String(extent.filename ?? ''));
    if (file !== self && basename(String(extent.filename)) !== basename(self))
      problems.push(`it has an external extent (${extent.filename})`);
  }
  if (extents.length !== 1)
    problems.push(`it has ${extents.length} extents, not one`);
  return problems;
}

function refused(what: string, reason: string): RunnerError {
  return new RunnerError({
    code: 'SOURCE_IMAGE_REFUSED',
    message: `${what}: the exported file is refused before any tool reads it: ${reason}.`,
    remediation:
      'Export the disk again from vSphere: an NFC lease gives a streamOptimized VMDK, a datastore download the -flat extent as raw (format "raw"). Never point export at a descriptor .vmdk.',
  });
}
