import { Knex } from 'knex';
import { ConflictError } from '@backstage/errors';
import { RequestStatus } from '@app-access/plugin-app-access-common';
import {
  AppAccessChange,
  AppAccessMessageKind,
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

export type NotifyAudience = 'approvers' | 'requester';

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

export type Transition = StatusMove & {
  request: TransitionSubject;
  /** Audit events, written in this order after the move. */
  event?: TransitionEvent | TransitionEvent[];
  /** Outbox jobs enqueued ahead of the notices. */
  jobs?: NewOutboxJob[];
  notify?: Notice;
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

  async record(tx: Knex, transition: Transition): Promise<void> {
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
    for (const event of [transition.event ?? []].flat()) {
      await this.deps.events.addEvent({ requestId: request.id, ...event }, tx);
    }
    const jobs = [
      ...(transition.jobs ?? []),
      ...(transition.notify
        ? await this.notices(tx, request, transition.notify)
        : []),
    ];
    if (jobs.length) await this.deps.outbox.enqueue(jobs, tx);
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
    const app = appId ? await this.deps.apps.get(appId, tx) : undefined;
    const approvalMethod = app?.approvalMethod ?? settings.approvalMethod;
    const approvalChannel =
      approvalMethod === 'portal' ? 'backstage' : approvalMethod;
    const available = this.deps.channels.available;
    const picked = available.has(approvalChannel)
      ? approvalChannel
      : 'backstage';
    if (audience === 'approvers') return [picked];
    // Requesters always hear through Backstage notifications, and through the
    // approvers' channel too when it is another one.
    return [...new Set(['backstage', picked])].filter(c => available.has(c));
  }

  private async notices(
    tx: Knex,
    request: TransitionSubject,
    notice: Notice,
  ): Promise<NewOutboxJob[]> {
    const appId =
      request.appId ?? (await this.deps.requests.get(request.id, tx))?.appId;
    const channels = await this.channelsFor(notice.audience, tx, appId);
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
      },
    }));
  }
}
