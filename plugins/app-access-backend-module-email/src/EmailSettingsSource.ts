import { LoggerService } from '@backstage/backend-plugin-api';
import { AppAccessSettings } from '@app-access/plugin-app-access-common';
import { Branding, EmailConfig, sanitizeBranding } from './config';

/** Sender, help-desk address and branding in effect for one message. */
export type EffectiveEmailSettings = {
  from: { name: string; address: string };
  ticketAddress?: string;
  branding: Branding;
};

/**
 * Admins may change the sender, the help-desk address and the branding on
 * the App Access settings page; app-config gives the defaults (the core
 * merges them). Read per message, so a change applies to the next email.
 */
export class EmailSettingsSource {
  constructor(
    private readonly deps: {
      config: EmailConfig;
      getSettings: () => Promise<AppAccessSettings>;
      logger: LoggerService;
    },
  ) {}

  async current(): Promise<EffectiveEmailSettings> {
    const { config, getSettings, logger } = this.deps;
    let settings: AppAccessSettings | undefined;
    try {
      settings = await getSettings();
    } catch (error) {
      logger.warn(
        `App Access settings unavailable, emailing with app-config values: ${error}`,
      );
    }
    const branding = settings?.branding
      ? sanitizeBranding(settings.branding)
      : config.branding;
    return {
      from: {
        name:
          settings?.notifications?.emailFromName?.trim() ||
          config.from.name ||
          branding.title,
        address:
          settings?.notifications?.emailFromAddress?.trim() ||
          config.from.address,
      },
      ticketAddress:
        settings?.ticketing?.email?.ticketAddress?.trim() ||
        config.ticketAddress,
      branding,
    };
  }
}
