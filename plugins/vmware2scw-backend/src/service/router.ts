import type { Vmware2scwConfig } from '@internal/plugin-vmware2scw-node';
import express from 'express';
import { createOpenApiRouter } from '../schema/openapi/generated/router';

export interface RouterOptions {
  settings: Vmware2scwConfig;
  version: string;
}

export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const { settings, version } = options;
  const router = await createOpenApiRouter();
  router.use(express.json());

  router.get('/health', (_req, res) => {
    res.json({
      status: 'ok',
      version,
      vcenters: settings.vcenters.length,
      runners: settings.conversion.runners.length,
      scaleway: settings.scaleway
        ? { configured: true, defaultZone: settings.scaleway.defaultZone }
        : { configured: false },
    });
  });

  return router;
}
