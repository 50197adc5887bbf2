import execa from 'execa';
import { randomFillSync } from 'crypto';
import { existsSync } from 'fs';
import { mkdir, open, readFile, rename, rm, writeFile } from 'fs/promises';
import { join } from 'path';

/**
 * The benchmark's source disk: a thin MBR disk of `diskGiB` with one ext4 partition holding
 * `usedGiB` of incompressible files, plus `deletedGiB` of files written and then deleted (their
 * blocks still hold data, as on a real VM). Built natively (mke2fs -d, debugfs), cached by parameters.
 */
export type ThinDisk = {
  path: string;
  diskBytes: number;
  usedBytes: number;
  fileBytes: number;
  deletedBytes: number;
};

export async function thinBenchDisk(options: {
  cacheRoot: string;
  diskGiB: number;
  usedGiB: number;
  deletedGiB: number;
  log: (line: string) => void;
}): Promise<ThinDisk> {
  const key = `bench-thin-disk-v1-${options.diskGiB}g-${options.usedGiB}u-${options.deletedGiB}d`;
  const dir = join(options.cacheRoot, key);
  const meta = join(dir, 'meta.json');
  if (existsSync(meta)) {
    options.log(`using cached bench disk ${dir}`);
    return JSON.parse(await readFile(meta, 'utf8'));
  }
  const work = `${dir}.building-${process.pid}`;
  await rm(work, { recursive: true, force: true });
  const tree = join(work, 'tree');
  await mkdir(join(tree, 'data'), { recursive: true });
  await mkdir(join(tree, 'trash'), { recursive: true });
  const fileSize = 64 * 1024 * 1024;
  const buffer = Buffer.allocUnsafe(fileSize);
  const writeFiles = async (folder: string, gib: number) => {
    const count = Math.round((gib * 1024 ** 3) / fileSize);
    for (let i = 0; i < count; i++) {
      randomFillSync(buffer);
      await writeFile(join(tree, folder, `file-${i}.bin`), buffer);
    }
    return count * fileSize;
  };
  options.log(
    `bench disk: writing ${options.usedGiB} GiB kept + ${options.deletedGiB} GiB to delete`,
  );
  const fileBytes = await writeFiles('data', options.usedGiB);
  const deletedBytes = await writeFiles('trash', options.deletedGiB);
  const diskBytes = options.diskGiB * 1024 ** 3;
  const raw = join(work, 'disk-flat.vmdk');
  const handle = await open(raw, 'w');
  await handle.truncate(diskBytes);
  await handle.close();
  await execa('sfdisk', ['--quiet', raw], {
    input: 'label: dos\nstart=2048, type=83\n',
  });
  const offset = 2048 * 512;
  await execa('mke2fs', [
    '-F',
    '-q',
    '-t',
    'ext4',
    '-d',
    tree,
    '-E',
    `offset=${offset}`,
    raw,
    `${(diskBytes - offset) / 1024}k`,
  ]);
  // Delete the trash natively: debugfs frees the blocks but leaves their content, as rm in a guest does.
  const device = `${raw}?offset=${offset}`;
  const commands = Array.from(
    { length: Math.round(deletedBytes / fileSize) },
    (_, i) => `rm /trash/file-${i}.bin`,
  ).join('\n');
  await execa('debugfs', ['-w', '-f', '-', device], { input: `${commands}\n` });
  await rm(tree, { recursive: true, force: true });
  const { stdout } = await execa('dumpe2fs', ['-h', device]);
  const field = (name: string) =>
    Number(stdout.match(new RegExp(`^${name}:\\s+(\\d+)`, 'm'))?.[1]);
  const usedBytes =
    (field('Block count') - field('Free blocks')) * field('Block size');
  const result: ThinDisk = {
    path: join(dir, 'disk-flat.vmdk'),
    diskBytes,
    usedBytes,
    fileBytes,
    deletedBytes,
  };
  await writeFile(
    join(work, 'meta.json'),
    `${JSON.stringify(result, null, 2)}\n`,
  );
  await rename(work, dir);
  return result;
}
