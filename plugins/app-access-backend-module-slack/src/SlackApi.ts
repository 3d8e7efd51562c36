import { LoggerService } from '@backstage/backend-plugin-api';
import { ErrorCode, LogLevel, Logger, WebClient } from '@slack/web-api';
import { SlackSettings } from './config';

/**
 * A Web API client that never waits or retries by itself: a rate-limited or
 * failed call is thrown at once so the App Access outbox, which persists
 * retries across restarts, decides when to try again.
 */
export function createSlackWebClient(
  /** `botToken` may also be the app-level token, for Socket Mode. */
  settings: Pick<SlackSettings, 'botToken' | 'apiUrl'>,
  logger: LoggerService,
): WebClient {
  return new WebClient(settings.botToken, {
    slackApiUrl: settings.apiUrl,
    rejectRateLimitedCalls: true,
    retryConfig: { retries: 0 },
    timeout: 10_000,
    logger: slackLogger(logger),
  });
}

function slackLogger(logger: LoggerService): Logger {
  let level = LogLevel.INFO;
  const text = (msg: unknown[]) =>
    msg.map(m => (typeof m === 'string' ? m : JSON.stringify(m))).join(' ');
  return {
    // The client's debug output includes request bodies: keep it out.
    debug: () => {},
    info: (...msg) => logger.debug(text(msg)),
    warn: (...msg) => logger.warn(text(msg)),
    error: (...msg) => logger.error(text(msg)),
    setLevel: l => {
      level = l;
    },
    getLevel: () => level,
    setName: () => {},
  };
}

/** The Slack error code (`users_not_found`, `invalid_auth`, ...) of a failed call. */
export function slackErrorCode(error: unknown): string | undefined {
  const e = error as { code?: string; data?: { error?: string } };
  return e?.code === ErrorCode.PlatformError ? e.data?.error : undefined;
}

/**
 * A failed Web API call as an Error for the outbox: it says which method
 * failed and, for a 429, how long Slack asked us to wait.
 */
export function slackCallError(method: string, error: unknown): Error {
  const e = error as {
    code?: string;
    retryAfter?: number;
    statusCode?: number;
    message?: string;
    data?: { error?: string };
  };
  switch (e?.code) {
    case ErrorCode.RateLimitedError:
      return new Error(
        `Slack rate-limited ${method} (HTTP 429); Retry-After ${e.retryAfter} s`,
      );
    case ErrorCode.PlatformError:
      return new Error(`Slack ${method} failed: ${e.data?.error}`);
    case ErrorCode.HTTPError:
      return new Error(`Slack ${method} failed: HTTP ${e.statusCode}`);
    default:
      return new Error(
        `Slack ${method} failed: ${e?.message ?? String(error)}`,
      );
  }
}
