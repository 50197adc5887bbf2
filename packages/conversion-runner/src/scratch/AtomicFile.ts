import { randomUUID } from 'crypto';
import { rename, rm, writeFile } from 'fs/promises';

/**
 * Files that later jobs rely on are written under a ".partial" name and renamed when complete:
 * a job killed mid-way leaves only a ".partial", which nothing takes for a finished artifact.
 */
export function partialPathOf(finalPath: string): string {
  return `${finalPath}.partial`;
}

export async function commitPartial(finalPath: string): Promise<void> {
  await rename(partialPathOf(finalPath), finalPath);
}

export async function discardPartial(finalPath: string): Promise<void> {
  await rm(partialPathOf(finalPath), { force: true });
}

/** Small JSON state files: write a temp file, then rename over the old one. */
export async function writeJsonAtomic(
  path: string,
  value: unknown,
): Promise<void> {
  const temp = `${path}.tmp-${randomUUID()}`;
  await writeFile(temp, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
  await rename(temp, path);
}
