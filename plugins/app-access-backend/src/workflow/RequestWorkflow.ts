import { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import {
  AccessRequest,
  ApprovalTask,
  CANCELLABLE_STATUSES,
  RequestStatus,
} from '@app-access/plugin-app-access-common';
import { AppAccessMessageKind } from '@app-access/plugin-app-access-node';
import { AppStore } from '../database/AppStore';
import { NewOutboxJob, OutboxStore } from '../database/OutboxStore';
import {
  PlannedLevel,
  RequestRow,
  RequestStore,
  StoredRequest,
} from '../database/RequestStore';
import { SettingsStore } from '../database/SettingsStore';
import { addAssignment } from '../database/UsageStore';
import { isUniqueViolation, nowIso } from '../database/json';
import { ApprovalPolicyResolver } from './ApprovalPolicyResolver';

export type Caller = {
  /** User entity ref */
  userRef: string;
  /** The user ref and the groups they belong to. */
  ownershipRefs: string[];
};

export const SYSTEM_ACTOR = 'app-access:system';

const FULFILLMENT_EVENT = {
  fulfilled: 'fulfilled',
  awaiting_it: 'awaiting_it',
  failed: 'fulfillment_failed',
} as const;

/** Which notifier channels exist, so notices can be routed. */
export type ChannelRouting = {
  available: Set<string>;
};

type NotifyAudience = 'approvers' | 'requester';

/**
 * The request lifecycle. Every transition is one transaction that writes the
 * new state, an audit event and the outbox rows for what must happen next;
 * nothing external is called here.
 */
export class RequestWorkflow {
  constructor(
    private readonly deps: {
      db: Knex;
      apps: AppStore;
      requests: RequestStore;
      outbox: OutboxStore;
      settings: SettingsStore;
      resolver: ApprovalPolicyResolver;
      channels: ChannelRouting;
      onEnqueued?: () => void;
    },
  ) {}

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
    const picked = available.has(approvalChannel) ? approvalChannel : 'backstage';
    if (audience === 'approvers') return [picked];
    // Requesters always hear through Backstage notifications, and through the
    // approvers' channel too when it is another one.
    return [...new Set(['backstage', picked])].filter(c => available.has(c));
  }

  private async notifyJobs(options: {
    kind: AppAccessMessageKind;
    audience: NotifyAudience;
    request: { id: string; requester: string; appId?: string };
    recipients: string[];
    task?: { id: string };
    occurrence: string;
    reminderNumber?: number;
    tx: Knex;
  }): Promise<NewOutboxJob[]> {
    const appId =
      options.request.appId ??
      (await this.deps.requests.get(options.request.id, options.tx))?.appId;
    const channels = await this.channelsFor(options.audience, options.tx, appId);
    return channels.map(channel => ({
      kind: 'notify',
      idempotencyKey: `notify:${channel}:${options.audience}:${options.kind}:${options.request.id}:${options.task?.id ?? '-'}:${options.occurrence}`,
      payload: {
        channel,
        kind: options.kind,
        audience: options.audience,
        requestId: options.request.id,
        taskId: options.task?.id,
        recipients: options.recipients,
        reminderNumber: options.reminderNumber,
      },
    }));
  }

  private async enqueue(jobs: NewOutboxJob[], tx: Knex) {
    await this.deps.outbox.enqueue(jobs, tx);
  }

  /** A fulfilled portal request counts as usage for peers from now on. */
  private async recordAssignment(request: StoredRequest, tx: Knex.Transaction) {
    if (!request.appId) return;
    await addAssignment(tx, request.requester, request.appId, 'portal');
  }

  private afterCommit() {
    this.deps.onEnqueued?.();
  }

  async getRequest(id: string): Promise<StoredRequest> {
    const request = await this.deps.requests.get(id);
    if (!request) throw new NotFoundError(`No request with id '${id}'`);
    return request;
  }

  /** Whether the caller holds (may decide) a task. */
  static holdsTask(task: ApprovalTask, caller: Caller): boolean {
    return task.approvers.some(a => caller.ownershipRefs.includes(a) || a === caller.userRef);
  }

  // --- submission ---

  async submit(
    caller: Caller,
    body: { appId: string; tierId: string; justification?: string; neededBy?: string },
  ): Promise<StoredRequest> {
    const app = await this.deps.apps.get(body.appId);
    if (!app || !app.listed) {
      throw new NotFoundError(`appId: no app '${body.appId}' in the catalog`);
    }
    const tier = app.tiers.find(t => t.id === body.tierId);
    if (!tier) {
      throw new NotFoundError(`tierId: app '${app.id}' has no tier '${body.tierId}'`);
    }
    const settings = await this.deps.settings.get();
    const plan = await this.deps.resolver.plan({
      app,
      tier,
      requesterRef: caller.userRef,
      settings,
    });
    const justification = body.justification?.trim() || undefined;
    if (plan.needsApproval && !justification) {
      throw new InputError('justification: required when the tier needs approval');
    }
    const unstaffed = plan.levels.find(l => l.approvers.length === 0);
    if (unstaffed) {
      throw new ConflictError(
        `Nobody can approve level ${unstaffed.level} of ${app.name} ${tier.name}: ask IT to set a fallback approver or default approvers`,
      );
    }

    const granted = await this.deps.requests.latestFulfilled(caller.userRef, app.id, tier.id);
    if (granted) {
      throw new ConflictError(
        `You already have ${app.name} ${tier.name} (request ${granted.id}, fulfilled ${granted.updatedAt.slice(0, 10)})`,
      );
    }
    const openKey = `${caller.userRef}|${app.id}|${tier.id}`;
    const id = randomUUID();
    const now = nowIso();
    const row: RequestRow = {
      id,
      kind: 'access',
      app_id: app.id,
      tier_id: tier.id,
      app_name: app.name,
      tier_name: tier.name,
      requester: caller.userRef,
      status: 'submitted',
      level: 0,
      justification: justification ?? null,
      needed_by: body.neededBy ?? null,
      intake: null,
      plan: JSON.stringify(plan.levels),
      external_ref: null,
      external_url: null,
      failure_reason: null,
      retries: 0,
      open_key: openKey,
      created_at: now,
      updated_at: now,
    };
    try {
      await this.deps.db.transaction(async tx => {
        await this.deps.requests.insert(row, tx);
        await this.deps.requests.addEvent(
          {
            requestId: id,
            appId: app.id,
            actor: caller.userRef,
            type: 'submitted',
            toStatus: 'submitted',
            comment: justification,
            data: { tierId: tier.id, tierName: tier.name, neededBy: body.neededBy },
          },
          tx,
        );
        await this.afterSubmit(id, app.id, caller.userRef, plan.levels, tx);
      });
    } catch (error) {
      if (isUniqueViolation(error)) {
        const existing = await this.deps.requests.findOpenByKey(openKey);
        throw new ConflictError(
          `You already have an open request ${existing?.id ?? ''} for ${app.name} ${tier.name} (status ${existing?.status ?? 'open'})`.replace('  ', ' '),
        );
      }
      throw error;
    }
    this.afterCommit();
    return this.getRequest(id);
  }

  /** submitted → pending_approval(level 1) or → approved when no approval is needed. */
  private async afterSubmit(
    id: string,
    appId: string | undefined,
    actor: string,
    levels: PlannedLevel[],
    tx: Knex,
  ) {
    const request = { id, requester: actor };
    if (levels.length === 0) {
      await this.deps.requests.transition(id, 'submitted', { status: 'approved' }, tx);
      await this.deps.requests.addEvent(
        {
          requestId: id,
          appId,
          actor: SYSTEM_ACTOR,
          type: 'approved',
          fromStatus: 'submitted',
          toStatus: 'approved',
          comment: 'No approval needed for this tier',
        },
        tx,
      );
      await this.enqueue(
        [
          this.fulfillJob(id, 0),
          ...(await this.notifyJobs({
            tx,
            kind: 'status_changed',
            audience: 'requester',
            request,
            recipients: [actor],
            occurrence: 'approved',
          })),
        ],
        tx,
      );
      return;
    }
    await this.openLevel(id, appId, request, levels[0], 'submitted', tx);
  }

  private async openLevel(
    id: string,
    appId: string | undefined,
    request: { id: string; requester: string },
    level: PlannedLevel,
    from: RequestStatus,
    tx: Knex,
  ) {
    const taskId = randomUUID();
    await this.deps.requests.transition(
      id,
      from,
      { status: 'pending_approval', level: level.level },
      tx,
    );
    await this.deps.requests.insertTask(
      {
        id: taskId,
        requestId: id,
        level: level.level,
        approvers: level.approvers,
        fallback: level.fallback,
      },
      tx,
    );
    await this.deps.requests.addEvent(
      {
        requestId: id,
        appId,
        actor: SYSTEM_ACTOR,
        type: 'approval_requested',
        fromStatus: from,
        toStatus: 'pending_approval',
        level: level.level,
        data: { approvers: level.approvers, fallback: level.fallback },
      },
      tx,
    );
    if (level.fallback) {
      await this.deps.requests.addEvent(
        {
          requestId: id,
          appId,
          actor: SYSTEM_ACTOR,
          type: 'fallback_asked',
          level: level.level,
          comment: 'No approver other than the requester; the fallback approver is asked',
          data: { approvers: level.approvers },
        },
        tx,
      );
    }
    await this.enqueue(
      await this.notifyJobs({
            tx,
        kind: 'approval_needed',
        audience: 'approvers',
        request,
        recipients: level.approvers,
        task: { id: taskId },
        occurrence: 'initial',
      }),
      tx,
    );
  }

  private fulfillJob(requestId: string, retry: number): NewOutboxJob {
    return {
      kind: 'fulfill',
      idempotencyKey: `fulfill:${requestId}:${retry}`,
      payload: { requestId },
    };
  }

  // --- intake ---

  async submitIntake(
    caller: Caller,
    body: { name: string; url?: string; vendor?: string; justification: string },
  ): Promise<StoredRequest> {
    const settings = await this.deps.settings.get();
    let approvers = settings.defaultApprovers.filter(a => a !== caller.userRef);
    let fallback = false;
    if (approvers.length === 0 && settings.fallbackApprover) {
      approvers = [settings.fallbackApprover];
      fallback = true;
    }
    if (approvers.length === 0) {
      throw new ConflictError(
        'Nobody can review requests for new apps: ask IT to set default approvers or a fallback approver',
      );
    }
    const id = randomUUID();
    const now = nowIso();
    const levels: PlannedLevel[] = [{ level: 1, approvers, fallback }];
    await this.deps.db.transaction(async tx => {
      await this.deps.requests.insert(
        {
          id,
          kind: 'intake',
          app_id: null,
          tier_id: null,
          app_name: body.name,
          tier_name: null,
          requester: caller.userRef,
          status: 'submitted',
          level: 0,
          justification: body.justification,
          needed_by: null,
          intake: JSON.stringify({ name: body.name, url: body.url, vendor: body.vendor }),
          plan: JSON.stringify(levels),
          external_ref: null,
          external_url: null,
          failure_reason: null,
          retries: 0,
          open_key: null,
          created_at: now,
          updated_at: now,
        },
        tx,
      );
      await this.deps.requests.addEvent(
        {
          requestId: id,
          actor: caller.userRef,
          type: 'submitted',
          toStatus: 'submitted',
          comment: body.justification,
          data: { intake: { name: body.name, url: body.url, vendor: body.vendor } },
        },
        tx,
      );
      await this.openLevel(id, undefined, { id, requester: caller.userRef }, levels[0], 'submitted', tx);
    });
    this.afterCommit();
    return this.getRequest(id);
  }

  // --- decisions ---

  async decide(
    caller: Caller,
    requestId: string,
    body: { decision: 'approve' | 'deny'; comment?: string },
    via: { channel?: string; taskId?: string } = {},
  ): Promise<StoredRequest> {
    const request = await this.getRequest(requestId);
    const comment = body.comment?.trim() || undefined;
    if (body.decision === 'deny' && !comment) {
      throw new InputError('comment: required to deny a request');
    }
    if (request.requester === caller.userRef) {
      throw new NotAllowedError('You cannot decide your own request');
    }
    const tasks = await this.deps.requests.tasksForRequest(requestId);
    const held = tasks.filter(t => RequestWorkflow.holdsTask(t, caller));
    if (held.length === 0) {
      throw new NotAllowedError('You are not an approver of this request');
    }
    const task = tasks.find(t => t.status === 'open');
    if (request.status !== 'pending_approval' || !task) {
      const last = [...tasks].reverse().find(t => t.decidedBy);
      throw new ConflictError(
        last
          ? `Already decided: ${last.status} by ${last.decidedBy}; the request is now ${request.status}`
          : `The request is ${request.status} and no longer waits for a decision`,
      );
    }
    if (via.taskId && via.taskId !== task.id) {
      const asked = tasks.find(t => t.id === via.taskId);
      throw new ConflictError(
        asked?.decidedBy
          ? `Already decided: ${asked.status} by ${asked.decidedBy}`
          : 'This approval step is no longer open',
      );
    }
    if (!RequestWorkflow.holdsTask(task, caller)) {
      throw new NotAllowedError(
        `You are not an approver of level ${task.level} of this request`,
      );
    }

    const status = body.decision === 'approve' ? 'approved' : 'denied';
    await this.deps.db.transaction(async tx => {
      const won = await this.deps.requests.decideTask(
        task.id,
        { status, by: caller.userRef, comment },
        tx,
      );
      if (!won) {
        const current = await this.deps.requests.getTask(task.id, tx);
        throw new ConflictError(
          `Already decided: ${current?.status} by ${current?.decidedBy}`,
        );
      }
      const plan = request.plan;
      const next = plan.find(l => l.level === task.level + 1);
      const requesterRef = {
        id: request.id,
        requester: request.requester,
        appId: request.appId,
      };
      // Every approver's copy of the task is updated to show the outcome
      // (Slack messages lose their buttons, emails links stop working).
      await this.enqueue(
        await this.notifyJobs({
          tx,
          kind: 'decision_recorded',
          audience: 'approvers',
          request: requesterRef,
          recipients: task.approvers,
          task,
          occurrence: status,
        }),
        tx,
      );
      if (status === 'denied') {
        await this.move(tx, request, 'pending_approval', 'denied', {
          level: 0,
          open_key: null,
        });
        await this.deps.requests.addEvent(
          {
            requestId,
            appId: request.appId,
            actor: caller.userRef,
            type: 'denied',
            fromStatus: 'pending_approval',
            toStatus: 'denied',
            level: task.level,
            comment,
            data: via.channel ? { channel: via.channel } : undefined,
          },
          tx,
        );
        await this.enqueue(
          [
            ...(await this.notifyJobs({
            tx,
              kind: 'decision_recorded',
              audience: 'requester',
              request: requesterRef,
              recipients: [request.requester],
              task,
              occurrence: 'denied',
            })),
          ],
          tx,
        );
        return;
      }
      await this.deps.requests.addEvent(
        {
          requestId,
          appId: request.appId,
          actor: caller.userRef,
          type: 'approved',
          fromStatus: 'pending_approval',
          toStatus: next ? 'pending_approval' : 'approved',
          level: task.level,
          comment,
          data: via.channel ? { channel: via.channel } : undefined,
        },
        tx,
      );
      await this.enqueue(
        await this.notifyJobs({
            tx,
          kind: 'decision_recorded',
          audience: 'requester',
          request: requesterRef,
          recipients: [request.requester],
          task,
          occurrence: 'approved',
        }),
        tx,
      );
      if (next) {
        await this.openLevel(requestId, request.appId, requesterRef, next, 'pending_approval', tx);
        return;
      }
      if (request.kind === 'intake') {
        // An approved intake goes to IT to evaluate and add the app.
        await this.move(tx, request, 'pending_approval', 'awaiting_it', { level: 0 });
        await this.deps.requests.addEvent(
          {
            requestId,
            actor: SYSTEM_ACTOR,
            type: 'awaiting_it',
            fromStatus: 'pending_approval',
            toStatus: 'awaiting_it',
            comment: 'Approved; IT will evaluate and add the app',
          },
          tx,
        );
        await this.enqueue(
          await this.notifyJobs({
            tx,
            kind: 'status_changed',
            audience: 'requester',
            request: requesterRef,
            recipients: [request.requester],
            occurrence: 'awaiting_it',
          }),
          tx,
        );
        return;
      }
      await this.move(tx, request, 'pending_approval', 'approved', { level: 0 });
      await this.enqueue([this.fulfillJob(requestId, request.retries)], tx);
    });
    this.afterCommit();
    return this.getRequest(requestId);
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
        `The request moved on: it is ${current?.status ?? 'gone'}, not ${[from].flat().join(' or ')}`,
      );
    }
  }

  // --- cancel ---

  async cancel(caller: Caller, requestId: string): Promise<StoredRequest> {
    const request = await this.getRequest(requestId);
    if (request.requester !== caller.userRef) {
      throw new NotAllowedError('Only the requester can cancel a request');
    }
    if (!CANCELLABLE_STATUSES.includes(request.status)) {
      throw new ConflictError(
        `The request is ${request.status} and can no longer be cancelled`,
      );
    }
    await this.deps.db.transaction(async tx => {
      await this.move(tx, request, CANCELLABLE_STATUSES, 'cancelled', {
        level: 0,
        open_key: null,
      });
      await this.deps.requests.supersedeOpenTasks(requestId, tx);
      await this.deps.requests.addEvent(
        {
          requestId,
          appId: request.appId,
          actor: caller.userRef,
          type: 'cancelled',
          fromStatus: request.status,
          toStatus: 'cancelled',
        },
        tx,
      );
      await this.enqueue(
        await this.notifyJobs({
            tx,
          kind: 'status_changed',
          audience: 'requester',
          request,
          recipients: [request.requester],
          occurrence: 'cancelled',
        }),
        tx,
      );
    });
    this.afterCommit();
    return this.getRequest(requestId);
  }

  // --- fulfillment results (called by the fulfill job handler) ---

  /** approved → fulfilling; true when this call moved it (or it already was). */
  async startFulfillment(requestId: string): Promise<StoredRequest | undefined> {
    const request = await this.getRequest(requestId);
    if (request.status === 'fulfilling') return request;
    if (request.status !== 'approved') return undefined;
    await this.deps.db.transaction(async tx => {
      await this.move(tx, request, 'approved', 'fulfilling');
      await this.deps.requests.addEvent(
        {
          requestId,
          appId: request.appId,
          actor: SYSTEM_ACTOR,
          type: 'fulfillment_started',
          fromStatus: 'approved',
          toStatus: 'fulfilling',
        },
        tx,
      );
    });
    return this.getRequest(requestId);
  }

  async recordCheckpoint(
    requestId: string,
    data: { externalRef?: string; note?: string },
    guard?: (tx: Knex) => Promise<void>,
  ) {
    await this.deps.db.transaction(async tx => {
      await guard?.(tx);
      if (data.externalRef) {
        await this.deps.requests.update(requestId, { external_ref: data.externalRef }, tx);
      }
      await this.deps.requests.addEvent(
        {
          requestId,
          actor: SYSTEM_ACTOR,
          type: 'fulfillment_progress',
          comment: data.note,
          data: data.externalRef ? { externalRef: data.externalRef } : undefined,
        },
        tx,
      );
    });
  }

  async completeFulfillment(
    requestId: string,
    result: {
      status: 'fulfilled' | 'awaiting_it' | 'failed';
      externalRef?: string;
      externalUrl?: string;
      message?: string;
      fulfilledBy?: string;
    },
    actor = SYSTEM_ACTOR,
    guard?: (tx: Knex) => Promise<void>,
  ) {
    const request = await this.getRequest(requestId);
    // A ticket closed as won't-do fails a request that was waiting for IT.
    const from: RequestStatus[] =
      result.status === 'awaiting_it' ? ['fulfilling'] : ['fulfilling', 'awaiting_it'];
    if (!from.includes(request.status)) return;
    await this.deps.db.transaction(async tx => {
      await guard?.(tx);
      await this.move(tx, request, from, result.status, {
        external_ref: result.externalRef ?? request.externalRef ?? null,
        external_url: result.externalUrl ?? request.externalUrl ?? null,
        failure_reason: result.status === 'failed' ? result.message ?? 'Fulfillment failed' : null,
        ...(result.fulfilledBy ? { fulfilled_by: result.fulfilledBy } : {}),
        // A failed request stays "open" so the person cannot file a duplicate
        // while an admin may still retry it; fulfilled ones are closed.
        ...(result.status === 'fulfilled' ? { open_key: null } : {}),
      });
      await this.deps.requests.addEvent(
        {
          requestId,
          appId: request.appId,
          actor,
          type: FULFILLMENT_EVENT[result.status],
          fromStatus: request.status,
          toStatus: result.status,
          comment: result.message,
          data: {
            externalRef: result.externalRef,
            externalUrl: result.externalUrl,
          },
        },
        tx,
      );
      await this.enqueue(
        await this.notifyJobs({
            tx,
          kind: 'status_changed',
          audience: 'requester',
          request,
          recipients: [request.requester],
          occurrence: `${result.status}:${request.retries}`,
        }),
        tx,
      );
      if (result.status === 'fulfilled') {
        await this.recordAssignment(request, tx);
      }
      const settings = await this.deps.settings.get(tx);
      if (
        result.status === 'fulfilled' &&
        settings.ticketing.auditTickets &&
        result.fulfilledBy?.startsWith('okta')
      ) {
        await this.enqueue(
          [
            {
              kind: 'audit-ticket',
              idempotencyKey: `audit-ticket:${requestId}`,
              payload: { requestId },
            },
          ],
          tx,
        );
      }
    });
    this.afterCommit();
  }

  // --- admin actions ---

  async retry(caller: Caller, requestId: string): Promise<StoredRequest> {
    const request = await this.getRequest(requestId);
    if (request.status !== 'failed') {
      throw new ConflictError(
        `Only failed requests can be retried; this one is ${request.status}`,
      );
    }
    const retries = request.retries + 1;
    await this.deps.db.transaction(async tx => {
      await this.move(tx, request, 'failed', 'fulfilling', {
        retries,
        failure_reason: null,
      });
      await this.deps.requests.addEvent(
        {
          requestId,
          appId: request.appId,
          actor: caller.userRef,
          type: 'retried',
          fromStatus: 'failed',
          toStatus: 'fulfilling',
        },
        tx,
      );
      await this.enqueue([this.fulfillJob(requestId, retries)], tx);
    });
    this.afterCommit();
    return this.getRequest(requestId);
  }

  async markFulfilled(
    caller: Caller,
    requestId: string,
    note?: string,
  ): Promise<StoredRequest> {
    const request = await this.getRequest(requestId);
    if (!['awaiting_it', 'failed'].includes(request.status)) {
      throw new ConflictError(
        `Only requests awaiting IT (or failed) can be marked fulfilled; this one is ${request.status}`,
      );
    }
    await this.deps.db.transaction(async tx => {
      await this.move(tx, request, ['awaiting_it', 'failed'], 'fulfilled', {
        open_key: null,
        failure_reason: null,
      });
      await this.deps.requests.addEvent(
        {
          requestId,
          appId: request.appId,
          actor: caller.userRef,
          type: 'marked_fulfilled',
          fromStatus: request.status,
          toStatus: 'fulfilled',
          comment: note,
        },
        tx,
      );
      await this.recordAssignment(request, tx);
      await this.enqueue(
        await this.notifyJobs({
            tx,
          kind: 'status_changed',
          audience: 'requester',
          request,
          recipients: [request.requester],
          occurrence: `fulfilled:manual:${request.retries}`,
        }),
        tx,
      );
    });
    this.afterCommit();
    return this.getRequest(requestId);
  }

  // --- reminders and fallback ---

  async remind(
    taskId: string,
    previousCount: number,
    now: Date = new Date(),
  ): Promise<boolean> {
    const task = await this.deps.requests.getTask(taskId);
    if (!task || task.status !== 'open') return false;
    const request = await this.getRequest(task.requestId);
    const reminderNumber = previousCount + 1;
    let sent = false;
    await this.deps.db.transaction(async tx => {
      if (
        !(await this.deps.requests.markReminded(taskId, previousCount, nowIso(now), tx))
      ) {
        return;
      }
      sent = true;
      await this.deps.requests.addEvent(
        {
          requestId: request.id,
          appId: request.appId,
          actor: SYSTEM_ACTOR,
          type: 'reminder_sent',
          level: task.level,
          data: { reminderNumber, approvers: task.approvers },
        },
        tx,
      );
      await this.enqueue(
        await this.notifyJobs({
            tx,
          kind: 'reminder',
          audience: 'approvers',
          request,
          recipients: task.approvers,
          task,
          occurrence: `reminder-${reminderNumber}`,
          reminderNumber,
        }),
        tx,
      );
    });
    if (sent) this.afterCommit();
    return sent;
  }

  /**
   * Called when the approvers' channel reported every approver of an open
   * task unreachable: the fallback approver is added to the task and asked.
   */
  async escalateToFallback(
    taskId: string,
    unreachable: string[],
    guard?: (tx: Knex) => Promise<void>,
  ) {
    const task = await this.deps.requests.getTask(taskId);
    if (!task || task.status !== 'open' || task.fallback) return;
    const settings = await this.deps.settings.get();
    const request = await this.getRequest(task.requestId);
    const fallback = settings.fallbackApprover;
    await this.deps.db.transaction(async tx => {
      await guard?.(tx);
      await this.deps.requests.addEvent(
        {
          requestId: request.id,
          appId: request.appId,
          actor: SYSTEM_ACTOR,
          type: 'approver_unreachable',
          level: task.level,
          data: { unreachable },
        },
        tx,
      );
      if (!fallback || fallback === request.requester) return;
      await this.deps.requests.setTaskFallback(taskId, tx);
      await this.deps.requests.addApprovers(taskId, [fallback], tx);
      await this.deps.requests.addEvent(
        {
          requestId: request.id,
          appId: request.appId,
          actor: SYSTEM_ACTOR,
          type: 'fallback_asked',
          level: task.level,
          comment: 'None of the approvers could be reached; the fallback approver is asked',
          data: { approvers: [fallback] },
        },
        tx,
      );
      await this.enqueue(
        await this.notifyJobs({
            tx,
          kind: 'approval_needed',
          audience: 'approvers',
          request,
          recipients: [fallback],
          task,
          occurrence: 'fallback',
        }),
        tx,
      );
    });
    this.afterCommit();
  }

  /** Records an outbox job given up on against its request. */
  async recordDeadJob(
    requestId: string,
    kind: string,
    error: string,
    guard?: (tx: Knex) => Promise<void>,
  ) {
    const request = await this.deps.requests.get(requestId);
    if (!request) return;
    if (kind === 'fulfill') {
      await this.completeFulfillment(requestId, {
        status: 'failed',
        message: `Fulfillment gave up after repeated errors: ${error}`,
      }, SYSTEM_ACTOR, guard);
      return;
    }
    await this.deps.db.transaction(async tx => {
      await guard?.(tx);
      await this.deps.requests.addEvent(
        {
          requestId,
          appId: request.appId,
          actor: SYSTEM_ACTOR,
          type: 'notified',
          comment: `A ${kind} job failed for good: ${error}`,
          data: { failed: true },
        },
        tx,
      );
    });
  }

  async withDetails(request: StoredRequest): Promise<AccessRequest> {
    const [events, approvals] = await Promise.all([
      this.deps.requests.eventsForRequest(request.id),
      this.deps.requests.tasksForRequest(request.id),
    ]);
    return { ...publicRequest(request), events, approvals };
  }
}

/** The request as the API shows it (without internal planning fields). */
export function publicRequest(request: StoredRequest): AccessRequest {
  const { plan: _plan, retries: _retries, ...rest } = request;
  return rest;
}
