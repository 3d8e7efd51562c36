import express from 'express';
import { ServiceUnavailableError } from '@backstage/errors';

/** Connection-level errors: the database is down, restarting or unreachable. */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  // PostgreSQL: admin_shutdown, crash_shutdown, cannot_connect_now, and the
  // connection_exception class.
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08003',
  '08006',
  '08001',
  '08004',
]);

const CONNECTION_MESSAGES = [
  /Connection terminated/i,
  /Client has encountered a connection error and is not queryable/i,
  /terminating connection due to administrator command/i,
  /the database system is (starting up|shutting down)/i,
];

/**
 * True when `error` (or what caused it) says the database connection failed,
 * rather than that the query or the request was wrong.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let e: any = error, depth = 0; e && depth < 5; e = e.cause, depth++) {
    // An HTTP call that failed (another plugin, a vendor) carries the same
    // socket codes; it is not the database.
    if (e.name === 'TypeError' && /fetch failed/.test(String(e.message)))
      return false;
    if (e.name === 'KnexTimeoutError') return true;
    if (typeof e.code === 'string' && CONNECTION_CODES.has(e.code)) return true;
    if (
      typeof e.message === 'string' &&
      CONNECTION_MESSAGES.some(re => re.test(e.message))
    )
      return true;
  }
  return false;
}

/**
 * Turns a lost database connection into a 503 (try again) instead of a 500:
 * while PostgreSQL restarts or fails over, callers are told the service is
 * unavailable for now, and nothing was recorded. Mounted after every App
 * Access route (the core's and the modules').
 */
export function databaseUnavailableErrors(): express.ErrorRequestHandler {
  return (error, _req, _res, next) => {
    next(
      isDatabaseUnavailable(error)
        ? new ServiceUnavailableError(
            'The App Access database is unavailable; try again shortly',
            error,
          )
        : error,
    );
  };
}
