import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { appAccessNotifiersExtensionPoint } from '@app-access/plugin-app-access-node';
import { readTeamsSettings } from './config';
import { TeamsWebhookNotifier } from './TeamsWebhookNotifier';

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
      },
      async init({ config, logger, notifiers }) {
        const settings = readTeamsSettings(config);
        if (!settings) {
          logger.info(
            'appAccess.msteams is not configured; Teams notices are off',
          );
          return;
        }
        notifiers.addNotifier(
          new TeamsWebhookNotifier({
            webhookUrl: settings.webhookUrl,
            decisions: notifiers.decisions,
            logger,
          }),
        );
        logger.info('Teams notices are on (Workflows webhook)');
      },
    });
  },
});
