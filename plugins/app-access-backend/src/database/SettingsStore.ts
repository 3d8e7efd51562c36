import { Knex } from 'knex';
import { Config } from '@backstage/config';
import {
  AppAccessSettings,
  ApprovalMethod,
  TicketingSystem,
} from '@app-access/plugin-app-access-common';
import { fromJson, nowIso } from './json';

export type SettingsSource = 'default' | 'config' | 'database';

export type SettingsView = {
  values: AppAccessSettings;
  /** Where each top-level value comes from, for the admin page. */
  sources: Record<keyof AppAccessSettings, SettingsSource>;
  /** The value config (or the built-in default) gives, to show next to an override. */
  defaults: AppAccessSettings;
};

const BUILT_IN: AppAccessSettings = {
  approvalMethod: 'portal',
  defaultApprovers: [],
  fallbackApprover: undefined,
  reminders: { intervalHours: 24, maxCount: 3 },
  ticketing: { system: 'manual' },
};

/** Reads the defaults from app-config; invalid values fail start-up naming the key. */
export function settingsFromConfig(config: Config): {
  values: AppAccessSettings;
  fromConfig: Set<keyof AppAccessSettings>;
} {
  const fromConfig = new Set<keyof AppAccessSettings>();
  const values: AppAccessSettings = structuredClone(BUILT_IN);
  const method = config.getOptionalString('appAccess.approvals.method');
  if (method !== undefined) {
    if (!['slack', 'email', 'msteams', 'portal'].includes(method)) {
      throw new Error(
        `Invalid config appAccess.approvals.method '${method}': expected one of slack, email, msteams, portal`,
      );
    }
    values.approvalMethod = method as ApprovalMethod;
    fromConfig.add('approvalMethod');
  }
  const approvers = config.getOptionalStringArray(
    'appAccess.approvals.defaultApprovers',
  );
  if (approvers) {
    for (const ref of approvers) assertEntityRef(ref, 'appAccess.approvals.defaultApprovers');
    values.defaultApprovers = approvers;
    fromConfig.add('defaultApprovers');
  }
  const fallback = config.getOptionalString('appAccess.approvals.fallbackApprover');
  if (fallback) {
    assertEntityRef(fallback, 'appAccess.approvals.fallbackApprover');
    values.fallbackApprover = fallback;
    fromConfig.add('fallbackApprover');
  }
  const interval = config.getOptionalNumber('appAccess.reminders.intervalHours');
  const maxCount = config.getOptionalNumber('appAccess.reminders.maxCount');
  if (interval !== undefined) {
    if (!(interval > 0)) {
      throw new Error('Invalid config appAccess.reminders.intervalHours: must be a positive number');
    }
    values.reminders.intervalHours = interval;
    fromConfig.add('reminders');
  }
  if (maxCount !== undefined) {
    if (!Number.isInteger(maxCount) || maxCount < 0) {
      throw new Error('Invalid config appAccess.reminders.maxCount: must be a whole number ≥ 0');
    }
    values.reminders.maxCount = maxCount;
    fromConfig.add('reminders');
  }
  const system = config.getOptionalString('appAccess.ticketing.system');
  if (system !== undefined) {
    if (!['jira', 'zendesk', 'email', 'manual'].includes(system)) {
      throw new Error(
        `Invalid config appAccess.ticketing.system '${system}': expected one of jira, zendesk, email, manual`,
      );
    }
    values.ticketing.system = system as TicketingSystem;
    fromConfig.add('ticketing');
  }
  return { values, fromConfig };
}

const ENTITY_REF = /^(user|group):[a-z0-9._-]+\/[a-z0-9._-]+$/i;

function assertEntityRef(ref: string, key: string) {
  if (!ENTITY_REF.test(ref)) {
    throw new Error(
      `Invalid config ${key}: '${ref}' is not a user or group entity ref such as user:default/jane.doe`,
    );
  }
}

/** Admin settings: config gives the defaults, the database holds the changes. */
export class SettingsStore {
  constructor(
    private readonly db: Knex,
    private readonly configDefaults: ReturnType<typeof settingsFromConfig>,
  ) {}

  async view(tx: Knex = this.db): Promise<SettingsView> {
    const rows = await tx('settings').select('key', 'value');
    const stored = new Map<string, unknown>(
      rows.map((r: { key: string; value: string }) => [r.key, fromJson(r.value, undefined)]),
    );
    const defaults = structuredClone(this.configDefaults.values);
    const values = structuredClone(defaults) as Record<string, unknown>;
    const sources = {} as Record<keyof AppAccessSettings, SettingsSource>;
    for (const key of Object.keys(BUILT_IN) as (keyof AppAccessSettings)[]) {
      if (stored.has(key)) {
        values[key] = stored.get(key);
        sources[key] = 'database';
      } else {
        sources[key] = this.configDefaults.fromConfig.has(key) ? 'config' : 'default';
      }
    }
    return { values: values as AppAccessSettings, sources, defaults };
  }

  async get(tx: Knex = this.db): Promise<AppAccessSettings> {
    return (await this.view(tx)).values;
  }

  /** Saves the given keys; `null` removes an override (back to config). */
  async update(
    changes: Partial<Record<keyof AppAccessSettings, unknown>>,
    actor: string,
    tx: Knex = this.db,
  ): Promise<void> {
    for (const [key, value] of Object.entries(changes)) {
      if (value === undefined) continue;
      if (value === null) {
        await tx('settings').where({ key }).delete();
        continue;
      }
      await tx('settings')
        .insert({
          key,
          value: JSON.stringify(value),
          updated_by: actor,
          updated_at: nowIso(),
        })
        .onConflict('key')
        .merge();
    }
  }
}
