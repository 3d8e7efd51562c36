import { Knex } from 'knex';
import { Config } from '@backstage/config';
import { NotFoundError } from '@backstage/errors';
import {
  AppAccessSettings,
  IntegrationStatus,
  ModuleTestResult,
  SettingsResponse,
  SettingsUpdate,
  SyncOverview,
} from '@app-access/plugin-app-access-common';
import { AuditEventStore } from '../database/AuditEventStore';
import { SettingsStore } from '../database/SettingsStore';
import { UsageStore } from '../database/UsageStore';
import { Caller } from '../workflow/RequestWorkflow';

export type ModuleKind = 'fulfiller' | 'notifier';

/** What the settings page needs to know of the installed modules. */
export type InstalledModules = {
  list(): { fulfillers: string[]; notifiers: string[] };
  integrations(): SettingsResponse['integrations'];
  find(
    kind: ModuleKind,
    id: string,
  ): { selfTest?: () => Promise<ModuleTestResult> } | undefined;
};

/**
 * What app-config says about each integration, without its secrets.
 * Used until modules report their own status.
 */
export function integrationsFromConfig(
  config: Config | undefined,
  modules: { fulfillers: string[]; notifiers: string[] },
): SettingsResponse['integrations'] {
  const installed = (id: string) =>
    modules.fulfillers.includes(id) || modules.notifiers.includes(id);
  const status = (
    configured: boolean,
    isInstalled: boolean,
    details?: Record<string, string | boolean>,
  ): IntegrationStatus => ({
    configured,
    installed: isInstalled,
    ...(details ? { details } : {}),
  });
  return {
    email: status(
      Boolean(config?.has('appAccess.email.smtp.host')),
      installed('email'),
      {
        ...(config?.getOptionalString('appAccess.email.smtp.host')
          ? { smtpHost: config.getString('appAccess.email.smtp.host') }
          : {}),
        dkim: Boolean(config?.has('appAccess.email.dkim')),
      },
    ),
    slack: status(
      Boolean(config?.has('appAccess.slack.botToken')),
      installed('slack'),
    ),
    msteams: status(
      Boolean(config?.has('appAccess.msteams.webhookUrl')),
      installed('msteams'),
    ),
    okta: status(
      Boolean(config?.has('appAccess.okta.orgUrl')),
      installed('okta-group') || installed('okta-app'),
      config?.getOptionalString('appAccess.okta.orgUrl')
        ? { orgUrl: config.getString('appAccess.okta.orgUrl') }
        : {},
    ),
    jira: status(
      Boolean(config?.has('appAccess.jira.baseUrl')),
      installed('jira'),
      config?.getOptionalString('appAccess.jira.baseUrl')
        ? { baseUrl: config.getString('appAccess.jira.baseUrl') }
        : {},
    ),
    zendesk: status(
      Boolean(config?.has('appAccess.zendesk.apiToken')),
      installed('zendesk'),
    ),
  };
}

/** Admin settings: the effective values and their sources, changes (audited), module checks. */
export class SettingsService {
  constructor(
    private readonly deps: {
      db: Knex;
      settings: SettingsStore;
      events: AuditEventStore;
      modules: InstalledModules;
      usage?: UsageStore;
    },
  ) {}

  async view(): Promise<SettingsResponse> {
    const view = await this.deps.settings.view();
    return {
      ...view,
      modules: this.deps.modules.list(),
      integrations: this.deps.modules.integrations(),
    } as SettingsResponse;
  }

  /** Saves the given keys (`null` goes back to app-config) with an audit event, in one transaction. */
  async update(
    caller: Caller,
    changes: SettingsUpdate,
  ): Promise<SettingsResponse> {
    const { db, settings, events } = this.deps;
    await db.transaction(async tx => {
      await settings.update(
        changes as Partial<Record<keyof AppAccessSettings, unknown>>,
        caller.userRef,
        tx,
      );
      await events.addEvent(
        {
          actor: caller.userRef,
          type: 'settings_changed',
          data: changes as Record<string, unknown>,
        },
        tx,
      );
    });
    settings.invalidate();
    return this.view();
  }

  /** "Send test": the module checks its own credentials and ids; a throw is reported, not raised. */
  async testModule(kind: ModuleKind, id: string): Promise<ModuleTestResult> {
    const module = this.deps.modules.find(kind, id);
    if (!module) {
      throw new NotFoundError(`The ${kind} '${id}' is not installed`);
    }
    if (!module.selfTest) {
      return { ok: true, message: `The ${kind} '${id}' has nothing to check` };
    }
    try {
      return await module.selfTest();
    } catch (error) {
      return { ok: false, message: (error as Error).message };
    }
  }

  async syncStatus(): Promise<SyncOverview> {
    const { usage } = this.deps;
    return {
      items: usage ? await usage.listSyncs() : [],
      people: usage ? await usage.peopleCount() : 0,
    };
  }
}
