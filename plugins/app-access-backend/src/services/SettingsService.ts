import { Knex } from 'knex';
import { InputError, NotFoundError } from '@backstage/errors';
import {
  AppAccessSettings,
  ModuleTestResult,
  SettingsResponse,
  SettingsUpdate,
  SyncOverview,
} from '@app-access/plugin-app-access-common';
import { ModuleTestContext } from '@app-access/plugin-app-access-node';
import { AuditEventStore } from '../database/AuditEventStore';
import {
  accessSettingsProblem,
  SettingsStore,
} from '../database/SettingsStore';
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
  ):
    | {
        selfTest?: (context?: ModuleTestContext) => Promise<ModuleTestResult>;
      }
    | undefined;
};

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
    if (changes.access) {
      const problem = accessSettingsProblem(changes.access);
      if (problem) throw new InputError(`access.${problem}`);
    }
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

  /**
   * "Send test": the module checks its own credentials and ids (a channel
   * may message the admin who asked); a throw is reported, not raised.
   */
  async testModule(
    kind: ModuleKind,
    id: string,
    caller?: Caller,
  ): Promise<ModuleTestResult> {
    const module = this.deps.modules.find(kind, id);
    if (!module) {
      throw new NotFoundError(`The ${kind} '${id}' is not installed`);
    }
    if (!module.selfTest) {
      return { ok: true, message: `The ${kind} '${id}' has nothing to check` };
    }
    try {
      return await module.selfTest(
        caller ? { userRef: caller.userRef } : undefined,
      );
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
