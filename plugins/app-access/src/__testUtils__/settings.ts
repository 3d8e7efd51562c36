import {
  AppAccessSettings,
  SettingsResponse,
} from '@app-access/plugin-app-access-common';
import type { SettingsUpdate } from '../api/AppAccessApi';

const settingsValues: AppAccessSettings = {
  approvalMethod: 'slack',
  defaultApprovers: ['group:default/it-admins'],
  fallbackApprover: 'user:default/fiona.fallback',
  reminders: { intervalHours: 24, maxCount: 3 },
  ticketing: {
    system: 'jira',
    jira: { serviceDeskId: '1', requestTypeId: '10' },
  },
  notifications: {
    emailFromName: 'App Access',
    emailFromAddress: 'apps@acme.example',
    slackChannel: '#it-requests',
  },
  peers: { roleBasis: 'title', showNames: 'team' },
  branding: { title: 'Acme Apps' },
  onBehalf: 'reports',
  access: { expiryNoticeDays: 3, maxDurationDays: 90 },
};

const settingsDefaults: AppAccessSettings = {
  ...settingsValues,
  fallbackApprover: undefined,
  ticketing: { system: 'manual' },
  branding: {},
};

export const settingsResponse: SettingsResponse = {
  values: settingsValues,
  sources: {
    approvalMethod: 'config',
    defaultApprovers: 'config',
    fallbackApprover: 'database',
    reminders: 'default',
    ticketing: 'database',
    notifications: 'config',
    peers: 'default',
    branding: 'database',
    onBehalf: 'default',
    access: 'config',
  },
  defaults: settingsDefaults,
  modules: {
    fulfillers: ['okta-group', 'okta-app', 'jira', 'manual'],
    notifiers: ['slack', 'email'],
  },
  integrations: {
    email: {
      configured: true,
      installed: true,
      details: { smtpHost: 'smtp.acme.example', dkim: true },
    },
    slack: { configured: true, installed: true },
    msteams: { configured: false, installed: false },
    okta: {
      configured: true,
      installed: true,
      details: { orgUrl: 'https://acme.okta.com' },
    },
    jira: {
      configured: true,
      installed: true,
      details: { baseUrl: 'https://acme.atlassian.net' },
    },
    zendesk: { configured: false, installed: false },
  },
};

/** A fake settings store: PUT merges, null goes back to the defaults. */
export function fakeSettings() {
  let current: SettingsResponse = structuredClone(settingsResponse);
  return {
    get: async () => structuredClone(current),
    update: async (changes: SettingsUpdate) => {
      const next = structuredClone(current);
      for (const [key, value] of Object.entries(changes) as Array<
        [keyof AppAccessSettings, unknown]
      >) {
        if (value === null) {
          (next.values as Record<string, unknown>)[key] = structuredClone(
            next.defaults[key],
          );
          next.sources[key] =
            settingsResponse.sources[key] === 'default' ? 'default' : 'config';
        } else if (value !== undefined) {
          (next.values as Record<string, unknown>)[key] = value;
          next.sources[key] = 'database';
        }
      }
      current = next;
      return structuredClone(current);
    },
  };
}
