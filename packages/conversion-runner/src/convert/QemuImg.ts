import { z } from 'zod';
import { RunnerError } from '../RunnerError';
import { runTool, ToolLog } from '../tools/ToolRunner';

const infoSchema = z.object({
  'virtual-size': z.number(),
  'actual-size': z.number().optional(),
  format: z.string(),
  'backing-filename': z.string().optional(),
  'full-backing-filename': z.string().optional(),
  encrypted: z.boolean().optional(),
  'format-specific': z
    .object({
      type: z.string(),
      data: z.record(z.string(), z.unknown()).optional(),
    })
    .optional(),
});

export type QemuImgInfo = z.infer<typeof infoSchema>;

export async function qemuImgInfo(
  path: string,
  format?: string,
): Promise<QemuImgInfo> {
  const { stdout } = await runTool('qemu-img', [
    'info',
    '--output=json',
    ...(format ? ['-f', format] : []),
    path,
  ]);
  return infoSchema.parse(JSON.parse(stdout));
}

/** Bytes the qcow2 of `path` will take (qemu-img measure), used for the scratch check. */
export async function qemuImgMeasure(
  path: string,
  format: string,
): Promise<number> {
  const { stdout } = await runTool('qemu-img', [
    'measure',
    '--output=json',
    '-f',
    format,
    '-O',
    'qcow2',
    path,
  ]);
  return z.object({ required: z.number() }).parse(JSON.parse(stdout)).required;
}

/** Parses qemu-img -p output such as "    (42.17/100%)". */
export function parseQemuImgProgress(line: string): number | undefined {
  const match = line.match(/\((\d+(?:\.\d+)?)\/100%\)/);
  return match ? Number(match[1]) : undefined;
}

/**
 * Source -> qcow2. qemu-img skips zero and unallocated blocks itself (so thin disks stay thin);
 * compression, when asked, is forced to zlib because Scaleway's import rejects zstd.
 */
export async function qemuImgConvert(options: {
  source: string;
  sourceFormat: string;
  target: string;
  compress: boolean;
  signal?: AbortSignal;
  log?: ToolLog;
  onPercent?: (percent: number) => void;
}): Promise<void> {
  const args = [
    'convert',
    '-p',
    '-f',
    options.sourceFormat,
    '-O',
    'qcow2',
    '-o',
    'compat=1.1,compression_type=zlib',
    ...(options.compress ? ['-c'] : ['-W']),
    options.source,
    options.target,
  ];
  options.log?.(`qemu-img ${args.join(' ')}`);
  let lastLogged = -10;
  await runTool('qemu-img', args, {
    signal: options.signal,
    captureStdout: false,
    onLine: line => {
      const percent = parseQemuImgProgress(line);
      if (percent === undefined) {
        options.log?.(line);
        return;
      }
      options.onPercent?.(percent);
      if (percent - lastLogged >= 10) {
        lastLogged = percent;
        options.log?.(`convert ${percent.toFixed(0)}%`);
      }
    },
  });
}

/** Pre-flight of what Scaleway's import accepts: qcow2, no backing chain, no encryption, no zstd. */
export function assertImportableQcow2(path: string, info: QemuImgInfo): void {
  const problems: string[] = [];
  if (info.format !== 'qcow2') problems.push(`format is ${info.format}`);
  if (info['backing-filename'])
    problems.push(`it has a backing file (${info['backing-filename']})`);
  if (info.encrypted) problems.push('it is encrypted');
  const compression = info['format-specific']?.data?.['compression-type'];
  if (compression && compression !== 'zlib')
    problems.push(`its compression type is ${String(compression)}`);
  if (problems.length > 0) {
    throw new RunnerError({
      code: 'QCOW2_NOT_IMPORTABLE',
      message: `${path} cannot be imported by Scaleway: ${problems.join(
        ', ',
      )}.`,
      remediation:
        'Run convert again for this disk; it writes a flat qcow2 with zlib compression only.',
    });
  }
}

/**
 * `qemu-img check` of `copy` (no errors, no leaks) and `qemu-img compare` of its content with
 * `original`: how a qcow2 built without qemu-img (the streamed upload) is proven to be the same disk.
 */
export async function assertSameDisk(
  original: { file: string; format: string },
  copy: { file: string; format: string },
): Promise<void> {
  await runTool('qemu-img', ['check', '-f', copy.format, copy.file]);
  await runTool('qemu-img', [
    'compare',
    '-f',
    original.format,
    '-F',
    copy.format,
    original.file,
    copy.file,
  ]);
}
