import { OktaAuth } from './config';

/** What went wrong talking to Okta, in words an admin can act on. */
export type OktaProblem = {
  kind:
    | 'rate_limited'
    | 'unavailable'
    | 'unauthorized'
    | 'forbidden'
    | 'not_found'
    | 'invalid'
    | 'unknown';
  /** Readable explanation, with Okta's error code and summary when it sent them. */
  message: string;
  status?: number;
  errorCode?: string;
  /** For `rate_limited`: when Okta's X-Rate-Limit-Reset says the window reopens. */
  retryAfterMs?: number;
};

type HeaderSource =
  | { get(name: string): string | null }
  | Record<string, string | undefined>;

type ErrorLike = {
  name?: string;
  message?: string;
  status?: number | string;
  errorCode?: string | number;
  errorSummary?: string;
  errorCauses?: Array<{ errorSummary?: string }>;
  url?: string;
  headers?: HeaderSource;
  code?: string;
  type?: string;
};

function header(
  headers: HeaderSource | undefined,
  name: string,
): string | undefined {
  if (!headers) return undefined;
  if (typeof (headers as any).get === 'function') {
    return (
      (headers as { get(n: string): string | null }).get(name) ?? undefined
    );
  }
  const record = headers as Record<string, string | undefined>;
  return record[name] ?? record[name.toLowerCase()];
}

/** Milliseconds until Okta's rate-limit window reopens, measured on Okta's clock when it sent one. */
export function retryAfterFromReset(
  headers: HeaderSource | undefined,
  now = Date.now(),
): number | undefined {
  const reset = Number(header(headers, 'x-rate-limit-reset'));
  if (!Number.isFinite(reset) || reset <= 0) return undefined;
  const serverDate = Date.parse(header(headers, 'date') ?? '');
  const reference = Number.isNaN(serverDate) ? now : serverDate;
  // Okta's Date header has whole seconds; a second's margin keeps us from
  // arriving just before the window reopens (the SDK does the same).
  return Math.max(0, reset * 1000 - reference) + 1000;
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'UND_ERR_SOCKET',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
]);

function oktaText(e: ErrorLike): string {
  const causes = (e.errorCauses ?? [])
    .map(c => c.errorSummary)
    .filter(Boolean)
    .join('; ');
  const summary = [e.errorSummary, causes].filter(Boolean).join(': ');
  if (e.errorCode && summary) return `${e.errorCode} ${summary}`;
  if (summary) return summary;
  return `HTTP ${e.status}`;
}

/** The scope Okta said was missing (OAuth only), from WWW-Authenticate. */
function missingScope(e: ErrorLike): string | undefined {
  const value = header(e.headers, 'www-authenticate') ?? '';
  if (!/insufficient_scope/.test(value)) return undefined;
  return /scope="([^"]*)"/.exec(value)?.[1];
}

/**
 * Sorts an error from the Okta SDK (OktaApiError, HttpError, node-fetch's
 * FetchError) into what the caller should do about it.
 */
export function describeOktaError(
  error: unknown,
  auth: OktaAuth['type'],
  now = Date.now(),
): OktaProblem {
  const e = (error ?? {}) as ErrorLike;
  const status = Number(e.status);
  const errorCode =
    e.errorCode !== undefined && e.errorCode !== null
      ? String(e.errorCode)
      : undefined;

  if (!Number.isFinite(status) || !status) {
    const network =
      e.name === 'FetchError' || (e.code && NETWORK_CODES.has(e.code));
    if (e.type === 'request-timeout') {
      return {
        kind: 'unavailable',
        message: `Okta did not answer in time (appAccess.okta.requestTimeoutSeconds): ${e.message}`,
      };
    }
    if (network) {
      const reason = (e.message ?? String(error)).replace(
        /^request to \S+ failed, reason: /,
        '',
      );
      return { kind: 'unavailable', message: `org URL unreachable: ${reason}` };
    }
    return {
      kind: 'unknown',
      message: `Calling Okta failed: ${e.message ?? String(error)}`,
    };
  }

  const text = oktaText(e);
  const tokenEndpoint = (e.url ?? '').includes('/oauth2/v1/token');
  if (status === 429) {
    const retryAfterMs = retryAfterFromReset(e.headers, now);
    const limit = header(e.headers, 'x-rate-limit-limit');
    return {
      kind: 'rate_limited',
      status,
      errorCode,
      retryAfterMs,
      message: `Okta rate limit reached (${text}${
        limit ? `, limit ${limit} per window` : ''
      })${
        retryAfterMs !== undefined
          ? `; trying again in ${Math.ceil(retryAfterMs / 1000)} s`
          : ''
      }`,
    };
  }
  if (status >= 500) {
    return {
      kind: 'unavailable',
      status,
      errorCode,
      message: `Okta is unavailable (HTTP ${status}${
        errorCode ? `, ${text}` : ''
      })`,
    };
  }
  if (tokenEndpoint && (status === 400 || status === 401)) {
    return {
      kind: 'unauthorized',
      status,
      errorCode,
      message: `Okta refused the OAuth service app's token request (HTTP ${status}${
        errorCode ? ` ${errorCode}: ${e.errorSummary ?? ''}` : ''
      }); check appAccess.okta.oauth.clientId, that the public key (keyId) is registered on the service app and that it was granted the scopes`,
    };
  }
  if (status === 401) {
    return {
      kind: 'unauthorized',
      status,
      errorCode,
      message:
        auth === 'apiToken'
          ? `Okta rejected the API token (${text})`
          : `Okta rejected the OAuth access token (${text})`,
    };
  }
  if (status === 403) {
    const scope = missingScope(e);
    return {
      kind: 'forbidden',
      status,
      errorCode,
      message: scope
        ? `Okta refused: the service app lacks the scope ${scope} (${text})`
        : `Okta refused the call (${text}); the ${
            auth === 'apiToken' ? "token's admin" : 'service app'
          } lacks a permission`,
    };
  }
  if (status === 404) {
    return {
      kind: 'not_found',
      status,
      errorCode,
      message: `Not found in Okta (${text})`,
    };
  }
  return {
    kind: 'invalid',
    status,
    errorCode,
    message: `Okta refused the call (${text})`,
  };
}
