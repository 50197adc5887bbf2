import {
  ApiBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import {
  EntityCardBlueprint,
  EntityContentBlueprint,
} from '@backstage/plugin-catalog-react/alpha';
import { FormFieldBlueprint } from '@backstage/plugin-scaffolder-react/alpha';
import { VM_ENTITY_TYPE } from '@internal/plugin-vmware2scw-common';
import CloudUploadIcon from '@material-ui/icons/CloudUpload';
import { createVmware2scwClient, vmware2scwApiRef } from './api';
import { rootRouteRef, scaffolderTemplateRouteRef } from './routes';

export const vmware2scwApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: vmware2scwApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: deps => createVmware2scwClient(deps),
    }),
});

const vmFilter = { kind: 'resource', 'spec.type': VM_ENTITY_TYPE };

/** On every VM entity's overview. */
export const vmMigrationCard = EntityCardBlueprint.make({
  name: 'vm-migration',
  params: {
    filter: vmFilter,
    loader: () =>
      import('./components/VmMigrationCard').then(m => <m.VmMigrationCard />),
  },
});

/** The "Migration" tab of every VM entity. */
export const vmMigrationContent = EntityContentBlueprint.make({
  name: 'vm-migration',
  params: {
    path: '/migration',
    title: 'Migration',
    filter: vmFilter,
    loader: () =>
      import('./components/VmMigrationContent').then(m => (
        <m.VmMigrationContent />
      )),
  },
});

export const migrationPage = PageBlueprint.make({
  params: {
    path: '/vmware2scw',
    title: 'VM migration',
    icon: <CloudUploadIcon />,
    routeRef: rootRouteRef,
    loader: () =>
      import('./components/MigrationPage').then(m => <m.MigrationPage />),
  },
});

/** Scaffolder field `Vmware2scwTargetTypePicker`: the Scaleway type for the VM of another field. */
export const targetTypePickerField = FormFieldBlueprint.make({
  name: 'target-type-picker',
  params: {
    field: () =>
      import('./components/fields').then(m => m.targetTypePickerFormField),
  },
});

/** Scaffolder field `Vmware2scwVmFilters`: VM filters with a live count. */
export const vmFiltersField = FormFieldBlueprint.make({
  name: 'vm-filters',
  params: {
    field: () => import('./components/fields').then(m => m.vmFiltersFormField),
  },
});

export const vmware2scwPlugin = createFrontendPlugin({
  pluginId: 'vmware2scw',
  info: { packageJson: () => import('../package.json') },
  extensions: [
    vmware2scwApi,
    vmMigrationCard,
    vmMigrationContent,
    migrationPage,
    targetTypePickerField,
    vmFiltersField,
  ],
  routes: { root: rootRouteRef },
  externalRoutes: { scaffolderTemplate: scaffolderTemplateRouteRef },
});
