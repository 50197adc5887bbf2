/**
 * A key path as every message names it: `migrations[2].wave`, `vmware2scw.vcenters[0].thumbprint`.
 * The plan parser and the configuration readers write paths with this one function, so a key looks the
 * same in a plan problem and in a start-up error.
 */
export function formatKeyPath(path: ReadonlyArray<string | number>): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out ? `.${seg}` : seg;
  }
  return out;
}
