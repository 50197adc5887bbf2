/**
 * Families of Scaleway commercial types, read from the name: `POP2-HM-8C-64G` is `POP2-HM`,
 * `POP2-4C-16G-WIN` is `POP2` with a Windows licence, `PRO2-XS` is `PRO2`.
 */
export function serverTypeFamily(name: string): string {
  const base = name.replace(/-WIN$/, '');
  const sub = /^(POP2-H[A-Z])-/.exec(base);
  if (sub) return sub[1];
  return base.split('-')[0];
}

/** Types that carry a Windows Server licence; the only ones Scaleway lets Windows run on. */
export function isWindowsServerType(name: string): boolean {
  return name.endsWith('-WIN');
}

/**
 * Families sizing picks from unless told otherwise: the old tool's list (PLAY2 development, PRO2
 * general purpose, POP2 compute, POP2-HM high memory, their -WIN variants) plus POP2-HC, the POP2
 * shape with 2 GiB per vCPU. Left out by default: legacy local-storage families (DEV1, GP1,
 * STARDUST1), arm64 and GPU types, POP2-HN (priced for network throughput), and the 2026 families
 * (BASIC3, STANDARD3, COMPUTE3, MEMORY3), which callers can add through `families`.
 */
export const DEFAULT_SIZING_FAMILIES = [
  'PLAY2',
  'PRO2',
  'POP2',
  'POP2-HM',
  'POP2-HC',
];

/** Dedicated-vCPU families for production: `optimize` stays within them (PLAY2 shares its vCPUs). */
export const PRODUCTION_FAMILIES = ['PRO2', 'POP2', 'POP2-HM', 'POP2-HC'];
