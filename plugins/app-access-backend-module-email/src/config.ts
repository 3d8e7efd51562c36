import { createPrivateKey } from 'node:crypto';
import { Config } from '@backstage/config';

export type Branding = {
  title: string;
  logoUrl?: string;
  accentColor: string;
};

export type EmailConfig = {
  smtp: {
    host: string;
    port: number;
    secure: boolean;
    requireTLS: boolean;
    ignoreTLS: boolean;
    auth?: { user: string; pass: string };
  };
  dkim?: { domainName: string; keySelector: string; privateKey: string };
  /** Defaults; the App Access settings page may override them. */
  from: { name?: string; address: string };
  tokenTtlDays: number;
  /** Default; the App Access settings page may override it. */
  ticketAddress?: string;
  /** Backend base URL without a trailing slash; action links start with it. */
  backendBaseUrl: string;
  /** From `appAccess.branding`, for when the settings cannot be read. */
  branding: Branding;
};

const DEFAULT_TITLE = 'App Access';
const DEFAULT_ACCENT = '#1f5493';
const EMAIL_ADDRESS = /^[^\s@<>",;]+@[^\s@<>",;]+$/;
const HEX_COLOUR = /^#(?:[0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$/;

function invalid(key: string, why: string): Error {
  return new Error(`Invalid config ${key}: ${why}`);
}

function requiredString(config: Config, key: string, path: string): string {
  const value = config.getOptionalString(key)?.trim();
  if (!value) {
    throw invalid(path, 'required when appAccess.email is set');
  }
  return value;
}

function emailAddress(value: string, path: string): string {
  if (!EMAIL_ADDRESS.test(value)) {
    throw invalid(path, `'${value}' is not an email address`);
  }
  return value;
}

function httpUrl(value: string, path: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalid(path, `'${value}' is not an absolute URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw invalid(path, `'${value}' must be an http(s) URL`);
  }
  return value.replace(/\/+$/, '');
}

/**
 * Branding with defaults, keeping only what is safe to put into a style or
 * an image source: a hex colour and an http(s) logo URL. The core validates
 * these too; this guards the HTML against anything that slipped through.
 */
export function sanitizeBranding(raw?: {
  title?: string;
  logoUrl?: string;
  accentColor?: string;
}): Branding {
  const logoUrl = raw?.logoUrl?.trim();
  return {
    title: raw?.title?.trim() || DEFAULT_TITLE,
    logoUrl:
      logoUrl && /^https?:\/\/[^\s"'<>]+$/i.test(logoUrl) ? logoUrl : undefined,
    accentColor:
      raw?.accentColor && HEX_COLOUR.test(raw.accentColor)
        ? raw.accentColor
        : DEFAULT_ACCENT,
  };
}

/** What an admin must set before the module does anything. */
export const EMAIL_REQUIRED_KEYS = [
  'appAccess.email.smtp.host',
  'appAccess.email.from.address',
];

/**
 * Reads `appAccess.email`; undefined when it is absent. Anything invalid
 * fails start-up with a message naming the key (never its secret value).
 */
export function readEmailConfig(config: Config): EmailConfig | undefined {
  const email = config.getOptionalConfig('appAccess.email');
  if (!email) return undefined;

  if (!email.getOptionalConfig('smtp')) {
    throw invalid(
      'appAccess.email.smtp',
      'required when appAccess.email is set',
    );
  }
  const host = requiredString(email, 'smtp.host', 'appAccess.email.smtp.host');
  const secure = email.getOptionalBoolean('smtp.secure') ?? false;
  const port = email.getOptionalNumber('smtp.port') ?? (secure ? 465 : 587);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw invalid(
      'appAccess.email.smtp.port',
      `${port} is not a port number (1-65535)`,
    );
  }
  const requireTLS = email.getOptionalBoolean('smtp.requireTLS') ?? false;
  const ignoreTLS = email.getOptionalBoolean('smtp.ignoreTLS') ?? false;
  if (requireTLS && ignoreTLS) {
    throw invalid(
      'appAccess.email.smtp.ignoreTLS',
      'cannot be combined with requireTLS',
    );
  }

  let auth: EmailConfig['smtp']['auth'];
  if (email.has('smtp.auth')) {
    auth = {
      user: requiredString(
        email,
        'smtp.auth.user',
        'appAccess.email.smtp.auth.user',
      ),
      pass: requiredString(
        email,
        'smtp.auth.pass',
        'appAccess.email.smtp.auth.pass',
      ),
    };
  }

  let dkim: EmailConfig['dkim'];
  if (email.has('dkim')) {
    const privateKey = requiredString(
      email,
      'dkim.privateKey',
      'appAccess.email.dkim.privateKey',
    ).replace(/\\n/g, '\n');
    try {
      createPrivateKey(privateKey);
    } catch {
      throw invalid(
        'appAccess.email.dkim.privateKey',
        'is not a PEM private key',
      );
    }
    dkim = {
      domainName: requiredString(
        email,
        'dkim.domainName',
        'appAccess.email.dkim.domainName',
      ),
      keySelector: requiredString(
        email,
        'dkim.keySelector',
        'appAccess.email.dkim.keySelector',
      ),
      privateKey,
    };
  }

  const from = {
    name: email.getOptionalString('from.name')?.trim() || undefined,
    address: emailAddress(
      requiredString(email, 'from.address', 'appAccess.email.from.address'),
      'appAccess.email.from.address',
    ),
  };

  const tokenTtlDays = email.getOptionalNumber('tokenTtlDays') ?? 7;
  if (!(tokenTtlDays > 0) || tokenTtlDays > 365) {
    throw invalid(
      'appAccess.email.tokenTtlDays',
      'must be a number of days above 0 and at most 365',
    );
  }

  const ticket = email.getOptionalString('ticketAddress')?.trim();
  const ticketAddress = ticket
    ? emailAddress(ticket, 'appAccess.email.ticketAddress')
    : undefined;

  const baseUrl = config.getOptionalString('backend.baseUrl');
  if (!baseUrl) {
    throw invalid(
      'backend.baseUrl',
      'required for the Approve / Deny links in emails',
    );
  }

  return {
    smtp: { host, port, secure, requireTLS, ignoreTLS, auth },
    dkim,
    from,
    tokenTtlDays,
    ticketAddress,
    backendBaseUrl: httpUrl(baseUrl, 'backend.baseUrl'),
    branding: sanitizeBranding({
      title: config.getOptionalString('appAccess.branding.title'),
      logoUrl: config.getOptionalString('appAccess.branding.logoUrl'),
      accentColor: config.getOptionalString('appAccess.branding.accentColor'),
    }),
  };
}
