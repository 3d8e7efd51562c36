import { HttpException } from 'jira.js';

/** What a failed Jira call means for the request. */
export type JiraFailure =
  | { kind: 'retry'; message: string; retryAfterMs?: number; status?: number }
  | { kind: 'failed'; message: string; status?: number };

type AnyRecord = Record<string, any>;

/** HTTP status of a jira.js error, if Jira answered at all. */
export function jiraStatus(error: unknown): number | undefined {
  if (error instanceof HttpException) {
    const cause = error.cause as AnyRecord | undefined;
    // jira.js wraps errors without an HTTP response too (status 500 by default)
    return (
      cause?.response?.status ??
      (isObject(error.response) ? error.response.status : undefined)
    );
  }
  const e = error as AnyRecord | undefined;
  return typeof e?.response?.status === 'number'
    ? e.response.status
    : undefined;
}

function isObject(value: unknown): value is AnyRecord {
  return typeof value === 'object' && value !== null;
}

function headersOf(error: unknown): AnyRecord | undefined {
  const cause =
    error instanceof HttpException
      ? (error.cause as AnyRecord)
      : (error as AnyRecord);
  return cause?.response?.headers;
}

function bodyOf(error: unknown): unknown {
  if (error instanceof HttpException && isObject(error.response)) {
    return error.response.data;
  }
  return (error as AnyRecord)?.response?.data;
}

/** Jira's own words about what went wrong (errorMessages, errors, errorMessage). */
export function jiraErrorText(error: unknown): string {
  const body = bodyOf(error);
  const parts: string[] = [];
  if (typeof body === 'string') {
    parts.push(body.trim().slice(0, 300));
  } else if (isObject(body)) {
    if (typeof body.errorMessage === 'string') parts.push(body.errorMessage);
    if (Array.isArray(body.errorMessages))
      parts.push(...body.errorMessages.map(String));
    if (isObject(body.errors)) {
      for (const [field, text] of Object.entries(body.errors))
        parts.push(`${field}: ${text}`);
    }
    if (!parts.length && typeof body.message === 'string')
      parts.push(body.message);
  }
  if (!parts.length && error instanceof Error) parts.push(error.message);
  return parts.filter(Boolean).join('; ');
}

/** Milliseconds from a Retry-After header (seconds or an HTTP date). */
export function parseRetryAfter(
  value: unknown,
  now = Date.now(),
): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const text = String(value).trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.ceil(Number(text) * 1000);
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function retryAfterOf(error: unknown): number | undefined {
  const headers = headersOf(error);
  if (!headers) return undefined;
  const value =
    typeof headers.get === 'function'
      ? headers.get('retry-after')
      : headers['retry-after'];
  return parseRetryAfter(value);
}

/**
 * Sorts a jira.js error: rate limits, server errors and network trouble are
 * worth retrying; everything else needs a person to change something.
 */
export function classifyJiraError(error: unknown, doing: string): JiraFailure {
  const status = jiraStatus(error);
  const text = jiraErrorText(error);
  if (status === undefined) {
    const code =
      (error as AnyRecord)?.code ?? (error as AnyRecord)?.cause?.code;
    return {
      kind: 'retry',
      message: `Could not reach Jira while ${doing}${
        code ? ` (${code})` : ''
      }: ${text}`,
    };
  }
  if (status === 429) {
    return {
      kind: 'retry',
      status,
      retryAfterMs: retryAfterOf(error),
      message: `Jira is rate limiting App Access (429) while ${doing}`,
    };
  }
  if (status >= 500 || status === 408 || status === 409) {
    return {
      kind: 'retry',
      status,
      retryAfterMs: retryAfterOf(error),
      message: `Jira answered ${status} while ${doing}: ${text}`,
    };
  }
  if (status === 401) {
    return {
      kind: 'failed',
      status,
      message: `Jira rejected the credentials (401) while ${doing}: check appAccess.jira.email and appAccess.jira.apiToken`,
    };
  }
  if (status === 403) {
    return {
      kind: 'failed',
      status,
      message: `Jira refused access (403) while ${doing}: ${text}`,
    };
  }
  return {
    kind: 'failed',
    status,
    message: `Jira answered ${status} while ${doing}: ${text}`,
  };
}
