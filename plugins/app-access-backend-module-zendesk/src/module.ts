import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import {
  appAccessFulfillersExtensionPoint,
  appAccessNotifiersExtensionPoint,
} from '@app-access/plugin-app-access-node';
import { readZendeskConfig } from './config';
import { ZendeskClient } from './ZendeskClient';
import { ZendeskFollower } from './ZendeskFollower';
import { ZendeskFulfiller } from './ZendeskFulfiller';

/** Id of the scheduled task that follows Zendesk tickets. */
export const ZENDESK_FOLLOW_TASK_ID = 'app-access-zendesk-follow';

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
        notifiers: appAccessNotifiersExtensionPoint,
      },
      async init({ config, logger, scheduler, fulfillers, notifiers }) {
        const settings = readZendeskConfig(config);
        if (!settings) {
          logger.info(
            'No appAccess.zendesk config: the Zendesk ticketing module registers nothing',
          );
          return;
        }
        const client = new ZendeskClient(settings);
        fulfillers.addFulfiller(
          new ZendeskFulfiller({
            client,
            logger,
            getSettings: () => fulfillers.fulfillment.getSettings(),
            loadRequest: id => notifiers.decisions.getRequest(id),
          }),
        );
        const follower = new ZendeskFollower({
          client,
          logger,
          fulfillment: fulfillers.fulfillment,
        });
        await scheduler.scheduleTask({
          id: ZENDESK_FOLLOW_TASK_ID,
          scope: 'global',
          frequency: { minutes: settings.followEveryMinutes },
          timeout: { minutes: Math.max(5, settings.followEveryMinutes) },
          initialDelay: { minutes: 1 },
          fn: async () => {
            await follower.run();
          },
        });
        logger.info(
          `Zendesk ticketing at ${settings.endpointUri}; following tickets every ${settings.followEveryMinutes} min`,
        );
      },
    });
  },
});
