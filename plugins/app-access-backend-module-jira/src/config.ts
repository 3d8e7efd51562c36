import { Config } from '@backstage/config';

/** Resolutions that mean "closed without granting" unless configured otherwise. */
export const DEFAULT_WONT_DO_RESOLUTIONS = [
  "Won't Do",
  'Declined',
  "Won't Fix",
];

/** The module's settings, read from `appAccess.jira`. */
export type JiraSettings = {
  /** Site URL without a trailing slash, e.g. https://acme.atlassian.net */
  baseUrl: string;
  email: string;
  apiToken: string;
  /** Default service desk; the admin settings page may override it. */
  serviceDeskId?: string;
  /** Default request type; the admin settings page may override it. */
  requestTypeId?: string;
  followEveryMinutes: number;
  doneResolutionsWontDo: string[];
  /** Per-call timeout towards Jira, in milliseconds. */
  timeoutMs: number;
};

const KEY = 'appAccess.jira';

/** What an admin must set before the module does anything. */
export const JIRA_REQUIRED_KEYS = [
  `${KEY}.baseUrl`,
  `${KEY}.email`,
  `${KEY}.apiToken`,
];

function invalid(key: string, why: string): Error {
  return new Error(`Invalid config ${KEY}.${key}: ${why}`);
}

/** A numeric Jira id. Strings only: the core reads the same keys as strings. */
function readId(config: Config, key: string): string | undefined {
  const value = config.getOptionalString(key)?.trim();
  if (!value) return undefined;
  if (!/^[1-9][0-9]{0,11}$/.test(value)) {
    throw invalid(key, `'${value}' is not a numeric Jira id such as '7'`);
  }
  return value;
}

function positive(config: Config, key: string, fallback: number): number {
  const value = config.getOptionalNumber(key);
  if (value === undefined) return fallback;
  if (!(value > 0)) throw invalid(key, 'must be a positive number');
  return value;
}

/**
 * Reads `appAccess.jira`. Returns undefined when the section is absent (the
 * module then stays off); throws an error naming the key when it is invalid.
 */
export function readJiraConfig(root: Config): JiraSettings | undefined {
  const config = root.getOptionalConfig(KEY);
  if (!config) return undefined;

  const baseUrl = config.getString('baseUrl').trim().replace(/\/+$/, '');
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw invalid(
      'baseUrl',
      `'${baseUrl}' is not a URL such as https://acme.atlassian.net`,
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw invalid('baseUrl', `'${baseUrl}' must start with https://`);
  }

  const email = config.getString('email').trim();
  if (!/^[^\s@]+@[^\s@]+$/.test(email)) {
    throw invalid('email', `'${email}' is not an email address`);
  }
  const apiToken = config.getString('apiToken');
  if (!apiToken.trim()) throw invalid('apiToken', 'must not be empty');

  const wontDo = config.getOptionalStringArray('doneResolutionsWontDo');
  if (wontDo && wontDo.some(r => !r.trim())) {
    throw invalid(
      'doneResolutionsWontDo',
      'resolution names must not be empty',
    );
  }

  return {
    baseUrl,
    email,
    apiToken,
    serviceDeskId: readId(config, 'serviceDeskId'),
    requestTypeId: readId(config, 'requestTypeId'),
    followEveryMinutes: positive(config, 'followEveryMinutes', 10),
    doneResolutionsWontDo: wontDo ?? DEFAULT_WONT_DO_RESOLUTIONS,
    timeoutMs: positive(config, 'timeoutSeconds', 30) * 1000,
  };
}
