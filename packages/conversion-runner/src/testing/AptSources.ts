import { existsSync, readdirSync, readFileSync } from 'fs';
import { join } from 'path';

/**
 * The Debian mirror this host already uses, read from its apt configuration at run time, so no mirror
 * host name is ever written in the repository. Returns mmdebstrap mirror lines for `suite`.
 */
export function hostDebianMirrorLines(
  suite: string,
  aptDir = '/etc/apt',
): string[] {
  const uris = new Set<string>();
  const files: string[] = [];
  if (existsSync(join(aptDir, 'sources.list')))
    files.push(join(aptDir, 'sources.list'));
  const dir = join(aptDir, 'sources.list.d');
  if (existsSync(dir))
    for (const name of readdirSync(dir).sort()) files.push(join(dir, name));
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    if (file.endsWith('.sources')) {
      for (const stanza of text.split(/\n\s*\n/)) {
        const field = (name: string) =>
          stanza
            .match(new RegExp(`^${name}:\\s*(.+)$`, 'mi'))?.[1]
            .trim()
            .split(/\s+/) ?? [];
        if (/^enabled:\s*no/im.test(stanza)) continue;
        if (!field('Types').includes('deb') || !field('Suites').includes(suite))
          continue;
        for (const uri of field('URIs')) uris.add(uri);
      }
    } else if (file.endsWith('.list')) {
      for (const line of text.split('\n')) {
        const match = line.match(/^\s*deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)\s/);
        if (match && match[2] === suite) uris.add(match[1]);
      }
    }
  }
  if (uris.size === 0) {
    throw new Error(
      `no apt source for suite "${suite}" in ${aptDir}: configure a Debian mirror for apt first`,
    );
  }
  return [...uris].map(uri => `deb ${uri} ${suite} main`);
}
