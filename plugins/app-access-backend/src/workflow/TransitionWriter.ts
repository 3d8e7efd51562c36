import { Knex } from 'knex';
import { ConflictError } from '@backstage/errors';
import {
  RequestEvent,
  RequestStatus,
} from '@app-access/plugin-app-access-common';
import {
  AppAccessChange,
  AppAccessMessageKind,
  AppAccessReclaimAsk,
} from '@app-access/plugin-app-access-node';
import { AppStore } from '../database/AppStore';
import { AuditEventStore, NewEvent } from '../database/AuditEventStore';
import { NewOutboxJob, OutboxStore } from '../database/OutboxStore';
import { RequestRow, RequestStore } from '../database/RequestStore';
import { SettingsStore } from '../database/SettingsStore';

/** Which notifier channels exist, so notices can be routed. */
export type ChannelRouting = {
  available: Set<string>;
};

export type NotifyAudience = 'approvers' | 'requester' | 'holder';

/** The request a transition is about, as much of it as notices need. */
export type TransitionSubject = {
  id: string;
  requester: string;
  appId?: string;
};

/** One message to the approvers or the requester, fanned out per channel. */
export type Notice = {
  kind: AppAccessMessageKind;
  audience: NotifyAudience;
  recipients: string[];
  task?: { id: string };
  /** Makes the outbox idempotency key unique per occurrence of the message. */
  occurrence: string;
  reminderNumber?: number;
  /** For `access_changed` notices: what happened to the access. */
  access?: AppAccessChange;
  /** For `reclaim_*` notices: what the holder is asked, by when. */
  reclaim?: AppAccessReclaimAsk;
};

export type AccessChange = AppAccessChange;

/** A conditional status move; fails with a conflict if someone moved it first. */
type StatusMove =
  | {
      from: RequestStatus | RequestStatus[];
      to: RequestStatus;
      changes?: Partial<RequestRow>;
    }
  | { from?: undefined; to?: undefined; changes?: undefined };

export type TransitionEvent = Omit<NewEvent, 'requestId'>;

/** Channels per audience and app, read once for a batch. */
export type ChannelMemo = Map<string, Promise<string[]>>;

export type Transition = StatusMove & {
  request: TransitionSubject;
  /** Audit events, written in this order after the move. */
  event?: TransitionEvent | TransitionEvent[];
  /** Outbox jobs enqueued ahead of the notices. */
  jobs?: NewOutboxJob[];
  /** Notices, enqueued in this order after the jobs (in one insert with them). */
  notify?: Notice | Notice[];
};

/**
 * Writes what every step of the request lifecycle writes, inside the step's
 * transaction: the status move, its audit events and the outbox rows for the
 * notices, so no step can forget one of them or key a notice differently.
 */
export class TransitionWriter {
  constructor(
    private readonly deps: {
      apps: AppStore;
      requests: RequestStore;
      events: AuditEventStore;
      outbox: OutboxStore;
      settings: SettingsStore;
      channels: ChannelRouting;
    },
  ) {}

  private readonly memos = new WeakMap<Knex, ChannelMemo>();

  private memoOf(tx: Knex): ChannelMemo {
    // Outside a transaction nothing is kept: settings may change any time.
    if (!(tx as Knex.Transaction).isTransaction) return new Map();
    let memo = this.memos.get(tx);
    if (!memo) {
      memo = new Map();
      this.memos.set(tx, memo);
    }
    return memo;
  }

  /**
   * Routes the notices this transaction writes about an app from what the
   * caller read before it (the settings, the app's own approval method), so
   * that no notice reads them again inside the transaction.
   */
  useRouting(
    tx: Knex,
    appId: string | undefined,
    approvalMethod: string | undefined,
    settings: { approvalMethod: string },
  ) {
    const memo = this.memoOf(tx);
    for (const audience of ['approvers', 'requester'] as const) {
      memo.set(
        `${audience}:${appId ?? ''}`,
        Promise.resolve(
          this.pickChannels(
            audience,
            approvalMethod ?? settings.approvalMethod,
          ),
        ),
      );
    }
  }

  /** Writes the transition; returns its audit events as written. */
  async record(tx: Knex, transition: Transition): Promise<RequestEvent[]> {
    const { request } = transition;
    if (transition.to) {
      await this.move(
        tx,
        request,
        transition.from,
        transition.to,
        transition.changes,
      );
    }
    const events = [transition.event ?? []].flat();
    const written = events.length
      ? await this.deps.events.addEvents(
          events.map(event => ({ requestId: request.id, ...event })),
          tx,
        )
      : [];
    const jobs = [...(transition.jobs ?? [])];
    for (const notice of [transition.notify ?? []].flat()) {
      jobs.push(...(await this.notices(tx, request, notice)));
    }
    if (jobs.length) await this.deps.outbox.enqueue(jobs, tx);
    return written;
  }

  /**
   * Several transitions without status moves (reminders) in one go: their
   * events in one insert, their notices in another, settings and each app
   * read once. Same rows as `record` for each, in the same order.
   */
  async recordMany(
    tx: Knex,
    transitions: Transition[],
    channels: ChannelMemo = new Map(),
  ): Promise<void> {
    const prepared = await this.prepareMany(tx, transitions, channels);
    await this.deps.events.addEvents(
      prepared.flatMap(p => p.events),
      tx,
    );
    const jobs = prepared.flatMap(p => p.jobs);
    if (jobs.length) await this.deps.outbox.enqueue(jobs, tx);
  }

  /**
   * The events and outbox jobs `recordMany` writes, per transition, without
   * writing them: a caller that writes them in its own statement (the
   * reminder sweep on PostgreSQL) keeps exactly the same rows. With the
   * channels read ahead (`route`) it reads nothing.
   */
  async prepareMany(
    db: Knex,
    transitions: Transition[],
    channels: ChannelMemo = new Map(),
  ): Promise<Array<{ events: NewEvent[]; jobs: NewOutboxJob[] }>> {
    const prepared = [];
    for (const transition of transitions) {
      if (transition.to) throw new Error('recordMany: no status moves');
      const { request } = transition;
      const events: NewEvent[] = [transition.event ?? []]
        .flat()
        .map(event => ({ requestId: request.id, ...event }));
      const jobs: NewOutboxJob[] = [...(transition.jobs ?? [])];
      for (const notice of [transition.notify ?? []].flat()) {
        jobs.push(...(await this.notices(db, request, notice, channels)));
      }
      prepared.push({ events, jobs });
    }
    return prepared;
  }

  /**
   * Reads the channels for an audience and these apps ahead of a
   * transaction (settings and apps), for `recordMany`.
   */
  async route(
    db: Knex,
    audience: NotifyAudience,
    appIds: Array<string | undefined>,
  ): Promise<ChannelMemo> {
    const settings = await this.deps.settings.get(db);
    const ids = [...new Set(appIds)];
    const methods = await this.deps.apps.approvalMethods(
      ids.filter((id): id is string => Boolean(id)),
      db,
    );
    return new Map(
      ids.map(appId => [
        `${audience}:${appId ?? ''}`,
        Promise.resolve(
          this.pickChannels(
            audience,
            (appId && methods.get(appId)) || settings.approvalMethod,
          ),
        ),
      ]),
    );
  }

  private async move(
    tx: Knex,
    request: { id: string },
    from: RequestStatus | RequestStatus[],
    to: RequestStatus,
    changes: Partial<RequestRow> = {},
  ) {
    const moved = await this.deps.requests.transition(
      request.id,
      from,
      { ...changes, status: to },
      tx,
    );
    if (!moved) {
      const current = await this.deps.requests.get(request.id, tx);
      throw new ConflictError(
        `The request moved on: it is ${current?.status ?? 'gone'}, not ${[from]
          .flat()
          .join(' or ')}`,
      );
    }
  }

  private async channelsFor(
    audience: NotifyAudience,
    tx: Knex,
    appId?: string,
  ): Promise<string[]> {
    const settings = await this.deps.settings.get(tx);
    // Only the app's own approval method: one light statement, not the app
    // with its tiers.
    const own = appId
      ? (await this.deps.apps.approvalMethods([appId], tx)).get(appId)
      : undefined;
    return this.pickChannels(audience, own ?? settings.approvalMethod);
  }

  private pickChannels(
    audience: NotifyAudience,
    approvalMethod: string,
  ): string[] {
    const approvalChannel =
      approvalMethod === 'portal' ? 'backstage' : approvalMethod;
    const available = this.deps.channels.available;
    const picked = available.has(approvalChannel)
      ? approvalChannel
      : 'backstage';
    if (audience === 'approvers') return [picked];
    // Requesters (and holders) always hear through Backstage notifications,
    // and through the approvers' channel too when it is another one.
    return [...new Set(['backstage', picked])].filter(c => available.has(c));
  }

  private async notices(
    tx: Knex,
    request: TransitionSubject,
    notice: Notice,
    memo?: ChannelMemo,
  ): Promise<NewOutboxJob[]> {
    const appId =
      request.appId ?? (await this.deps.requests.get(request.id, tx))?.appId;
    // One routing per audience and app within a transaction (a decision
    // notifies twice): settings and the app cannot change under it here.
    const routes = memo ?? this.memoOf(tx);
    const key = `${notice.audience}:${appId ?? ''}`;
    let routed = routes.get(key);
    if (!routed) {
      routed = this.channelsFor(notice.audience, tx, appId);
      routes.set(key, routed);
    }
    const channels = await routed;
    return channels.map(channel => ({
      kind: 'notify',
      idempotencyKey: `notify:${channel}:${notice.audience}:${notice.kind}:${
        request.id
      }:${notice.task?.id ?? '-'}:${notice.occurrence}`,
      payload: {
        channel,
        kind: notice.kind,
        audience: notice.audience,
        requestId: request.id,
        taskId: notice.task?.id,
        recipients: notice.recipients,
        reminderNumber: notice.reminderNumber,
        ...(notice.access ? { access: notice.access } : {}),
        ...(notice.reclaim ? { reclaim: notice.reclaim } : {}),
      },
    }));
  }
}
