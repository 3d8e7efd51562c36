import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import {
  appAccessFulfillersExtensionPoint,
  appAccessModulesExtensionPoint,
} from '@app-access/plugin-app-access-node';
import { ZENDESK_REQUIRED_KEYS, readZendeskConfig } from './config';
import { ZendeskClient } from './ZendeskClient';
import { ZendeskFollower } from './ZendeskFollower';
import { ZendeskFulfiller } from './ZendeskFulfiller';

/** Id of the scheduled task that follows Zendesk tickets. */
export const ZENDESK_FOLLOW_TASK_ID = 'app-access-zendesk-follow';

const TITLE = 'Zendesk';

/**
 * App Access Zendesk module: fulfils ticket tiers with a Zendesk ticket,
 * follows the tickets and files audit-trail tickets.
 *
 * @public
 */
export const appAccessModuleZendesk = createBackendModule({
  pluginId: 'app-access',
  moduleId: 'zendesk',
  register(reg) {
    reg.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        scheduler: coreServices.scheduler,
        fulfillers: appAccessFulfillersExtensionPoint,
        modules: appAccessModulesExtensionPoint,
      },
      async init({ config, logger, scheduler, fulfillers, modules }) {
        const settings = readZendeskConfig(config);
        if (!settings) {
          modules.addModule({
            id: 'zendesk',
            title: TITLE,
            configured: false,
            missing: ZENDESK_REQUIRED_KEYS,
          });
          logger.info(
            `Zendesk ticketing is installed but not configured; set ${ZENDESK_REQUIRED_KEYS.join(
              ', ',
            )}`,
          );
          return;
        }
        modules.addModule({
          id: 'zendesk',
          title: TITLE,
          configured: true,
          missing: [],
          details: { endpointUri: settings.endpointUri },
        });
        const client = new ZendeskClient(settings);
        fulfillers.addFulfiller(new ZendeskFulfiller({ client, logger }));
        fulfillers.addFollower({
          id: 'zendesk',
          async connect(fulfillment) {
            const follower = new ZendeskFollower({
              client,
              logger,
              fulfillment,
            });
            await scheduler.scheduleTask({
              id: ZENDESK_FOLLOW_TASK_ID,
              scope: 'global',
              frequency: { minutes: settings.followEveryMinutes },
              // A replica killed mid-round holds the task until this runs
              // out; rounds are idempotent, so keep it near the cadence.
              timeout: { minutes: Math.max(1, settings.followEveryMinutes) },
              initialDelay: { minutes: 1 },
              fn: async () => {
                await follower.run();
              },
            });
          },
        });
        logger.info(
          `Zendesk ticketing at ${settings.endpointUri}; following tickets every ${settings.followEveryMinutes} min`,
        );
      },
    });
  },
});
