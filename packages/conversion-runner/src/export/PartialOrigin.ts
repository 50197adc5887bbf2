import { readFile, rm } from 'fs/promises';
import { partialPathOf, writeJsonAtomic } from '../scratch/AtomicFile';

/**
 * What a `.partial` download is a partial of. Written beside it (`<file>.partial.origin.json`) before
 * the first byte, so a later export resumes with `Range` only from the same source: two disks exported
 * under the same VM/disk name, or a source that changed, never get spliced into one file.
 */
export type PartialOrigin = {
  /** The source URL without query, fragment or credentials (tickets may ride in the query). */
  url: string;
  idempotencyKey?: string;
  /** The size the server announced. */
  sizeBytes?: number;
  etag?: string;
  lastModified?: string;
};

export type SourceValidators = {
  sizeBytes?: number;
  etag?: string;
  lastModified?: string;
};

export function originPathOf(target: string): string {
  return `${partialPathOf(target)}.origin.json`;
}

export function sourceUrlOf(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}

/** The recorded origin, or undefined when there is none or it is unreadable (then the partial is not trusted). */
export async function readPartialOrigin(
  target: string,
): Promise<PartialOrigin | undefined> {
  try {
    const value = JSON.parse(await readFile(originPathOf(target), 'utf8'));
    return value && typeof value.url === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

export async function writePartialOrigin(
  target: string,
  origin: PartialOrigin,
): Promise<void> {
  await writeJsonAtomic(originPathOf(target), origin);
}

export async function discardPartialOrigin(target: string): Promise<void> {
  await rm(originPathOf(target), { force: true });
}

/** Why a partial recorded as `recorded` is not a partial of `wanted` (undefined: same source). */
export function differentSource(
  recorded: PartialOrigin | undefined,
  wanted: { url: string; idempotencyKey?: string },
): string | undefined {
  if (!recorded) return 'there is no record of what it is a partial of';
  if (recorded.url !== wanted.url)
    return `it is a partial of ${recorded.url}, not of ${wanted.url}`;
  if (recorded.idempotencyKey !== wanted.idempotencyKey)
    return `it was written by another job (idempotency key ${JSON.stringify(
      recorded.idempotencyKey ?? null,
    )})`;
  return undefined;
}

/** Why the source as the server describes it now is not the one the partial was taken from. */
export function changedSource(
  recorded: PartialOrigin | undefined,
  seen: SourceValidators,
): string | undefined {
  if (!recorded) return 'there is no record of what it is a partial of';
  if (
    recorded.sizeBytes !== undefined &&
    seen.sizeBytes !== undefined &&
    recorded.sizeBytes !== seen.sizeBytes
  )
    return `the source now has ${seen.sizeBytes} bytes, the partial file was taken from one of ${recorded.sizeBytes}`;
  if (recorded.etag && seen.etag && recorded.etag !== seen.etag)
    return `the source's ETag changed (${recorded.etag} -> ${seen.etag})`;
  if (
    recorded.lastModified &&
    seen.lastModified &&
    recorded.lastModified !== seen.lastModified
  )
    return `the source's Last-Modified changed (${recorded.lastModified} -> ${seen.lastModified})`;
  return undefined;
}

/** The `If-Range` validator to send with a resume: a strong ETag, else Last-Modified, else none. */
export function ifRangeOf(
  recorded: PartialOrigin | undefined,
): string | undefined {
  if (recorded?.etag && !recorded.etag.startsWith('W/')) return recorded.etag;
  return recorded?.lastModified;
}
