import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import {
  appAccessModulesExtensionPoint,
  appAccessNotifiersExtensionPoint,
  connectedNotifier,
} from '@app-access/plugin-app-access-node';
import { TEAMS_REQUIRED_KEYS, readTeamsSettings } from './config';
import { TeamsWebhookNotifier } from './TeamsWebhookNotifier';

const TITLE = 'Microsoft Teams';

/**
 * Microsoft Teams for App Access: Adaptive Cards in one channel through a
 * Workflows webhook. Configured under `appAccess.msteams`.
 *
 * @public
 */
export const appAccessModuleMsTeams = createBackendModule({
  pluginId: 'app-access',
  moduleId: 'msteams',
  register(reg) {
    reg.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        notifiers: appAccessNotifiersExtensionPoint,
        modules: appAccessModulesExtensionPoint,
      },
      async init({ config, logger, notifiers, modules }) {
        const settings = readTeamsSettings(config);
        if (!settings) {
          modules.addModule({
            id: 'msteams',
            title: TITLE,
            configured: false,
            missing: TEAMS_REQUIRED_KEYS,
          });
          logger.info(
            `Microsoft Teams is installed but not configured; set ${TEAMS_REQUIRED_KEYS.join(
              ', ',
            )}`,
          );
          return;
        }
        modules.addModule({
          id: 'msteams',
          title: TITLE,
          configured: true,
          missing: [],
        });
        notifiers.addNotifier(
          connectedNotifier(
            'msteams',
            async decisions =>
              new TeamsWebhookNotifier({
                webhookUrl: settings.webhookUrl,
                decisions,
                logger,
              }),
          ),
        );
        logger.info('Teams notices are on (Workflows webhook)');
      },
    });
  },
});
