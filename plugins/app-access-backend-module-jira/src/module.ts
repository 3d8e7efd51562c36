import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import {
  appAccessFulfillersExtensionPoint,
  appAccessNotifiersExtensionPoint,
} from '@app-access/plugin-app-access-node';
import { readJiraConfig } from './config';
import { JiraClient } from './JiraClient';
import { JiraFollower } from './JiraFollower';
import { JiraFulfiller } from './JiraFulfiller';

/** Id of the scheduled task that follows Jira tickets. */
export const JIRA_FOLLOW_TASK_ID = 'app-access-jira-follow';

/**
 * App Access Jira Service Management module: fulfils ticket tiers with a
 * JSM customer request, follows the tickets and files audit-trail tickets.
 *
 * @public
 */
export const appAccessModuleJira = createBackendModule({
  pluginId: 'app-access',
  moduleId: 'jira',
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
        const settings = readJiraConfig(config);
        if (!settings) {
          logger.info(
            'No appAccess.jira config: the Jira ticketing module registers nothing',
          );
          return;
        }
        const client = new JiraClient(settings);
        fulfillers.addFulfiller(
          new JiraFulfiller({
            client,
            logger,
            getSettings: () => fulfillers.fulfillment.getSettings(),
            loadRequest: id => notifiers.decisions.getRequest(id),
          }),
        );
        const follower = new JiraFollower({
          client,
          logger,
          fulfillment: fulfillers.fulfillment,
        });
        await scheduler.scheduleTask({
          id: JIRA_FOLLOW_TASK_ID,
          scope: 'global',
          frequency: { minutes: settings.followEveryMinutes },
          timeout: { minutes: Math.max(5, settings.followEveryMinutes) },
          initialDelay: { minutes: 1 },
          fn: async () => {
            await follower.run();
          },
        });
        logger.info(
          `Jira ticketing at ${settings.baseUrl} (service desk ${
            settings.serviceDeskId ?? 'from settings'
          }, request type ${
            settings.requestTypeId ?? 'from settings'
          }); following tickets every ${settings.followEveryMinutes} min`,
        );
      },
    });
  },
});
