import { createHash } from 'node:crypto';
import { Vm } from '@internal/plugin-vmware2scw-common';

const MAX = 63;
const SUFFIX = 8;

/**
 * DNS-safe entity names for the VMs of one source: `<prefix>-<vm name>` in lower-case letters, digits and
 * dashes, at most 63 characters. VMs whose names fold to the same text (same name in two folders,
 * `Web 01` and `web-01`), or to nothing, all get a suffix from a hash of their moref: the result depends
 * on each VM alone and not on the order of the inventory, so names are stable from one run to the next.
 */
export function entityNames(
  vms: Array<Pick<Vm, 'sourceId' | 'moref' | 'name'>>,
  prefix: string,
): Map<string, string> {
  const bases = vms.map(vm => {
    const slug = slugOf(vm.name);
    return {
      vm,
      slug,
      base: trim([prefix, slug || 'vm'].filter(Boolean).join('-'), MAX),
    };
  });
  const counts = new Map<string, number>();
  for (const b of bases) counts.set(b.base, (counts.get(b.base) ?? 0) + 1);
  const names = new Map<string, string>();
  for (const { vm, slug, base } of bases) {
    const unique = slug !== '' && counts.get(base) === 1;
    names.set(
      vm.moref,
      unique
        ? base
        : `${trim(base, MAX - SUFFIX - 1)}-${hashOf(
            `${vm.sourceId}/${vm.moref}`,
          )}`,
    );
  }
  return names;
}

/** `Web Front (old)` → `web-front-old`; accents are dropped, every other run of symbols becomes one dash. */
export function slugOf(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

function trim(s: string, max: number): string {
  return s.slice(0, max).replace(/-+$/, '');
}

function hashOf(s: string): string {
  return createHash('sha256').update(s).digest('hex').slice(0, SUFFIX);
}
