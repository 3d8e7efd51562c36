import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import {
  appAccessFulfillersExtensionPoint,
  appAccessModulesExtensionPoint,
} from '@app-access/plugin-app-access-node';
import { JIRA_REQUIRED_KEYS, readJiraConfig } from './config';
import { JiraClient } from './JiraClient';
import { JiraFollower } from './JiraFollower';
import { JiraFulfiller } from './JiraFulfiller';

/** Id of the scheduled task that follows Jira tickets. */
export const JIRA_FOLLOW_TASK_ID = 'app-access-jira-follow';

const TITLE = 'Jira Service Management';

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
        modules: appAccessModulesExtensionPoint,
      },
      async init({ config, logger, scheduler, fulfillers, modules }) {
        const settings = readJiraConfig(config);
        if (!settings) {
          modules.addModule({
            id: 'jira',
            title: TITLE,
            configured: false,
            missing: JIRA_REQUIRED_KEYS,
          });
          logger.info(
            `Jira ticketing is installed but not configured; set ${JIRA_REQUIRED_KEYS.join(
              ', ',
            )}`,
          );
          return;
        }
        modules.addModule({
          id: 'jira',
          title: TITLE,
          configured: true,
          missing: [],
          details: { baseUrl: settings.baseUrl },
        });
        const client = new JiraClient(settings);
        fulfillers.addFulfiller(new JiraFulfiller({ client, logger }));
        fulfillers.addFollower({
          id: 'jira',
          async connect(fulfillment) {
            const follower = new JiraFollower({ client, logger, fulfillment });
            await scheduler.scheduleTask({
              id: JIRA_FOLLOW_TASK_ID,
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
