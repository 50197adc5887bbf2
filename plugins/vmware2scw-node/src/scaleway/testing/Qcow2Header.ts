/**
 * The fields of a qcow2 header that decide whether Scaleway's Block import accepts an image (QEMU's
 * docs/interop/qcow2.txt; all integers big-endian): magic `QFI\xfb`, version 2 or 3, the backing file
 * offset (non-zero = a backing chain), the virtual size, the encryption method, and (version 3 with a
 * header of more than 104 bytes and incompatible feature bit 3) the compression type, 1 being zstd.
 */
export interface Qcow2Header {
  version: number;
  backingFileOffset: bigint;
  virtualSizeBytes: number;
  /** 0 none, 1 AES, 2 LUKS. */
  cryptMethod: number;
  compressionType: 'zlib' | 'zstd' | 'unknown';
  clusterBits: number;
}

/** How many leading bytes of an object `parseQcow2Header` needs. */
export const QCOW2_HEADER_READ_BYTES = 112;

const MAGIC = 0x514649fb;
const INCOMPAT_COMPRESSION_TYPE = 1n << 3n;
const COMPRESSION_TYPES: Record<number, Qcow2Header['compressionType']> = {
  0: 'zlib',
  1: 'zstd',
};

/** The header, or a reason the bytes are not a qcow2 image. */
export function parseQcow2Header(
  bytes: Uint8Array,
): { header: Qcow2Header } | { invalid: string } {
  if (bytes.length < 72) return { invalid: 'shorter than a qcow2 header' };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0) !== MAGIC) return { invalid: 'no qcow2 magic' };
  const version = view.getUint32(4);
  if (version !== 2 && version !== 3)
    return { invalid: `unsupported qcow2 version ${version}` };
  const clusterBits = view.getUint32(20);
  if (clusterBits < 9 || clusterBits > 21)
    return { invalid: `invalid cluster_bits ${clusterBits}` };
  const size = view.getBigUint64(24);
  let compressionType: Qcow2Header['compressionType'] = 'zlib';
  if (version === 3) {
    if (bytes.length < 104) return { invalid: 'truncated version 3 header' };
    const incompatible = view.getBigUint64(72);
    const headerLength = view.getUint32(100);
    if (incompatible & INCOMPAT_COMPRESSION_TYPE) {
      if (headerLength <= 104 || bytes.length < 105)
        return { invalid: 'compression type bit set without the field' };
      compressionType = COMPRESSION_TYPES[bytes[104]] ?? 'unknown';
    }
  }
  return {
    header: {
      version,
      backingFileOffset: view.getBigUint64(8),
      virtualSizeBytes: Number(size),
      cryptMethod: view.getUint32(32),
      compressionType,
      clusterBits,
    },
  };
}
