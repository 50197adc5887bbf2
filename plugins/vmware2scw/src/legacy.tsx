/**
 * The same card, tab, page and scaffolder fields for apps still on the old frontend system
 * (`createApp` from `@backstage/app-defaults`), wired by hand in the app's EntityPage, App routes and
 * ScaffolderFieldExtensions. The components are the new-system ones, wrapped by `compatWrapper`.
 */
import {
  compatWrapper,
  convertLegacyRouteRef,
} from '@backstage/core-compat-api';
import {
  createApiFactory,
  createComponentExtension,
  createPlugin,
  createRoutableExtension,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { createScaffolderFieldExtension } from '@backstage/plugin-scaffolder-react';
import { createVmware2scwClient, vmware2scwApiRef } from './api';
import { rootRouteRef, scaffolderTemplateRouteRef } from './routes';
import {
  TARGET_TYPE_PICKER_NAME,
  validateVmFiltersField,
  VM_FILTERS_NAME,
  Vmware2scwTargetTypePicker,
  Vmware2scwVmFilters,
} from './components/fields';

const legacyRootRouteRef = convertLegacyRouteRef(rootRouteRef);

/** The plugin for old-system apps: its API, its page route, the scaffolder template link to bind. */
export const vmware2scwLegacyPlugin = createPlugin({
  id: 'vmware2scw',
  apis: [
    createApiFactory({
      api: vmware2scwApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: deps => createVmware2scwClient(deps),
    }),
  ],
  routes: { root: legacyRootRouteRef },
  externalRoutes: {
    scaffolderTemplate: convertLegacyRouteRef(scaffolderTemplateRouteRef),
  },
});

/** The VM migration card, for the overview of `Resource` entities of type `virtual-machine`. */
export const EntityVmMigrationCard = vmware2scwLegacyPlugin.provide(
  createComponentExtension({
    name: 'EntityVmMigrationCard',
    component: {
      lazy: () =>
        import('./components/VmMigrationCard').then(
          m => () => compatWrapper(<m.VmMigrationCard />),
        ),
    },
  }),
);

/** The "Migration" tab content of VM entities (`<EntityLayout.Route path="/migration">`). */
export const EntityVmMigrationContent = vmware2scwLegacyPlugin.provide(
  createComponentExtension({
    name: 'EntityVmMigrationContent',
    component: {
      lazy: () =>
        import('./components/VmMigrationContent').then(
          m => () => compatWrapper(<m.VmMigrationContent />),
        ),
    },
  }),
);

/** The platform team's migration page (`<Route path="/vmware2scw" element={<Vmware2scwPage />} />`). */
export const Vmware2scwPage = vmware2scwLegacyPlugin.provide(
  createRoutableExtension({
    name: 'Vmware2scwPage',
    mountPoint: legacyRootRouteRef,
    component: () =>
      import('./components/MigrationPage').then(
        m => () => compatWrapper(<m.MigrationPage />),
      ),
  }),
);

/** `<ScaffolderFieldExtensions><Vmware2scwTargetTypePickerFieldExtension /></ScaffolderFieldExtensions>` */
export const Vmware2scwTargetTypePickerFieldExtension =
  vmware2scwLegacyPlugin.provide(
    createScaffolderFieldExtension<
      string,
      { entityRefField?: string; zoneField?: string }
    >({
      name: TARGET_TYPE_PICKER_NAME,
      component: props =>
        compatWrapper(<Vmware2scwTargetTypePicker {...props} />),
    }),
  );

/** `<ScaffolderFieldExtensions><Vmware2scwVmFiltersFieldExtension /></ScaffolderFieldExtensions>` */
export const Vmware2scwVmFiltersFieldExtension = vmware2scwLegacyPlugin.provide(
  createScaffolderFieldExtension<
    {
      filters?: string[];
      minCpu?: number;
      maxCpu?: number;
      minRamGb?: number;
      maxDiskGb?: number;
    },
    { showVms?: boolean }
  >({
    name: VM_FILTERS_NAME,
    component: props => compatWrapper(<Vmware2scwVmFilters {...props} />),
    validation: validateVmFiltersField,
  }),
);
