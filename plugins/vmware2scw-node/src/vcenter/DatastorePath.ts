/**
 * Datastore paths (`[datastore1] web-01/web-01.vmdk`) and the vCenter datastore HTTP URLs built from
 * them: `https://<vc>/folder/<path>?dcPath=<datacenter path>&dsName=<datastore>`. Those URLs accept the
 * SOAP session cookie and serve Range requests, which makes them the fallback transfer path when an
 * NFC export lease is not available.
 */
export interface DatastorePath {
  datastore: string;
  /** Path inside the datastore, without a leading slash. */
  path: string;
}

/** Parses `[ds] dir/file.vmdk`; `undefined` when the string is not a datastore path. */
export function parseDatastorePath(
  fileName: string,
): DatastorePath | undefined {
  const m = /^\s*\[([^\]]+)\]\s*(.*)$/.exec(fileName);
  if (!m) return undefined;
  return { datastore: m[1], path: m[2].replace(/^\/+/, '') };
}

export function formatDatastorePath(p: DatastorePath): string {
  return `[${p.datastore}] ${p.path}`;
}

export interface DatastoreUrlInput {
  /** Datacenter inventory path without leading slash, including parent folders: `DC1` or `Europe/DC1`. */
  datacenterPath: string;
  datastore: string;
  /** Path inside the datastore: `web-01/web-01-flat.vmdk`. */
  path: string;
}

/**
 * The `/folder` URL of a datastore file. Each path segment and query value is percent-encoded once
 * (spaces as `%20`, never `+`), which vCenter and ESXi decode back to the inventory names.
 */
export function datastoreFolderUrl(
  vcenterOrigin: string | URL,
  input: DatastoreUrlInput,
): string {
  const origin = new URL(vcenterOrigin).origin;
  const path = input.path
    .replace(/^\/+/, '')
    .split('/')
    .filter(s => s.length > 0)
    .map(encodeURIComponent)
    .join('/');
  const dcPath = input.datacenterPath
    .replace(/^\/+/, '')
    .split('/')
    .filter(s => s.length > 0)
    .map(encodeURIComponent)
    .join('/');
  return `${origin}/folder/${path}?dcPath=${dcPath}&dsName=${encodeURIComponent(
    input.datastore,
  )}`;
}

/**
 * The file holding a disk's bytes for a `/folder` read: the `-flat.vmdk` extent next to a monolithic
 * flat descriptor. Snapshot deltas (`-000001.vmdk`) map to their own `-delta.vmdk`/sesparse extents,
 * which are not raw disks, so callers must read the base disk instead (the snapshot freezes it).
 */
export function flatExtentPath(descriptorPath: string): string {
  if (/-flat\.vmdk$/i.test(descriptorPath)) return descriptorPath;
  return descriptorPath.replace(/\.vmdk$/i, '-flat.vmdk');
}
