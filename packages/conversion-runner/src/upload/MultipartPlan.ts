import { createHash } from 'crypto';

const MiB = 1024 * 1024;
/** Scaleway Object Storage: at most 1000 parts, each at least 5 MiB (but the last) and at most 5 GiB. */
export const MAX_PARTS = 1000;
export const MIN_PART_SIZE = 5 * MiB;
export const MAX_PART_SIZE = 5 * 1024 * MiB;

export type MultipartPlan = {
  size: number;
  partSize: number;
  partCount: number;
  /** Parts in flight at once; partSize × queueSize is the memory an upload may hold. */
  queueSize: number;
};

/**
 * part size ≥ ceil(size / 1000) and ≥ 5 MiB, rounded up to a whole MiB; as many parts in flight as
 * fit in the memory budget (at least one).
 */
export function planMultipart(
  size: number,
  options: {
    maxMemoryBytes: number;
    queueSize: number;
    preferredPartSize?: number;
  },
): MultipartPlan {
  // Bigger parts than the minimum mean fewer requests (per-part overhead dominates on small parts).
  const minimum = Math.max(
    MIN_PART_SIZE,
    Math.ceil(size / MAX_PARTS),
    Math.min(options.preferredPartSize ?? MIN_PART_SIZE, size),
  );
  const partSize = Math.ceil(minimum / MiB) * MiB;
  if (partSize > MAX_PART_SIZE) {
    throw new Error(
      `a ${size}-byte object needs parts of ${partSize} bytes, over the 5 GiB part limit`,
    );
  }
  const partCount = Math.max(1, Math.ceil(size / partSize));
  const queueSize = Math.max(
    1,
    Math.min(options.queueSize, Math.floor(options.maxMemoryBytes / partSize)),
  );
  return { size, partSize, partCount, queueSize };
}

/** S3's ETag of a multipart object: md5 of the concatenated binary part md5s, then "-<parts>". */
export function expectedMultipartEtag(partMd5Hex: readonly string[]): string {
  if (partMd5Hex.length === 1) return partMd5Hex[0];
  const md5 = createHash('md5');
  for (const part of partMd5Hex) md5.update(Buffer.from(part, 'hex'));
  return `${md5.digest('hex')}-${partMd5Hex.length}`;
}

export function stripEtag(etag: string | undefined): string {
  return (etag ?? '').replace(/^W\//, '').replace(/"/g, '').toLowerCase();
}
