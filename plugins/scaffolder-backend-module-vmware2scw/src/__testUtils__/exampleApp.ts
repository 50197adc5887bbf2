import { createBackend } from '@backstage/backend-defaults';
import type { BackendFeature } from '@backstage/backend-plugin-api';
import { mockServices } from '@backstage/backend-test-utils';
import type { JsonObject } from '@backstage/types';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import yaml from 'yaml';
import appPlugin from '@backstage/plugin-app-backend';
import authPlugin from '@backstage/plugin-auth-backend';
import authModuleGuestProvider from '@backstage/plugin-auth-backend-module-guest-provider';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import catalogModuleTemplateKind from '@backstage/plugin-catalog-backend-module-scaffolder-entity-model';
import notificationsPlugin from '@backstage/plugin-notifications-backend';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import signalsPlugin from '@backstage/plugin-signals-backend';
import { scaffolderModuleVmware2scw } from '../module';
import { scaffolderClient } from './ScaffolderClient';

const ROOT = path.resolve(__dirname, '../../../..');
const APP_DIST = path.join(ROOT, 'packages/app/dist/index.html');

/** Why the example app cannot be served here, or undefined when it can. */
export function exampleAppMissing(): string | undefined {
  return fs.existsSync(APP_DIST)
    ? undefined
    : 'the example app is not built (cd packages/app && yarn build)';
}

/**
 * The example app as scripts/start.sh serves it, in this process: a real Backstage backend (real auth
 * with guest sign-in, app-backend serving packages/app/dist, catalog, scaffolder with this module) with
 * the repository's app-config.yaml, on a free port. What the tests add (the vmware2scw plugin, a stand-in
 * of it) comes in `features`. Used to take screenshots of task pages with scripts/screenshot.mjs.
 */
export async function startExampleApp(options: {
  features: BackendFeature[];
  config?: JsonObject;
}) {
  const port = await freePort();
  const baseUrl = `http://localhost:${port}`;
  const appConfig = yaml.parse(
    fs.readFileSync(path.join(ROOT, 'app-config.yaml'), 'utf8'),
  );
  const extra = (options.config ?? {}) as JsonObject & {
    catalog?: { locations?: JsonObject[]; providers?: JsonObject };
  };
  const backend = createBackend();
  backend.add(
    mockServices.rootConfig.factory({
      data: {
        ...appConfig,
        ...extra,
        app: { ...appConfig.app, baseUrl },
        backend: {
          ...appConfig.backend,
          baseUrl,
          listen: { port },
          cors: { ...appConfig.backend.cors, origin: baseUrl },
          database: { client: 'better-sqlite3', connection: ':memory:' },
        },
        auth: {
          providers: {
            guest: {
              userEntityRef: 'user:default/guest',
              dangerouslyAllowOutsideDevelopment: true,
            },
          },
        },
        // The vmware2scw policy module belongs to packages/backend; reads and writes are open here.
        permission: { enabled: false },
        catalog: {
          ...appConfig.catalog,
          // Paths of app-config.yaml are relative to packages/backend: made absolute. The sample
          // inventory's provider is left out; a test adds what it needs (a lab's vCenter, say).
          locations: [
            ...appConfig.catalog.locations.map((l: { target: string }) => ({
              ...l,
              target: path.resolve(ROOT, 'packages/backend', l.target),
            })),
            ...((extra.catalog?.locations as JsonObject[] | undefined) ?? []),
          ],
          providers: extra.catalog?.providers,
        },
      },
    }),
  );
  for (const feature of [
    appPlugin,
    authPlugin,
    authModuleGuestProvider,
    catalogPlugin,
    catalogModuleTemplateKind,
    scaffolderPlugin,
    notificationsPlugin,
    signalsPlugin,
    scaffolderModuleVmware2scw,
  ])
    backend.add(feature);
  for (const feature of options.features) backend.add(feature);
  await backend.start();

  // A guest's token, as the browser gets it when signing in.
  let token: string | undefined;
  const authorization = async () => {
    if (!token) {
      const res = await fetch(`${baseUrl}/api/auth/guest/refresh`, {
        headers: { 'x-requested-with': 'XMLHttpRequest' },
      });
      const body = (await res.json()) as {
        backstageIdentity: { token: string };
      };
      token = body.backstageIdentity.token;
    }
    return `Bearer ${token}`;
  };

  return {
    baseUrl,
    stop: () => backend.stop(),
    ...scaffolderClient(`${baseUrl}/api`, authorization),
    /** scripts/screenshot.mjs of `route`, signed in as guest, saved at `out` (relative to the repository). */
    screenshot: async (route: string, out: string) => {
      const { stdout } = await promisify(execFile)(
        process.execPath,
        [path.join(ROOT, 'scripts/screenshot.mjs'), route, out],
        {
          cwd: ROOT,
          env: { ...process.env, APP_URL: baseUrl },
          timeout: 300_000,
        },
      );
      return { file: path.join(ROOT, out), stdout: stdout.trim() };
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
