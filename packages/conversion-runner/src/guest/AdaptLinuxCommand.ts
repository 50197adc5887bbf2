import { readdir, readFile, writeFile } from 'fs/promises';
import { join } from 'path';
import { RunnerConfig } from '../config/RunnerConfig';
import {
  adaptLinuxScriptPath,
  adaptNetworkScriptPath,
} from './AdaptLinuxReport';

/** Where the operator's packages are copied in the guest for the adaptation (removed by the script). */
export const GUEST_PACKAGES_DIR = '/var/tmp/vmware2scw-packages';
/** Package files virt-customize can copy in (its --copy-in splits on ':'). */
const PACKAGE_FILE = /^[A-Za-z0-9][A-Za-z0-9._+~-]*\.(deb|rpm)$/;

/**
 * The virt-customize command of adapt_linux: the disks, no network unless guest.network, the
 * operator's package folder copied in, and the guest script prefixed with the package settings
 * (written to `jobScript`, a per-job file on scratch).
 */
export async function adaptLinuxCommand(options: {
  files: readonly string[];
  guest: RunnerConfig['guest'];
  jobScript: string;
  log?: (line: string) => void;
}): Promise<string[]> {
  const { guest } = options;
  const packages = guest.packages.dir
    ? await packageFiles(guest.packages.dir, options.log)
    : [];
  const settings = [
    `VMWARE2SCW_PACKAGES_DIR=${shellQuote(
      packages.length > 0 ? GUEST_PACKAGES_DIR : '',
    )}`,
    `VMWARE2SCW_APT_SOURCE=${shellQuote(
      guest.network ? guest.packages.aptSource ?? '' : '',
    )}`,
  ];
  const script = await readFile(adaptLinuxScriptPath(), 'utf8');
  const network = await readFile(adaptNetworkScriptPath(), 'utf8');
  const [shebang, ...body] = script.split('\n');
  await writeFile(
    options.jobScript,
    [shebang, ...settings, network, ...body].join('\n'),
    { mode: 0o600 },
  );
  return [
    '-v',
    ...options.files.flatMap(file => ['--format', 'qcow2', '-a', file]),
    guest.network ? '--network' : '--no-network',
    ...(packages.length > 0
      ? [
          '--mkdir',
          GUEST_PACKAGES_DIR,
          ...packages.flatMap(file => [
            '--copy-in',
            `${file}:${GUEST_PACKAGES_DIR}`,
          ]),
        ]
      : []),
    '--run',
    options.jobScript,
  ];
}

async function packageFiles(
  dir: string,
  log?: (line: string) => void,
): Promise<string[]> {
  const names = (await readdir(dir)).sort();
  const skipped = names.filter(
    name => /\.(deb|rpm)$/.test(name) && !PACKAGE_FILE.test(name),
  );
  if (skipped.length > 0)
    log?.(
      `guest.packages.dir: skipped ${skipped.join(
        ', ',
      )} (rename without ':' or spaces)`,
    );
  return names
    .filter(name => PACKAGE_FILE.test(name))
    .map(name => join(dir, name));
}

/** One single-quoted shell word. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
