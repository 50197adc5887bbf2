/*
 * The vmware2scw example backend: catalog, scaffolder, permission (with vmware2scw's policy), guest auth,
 * signals and notifications, and the vmware2scw plugins.
 */
import { createBackend } from '@backstage/backend-defaults';
import { permissionModuleVmware2scwPolicy } from './permissionPolicyModule';

const backend = createBackend();

backend.add(import('@backstage/plugin-app-backend'));

// auth: guest sign-in for local use (see app-config.yaml)
backend.add(import('@backstage/plugin-auth-backend'));
backend.add(import('@backstage/plugin-auth-backend-module-guest-provider'));

// catalog, with VM entities from vCenters and RVTools exports
backend.add(import('@backstage/plugin-catalog-backend'));
backend.add(
  import('@backstage/plugin-catalog-backend-module-scaffolder-entity-model'),
);
backend.add(import('@backstage/plugin-catalog-backend-module-logs'));
backend.add(import('@internal/plugin-catalog-backend-module-vmware2scw'));

// scaffolder, with the vmware2scw:* actions
backend.add(import('@backstage/plugin-scaffolder-backend'));
backend.add(import('@internal/plugin-scaffolder-backend-module-vmware2scw'));

// permissions: vmware2scw's policy, not allow-all
backend.add(import('@backstage/plugin-permission-backend'));
backend.add(permissionModuleVmware2scwPolicy);

// live status to the browser
backend.add(import('@backstage/plugin-notifications-backend'));
backend.add(import('@backstage/plugin-signals-backend'));

// vmware2scw
backend.add(import('@internal/plugin-vmware2scw-backend'));

// Lab demos and the browser test only (scripts/lab.mjs --stand-in): the conversion runner's stages as
// quick stand-ins from packages/lab, everything else real. Never set in production.
if (process.env.VMWARE2SCW_LAB_STAND_IN_STAGES === '1') {
  backend.add(
    import('@internal/vmware2scw-lab').then(m => {
      // Loaded as CommonJS by the backend's transform: the exports sit under `default`.
      const lab = (m as { default?: typeof m }).default ?? m;
      return { default: lab.standInRunnerStagesModule() };
    }),
  );
}

backend.start();
