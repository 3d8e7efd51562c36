import { Config } from '@backstage/config';

/** The `appAccess.slack` block, checked. */
export type SlackSettings = {
  botToken: string;
  /** Absent only with Socket Mode, where no request URL is exposed. */
  signingSecret?: string;
  channel?: string;
  apiUrl?: string;
  /** App-level token (xapp-...) when interactions come over Socket Mode. */
  socketModeAppToken?: string;
};

const KEY = 'appAccess.slack';

/**
 * What an admin must set before the module does anything (the signing
 * secret, or instead socketMode.appToken).
 */
export const SLACK_REQUIRED_KEYS = [`${KEY}.botToken`, `${KEY}.signingSecret`];

function invalid(key: string, why: string): Error {
  return new Error(`Invalid config ${KEY}.${key}: ${why}`);
}

function requiredString(config: Config, key: string): string {
  const value = config.getOptionalString(key);
  if (value === undefined || value.trim() === '') {
    throw invalid(key, 'is required when appAccess.slack is set');
  }
  return value.trim();
}

/**
 * Reads `appAccess.slack`. Returns undefined when the block is absent (Slack
 * is off) and throws an error naming the key when something is wrong, so a
 * typo fails start-up instead of silently dropping approvals.
 */
export function readSlackSettings(root: Config): SlackSettings | undefined {
  const config = root.getOptionalConfig(KEY);
  if (!config) return undefined;

  const botToken = requiredString(config, 'botToken');
  if (!botToken.startsWith('xoxb-')) {
    throw invalid(
      'botToken',
      'must be a bot token (xoxb-...), from OAuth & Permissions of the Slack app',
    );
  }
  let socketModeAppToken: string | undefined;
  if (config.has('socketMode')) {
    socketModeAppToken = config
      .getOptionalString('socketMode.appToken')
      ?.trim();
    if (!socketModeAppToken) {
      throw invalid(
        'socketMode.appToken',
        'is required when socketMode is set',
      );
    }
    if (!socketModeAppToken.startsWith('xapp-')) {
      throw invalid(
        'socketMode.appToken',
        'must be an app-level token (xapp-...) with the connections:write scope, from Basic Information of the Slack app',
      );
    }
  }
  // With Socket Mode Slack never calls the backend, so nothing is signed.
  const signingSecret = socketModeAppToken
    ? config.getOptionalString('signingSecret')?.trim() || undefined
    : requiredString(config, 'signingSecret');

  const channel = config.getOptionalString('channel')?.trim() || undefined;
  if (channel !== undefined && !/^[CG][A-Z0-9]{2,}$/.test(channel)) {
    throw invalid(
      'channel',
      `'${channel}' is not a channel id (like C0123456789); copy it from the channel's details in Slack`,
    );
  }

  let apiUrl = config.getOptionalString('apiUrl')?.trim() || undefined;
  if (apiUrl !== undefined) {
    let parsed: URL;
    try {
      parsed = new URL(apiUrl);
    } catch {
      throw invalid('apiUrl', `'${apiUrl}' is not a URL`);
    }
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
      throw invalid('apiUrl', 'must be an http(s) URL');
    }
    // The Web API client appends method names to this prefix.
    if (!apiUrl.endsWith('/')) apiUrl = `${apiUrl}/`;
  }

  return { botToken, signingSecret, channel, apiUrl, socketModeAppToken };
}
