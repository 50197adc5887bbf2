import { randomUUID } from 'crypto';
import { open, rename, rm } from 'fs/promises';
import { dirname } from 'path';

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

/**
 * Small JSON state files, durable across a host crash: written to a temp file that is fsynced, renamed
 * over the old one, and the folder fsynced (so the rename itself is on disk). A reader sees the old
 * file or the new one, never a truncated one.
 */
export async function writeJsonAtomic(
  path: string,
  value: unknown,
): Promise<void> {
  const temp = `${path}.tmp-${randomUUID()}`;
  const text = `${JSON.stringify(value, null, 2)}\n`;
  try {
    const handle = await open(temp, 'w', 0o600);
    try {
      await handle.writeFile(text);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  await syncFolder(dirname(path));
}

async function syncFolder(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
