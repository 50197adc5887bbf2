import { z } from 'zod';
import { STAGES, type ApiModel } from '@internal/plugin-vmware2scw-common';

const CONSOLE = 'https://console.scaleway.com';

/** A Scaleway resource a migration created, with where to see it in the Scaleway console. */
export interface ScalewayResourceLink {
  kind: 'server' | 'image' | 'snapshot';
  id: string;
  zone: string;
  url: string;
}

// Stage outputs are free-form in the API; these are the shapes the import and verify stages record.
const importOutputs = z.object({
  imageId: z.string().optional(),
  snapshots: z
    .array(z.union([z.string(), z.object({ id: z.string() }).passthrough()]))
    .optional(),
});
const verifyOutputs = z.object({ serverId: z.string().optional() });

/**
 * Console addresses: a server has its own page (`/instance/servers/<zone>/<id>/overview`, as the
 * Scaleway CLI links it); images and block snapshots are reached through their lists.
 */
export function scalewayConsoleUrl(
  kind: ScalewayResourceLink['kind'],
  zone: string,
  id: string,
): string {
  switch (kind) {
    case 'server':
      return `${CONSOLE}/instance/servers/${encodeURIComponent(
        zone,
      )}/${encodeURIComponent(id)}/overview`;
    case 'image':
      return `${CONSOLE}/instance/images`;
    default:
      return `${CONSOLE}/block-storage/volumes`;
  }
}

/** The Scaleway ids a migration's stages recorded (snapshots and image from import, server from verify). */
export function scalewayResourcesOf(
  migration: ApiModel.Migration,
): ScalewayResourceLink[] {
  const links: ScalewayResourceLink[] = [];
  const add = (kind: ScalewayResourceLink['kind'], id: string) =>
    links.push({
      kind,
      id,
      zone: migration.zone,
      url: scalewayConsoleUrl(kind, migration.zone, id),
    });
  // Found by output name (STAGES says which stage records which output), not by stage id.
  for (const run of migration.stages) {
    const declared = STAGES[run.stage]?.outputs ?? [];
    if (declared.includes('imageId') || declared.includes('snapshots')) {
      const parsed = importOutputs.safeParse(run.outputs ?? {});
      if (!parsed.success) continue;
      for (const s of parsed.data.snapshots ?? [])
        add('snapshot', typeof s === 'string' ? s : s.id);
      if (parsed.data.imageId) add('image', parsed.data.imageId);
    }
    if (declared.includes('serverId')) {
      const parsed = verifyOutputs.safeParse(run.outputs ?? {});
      if (parsed.success && parsed.data.serverId)
        add('server', parsed.data.serverId);
    }
  }
  return links;
}
