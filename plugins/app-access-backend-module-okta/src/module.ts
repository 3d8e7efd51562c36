import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { appAccessFulfillersExtensionPoint } from '@app-access/plugin-app-access-node';
import { readOktaConfig } from './config';
import { OktaApi } from './OktaApi';
import { OktaFulfiller } from './OktaFulfiller';
import { ProvisioningFollower } from './ProvisioningFollower';
import { createOktaRouter } from './service/router';

/**
 * App Access fulfillment through Okta: group and app assignment, with the
 * provisioning follow-up and the admin's Okta app and group lists.
 *
 * @public
 */
export const appAccessModuleOkta = createBackendModule({
  pluginId: 'app-access',
  moduleId: 'okta',
  register(reg) {
    reg.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        permissions: coreServices.permissions,
        scheduler: coreServices.scheduler,
        fulfillers: appAccessFulfillersExtensionPoint,
      },
      async init({
        config,
        logger,
        httpRouter,
        httpAuth,
        permissions,
        scheduler,
        fulfillers,
      }) {
        const okta = readOktaConfig(config);
        if (!okta) {
          logger.info(
            'appAccess.okta is not configured; Okta fulfillment and the Okta admin lists are off',
          );
          return;
        }
        const api = OktaApi.fromConfig(okta);
        fulfillers.addFulfiller(
          new OktaFulfiller({
            api,
            logger,
            provisioningTimeoutMs: okta.provisioningTimeoutMs,
            pollMs: okta.pollMs,
          }),
        );
        httpRouter.use(createOktaRouter({ api, httpAuth, permissions }));

        const follower = new ProvisioningFollower({
          api,
          fulfillment: fulfillers.fulfillment,
          logger,
          provisioningTimeoutMs: okta.provisioningTimeoutMs,
        });
        await scheduler.scheduleTask({
          id: 'app-access-okta-provisioning',
          frequency: { seconds: okta.pollMs / 1000 },
          timeout: { minutes: 5 },
          initialDelay: { seconds: okta.pollMs / 1000 },
          scope: 'global',
          fn: async () => {
            await follower.run();
          },
        });
        logger.info(
          `App Access Okta module ready for ${okta.orgUrl} (${
            okta.auth.type === 'apiToken' ? 'API token' : 'OAuth service app'
          })`,
        );
      },
    });
  },
});
