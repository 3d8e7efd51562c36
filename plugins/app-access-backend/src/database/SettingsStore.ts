import { Knex } from 'knex';
import { Config } from '@backstage/config';
import {
  AppAccessSettings,
  ApprovalMethod,
  OnBehalfRule,
  TicketingSystem,
} from '@app-access/plugin-app-access-common';
import { fromJson, nowIso } from './json';

const SETTINGS_TTL_MS = 5_000;

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
  notifications: {},
  peers: { roleBasis: 'title', showNames: 'team' },
  branding: {},
  onBehalf: 'reports',
  access: { expiryNoticeDays: 3 },
};

function dropUndefined<T extends Record<string, unknown>>(value: T): T {
  return Object.fromEntries(
    Object.entries(value).filter(([, v]) => v !== undefined),
  ) as T;
}

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
    for (const ref of approvers)
      assertEntityRef(ref, 'appAccess.approvals.defaultApprovers');
    values.defaultApprovers = approvers;
    fromConfig.add('defaultApprovers');
  }
  const fallback = config.getOptionalString(
    'appAccess.approvals.fallbackApprover',
  );
  if (fallback) {
    assertEntityRef(fallback, 'appAccess.approvals.fallbackApprover');
    values.fallbackApprover = fallback;
    fromConfig.add('fallbackApprover');
  }
  const interval = config.getOptionalNumber(
    'appAccess.reminders.intervalHours',
  );
  const maxCount = config.getOptionalNumber('appAccess.reminders.maxCount');
  if (interval !== undefined) {
    if (!(interval > 0)) {
      throw new Error(
        'Invalid config appAccess.reminders.intervalHours: must be a positive number',
      );
    }
    values.reminders.intervalHours = interval;
    fromConfig.add('reminders');
  }
  if (maxCount !== undefined) {
    if (!Number.isInteger(maxCount) || maxCount < 0) {
      throw new Error(
        'Invalid config appAccess.reminders.maxCount: must be a whole number ≥ 0',
      );
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
  const auditTickets = config.getOptionalBoolean(
    'appAccess.ticketing.auditTickets',
  );
  const jira = dropUndefined({
    serviceDeskId: config.getOptionalString('appAccess.jira.serviceDeskId'),
    requestTypeId: config.getOptionalString('appAccess.jira.requestTypeId'),
  });
  const zendesk = dropUndefined({
    groupId: config.getOptionalString('appAccess.zendesk.groupId'),
    tags: config.getOptionalStringArray('appAccess.zendesk.tags'),
  });
  const ticketAddress = config.getOptionalString(
    'appAccess.email.ticketAddress',
  );
  if (
    auditTickets !== undefined ||
    Object.keys(jira).length ||
    Object.keys(zendesk).length ||
    ticketAddress
  ) {
    values.ticketing = dropUndefined({
      ...values.ticketing,
      auditTickets,
      jira: Object.keys(jira).length ? jira : undefined,
      zendesk: Object.keys(zendesk).length ? zendesk : undefined,
      email: ticketAddress ? { ticketAddress } : undefined,
    });
    fromConfig.add('ticketing');
  }
  const notifications = dropUndefined({
    emailFromName: config.getOptionalString('appAccess.email.from.name'),
    emailFromAddress: config.getOptionalString('appAccess.email.from.address'),
    slackChannel: config.getOptionalString('appAccess.slack.channel'),
  });
  if (Object.keys(notifications).length) {
    values.notifications = notifications;
    fromConfig.add('notifications');
  }
  const roleBasis = config.getOptionalString('appAccess.peers.roleBasis');
  const showNames = config.getOptionalString('appAccess.peers.showNames');
  if (roleBasis !== undefined && !['title', 'department'].includes(roleBasis)) {
    throw new Error(
      `Invalid config appAccess.peers.roleBasis '${roleBasis}': expected title or department`,
    );
  }
  if (showNames !== undefined && !['none', 'team', 'all'].includes(showNames)) {
    throw new Error(
      `Invalid config appAccess.peers.showNames '${showNames}': expected none, team or all`,
    );
  }
  if (roleBasis || showNames) {
    values.peers = {
      roleBasis:
        (roleBasis as 'title' | 'department') ?? values.peers.roleBasis,
      showNames:
        (showNames as 'none' | 'team' | 'all') ?? values.peers.showNames,
    };
    fromConfig.add('peers');
  }
  const branding = dropUndefined({
    title: config.getOptionalString('appAccess.branding.title'),
    logoUrl: config.getOptionalString('appAccess.branding.logoUrl'),
    accentColor: config.getOptionalString('appAccess.branding.accentColor'),
  });
  if (branding.accentColor && !/^#[0-9a-f]{3,8}$/i.test(branding.accentColor)) {
    throw new Error(
      `Invalid config appAccess.branding.accentColor '${branding.accentColor}': expected a hex colour such as #1f5493`,
    );
  }
  if (Object.keys(branding).length) {
    values.branding = branding;
    fromConfig.add('branding');
  }
  const onBehalf = config.getOptionalString('appAccess.requests.onBehalf');
  if (onBehalf !== undefined) {
    if (!['off', 'reports', 'anyone'].includes(onBehalf)) {
      throw new Error(
        `Invalid config appAccess.requests.onBehalf '${onBehalf}': expected off, reports or anyone`,
      );
    }
    values.onBehalf = onBehalf as OnBehalfRule;
    fromConfig.add('onBehalf');
  }
  const access: Partial<AppAccessSettings['access']> = dropUndefined({
    defaultDurationDays: wholeDays(config, 'defaultDurationDays', 1),
    maxDurationDays: wholeDays(config, 'maxDurationDays', 1),
    expiryNoticeDays: wholeDays(config, 'expiryNoticeDays', 0),
  });
  if (Object.keys(access).length) {
    values.access = { ...values.access, ...access };
    const problem = accessSettingsProblem(values.access);
    if (problem) {
      throw new Error(`Invalid config appAccess.access.${problem}`);
    }
    fromConfig.add('access');
  }
  return { values, fromConfig };
}

/** appAccess.access.<key> as a whole number of days ≥ min; start-up fails otherwise. */
function wholeDays(
  config: Config,
  key: string,
  min: number,
): number | undefined {
  const value = config.getOptionalNumber(`appAccess.access.${key}`);
  if (value !== undefined && (!Number.isInteger(value) || value < min)) {
    throw new Error(
      `Invalid config appAccess.access.${key}: must be a whole number of days ≥ ${min}`,
    );
  }
  return value;
}

/**
 * What is wrong with access settings, starting with the key
 * (`defaultDurationDays: …`), or undefined: the default may not be longer
 * than the maximum.
 */
export function accessSettingsProblem(
  access: AppAccessSettings['access'],
): string | undefined {
  const { defaultDurationDays: def, maxDurationDays: max } = access;
  if (def !== undefined && max !== undefined && def > max) {
    return `defaultDurationDays: the default duration (${def} days) may not be longer than the maximum (${max} days)`;
  }
  return undefined;
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
      rows.map((r: { key: string; value: string }) => [
        r.key,
        fromJson(r.value, undefined),
      ]),
    );
    const defaults = structuredClone(this.configDefaults.values);
    const values = structuredClone(defaults) as Record<string, unknown>;
    const sources = {} as Record<keyof AppAccessSettings, SettingsSource>;
    for (const key of Object.keys(BUILT_IN) as (keyof AppAccessSettings)[]) {
      if (stored.has(key)) {
        values[key] = stored.get(key);
        sources[key] = 'database';
      } else {
        sources[key] = this.configDefaults.fromConfig.has(key)
          ? 'config'
          : 'default';
      }
    }
    return { values: values as AppAccessSettings, sources, defaults };
  }

  private cached?: { values: AppAccessSettings; until: number };

  /**
   * The effective settings. Outside a transaction they are cached for a few
   * seconds (catalog pages read them on every request); a change made on
   * this replica is seen at once, on other replicas within the TTL.
   */
  async get(tx: Knex = this.db): Promise<AppAccessSettings> {
    if (tx !== this.db) return (await this.view(tx)).values;
    if (this.cached && this.cached.until > Date.now())
      return this.cached.values;
    const values = (await this.view()).values;
    this.cached = { values, until: Date.now() + SETTINGS_TTL_MS };
    return values;
  }

  /** Forgets the cached settings (after a change commits). */
  invalidate() {
    this.cached = undefined;
  }

  /** Saves the given keys; `null` removes an override (back to config). */
  async update(
    changes: Partial<Record<keyof AppAccessSettings, unknown>>,
    actor: string,
    tx: Knex = this.db,
  ): Promise<void> {
    this.cached = undefined;
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
