import { Config } from '@backstage/config';

/** The Teams bot (Azure Bot resource + Entra app registration). */
export type TeamsBotSettings = {
  /** Entra application (client) id of the bot; the audience of every inbound token. */
  appId: string;
  /** Client secret of that app registration. */
  appPassword: string;
  /** Entra tenant (directory) id the app registration lives in. */
  tenantId: string;
  /** Where Bot Framework publishes its issuer and signing keys. */
  openIdMetadataUrl: string;
  /** Issuer of channel tokens. */
  issuer: string;
  /** OAuth 2.0 token endpoint for the bot's own (client credentials) tokens. */
  tokenUrl: string;
  /** Scope of the bot's own tokens towards the Bot Connector service. */
  scope: string;
  /**
   * User entity annotations that may carry a person's Entra ID object id:
   * `graph.microsoft.com/user-id` and the configured one, if any.
   */
  objectIdAnnotations: string[];
};

export type TeamsSettings = {
  /** Channel posts through a Workflows webhook (no buttons). */
  webhookUrl?: string;
  /** 1:1 approvals and notices through the Teams bot. */
  bot?: TeamsBotSettings;
};

export const BOT_FRAMEWORK_OPENID_METADATA =
  'https://login.botframework.com/v1/.well-known/openidconfiguration';
export const BOT_FRAMEWORK_ISSUER = 'https://api.botframework.com';
export const BOT_CONNECTOR_SCOPE = 'https://api.botframework.com/.default';
/** Where Backstage's Microsoft Graph org provider keeps a user's object id. */
export const GRAPH_USER_ID_ANNOTATION = 'graph.microsoft.com/user-id';
const ANNOTATION_KEY =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[a-z0-9A-Z]([-a-zA-Z0-9_.]*[a-zA-Z0-9])?$/;

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/** True for URLs a Teams Workflows webhook can have, or a local test receiver. */
export function isUsableWebhookUrl(url: URL): boolean {
  return (
    url.protocol === 'https:' ||
    (url.protocol === 'http:' && LOOPBACK.has(url.hostname))
  );
}

/** What an admin must set before the module does anything (one of the two). */
export const TEAMS_REQUIRED_KEYS = [
  'appAccess.msteams.webhookUrl',
  'appAccess.msteams.bot.appId',
];

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function invalid(key: string, why: string): Error {
  return new Error(`Invalid config appAccess.msteams.${key}: ${why}`);
}

function urlOf(config: Config, key: string, fallback: string): string {
  const raw = config.getOptionalString(key)?.trim() || fallback;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw invalid(`bot.${key}`, `'${raw}' is not a URL`);
  }
  if (!isUsableWebhookUrl(parsed)) {
    throw invalid(`bot.${key}`, 'must be an https URL');
  }
  return raw;
}

function readBot(config: Config): TeamsBotSettings {
  const required = (key: string) => {
    const value = config.getOptionalString(key)?.trim();
    if (!value) {
      throw invalid(
        `bot.${key}`,
        'is required when appAccess.msteams.bot is set',
      );
    }
    return value;
  };
  const appId = required('appId');
  if (!GUID.test(appId)) {
    throw invalid(
      'bot.appId',
      'must be the Application (client) ID of the Entra app registration (a GUID)',
    );
  }
  const appPassword = required('appPassword');
  const tenantId = required('tenantId');
  if (!GUID.test(tenantId)) {
    throw invalid(
      'bot.tenantId',
      'must be the Directory (tenant) ID of your Entra tenant (a GUID)',
    );
  }
  const annotation = config.getOptionalString('objectIdAnnotation')?.trim();
  if (annotation !== undefined && !ANNOTATION_KEY.test(annotation)) {
    throw invalid(
      'bot.objectIdAnnotation',
      `'${annotation}' is not an annotation key (e.g. acme.com/entra-object-id)`,
    );
  }
  return {
    appId,
    appPassword,
    tenantId,
    objectIdAnnotations: [
      ...new Set([
        GRAPH_USER_ID_ANNOTATION,
        ...(annotation ? [annotation] : []),
      ]),
    ],
    openIdMetadataUrl: urlOf(
      config,
      'openIdMetadataUrl',
      BOT_FRAMEWORK_OPENID_METADATA,
    ),
    issuer: config.getOptionalString('issuer')?.trim() || BOT_FRAMEWORK_ISSUER,
    tokenUrl: urlOf(
      config,
      'tokenUrl',
      `https://login.microsoftonline.com/${tenantId}/oauth2/v2.0/token`,
    ),
    scope: BOT_CONNECTOR_SCOPE,
  };
}

/**
 * Reads `appAccess.msteams`. Undefined when the block is absent (Teams is
 * off); an error naming the key when it is wrong. The webhook URL is never
 * echoed: it carries its own signature.
 */
export function readTeamsSettings(root: Config): TeamsSettings | undefined {
  const config = root.getOptionalConfig('appAccess.msteams');
  if (!config) return undefined;
  const bot = config.has('bot') ? readBot(config.getConfig('bot')) : undefined;
  const raw = config.getOptionalString('webhookUrl')?.trim();
  if (!raw) {
    if (bot) return { bot };
    throw new Error(
      'Invalid config appAccess.msteams.webhookUrl: is required when appAccess.msteams is set (or set appAccess.msteams.bot)',
    );
  }
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new Error(
      'Invalid config appAccess.msteams.webhookUrl: is not a URL',
    );
  }
  if (!isUsableWebhookUrl(parsed)) {
    throw new Error(
      `Invalid config appAccess.msteams.webhookUrl: must be an https URL (got ${parsed.protocol}//${parsed.host})`,
    );
  }
  return { webhookUrl: raw, ...(bot ? { bot } : {}) };
}
