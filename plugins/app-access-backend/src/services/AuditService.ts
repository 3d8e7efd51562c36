import { InputError } from '@backstage/errors';
import { RequestEventPage } from '@app-access/plugin-app-access-common';
import { AuditEventStore } from '../database/AuditEventStore';
import { decodeCursor } from '../database/json';
import { eventsToCsv } from './auditCsv';

export type AuditQuery = {
  requestId?: string;
  appId?: string;
  actor?: string;
  type?: string;
  since?: string;
  until?: string;
  limit: number;
  cursor?: string;
};

const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(?:[Zz]|([+-])(\d{2}):(\d{2}))$/;

function daysIn(year: number, month: number): number {
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][
    month - 1
  ];
}

/**
 * A date-time filter as stored (UTC ISO). Only a time that exists is taken:
 * `Date` rolls 2026-02-30 over into March and 24:00 into the next day, and
 * cannot hold an offset of +99:99, so each is a 400 naming the field.
 */
function utc(field: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const m = DATE_TIME.exec(value);
  const [year, month, day, hour, minute, second] = (m ?? [])
    .slice(1, 7)
    .map(Number);
  const offsetHours = Number(m?.[9] ?? 0);
  const offsetMinutes = Number(m?.[10] ?? 0);
  const valid =
    m !== null &&
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysIn(year, month) &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 59 &&
    offsetHours <= 23 &&
    offsetMinutes <= 59;
  const time = valid ? Date.parse(value) : NaN;
  if (Number.isNaN(time)) {
    throw new InputError(`${field}: must be a valid date-time`);
  }
  return new Date(time).toISOString();
}

/** The audit trail: every transition, decision and admin change, newest first. */
export class AuditService {
  constructor(private readonly deps: { events: AuditEventStore }) {}

  async list(query: AuditQuery): Promise<RequestEventPage> {
    // The audit list pages by event id; a cursor it did not hand out is
    // refused here rather than reaching the database as NaN.
    if (query.cursor !== undefined) {
      const decoded = decodeCursor(query.cursor);
      if (!decoded || !/^\d{1,18}$/.test(decoded[1])) {
        throw new InputError('cursor: not a cursor this list returned');
      }
    }
    return this.deps.events.listEvents({
      ...query,
      since: utc('since', query.since),
      until: utc('until', query.until),
    });
  }

  async csv(query: AuditQuery): Promise<string> {
    return eventsToCsv((await this.list(query)).items);
  }
}
