import { readFileSync } from 'fs';
import { open } from 'fs/promises';

let bootId: string | undefined;

/** This boot of the host (changes after a crash or reboot); "" where the kernel does not expose it. */
export function currentBootId(): string {
  if (bootId === undefined) {
    try {
      bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    } catch {
      bootId = '';
    }
  }
  return bootId;
}

/** fdatasync of a file: its data is on the scratch disk when this resolves. */
export async function flushToDisk(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.datasync();
  } finally {
    await handle.close();
  }
}
