import { Knex } from 'knex';
import {
  RequestEvent,
  RequestEventType,
  RequestStatus,
} from '@app-access/plugin-app-access-common';
import { decodeCursor, encodeCursor, fromJson, nowIso, toJson } from './json';

type EventRow = {
  id: number | string;
  request_id: string | null;
  app_id: string | null;
  at: string;
  actor: string;
  type: RequestEventType;
  from_status: RequestStatus | null;
  to_status: RequestStatus | null;
  level: number | null;
  comment: string | null;
  data: string | null;
};

function rowToEvent(row: EventRow): RequestEvent {
  return {
    id: String(row.id),
    requestId: row.request_id ?? undefined,
    appId: row.app_id ?? undefined,
    at: row.at,
    actor: row.actor,
    type: row.type,
    fromStatus: row.from_status ?? undefined,
    toStatus: row.to_status ?? undefined,
    level: row.level ?? undefined,
    comment: row.comment ?? undefined,
    data: fromJson(row.data, undefined),
  };
}

export type NewEvent = Omit<RequestEvent, 'id' | 'at'> & { at?: string };

/** The row an event is stored as (without its id). */
export function eventRow(event: NewEvent) {
  return {
    request_id: event.requestId ?? null,
    app_id: event.appId ?? null,
    at: event.at ?? nowIso(),
    actor: event.actor,
    type: event.type,
    from_status: event.fromStatus ?? null,
    to_status: event.toStatus ?? null,
    level: event.level ?? null,
    comment: event.comment ?? null,
    data: toJson(event.data),
  };
}

/** The audit trail of requests and apps (`request_events`). */
export class AuditEventStore {
  constructor(private readonly db: Knex) {}

  async addEvent(event: NewEvent, tx: Knex): Promise<RequestEvent> {
    return (await this.addEvents([event], tx))[0];
  }

  /**
   * Several events, in order, in as few statements as the database allows;
   * returns them as they were written (with their ids), so a caller can
   * answer from them instead of reading them back.
   */
  async addEvents(events: NewEvent[], tx: Knex): Promise<RequestEvent[]> {
    const written: RequestEvent[] = [];
    // 10 columns a row: 50 rows stay under SQLite's oldest bind limit (999).
    for (let i = 0; i < events.length; i += 50) {
      const rows = events.slice(i, i + 50).map(eventRow);
      const ids: Array<{ id: number | string }> = await tx('request_events')
        .insert(rows)
        .returning('id');
      // Both databases return a multi-row insert's ids in the order of its rows.
      rows.forEach((row, n) =>
        written.push(rowToEvent({ ...row, id: ids[n].id } as EventRow)),
      );
    }
    return written;
  }

  /** Whether the request already has an event of this type with this comment. */
  async hasEvent(
    query: { requestId: string; type: RequestEventType; comment: string },
    tx: Knex = this.db,
  ): Promise<boolean> {
    const row = await tx('request_events')
      .where({
        request_id: query.requestId,
        type: query.type,
        comment: query.comment,
      })
      .first('id');
    return Boolean(row);
  }

  async eventsForRequest(requestId: string): Promise<RequestEvent[]> {
    const rows = await this.db<EventRow>('request_events')
      .where({ request_id: requestId })
      .orderBy('id', 'asc');
    return rows.map(rowToEvent);
  }

  /** The events of several requests, oldest first per request, in one statement per 500 ids. */
  async eventsForRequests(
    requestIds: string[],
  ): Promise<Map<string, RequestEvent[]>> {
    const out = new Map<string, RequestEvent[]>();
    const ids = [...new Set(requestIds)];
    for (let i = 0; i < ids.length; i += 500) {
      const rows = await this.db<EventRow>('request_events')
        .whereIn('request_id', ids.slice(i, i + 500))
        .orderBy('id', 'asc');
      for (const event of rows.map(rowToEvent)) {
        const list = out.get(event.requestId!) ?? [];
        list.push(event);
        out.set(event.requestId!, list);
      }
    }
    return out;
  }

  /** The request ids of the newest events of these types (newest first, each once). */
  async latestRequestsWith(types: string[], limit: number): Promise<string[]> {
    const rows = (await this.db('request_events')
      .whereIn('type', types)
      .whereNotNull('request_id')
      .groupBy('request_id')
      .select('request_id')
      .max({ newest: 'id' })
      .orderBy('newest', 'desc')
      .limit(limit)) as unknown as Array<{ request_id: string }>;
    return rows.map(r => r.request_id);
  }

  async listEvents(options: {
    requestId?: string;
    appId?: string;
    actor?: string;
    type?: string;
    since?: string;
    until?: string;
    limit: number;
    cursor?: string;
  }) {
    let query = this.db<EventRow>('request_events');
    if (options.requestId) query = query.where('request_id', options.requestId);
    if (options.appId) query = query.where('app_id', options.appId);
    if (options.actor) query = query.where('actor', options.actor);
    if (options.type) query = query.where('type', options.type);
    if (options.since) query = query.where('at', '>=', options.since);
    if (options.until) query = query.where('at', '<', options.until);
    const after = decodeCursor(options.cursor);
    if (after) query = query.where('id', '<', Number(after[1]));
    const rows = await query.orderBy('id', 'desc').limit(options.limit + 1);
    const page = rows.slice(0, options.limit);
    const last = page[page.length - 1];
    return {
      items: page.map(rowToEvent),
      nextCursor:
        rows.length > options.limit && last
          ? encodeCursor(last.at, last.id)
          : undefined,
    };
  }
}
