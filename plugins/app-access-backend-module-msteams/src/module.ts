import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { ModuleTestResult } from '@app-access/plugin-app-access-common';
import {
  AppAccessDecisionApi,
  AppAccessMessage,
  BuiltNotifier,
  ModuleTestContext,
  appAccessModulesExtensionPoint,
  appAccessNotifiersExtensionPoint,
  connectedNotifier,
} from '@app-access/plugin-app-access-node';
import { TEAMS_REQUIRED_KEYS, readTeamsSettings } from './config';
import { TeamsWebhookNotifier } from './TeamsWebhookNotifier';
import { connectTeamsDatabase } from './database/migrations';
import { TeamsBotStore } from './database/TeamsBotStore';
import { BotConnector } from './bot/BotConnector';
import { BotTokenVerifier } from './bot/BotTokenVerifier';
import { TeamsBotHandler } from './bot/TeamsBotHandler';
import { UnmatchedChats } from './bot/identity';
import { TeamsBotNotifier } from './bot/TeamsBotNotifier';
import { MESSAGES_PATH, createTeamsBotRouter } from './bot/router';

const TITLE = 'Microsoft Teams';

/**
 * The bot asks people in 1:1 chats; the webhook also posts to the channel.
 * The bot goes first: a retry updates the bot's cards instead of resending
 * them, while a webhook post cannot be taken back.
 */
function bothChannels(
  bot: BuiltNotifier,
  webhook: BuiltNotifier,
): BuiltNotifier {
  return {
    id: 'msteams',
    async notify(message: AppAccessMessage) {
      const result = await bot.notify(message);
      await webhook.notify(message);
      return result;
    },
    async selfTest(context?: ModuleTestContext): Promise<ModuleTestResult> {
      const [b, w] = await Promise.all([
        bot.selfTest(context),
        webhook.selfTest(),
      ]);
      return {
        ok: b.ok && w.ok,
        message: `Bot: ${b.message}. Channel webhook: ${w.message}`,
        details: [...(b.details ?? []), ...(w.details ?? [])],
      };
    },
  };
}

/**
 * Microsoft Teams for App Access: approvals in a 1:1 chat with the App
 * Access bot and/or cards in one channel through a Workflows webhook.
 * Configured under `appAccess.msteams`.
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
        database: coreServices.database,
        httpRouter: coreServices.httpRouter,
        notifiers: appAccessNotifiersExtensionPoint,
        modules: appAccessModulesExtensionPoint,
      },
      async init({ config, logger, database, httpRouter, notifiers, modules }) {
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
              ' or ',
            )}`,
          );
          return;
        }
        const { bot } = settings;
        modules.addModule({
          id: 'msteams',
          title: TITLE,
          configured: true,
          missing: [],
          details: {
            bot: Boolean(bot),
            channelWebhook: Boolean(settings.webhookUrl),
            ...(bot ? { botAppId: bot.appId } : {}),
          },
        });

        const webhookOf = (decisions: AppAccessDecisionApi) =>
          settings.webhookUrl
            ? new TeamsWebhookNotifier({
                webhookUrl: settings.webhookUrl,
                decisions,
                logger,
              })
            : undefined;

        if (!bot) {
          notifiers.addNotifier(
            connectedNotifier(
              'msteams',
              async decisions => webhookOf(decisions)!,
            ),
          );
          logger.info('Teams notices are on (Workflows webhook)');
          return;
        }

        const db = await connectTeamsDatabase(database);
        const store = new TeamsBotStore(db);
        const connector = new BotConnector(bot);
        const verifier = new BotTokenVerifier({
          appId: bot.appId,
          issuer: bot.issuer,
          openIdMetadataUrl: bot.openIdMetadataUrl,
        });
        notifiers.addNotifier(
          connectedNotifier('msteams', async decisions => {
            // Clicks decide, so the endpoint exists only once the plugin
            // hands over the decision API, before the backend serves.
            httpRouter.use(
              await createTeamsBotRouter({
                verifier,
                handler: new TeamsBotHandler({
                  connector,
                  store,
                  decisions,
                  logger,
                  objectIdAnnotations: bot.objectIdAnnotations,
                }),
                logger,
              }),
            );
            // Teams cannot sign in to Backstage: its Bot Framework token is checked instead.
            httpRouter.addAuthPolicy({
              path: MESSAGES_PATH,
              allow: 'unauthenticated',
            });
            logger.info(
              `Teams approvals are on; bot messaging endpoint: <backend>/api/app-access${MESSAGES_PATH}`,
            );
            const botNotifier = new TeamsBotNotifier({
              connector,
              store,
              decisions,
              logger,
              unmatched: new UnmatchedChats({
                store,
                decisions,
                logger,
                objectIdAnnotations: bot.objectIdAnnotations,
              }),
            });
            const webhook = webhookOf(decisions);
            return webhook ? bothChannels(botNotifier, webhook) : botNotifier;
          }),
        );
      },
    });
  },
});
