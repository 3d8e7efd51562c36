import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { createAppAccessRequestAction } from './actions/appAccessRequest';

/**
 * Adds the `app-access:request` action to the scaffolder.
 *
 * @public
 */
export const scaffolderModuleAppAccess = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'app-access',
  register(env) {
    env.registerInit({
      deps: {
        scaffolder: scaffolderActionsExtensionPoint,
        config: coreServices.rootConfig,
        discovery: coreServices.discovery,
        auth: coreServices.auth,
        catalog: catalogServiceRef,
      },
      async init({ scaffolder, config, discovery, auth, catalog }) {
        scaffolder.addActions(
          createAppAccessRequestAction({
            discovery,
            auth,
            catalog,
            appBaseUrl:
              config.getOptionalString('app.baseUrl') ??
              'http://localhost:3000',
          }),
        );
      },
    });
  },
});
