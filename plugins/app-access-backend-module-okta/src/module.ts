import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import {
  appAccessFulfillersExtensionPoint,
  appAccessModulesExtensionPoint,
  appAccessUsageExtensionPoint,
} from '@app-access/plugin-app-access-node';
import {
  OKTA_REQUIRED_KEYS,
  readOktaConfig,
  readOktaSyncConfig,
} from './config';
import { OktaAllowList } from './OktaAllowList';
import { createOktaClient, OktaApi } from './OktaApi';
import { OktaFulfiller } from './OktaFulfiller';
import { ProvisioningFollower } from './ProvisioningFollower';
import { createOktaRouter } from './service/router';
import { OktaSync } from './sync/OktaSync';
import { ThrottledRequestExecutor } from './sync/OktaSyncClient';
import { OktaThrottle } from './sync/OktaThrottle';
import { OktaSyncStore } from './sync/OktaSyncStore';

const TITLE = 'Okta';

/**
 * App Access fulfillment through Okta: group and app assignment, with the
 * provisioning follow-up and the admin's Okta app and group lists; and the
 * directory + usage sync (who has which app) for peer usage.
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
        database: coreServices.database,
        fulfillers: appAccessFulfillersExtensionPoint,
        usageSources: appAccessUsageExtensionPoint,
        modules: appAccessModulesExtensionPoint,
      },
      async init({
        config,
        logger,
        httpRouter,
        httpAuth,
        permissions,
        scheduler,
        database,
        fulfillers,
        usageSources,
        modules,
      }) {
        const okta = readOktaConfig(config);
        if (!okta) {
          modules.addModule({
            id: 'okta',
            title: TITLE,
            configured: false,
            missing: OKTA_REQUIRED_KEYS,
          });
          logger.info(
            `Okta is installed but not configured (fulfillment, the admin lists and the sync are off); set ${OKTA_REQUIRED_KEYS.join(
              ', ',
            )}`,
          );
          return;
        }
        const syncConfig = readOktaSyncConfig(config);
        const allowList = new OktaAllowList(okta.allowed);
        modules.addModule({
          id: 'okta',
          title: TITLE,
          configured: true,
          missing: [],
          details: {
            orgUrl: okta.orgUrl,
            sync: syncConfig.enabled,
            ...allowList.details(),
          },
        });
        const unrestricted = allowList.unrestricted();
        if (unrestricted.length) {
          logger.warn(
            `${unrestricted.join(
              ' and ',
            )} not set: whoever may manage apps can create a tier that grants any Okta group or app, an admin group included, even with no approval. List the groups and apps App Access may grant.`,
          );
        }
        // The fulfiller, the follow-up and the admin lists share one throttle
        // per replica: each call waits for its endpoint family's window
        // (X-Rate-Limit-Remaining / -Reset) instead of running into 429s, and
        // a 429 that still comes goes back to the outbox with Okta's reset.
        const api = new OktaApi(
          createOktaClient(
            okta,
            new ThrottledRequestExecutor(new OktaThrottle(), {
              requestTimeout: okta.requestTimeoutMs,
              max429Retries: 0,
            }),
          ),
          okta,
        );
        fulfillers.addFulfiller(
          new OktaFulfiller({
            api,
            logger,
            allowList,
            provisioningTimeoutMs: okta.provisioningTimeoutMs,
            pollMs: okta.pollMs,
          }),
        );
        httpRouter.use(createOktaRouter({ api, httpAuth, permissions }));

        fulfillers.addFollower({
          id: 'okta-provisioning',
          async connect(fulfillment) {
            const follower = new ProvisioningFollower({
              api,
              fulfillment,
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
          },
        });
        if (syncConfig.enabled) {
          const store = await OktaSyncStore.create(await database.getClient(), {
            skipMigrations: database.migrations?.skip,
          });
          usageSources.addUsageSource({
            id: 'okta',
            async connect(usage) {
              const sync = new OktaSync({
                okta,
                usage,
                store,
                logger: logger.child({ task: 'app-access-okta-sync' }),
                config: syncConfig,
              });
              await scheduler.scheduleTask({
                id: 'app-access-okta-sync',
                frequency: { minutes: syncConfig.everyMinutes },
                // A run that takes longer stops and the next one continues it
                // from its checkpoint.
                timeout: { hours: 2 },
                // The core copies the catalog's people shortly after start-up;
                // until it has, catalog people would look like Okta-only ones.
                initialDelay: { minutes: 2 },
                scope: 'global',
                fn: async signal => {
                  await sync.run({ signal });
                },
              });
            },
          });
        } else {
          logger.info(
            'appAccess.okta.sync.enabled is false; the Okta sync is off',
          );
        }

        logger.info(
          `App Access Okta module ready for ${okta.orgUrl} (${
            okta.auth.type === 'apiToken' ? 'API token' : 'OAuth service app'
          })`,
        );
      },
    });
  },
});
