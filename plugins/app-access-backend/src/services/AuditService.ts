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

/** A date-time filter as stored (UTC ISO); one `Date` cannot hold is a 400 naming the field. */
function utc(field: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const time = Date.parse(value);
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
