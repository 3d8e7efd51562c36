import { Config } from '@backstage/config';

/** Tag an agent adds before solving a ticket to say "not granted". */
export const WONT_DO_TAG = 'app_access_wont_do';

/** The module's settings, read from `appAccess.zendesk`. */
export type ZendeskSettings = {
  /** API base, ending in /api/v2. */
  endpointUri: string;
  /** Where agents open tickets: https://<subdomain>.zendesk.com */
  agentBaseUrl: string;
  email: string;
  apiToken: string;
  /** Default group; the admin settings page may override it. */
  groupId?: string;
  /** Default tags; the admin settings page may override them. */
  tags: string[];
  followEveryMinutes: number;
  /** Per-call timeout towards Zendesk, in milliseconds. */
  timeoutMs: number;
};

const KEY = 'appAccess.zendesk';

/** What an admin must set before the module does anything. */
export const ZENDESK_REQUIRED_KEYS = [
  `${KEY}.subdomain`,
  `${KEY}.email`,
  `${KEY}.apiToken`,
];
const TAG = /^[a-z0-9_:-]{1,80}$/i;

function invalid(key: string, why: string): Error {
  return new Error(`Invalid config ${KEY}${key ? `.${key}` : ''}: ${why}`);
}

function positive(config: Config, key: string, fallback: number): number {
  const value = config.getOptionalNumber(key);
  if (value === undefined) return fallback;
  if (!(value > 0)) throw invalid(key, 'must be a positive number');
  return value;
}

/**
 * Reads `appAccess.zendesk`. Returns undefined when the section is absent
 * (the module then stays off); throws an error naming the key when it is
 * invalid.
 */
export function readZendeskConfig(root: Config): ZendeskSettings | undefined {
  const config = root.getOptionalConfig(KEY);
  if (!config) return undefined;

  const subdomain = config.getOptionalString('subdomain')?.trim();
  const endpoint = config
    .getOptionalString('endpointUri')
    ?.trim()
    .replace(/\/+$/, '');
  if (
    subdomain !== undefined &&
    !/^[a-z0-9][a-z0-9-]{0,62}$/i.test(subdomain)
  ) {
    throw invalid(
      'subdomain',
      `'${subdomain}' is not a Zendesk subdomain such as acme (for acme.zendesk.com)`,
    );
  }
  let endpointUri: string;
  let agentBaseUrl: string;
  if (endpoint) {
    let url: URL;
    try {
      url = new URL(endpoint);
    } catch {
      throw invalid(
        'endpointUri',
        `'${endpoint}' is not a URL such as https://acme.zendesk.com/api/v2`,
      );
    }
    if (!/^https?:$/.test(url.protocol) || !url.pathname.endsWith('/api/v2')) {
      throw invalid(
        'endpointUri',
        `'${endpoint}' must be an http(s) URL ending in /api/v2`,
      );
    }
    endpointUri = endpoint;
    agentBaseUrl = subdomain
      ? `https://${subdomain}.zendesk.com`
      : `${url.origin}${url.pathname.slice(0, -'/api/v2'.length)}`;
  } else if (subdomain) {
    endpointUri = `https://${subdomain}.zendesk.com/api/v2`;
    agentBaseUrl = `https://${subdomain}.zendesk.com`;
  } else {
    throw invalid(
      '',
      'set subdomain (acme for acme.zendesk.com) or endpointUri',
    );
  }

  const email = config.getString('email').trim();
  if (!/^[^\s@]+@[^\s@]+$/.test(email)) {
    throw invalid('email', `'${email}' is not an email address`);
  }
  const apiToken = config.getString('apiToken');
  if (!apiToken.trim()) throw invalid('apiToken', 'must not be empty');

  // Strings: the core reads the same keys as strings for the settings page.
  const groupId = config.getOptionalString('groupId')?.trim() || undefined;
  if (groupId !== undefined && !/^[1-9][0-9]{0,19}$/.test(groupId)) {
    throw invalid('groupId', `'${groupId}' is not a numeric Zendesk group id`);
  }
  const tags = config.getOptionalStringArray('tags') ?? ['app-access'];
  const badTag = tags.find(t => !TAG.test(t));
  if (badTag !== undefined) {
    throw invalid(
      'tags',
      `'${badTag}' is not a simple tag (letters, digits, _ - :)`,
    );
  }

  return {
    endpointUri,
    agentBaseUrl,
    email,
    apiToken,
    groupId,
    tags,
    followEveryMinutes: positive(config, 'followEveryMinutes', 10),
    timeoutMs: positive(config, 'timeoutSeconds', 30) * 1000,
  };
}
