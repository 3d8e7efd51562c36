import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { notificationService } from '@backstage/plugin-notifications-node';
import { appAccessPermissions } from '@app-access/plugin-app-access-common';
import {
  AppAccessDirectory,
  AppAccessFulfiller,
  AppAccessNotifier,
  appAccessDirectoryExtensionPoint,
  appAccessFulfillersExtensionPoint,
  appAccessNotifiersExtensionPoint,
  appAccessUsageExtensionPoint,
} from '@app-access/plugin-app-access-node';
import { createRouter } from './service/createRouter';
import { AppAccessEngine, lateBound } from './AppAccessEngine';

/**
 * The App Access backend plugin.
 *
 * @public
 */
export const appAccessPlugin = createBackendPlugin({
  pluginId: 'app-access',
  register(env) {
    const fulfillers: AppAccessFulfiller[] = [];
    const notifiers: AppAccessNotifier[] = [];
    const directories: AppAccessDirectory[] = [];
    let engine: AppAccessEngine | undefined;
    env.registerExtensionPoint(appAccessFulfillersExtensionPoint, {
      addFulfiller: (...f) => fulfillers.push(...f),
      fulfillment: lateBound(() => engine?.fulfillmentApi(), 'fulfillment API'),
    });
    env.registerExtensionPoint(appAccessNotifiersExtensionPoint, {
      addNotifier: (...n) => notifiers.push(...n),
      decisions: lateBound(() => engine?.decisionApi(), 'decision API'),
    });
    env.registerExtensionPoint(appAccessUsageExtensionPoint, {
      usage: lateBound(() => engine?.usageApi(), 'usage API'),
    });
    env.registerExtensionPoint(appAccessDirectoryExtensionPoint, {
      addDirectory: d => directories.push(d),
    });

    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        database: coreServices.database,
        scheduler: coreServices.scheduler,
        lifecycle: coreServices.lifecycle,
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        userInfo: coreServices.userInfo,
        auth: coreServices.auth,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        auditor: coreServices.auditor,
        catalog: catalogServiceRef,
        notifications: notificationService,
      },
      async init(deps) {
        deps.permissionsRegistry.addPermissions(appAccessPermissions);
        engine = await AppAccessEngine.create({
          ...deps,
          fulfillers,
          notifiers,
          directories,
        });
        deps.httpRouter.use(
          await createRouter({
            httpAuth: deps.httpAuth,
            userInfo: deps.userInfo,
            permissions: deps.permissions,
            auditor: deps.auditor,
            services: engine.services(),
            // Under Jest every response is also checked against openapi.yaml,
            // so a route cannot drift from its declared shape unnoticed.
            validateResponses: process.env.NODE_ENV === 'test',
          }),
        );
        deps.httpRouter.addAuthPolicy({
          path: '/health',
          allow: 'unauthenticated',
        });
        await engine.start();
      },
    });
  },
});
