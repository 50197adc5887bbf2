import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import { readVmware2scwConfig } from '@internal/plugin-vmware2scw-node';
import { Vmware2scwPermissionPolicy } from './Vmware2scwPermissionPolicy';

/** Installs {@link Vmware2scwPermissionPolicy} in the permission plugin. */
export const permissionModuleVmware2scwPolicy = createBackendModule({
  pluginId: 'permission',
  moduleId: 'vmware2scw-policy',
  register(reg) {
    reg.registerInit({
      deps: {
        policy: policyExtensionPoint,
        config: coreServices.rootConfig,
        userInfo: coreServices.userInfo,
      },
      async init({ policy, config, userInfo }) {
        const { permissions } = readVmware2scwConfig(config);
        policy.setPolicy(
          new Vmware2scwPermissionPolicy({
            admins: permissions.admins,
            getUserInfo: user => userInfo.getUserInfo(user.credentials),
          }),
        );
      },
    });
  },
});
