import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { actionsRegistryServiceRef } from '@backstage/backend-plugin-api/alpha';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { notificationService } from '@backstage/plugin-notifications-node';
import { signalsServiceRef } from '@backstage/plugin-signals-node';
import { eventsServiceRef } from '@backstage/plugin-events-node';
import { appAccessPermissions } from '@app-access/plugin-app-access-common';
import {
  AppAccessDirectory,
  AppAccessModuleInfo,
  appAccessDirectoryExtensionPoint,
  appAccessFulfillersExtensionPoint,
  appAccessModulesExtensionPoint,
  appAccessNotifiersExtensionPoint,
  appAccessUsageExtensionPoint,
} from '@app-access/plugin-app-access-node';
import type { Handler } from 'express';
import { createRouter } from './service/createRouter';
import { databaseUnavailableErrors } from './service/databaseUnavailable';
import { AppAccessEngine } from './AppAccessEngine';
import { connectModules, RegisteredModules } from './modules/connectModules';
import { registerAppAccessActions } from './actions/appAccessActions';

/**
 * The App Access backend plugin.
 *
 * @public
 */
export const appAccessPlugin = createBackendPlugin({
  pluginId: 'app-access',
  register(env) {
    const registered: RegisteredModules = {
      fulfillers: [],
      followers: [],
      notifiers: [],
      usageSources: [],
    };
    const directories: AppAccessDirectory[] = [];
    const modules: AppAccessModuleInfo[] = [];
    env.registerExtensionPoint(appAccessFulfillersExtensionPoint, {
      addFulfiller: (...f) => registered.fulfillers.push(...f),
      addFollower: (...f) => registered.followers.push(...f),
    });
    env.registerExtensionPoint(appAccessNotifiersExtensionPoint, {
      addNotifier: (...n) => registered.notifiers.push(...n),
    });
    env.registerExtensionPoint(appAccessUsageExtensionPoint, {
      addUsageSource: (...s) => registered.usageSources.push(...s),
    });
    env.registerExtensionPoint(appAccessDirectoryExtensionPoint, {
      addDirectory: d => directories.push(d),
    });
    env.registerExtensionPoint(appAccessModulesExtensionPoint, {
      addModule: info => modules.push(info),
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
        actionsRegistry: actionsRegistryServiceRef,
        signals: signalsServiceRef,
        events: eventsServiceRef,
      },
      async init(deps) {
        deps.permissionsRegistry.addPermissions(appAccessPermissions);
        const engine = await AppAccessEngine.create({
          ...deps,
          fulfillers: registered.fulfillers,
          notifiers: registered.notifiers,
          directories,
          modules,
        });
        // Modules mount their own routes and schedule their own tasks from
        // connect, so this comes before the core's router and start.
        await connectModules(registered, engine);
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
        // The same services, as actions for the actions registry and MCP.
        registerAppAccessActions({
          actionsRegistry: deps.actionsRegistry,
          auth: deps.auth,
          userInfo: deps.userInfo,
          permissions: deps.permissions,
          services: engine.services(),
          appBaseUrl:
            deps.config.getOptionalString('app.baseUrl') ??
            'http://localhost:3000',
        });
        // Last: a lost database connection in any route above is a 503.
        // httpRouter.use mounts the handler as is and express calls a
        // four-argument handler with the error; its type only knows three.
        deps.httpRouter.use(databaseUnavailableErrors() as unknown as Handler);
        deps.httpRouter.addAuthPolicy({
          path: '/health',
          allow: 'unauthenticated',
        });
        await engine.start();
      },
    });
  },
});
