import crypto from 'node:crypto';
import { Config } from '@backstage/config';

export const DEFAULT_OAUTH_SCOPES = [
  'okta.users.read',
  'okta.groups.manage',
  'okta.apps.manage',
];

export type OktaAuth =
  | { type: 'apiToken'; token: string }
  | {
      type: 'oauth';
      clientId: string;
      privateKey: string;
      keyId?: string;
      scopes: string[];
    };

/** `appAccess.okta`, checked. */
export type OktaConfig = {
  orgUrl: string;
  auth: OktaAuth;
  provisioningTimeoutMs: number;
  pollMs: number;
  requestTimeoutMs: number;
  /**
   * The Okta groups and apps App Access may grant; a list left out of the
   * config is undefined (any id: the module warns), an empty list allows none.
   */
  allowed: { groupIds?: string[]; appIds?: string[] };
};

const KEY = 'appAccess.okta';

/** What an admin must set before the module does anything (or oauth instead of apiToken). */
export const OKTA_REQUIRED_KEYS = [`${KEY}.orgUrl`, `${KEY}.apiToken`];

function invalid(key: string, why: string): Error {
  return new Error(`Invalid config ${KEY}${key ? `.${key}` : ''}: ${why}`);
}

function positive(config: Config, key: string, fallback: number): number {
  const value = config.getOptionalNumber(key) ?? fallback;
  if (!(value > 0)) throw invalid(key, 'must be a positive number');
  return value;
}

function readOrgUrl(config: Config): string {
  const raw = config.getString('orgUrl').trim();
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw invalid(
      'orgUrl',
      `'${raw}' is not a URL; use your org's address, e.g. https://acme.okta.com`,
    );
  }
  const local = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && local)) {
    throw invalid(
      'orgUrl',
      `must be an https URL such as https://acme.okta.com (got '${raw}')`,
    );
  }
  if (/-admin\./.test(url.hostname)) {
    throw invalid(
      'orgUrl',
      `'${raw}' is the admin console; use the org URL without '-admin' (e.g. https://acme.okta.com)`,
    );
  }
  if (url.pathname !== '/' || url.search || url.hash) {
    throw invalid(
      'orgUrl',
      `must be the bare org URL without a path (got '${raw}')`,
    );
  }
  return url.origin;
}

function readScopes(config: Config): string[] {
  const key = 'oauth.scopes';
  if (!config.has('scopes')) return DEFAULT_OAUTH_SCOPES;
  const value = config.getOptional('scopes');
  let list: string[] = [];
  if (Array.isArray(value)) list = value.map(String);
  else if (typeof value === 'string') list = value.split(/[\s,]+/);
  const scopes = list.map(s => s.trim()).filter(Boolean);
  if (!scopes.length) {
    throw invalid(
      key,
      'must list at least one scope, e.g. okta.users.read okta.groups.manage okta.apps.manage',
    );
  }
  return scopes;
}

/** An allow-list of Okta ids; undefined when the key is absent. */
function readIdList(config: Config, key: string): string[] | undefined {
  if (!config.has(key)) return undefined;
  let ids: string[];
  try {
    ids = config.getStringArray(key);
  } catch {
    throw invalid(key, 'must be a list of Okta ids, e.g. [00g1abc, 00g2def]');
  }
  const trimmed = ids.map(id => id.trim());
  if (trimmed.some(id => !id)) throw invalid(key, 'must not hold empty ids');
  return [...new Set(trimmed)];
}

function checkPrivateKey(privateKey: string) {
  try {
    const trimmed = privateKey.trim();
    if (trimmed.startsWith('{')) {
      crypto.createPrivateKey({ key: JSON.parse(trimmed), format: 'jwk' });
    } else {
      crypto.createPrivateKey(trimmed);
    }
  } catch (error) {
    throw invalid(
      'oauth.privateKey',
      `is not a PEM or JWK private key (${(error as Error).message})`,
    );
  }
}

/**
 * Reads `appAccess.okta`. Returns undefined when the block is absent (the
 * module then stays off); throws an error naming the key when it is wrong,
 * so a bad deployment fails at start-up rather than on the first request.
 */
export function readOktaConfig(root: Config): OktaConfig | undefined {
  const config = root.getOptionalConfig(KEY);
  if (!config) return undefined;

  const orgUrl = readOrgUrl(config);
  const token = config.getOptionalString('apiToken')?.trim();
  const oauth = config.getOptionalConfig('oauth');
  if (token && oauth) {
    throw invalid('', 'set either apiToken or oauth, not both');
  }
  let auth: OktaAuth;
  if (token) {
    if (/^SSWS\s/i.test(token)) {
      throw invalid(
        'apiToken',
        "give the token itself, without the 'SSWS ' prefix",
      );
    }
    auth = { type: 'apiToken', token };
  } else if (oauth) {
    const clientId = oauth.getOptionalString('clientId')?.trim();
    if (!clientId)
      throw invalid(
        'oauth.clientId',
        "is required with oauth (the service app's client ID)",
      );
    const privateKey = oauth.getOptionalString('privateKey');
    if (!privateKey?.trim()) {
      throw invalid(
        'oauth.privateKey',
        "is required with oauth (PEM or JWK of the service app's key)",
      );
    }
    checkPrivateKey(privateKey);
    auth = {
      type: 'oauth',
      clientId,
      privateKey: privateKey.trim(),
      keyId: oauth.getOptionalString('keyId')?.trim() || undefined,
      scopes: readScopes(oauth),
    };
  } else {
    throw invalid(
      '',
      'set apiToken (an Okta API token) or oauth (clientId, privateKey) so App Access can call Okta',
    );
  }

  return {
    orgUrl,
    auth,
    allowed: {
      groupIds: readIdList(config, 'allowedGroupIds'),
      appIds: readIdList(config, 'allowedAppIds'),
    },
    provisioningTimeoutMs:
      positive(config, 'provisioningTimeoutMinutes', 10) * 60_000,
    pollMs: positive(config, 'pollSeconds', 30) * 1000,
    requestTimeoutMs: positive(config, 'requestTimeoutSeconds', 30) * 1000,
  };
}

/** `appAccess.okta.sync`, checked (see docs/okta.md, "Directory and usage sync"). */
export type OktaSyncConfig = {
  enabled: boolean;
  everyMinutes: number;
  /** Read `user.authentication.sso` events and record each person's last sign-in per app. */
  lastUsed: boolean;
  /** How far back the first last-used read goes. */
  lastUsedLookbackDays: number;
  /** The sync's own cap per endpoint family, below Okta's limit. */
  requestsPerMinute?: number;
  /** A full read at least this often; runs in between are incremental. */
  fullEveryHours: number;
  /** Share of each Okta rate-limit window the sync leaves for everything else. */
  rateLimitReservePercent: number;
  /** The window's last seconds in which the reserve shrinks to nothing. */
  rateLimitReserveReleaseSeconds: number;
};

/** Reads `appAccess.okta.sync`; only meaningful when `appAccess.okta` is set. */
export function readOktaSyncConfig(root: Config): OktaSyncConfig {
  const key = 'sync';
  const config = root.getOptionalConfig(`${KEY}.${key}`);
  const num = (
    name: string,
    fallback: number,
    check: (v: number) => boolean,
    why: string,
  ) => {
    const value = config?.getOptionalNumber(name) ?? fallback;
    if (!check(value)) throw invalid(`${key}.${name}`, why);
    return value;
  };
  const rpm = config?.getOptionalNumber('requestsPerMinute');
  if (rpm !== undefined && !(rpm >= 1)) {
    throw invalid(`${key}.requestsPerMinute`, 'must be at least 1');
  }
  return {
    enabled: config?.getOptionalBoolean('enabled') ?? true,
    everyMinutes: num(
      'everyMinutes',
      60,
      v => v > 0,
      'must be a positive number',
    ),
    lastUsed: config?.getOptionalBoolean('lastUsed') ?? false,
    lastUsedLookbackDays: num(
      'lastUsedLookbackDays',
      7,
      v => v > 0 && v <= 90,
      'must be between 1 and 90 (Okta keeps the System Log for 90 days)',
    ),
    requestsPerMinute: rpm,
    fullEveryHours: num(
      'fullEveryHours',
      24,
      v => v > 0,
      'must be a positive number',
    ),
    rateLimitReservePercent: num(
      'rateLimitReservePercent',
      10,
      v => v >= 0 && v <= 90,
      'must be between 0 and 90',
    ),
    rateLimitReserveReleaseSeconds: num(
      'rateLimitReserveReleaseSeconds',
      10,
      v => v >= 0 && v <= 60,
      'must be between 0 and 60',
    ),
  };
}
