/**
 * How the gateway marks what it creates, so that a later attempt (or the leak guard) finds it without
 * any record: every snapshot, image and server carries the tag `vmware2scw-migration=<id>`; snapshots
 * also `vmware2scw-disk=<disk id>`; names start with `vmware2scw-<id>` (server names are the VM's).
 * Block volumes get no tags from a server creation, so theirs are named `vmware2scw-<id>-vol<index>`.
 */
export const PRODUCT_TAG = 'vmware2scw';

export const migrationTag = (migrationId: string) =>
  `vmware2scw-migration=${migrationId}`;

export const diskTag = (diskId: string) => `vmware2scw-disk=${diskId}`;

/** The disk id a snapshot's tags name, if any. */
export function diskIdOfTags(tags: readonly string[]): string | undefined {
  const tag = tags.find(t => t.startsWith('vmware2scw-disk='));
  return tag?.slice('vmware2scw-disk='.length);
}

const slug = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40) || 'x';

export const resourcePrefix = (migrationId: string) =>
  `vmware2scw-${migrationId}`;

export const snapshotName = (migrationId: string, diskId: string) =>
  `${resourcePrefix(migrationId)}-disk-${slug(diskId)}`;

export const imageName = (migrationId: string, vmName: string) =>
  `${resourcePrefix(migrationId)}-${slug(vmName)}`;

export const volumeName = (migrationId: string, index: string) =>
  `${resourcePrefix(migrationId)}-vol${index}`;

/** The tags of a resource of the migration: ours first, then the plan's and the VM's, without repeats. */
export function resourceTags(
  migrationId: string,
  extra: readonly string[],
  ...own: string[]
): string[] {
  return [
    ...new Set([PRODUCT_TAG, migrationTag(migrationId), ...own, ...extra]),
  ];
}
