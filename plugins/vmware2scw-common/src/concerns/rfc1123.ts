/**
 * RFC 1123 host labels: 1-63 characters, lowercase letters, digits and `-`, starting and ending with
 * a letter or digit. VM names become Instance names and guest host names; names outside this set
 * get changed on the way, which can break what depends on them.
 */
const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

export function isRfc1123Label(name: string): boolean {
  return LABEL.test(name);
}

/** The closest valid label: lowercase, other characters as `-`, no leading/trailing `-`, 63 max. */
export function toRfc1123Label(name: string): string {
  const label = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^-+/, '')
    .slice(0, 63)
    .replace(/-+$/, '');
  return label || 'vm';
}
