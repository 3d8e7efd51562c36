import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import { createAppAccessPermissionPolicy } from './AppAccessPermissionPolicy';

/**
 * Sets the permission backend's policy: App Access admin permissions for
 * members of `appAccess.permissions.adminGroups` only, everything else
 * allowed. Replaces create-app's allow-all policy module; a portal with its
 * own policy uses {@link createAppAccessPermissionPolicy} instead.
 *
 * @public
 */
export const permissionModuleAppAccessPolicy = createBackendModule({
  pluginId: 'permission',
  moduleId: 'app-access-policy',
  register(reg) {
    reg.registerInit({
      deps: {
        policy: policyExtensionPoint,
        config: coreServices.rootConfig,
        userInfo: coreServices.userInfo,
      },
      async init({ policy, config, userInfo }) {
        policy.setPolicy(createAppAccessPermissionPolicy({ config, userInfo }));
      },
    });
  },
});
