import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import {
  appAccessFulfillersExtensionPoint,
  appAccessNotifiersExtensionPoint,
} from '@app-access/plugin-app-access-node';
import { readEmailConfig } from './config';
import { EmailSettingsSource } from './EmailSettingsSource';
import { EmailActions } from './actions/EmailActions';
import { DatabaseActionTokenStore } from './database/DatabaseActionTokenStore';
import { DatabaseSentMailStore } from './database/DatabaseSentMailStore';
import { EmailRetentionTask } from './database/EmailRetentionTask';
import { connectEmailDatabase } from './database/migrations';
import { EmailNotifier } from './EmailNotifier';
import { EmailTicketFulfiller } from './EmailTicketFulfiller';
import { SmtpMailer } from './mail/SmtpMailer';
import { ActionPages } from './rendering/ActionPages';
import { createActionsRouter } from './service/router';

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
      }) {
        const emailConfig = readEmailConfig(config);
        if (!emailConfig) {
          logger.info(
            'Email is not configured (no appAccess.email): no email notifier, email-to-ticket fulfiller or approval links',
          );
          return;
        }

        const db = await connectEmailDatabase(database);
        const tokens = new DatabaseActionTokenStore(db);
        const sent = new DatabaseSentMailStore(db);
        const mailer = new SmtpMailer(emailConfig);
        const { decisions } = notifiers;
        const settings = new EmailSettingsSource({
          config: emailConfig,
          getSettings: () => decisions.getSettings(),
          logger,
        });

        notifiers.addNotifier(
          new EmailNotifier({
            config: emailConfig,
            mailer,
            settings,
            tokens,
            sent,
            decisions,
            logger,
          }),
        );
        fulfillers.addFulfiller(
          new EmailTicketFulfiller({
            mailer,
            settings,
            sent,
            decisions,
            logger,
          }),
        );

        httpRouter.use(
          await createActionsRouter({
            actions: new EmailActions({ tokens, decisions, logger }),
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

        const retention = new EmailRetentionTask({ tokens, sent, logger });
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
