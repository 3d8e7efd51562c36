import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import {
  AppAccessDecisionApi,
  appAccessModulesExtensionPoint,
  appAccessNotifiersExtensionPoint,
  connectedNotifier,
} from '@app-access/plugin-app-access-node';
import { SLACK_REQUIRED_KEYS, readSlackSettings } from './config';
import { connectSlackDatabase } from './database/migrations';
import { DatabaseSlackMessageStore } from './database/DatabaseSlackMessageStore';
import { SeenSignatureStore } from './database/SeenSignatureStore';
import { createSlackWebClient } from './SlackApi';
import { SlackApprovalNotifier } from './SlackApprovalNotifier';
import { SlackInteractionHandler } from './SlackInteractionHandler';
import { SlackSocketModeConnection } from './SlackSocketMode';
import { INTERACTIONS_PATH, createSlackRouter } from './service/router';
import { SlackRequestVerifier } from './service/SlackRequestVerifier';

const TITLE = 'Slack';

/**
 * Slack for App Access: approvers decide with buttons in a DM, requesters
 * hear about decisions. Configured under `appAccess.slack`.
 *
 * @public
 */
export const appAccessModuleSlack = createBackendModule({
  pluginId: 'app-access',
  moduleId: 'slack',
  register(reg) {
    reg.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        database: coreServices.database,
        httpRouter: coreServices.httpRouter,
        lifecycle: coreServices.lifecycle,
        notifiers: appAccessNotifiersExtensionPoint,
        modules: appAccessModulesExtensionPoint,
      },
      async init({
        config,
        logger,
        database,
        httpRouter,
        lifecycle,
        notifiers,
        modules,
      }) {
        const settings = readSlackSettings(config);
        if (!settings) {
          modules.addModule({
            id: 'slack',
            title: TITLE,
            configured: false,
            missing: SLACK_REQUIRED_KEYS,
          });
          logger.info(
            `Slack is installed but not configured; set ${SLACK_REQUIRED_KEYS.join(
              ', ',
            )}`,
          );
          return;
        }
        modules.addModule({
          id: 'slack',
          title: TITLE,
          configured: true,
          missing: [],
          details: { socketMode: Boolean(settings.socketModeAppToken) },
        });
        const db = await connectSlackDatabase(database);
        const client = createSlackWebClient(settings, logger);
        // Approve / Deny clicks decide, so they are wired once the plugin
        // hands over the decision API, before the backend serves.
        const mountInteractions = async (decisions: AppAccessDecisionApi) => {
          const handler = new SlackInteractionHandler({
            client,
            decisions,
            logger,
          });

          if (settings.signingSecret) {
            httpRouter.use(
              await createSlackRouter({
                verifier: new SlackRequestVerifier(
                  settings.signingSecret,
                  new SeenSignatureStore(db),
                ),
                handler,
                logger,
              }),
            );
            // Slack cannot sign in to Backstage: the request signature is checked instead.
            httpRouter.addAuthPolicy({
              path: INTERACTIONS_PATH,
              allow: 'unauthenticated',
            });
            logger.info(
              `Slack approvals are on; interactivity request URL: <backend>/api/app-access${INTERACTIONS_PATH}`,
            );
          }

          if (settings.socketModeAppToken) {
            const socketMode = new SlackSocketModeConnection({
              appClient: createSlackWebClient(
                {
                  botToken: settings.socketModeAppToken,
                  apiUrl: settings.apiUrl,
                },
                logger,
              ),
              handler,
              logger,
            });
            // Slack sends interactions as soon as the socket opens: open it
            // once the backend is up, like the HTTP endpoint.
            lifecycle.addStartupHook(() => socketMode.start());
            lifecycle.addShutdownHook(() => socketMode.stop());
            logger.info(
              'Slack approvals are on; interactions arrive over Socket Mode',
            );
          }
        };

        notifiers.addNotifier(
          connectedNotifier('slack', async decisions => {
            await mountInteractions(decisions);
            return new SlackApprovalNotifier({
              client,
              store: new DatabaseSlackMessageStore(db),
              decisions,
              logger,
              channel: settings.channel,
            });
          }),
        );
      },
    });
  },
});
