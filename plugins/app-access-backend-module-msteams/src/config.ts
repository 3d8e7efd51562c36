import { Config } from '@backstage/config';

export type TeamsSettings = {
  webhookUrl: string;
};

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/** True for URLs a Teams Workflows webhook can have, or a local test receiver. */
export function isUsableWebhookUrl(url: URL): boolean {
  return (
    url.protocol === 'https:' ||
    (url.protocol === 'http:' && LOOPBACK.has(url.hostname))
  );
}

/** What an admin must set before the module does anything. */
export const TEAMS_REQUIRED_KEYS = ['appAccess.msteams.webhookUrl'];

/**
 * Reads `appAccess.msteams`. Undefined when the block is absent (Teams is
 * off); an error naming the key when it is wrong. The URL is never echoed:
 * it carries its own signature.
 */
export function readTeamsSettings(root: Config): TeamsSettings | undefined {
  const config = root.getOptionalConfig('appAccess.msteams');
  if (!config) return undefined;
  const raw = config.getOptionalString('webhookUrl')?.trim();
  if (!raw) {
    throw new Error(
      'Invalid config appAccess.msteams.webhookUrl: is required when appAccess.msteams is set',
    );
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(
      'Invalid config appAccess.msteams.webhookUrl: is not a URL',
    );
  }
  if (!isUsableWebhookUrl(url)) {
    throw new Error(
      `Invalid config appAccess.msteams.webhookUrl: must be an https URL (got ${url.protocol}//${url.host})`,
    );
  }
  return { webhookUrl: raw };
}
