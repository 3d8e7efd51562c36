import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { appAccessNotifiersExtensionPoint } from '@app-access/plugin-app-access-node';
import { readSlackSettings } from './config';
import { connectSlackDatabase } from './database/migrations';
import { DatabaseSlackMessageStore } from './database/DatabaseSlackMessageStore';
import { SeenSignatureStore } from './database/SeenSignatureStore';
import { createSlackWebClient } from './SlackApi';
import { SlackApprovalNotifier } from './SlackApprovalNotifier';
import { SlackInteractionHandler } from './SlackInteractionHandler';
import { SlackSocketModeConnection } from './SlackSocketMode';
import { INTERACTIONS_PATH, createSlackRouter } from './service/router';
import { SlackRequestVerifier } from './service/SlackRequestVerifier';

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
      },
      async init({
        config,
        logger,
        database,
        httpRouter,
        lifecycle,
        notifiers,
      }) {
        const settings = readSlackSettings(config);
        if (!settings) {
          logger.info(
            'appAccess.slack is not configured; Slack approvals are off',
          );
          return;
        }
        const db = await connectSlackDatabase(database);
        const client = createSlackWebClient(settings, logger);
        const { decisions } = notifiers;

        notifiers.addNotifier(
          new SlackApprovalNotifier({
            client,
            store: new DatabaseSlackMessageStore(db),
            decisions,
            logger,
            channel: settings.channel,
          }),
        );

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
          // Decisions need the core, which is ready once the backend has started.
          lifecycle.addStartupHook(() => socketMode.start());
          lifecycle.addShutdownHook(() => socketMode.stop());
          logger.info(
            'Slack approvals are on; interactions arrive over Socket Mode',
          );
        }
      },
    });
  },
});
