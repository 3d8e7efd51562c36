import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { AppAccessSettings } from '@app-access/plugin-app-access-common';
import {
  appAccessFulfillersExtensionPoint,
  appAccessModulesExtensionPoint,
  appAccessNotifiersExtensionPoint,
  connectedNotifier,
} from '@app-access/plugin-app-access-node';
import { EMAIL_REQUIRED_KEYS, readEmailConfig } from './config';
import { EmailSettingsSource } from './EmailSettingsSource';
import { EmailActions } from './actions/EmailActions';
import { DatabaseActionTokenStore } from './database/DatabaseActionTokenStore';
import { DatabaseSentMailStore } from './database/DatabaseSentMailStore';
import { EmailRetentionTask } from './database/EmailRetentionTask';
import { connectEmailDatabase } from './database/migrations';
import { ReclaimActions } from './actions/ReclaimActions';
import { ReclaimTokenStore } from './database/ReclaimTokenStore';
import { ReclaimPages } from './rendering/ReclaimPages';
import { EmailNotifier } from './EmailNotifier';
import { EmailTicketFulfiller } from './EmailTicketFulfiller';
import { SmtpMailer } from './mail/SmtpMailer';
import { ActionPages } from './rendering/ActionPages';
import { createActionsRouter } from './service/router';

const TITLE = 'Email';

/**
 * App Access over email: approvals through single-use links, notices to
 * requesters, and email-to-ticket fulfillment.
 *
 * @public
 */
export const appAccessModuleEmail = createBackendModule({
  pluginId: 'app-access',
  moduleId: 'email',
  register(reg) {
    reg.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        database: coreServices.database,
        httpRouter: coreServices.httpRouter,
        scheduler: coreServices.scheduler,
        lifecycle: coreServices.lifecycle,
        notifiers: appAccessNotifiersExtensionPoint,
        fulfillers: appAccessFulfillersExtensionPoint,
        modules: appAccessModulesExtensionPoint,
      },
      async init({
        config,
        logger,
        database,
        httpRouter,
        scheduler,
        lifecycle,
        notifiers,
        fulfillers,
        modules,
      }) {
        const emailConfig = readEmailConfig(config);
        if (!emailConfig) {
          modules.addModule({
            id: 'email',
            title: TITLE,
            configured: false,
            missing: EMAIL_REQUIRED_KEYS,
          });
          logger.info(
            `Email is installed but not configured (no email notifier, email-to-ticket fulfiller or approval links); set ${EMAIL_REQUIRED_KEYS.join(
              ', ',
            )}`,
          );
          return;
        }

        modules.addModule({
          id: 'email',
          title: TITLE,
          configured: true,
          missing: [],
          details: {
            smtpHost: emailConfig.smtp.host,
            dkim: Boolean(emailConfig.dkim),
          },
        });

        const db = await connectEmailDatabase(database);
        const tokens = new DatabaseActionTokenStore(db);
        const reclaimTokens = new ReclaimTokenStore(db);
        const sent = new DatabaseSentMailStore(db);
        const mailer = new SmtpMailer(emailConfig);
        // Sender, help-desk address and branding follow the settings page,
        // which only the core can read: each side builds its source from
        // the connection the plugin hands it.
        const settingsFrom = (core: {
          getSettings(): Promise<AppAccessSettings>;
        }) =>
          new EmailSettingsSource({
            config: emailConfig,
            getSettings: () => core.getSettings(),
            logger,
          });

        notifiers.addNotifier(
          connectedNotifier('email', async decisions => {
            const settings = settingsFrom(decisions);
            // Approve / Deny links decide: mounted once there is a decision API.
            httpRouter.use(
              await createActionsRouter({
                actions: new EmailActions({ tokens, decisions, logger }),
                reclaim: {
                  actions: new ReclaimActions({
                    tokens: reclaimTokens,
                    decisions,
                    logger,
                  }),
                  pages: async () =>
                    new ReclaimPages(
                      (
                        await settings.current()
                      ).branding,
                      decisions.portalUrl('/apps/my-access'),
                    ),
                },
                pages: async () =>
                  new ActionPages(
                    (
                      await settings.current()
                    ).branding,
                    decisions.portalUrl('/apps/approvals'),
                  ),
                logger,
              }),
            );
            httpRouter.addAuthPolicy({
              path: '/actions',
              allow: 'unauthenticated',
            });
            return new EmailNotifier({
              config: emailConfig,
              mailer,
              settings,
              tokens,
              reclaimTokens,
              sent,
              decisions,
              logger,
            });
          }),
        );

        let tickets: EmailTicketFulfiller | undefined;
        const connectedTickets = () => {
          if (!tickets) {
            throw new Error(
              'The email ticket fulfiller was used before it was connected',
            );
          }
          return tickets;
        };
        fulfillers.addFulfiller({
          handles: ['email'],
          connect(connection) {
            tickets = new EmailTicketFulfiller({
              mailer,
              settings: settingsFrom(connection),
              sent,
              connection,
              logger,
            });
          },
          fulfill: context => connectedTickets().fulfill(context),
          revoke: context => connectedTickets().revoke(context),
          recordAudit: context => connectedTickets().recordAudit(context),
          selfTest: () => connectedTickets().selfTest(),
        });

        const retention = new EmailRetentionTask({
          tokens,
          reclaimTokens,
          sent,
          logger,
        });
        await scheduler.scheduleTask({
          id: 'app-access-email-retention',
          frequency: { hours: 24 },
          timeout: { minutes: 10 },
          initialDelay: { minutes: 10 },
          scope: 'global',
          fn: () => retention.run(),
        });
        lifecycle.addShutdownHook(() => mailer.close());
        logger.info(
          `Email via ${emailConfig.smtp.host}:${emailConfig.smtp.port} from ${
            emailConfig.from.address
          }${
            emailConfig.dkim
              ? `, DKIM-signed for ${emailConfig.dkim.domainName}`
              : ''
          }${
            emailConfig.ticketAddress
              ? `; tickets to ${emailConfig.ticketAddress}`
              : ''
          }`,
        );
      },
    });
  },
});
