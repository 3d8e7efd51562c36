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
  RequestEvent,
  CANCELLABLE_STATUSES,
  RequestStatus,
} from '@app-access/plugin-app-access-common';
import { AppStore } from '../database/AppStore';
import { ApprovalTaskStore } from '../database/ApprovalTaskStore';
import { AuditEventStore } from '../database/AuditEventStore';
import { NewOutboxJob, OutboxStore } from '../database/OutboxStore';
import {
  PlannedLevel,
  RequestRow,
  RequestStore,
  rowToRequest,
  StoredRequest,
} from '../database/RequestStore';
import { SettingsStore } from '../database/SettingsStore';
import { GrantStore } from '../database/GrantStore';
import { addAssignment } from '../database/UsageStore';
import { isUniqueViolation, nowIso } from '../database/json';
import { isPostgres } from '../database/statements';
import { ApprovalPolicyResolver } from './ApprovalPolicyResolver';
import { granteeOf } from './grantee';
import {
  checkDuration,
  defaultDuration,
  effectiveDurationLimit,
  GrantWriter,
} from './GrantWriter';
import { PersonMatcher } from './PersonMatcher';
import {
  ChannelRouting,
  Notice,
  ChannelMemo,
  Transition,
  TransitionEvent,
  TransitionWriter,
} from './TransitionWriter';

/**
 * A request with its events and approvals when the step that answers with it
 * already has them (it wrote them, or read them to check the caller); what
 * is missing is read.
 */
export type Detailed = {
  request: StoredRequest;
  events?: RequestEvent[];
  approvals?: ApprovalTask[];
};

export type Caller = {
  /** User entity ref */
  userRef: string;
  /** The user ref and the groups they belong to. */
  ownershipRefs: string[];
};

export const SYSTEM_ACTOR = 'app-access:system';

/**
 * Who a request is about: whoever filed it and whoever gets the access (the
 * same person unless it was filed on someone's behalf). Both are told at
 * every step and both may read it; neither decides it.
 */
export function partiesOf(request: {
  requester: string;
  grantee?: string;
}): string[] {
  return [
    ...new Set([request.requester, request.grantee ?? request.requester]),
  ];
}

const shortRef = (ref: string) => ref.replace(/^user:default\//, '');

const FULFILLMENT_EVENT = {
  fulfilled: 'fulfilled',
  awaiting_it: 'awaiting_it',
  failed: 'fulfillment_failed',
} as const;

/**
 * The request lifecycle. Every transition is one transaction that writes the
 * new state, an audit event and the outbox rows for what must happen next;
 * nothing external is called here.
 */
/** A reminder batch read and ready to write (`RequestWorkflow.prepareReminders`). */
export type PreparedReminders = {
  at: string;
  tasks: Array<{
    id: string;
    previousCount: number;
    transition: Transition;
  }>;
  channels: ChannelMemo;
};

export class RequestWorkflow {
  private readonly writer: TransitionWriter;
  private readonly grantWriter: GrantWriter;

  constructor(
    private readonly deps: {
      db: Knex;
      apps: AppStore;
      requests: RequestStore;
      tasks: ApprovalTaskStore;
      events: AuditEventStore;
      outbox: OutboxStore;
      settings: SettingsStore;
      grants: GrantStore;
      resolver: ApprovalPolicyResolver;
      /** Compares people, not refs: users sharing an email are one person. */
      persons: PersonMatcher;
      channels: ChannelRouting;
      limits?: {
        /** Open intake requests one person may have at once. Default: 5. */
        maxOpenIntakePerPerson?: number;
      };
      onEnqueued?: () => void;
    },
  ) {
    this.writer = new TransitionWriter(deps);
    this.grantWriter = new GrantWriter({ ...deps, writer: this.writer });
  }

  /** Grants, removals and extensions (see GrantWriter). */
  get grantFlow(): GrantWriter {
    return this.grantWriter;
  }

  /** The one writer of transitions' events and notices (campaign notices use it too). */
  get transitions(): TransitionWriter {
    return this.writer;
  }

  /** A fulfilled portal request counts as usage for peers from now on. */
  private async recordAssignment(request: StoredRequest, tx: Knex.Transaction) {
    if (!request.appId) return;
    await addAssignment(tx, granteeOf(request), request.appId, 'portal');
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
    return task.approvers.some(
      a => caller.ownershipRefs.includes(a) || a === caller.userRef,
    );
  }

  /**
   * Whether the caller may decide this task of this request: never their own
   * request (under any of their accounts), never a level after one they
   * decided. Used to keep the approvals inbox to what the caller can act on.
   */
  async mayDecide(
    caller: Caller,
    request: { id: string; requester: string; grantee?: string },
    task: ApprovalTask,
  ): Promise<boolean> {
    const { persons } = this.deps;
    if (
      (await persons.firstSame(caller.userRef, partiesOf(request))) !==
      undefined
    ) {
      return false;
    }
    if (task.level <= 1) return true;
    const deciders = (await this.deps.tasks.tasksForRequest(request.id))
      .filter(t => t.level < task.level && t.decidedBy)
      .map(t => t.decidedBy!);
    return (await persons.firstSame(caller.userRef, deciders)) === undefined;
  }

  // --- submission ---

  async submit(
    caller: Caller,
    body: {
      appId: string;
      tierId: string;
      justification?: string;
      neededBy?: string;
      durationDays?: number;
      /** The person who gets the access, when the caller files for someone else. */
      onBehalfOf?: string;
    },
    /** An extension request: the grant whose end it moves (see `extend`). */
    extendsGrant?: { id: string },
  ): Promise<StoredRequest> {
    return (await this.submitDetailed(caller, body, extendsGrant)).request;
  }

  /**
   * `submit`, answering with the request's events and approvals too. When
   * the request goes to approval (the common case) they are what this
   * transaction wrote, not read back; otherwise they are read after it.
   */
  async submitDetailed(
    caller: Caller,
    body: Parameters<RequestWorkflow['submit']>[1],
    extendsGrant?: { id: string },
  ): Promise<Detailed> {
    // From the catalog cache: an app saved in this process is read afresh,
    // one saved by another replica after at most the cache's TTL (5 s), as
    // the catalog pages that offer it are.
    const app = await this.deps.apps.getCached(body.appId);
    if (!app || !app.listed) {
      throw new NotFoundError(`appId: no app '${body.appId}' in the catalog`);
    }
    const tier = app.tiers.find(t => t.id === body.tierId);
    if (!tier) {
      throw new NotFoundError(
        `tierId: app '${app.id}' has no tier '${body.tierId}'`,
      );
    }
    const settings = await this.deps.settings.get();
    // Without a duration, access lasts until removed, unless the settings
    // cap all access: then it gets the default (see defaultDuration).
    const durationDays = body.durationDays ?? defaultDuration(tier, settings);
    checkDuration(effectiveDurationLimit(tier, settings), durationDays);
    const grantee = await this.granteeOf(
      caller,
      body.onBehalfOf,
      settings.onBehalf,
    );
    const onBehalf = grantee !== caller.userRef;
    // Approvals follow the person who gets the access (their manager, their
    // groups); whoever filed it is left out like the grantee.
    const plan = await this.deps.resolver.plan({
      app,
      tier,
      requesterRef: grantee,
      filerRef: onBehalf ? caller.userRef : undefined,
      settings,
    });
    const justification = body.justification?.trim() || undefined;
    if (plan.needsApproval && !justification) {
      throw new InputError(
        'justification: required when the tier needs approval',
      );
    }
    const unstaffed = plan.levels.find(
      l => l.approvers.length === 0 && !l.awaitsAdmin,
    );
    if (unstaffed) {
      throw new ConflictError(
        `Nobody can approve level ${unstaffed.level} of ${app.name} ${tier.name}: ask IT to set a fallback approver or default approvers`,
      );
    }

    const granted = await this.deps.grants.heldFor(grantee, app.id, tier.id);
    const who = onBehalf
      ? `${shortRef(grantee)} already has`
      : 'You already have';
    if (granted && !extendsGrant) {
      throw new ConflictError(
        `${who} ${app.name} ${tier.name} (request ${
          granted.requestId
        }, granted ${granted.grantedAt.slice(0, 10)})`,
      );
    }
    // One open request per grantee and tier, whoever filed it, and one open
    // extension per grant beside it.
    const openKey = `${grantee}|${app.id}|${tier.id}${
      extendsGrant ? `|extend:${extendsGrant.id}` : ''
    }`;
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
      grantee,
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
      duration_days: durationDays ?? null,
      extends_grant_id: extendsGrant?.id ?? null,
      created_at: now,
      updated_at: now,
    };
    // Going to approval: the row is inserted pending at level 1 (the events
    // still say submitted → pending_approval), and the answer is what was
    // written.
    const toApproval = plan.levels.length > 0 && !extendsGrant;
    if (toApproval) {
      row.status = 'pending_approval';
      row.level = plan.levels[0].level;
    }
    let written: { events: RequestEvent[]; approvals: ApprovalTask[] } = {
      events: [],
      approvals: [],
    };
    try {
      await this.deps.db.transaction(async tx => {
        // The notices are routed from the settings and app read above.
        this.writer.useRouting(tx, app.id, app.approvalMethod, settings);
        await this.deps.requests.insert(row, tx);
        const submitted: TransitionEvent = {
          appId: app.id,
          actor: caller.userRef,
          type: 'submitted',
          toStatus: 'submitted',
          comment: justification,
          data: {
            tierId: tier.id,
            tierName: tier.name,
            neededBy: body.neededBy,
            ...(durationDays ? { durationDays } : {}),
            ...(extendsGrant ? { extendsGrantId: extendsGrant.id } : {}),
            ...(onBehalf
              ? { requester: caller.userRef, grantee, onBehalf: true }
              : {}),
          },
        };
        if (toApproval) {
          // The submitted event goes in with the level's events.
          const opened = await this.openLevel(
            id,
            app.id,
            { id, requester: caller.userRef },
            plan.levels[0],
            'submitted',
            tx,
            { inserted: true, before: [submitted] },
          );
          written = { events: opened.events, approvals: [opened.task] };
          return;
        }
        await this.writer.record(tx, {
          request: { id, requester: caller.userRef, appId: app.id },
          event: submitted,
        });
        await this.afterSubmit(
          id,
          app.id,
          { requester: caller.userRef, grantee },
          plan.levels,
          tx,
          extendsGrant?.id,
        );
      });
    } catch (error) {
      if (isUniqueViolation(error)) {
        const existing = await this.deps.requests.findOpenByKey(openKey);
        throw new ConflictError(
          `${
            onBehalf ? `${shortRef(grantee)} already has` : 'You already have'
          } an open ${extendsGrant ? 'extension ' : ''}request ${
            existing?.id ?? ''
          } for ${app.name} ${tier.name} (status ${
            existing?.status ?? 'open'
          })`.replace('  ', ' '),
        );
      }
      throw error;
    }
    this.afterCommit();
    if (toApproval) return { request: rowToRequest(row), ...written };
    return { request: await this.getRequest(id) };
  }

  /**
   * The person who gets the access: the caller, or the person they file for
   * when the on-behalf rule allows it (their direct report under `reports`,
   * anyone under `anyone`; never under `off`).
   */
  private async granteeOf(
    caller: Caller,
    onBehalfOf: string | undefined,
    rule: 'off' | 'reports' | 'anyone' = 'reports',
  ): Promise<string> {
    if (!onBehalfOf || onBehalfOf === caller.userRef) return caller.userRef;
    if (rule === 'off') {
      throw new NotAllowedError(
        'onBehalfOf: requesting access for someone else is turned off: ask them to request it themselves',
      );
    }
    const person = await this.deps.persons.lookup(onBehalfOf);
    if (!person) {
      throw new InputError(
        `onBehalfOf: no person '${onBehalfOf}' in the directory`,
      );
    }
    if (
      rule === 'reports' &&
      !(
        person.manager &&
        (await this.deps.persons.same(person.manager, caller.userRef))
      )
    ) {
      throw new NotAllowedError(
        `onBehalfOf: ${onBehalfOf} does not report to you, and you may request access only for your direct reports`,
      );
    }
    return person.ref;
  }

  /** submitted → pending_approval(level 1) or → approved when no approval is needed. */
  private async afterSubmit(
    id: string,
    appId: string | undefined,
    parties: { requester: string; grantee: string },
    levels: PlannedLevel[],
    tx: Knex,
    extendsGrantId?: string,
  ) {
    const request = { id, requester: parties.requester };
    if (levels.length === 0 && extendsGrantId) {
      await this.grantWriter.applyExtension(tx, id, 'submitted');
      return;
    }
    if (levels.length === 0) {
      // The row was inserted in this transaction, so the move cannot lose.
      await this.writer.record(tx, {
        request,
        from: 'submitted',
        to: 'approved',
        event: {
          appId,
          actor: SYSTEM_ACTOR,
          type: 'approved',
          fromStatus: 'submitted',
          toStatus: 'approved',
          comment: 'No approval needed for this tier',
        },
        jobs: [this.fulfillJob(id, 0)],
        notify: {
          kind: 'status_changed',
          audience: 'requester',
          recipients: partiesOf(parties),
          occurrence: 'approved',
        },
      });
      return;
    }
    await this.openLevel(id, appId, request, levels[0], 'submitted', tx);
  }

  /**
   * A later level as it opens: without the requester and without anyone who
   * decided an earlier level (as people, so aliases count); when nobody else
   * is left, the fallback approver, unless they decided an earlier level too:
   * then nobody, and an admin names an approver.
   */
  private async staffLevel(
    planned: PlannedLevel,
    parties: string[],
    deciders: string[],
  ): Promise<PlannedLevel> {
    const { persons } = this.deps;
    const excluded = [...parties, ...deciders];
    const approvers = await persons.without(planned.approvers, excluded);
    if (await persons.hasOtherPerson(approvers, excluded)) {
      return { ...planned, approvers };
    }
    const settings = await this.deps.settings.get();
    const fallback = settings.fallbackApprover
      ? [settings.fallbackApprover]
      : settings.defaultApprovers;
    if (await persons.hasOtherPerson(fallback, excluded)) {
      return {
        level: planned.level,
        approvers: await persons.without(fallback, excluded),
        fallback: true,
      };
    }
    return {
      level: planned.level,
      approvers: [],
      fallback: false,
      awaitsAdmin: true,
    };
  }

  private async openLevel(
    id: string,
    appId: string | undefined,
    request: { id: string; requester: string },
    level: PlannedLevel,
    from: RequestStatus,
    tx: Knex,
    options: {
      /** The caller inserted the request already pending at this level. */
      inserted?: boolean;
      /** Events written ahead of the level's own, in the same insert. */
      before?: TransitionEvent[];
    } = {},
  ): Promise<{ events: RequestEvent[]; task: ApprovalTask }> {
    const taskId = randomUUID();
    // Not checked: the caller holds the request in `from` within this
    // transaction (it just inserted it, or just won its open task).
    if (!options.inserted) {
      await this.deps.requests.transition(
        id,
        from,
        { status: 'pending_approval', level: level.level },
        tx,
      );
    }
    const task = await this.deps.tasks.insertTask(
      {
        id: taskId,
        requestId: id,
        level: level.level,
        approvers: level.approvers,
        fallback: level.fallback,
      },
      tx,
    );
    const events = await this.writer.record(tx, {
      request: appId ? { ...request, appId } : request,
      event: [
        ...(options.before ?? []),
        {
          appId,
          actor: SYSTEM_ACTOR,
          type: 'approval_requested',
          fromStatus: from,
          toStatus: 'pending_approval',
          level: level.level,
          data: { approvers: level.approvers, fallback: level.fallback },
        },
        ...(level.fallback
          ? [
              {
                appId,
                actor: SYSTEM_ACTOR,
                type: 'fallback_asked' as const,
                level: level.level,
                comment:
                  level.level > 1
                    ? 'No approver other than the requester and those who decided an earlier level; the fallback approver is asked'
                    : 'No approver other than the requester; the fallback approver is asked',
                data: { approvers: level.approvers },
              },
            ]
          : []),
        ...(level.approvers.length === 0
          ? [
              {
                appId,
                actor: SYSTEM_ACTOR,
                type: 'approver_needed' as const,
                level: level.level,
                comment: `Only people who decided an earlier level could decide level ${level.level}; an admin must name an approver`,
              },
            ]
          : []),
      ],
      // A level nobody may decide yet waits for an admin to name an approver.
      notify: level.approvers.length
        ? {
            kind: 'approval_needed',
            audience: 'approvers',
            recipients: level.approvers,
            task: { id: taskId },
            occurrence: 'initial',
          }
        : undefined,
    });
    return { events, task };
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
    body: {
      name: string;
      url?: string;
      vendor?: string;
      justification: string;
    },
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
    // One person cannot flood IT's review queue with requests for new apps.
    const limit = this.deps.limits?.maxOpenIntakePerPerson ?? 5;
    if (
      (await this.deps.requests.countOpen(caller.userRef, 'intake')) >= limit
    ) {
      throw new ConflictError(
        `You already have ${limit} open requests for new apps: wait until IT has answered one, or cancel one, before asking for another`,
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
          intake: JSON.stringify({
            name: body.name,
            url: body.url,
            vendor: body.vendor,
          }),
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
      const request = { id, requester: caller.userRef };
      await this.writer.record(tx, {
        request,
        event: {
          actor: caller.userRef,
          type: 'submitted',
          toStatus: 'submitted',
          comment: body.justification,
          data: {
            intake: { name: body.name, url: body.url, vendor: body.vendor },
          },
        },
      });
      await this.openLevel(id, undefined, request, levels[0], 'submitted', tx);
    });
    this.afterCommit();
    return this.getRequest(id);
  }

  // --- decisions ---

  async decide(
    caller: Caller,
    requestId: string,
    body: {
      decision: 'approve' | 'deny';
      comment?: string;
      durationDays?: number;
    },
    via: {
      channel?: string;
      taskId?: string;
      /**
       * The request (and its tasks) as the caller just read them, e.g. to
       * check who may see it: not read again. Either may be stale; the
       * transaction below only wins an open task.
       */
      known?: { request: StoredRequest; tasks?: ApprovalTask[] };
    } = {},
  ): Promise<StoredRequest> {
    return (await this.decideDetailed(caller, requestId, body, via)).request;
  }

  /**
   * `decide`, answering with the request's approvals too: the tasks read
   * to check the caller, with the decided one as this decision wrote it and
   * the next level's task when one opened (not read back).
   */
  async decideDetailed(
    caller: Caller,
    requestId: string,
    body: Parameters<RequestWorkflow['decide']>[2],
    via: Parameters<RequestWorkflow['decide']>[3] = {},
  ): Promise<Detailed> {
    const request =
      via.known?.request.id === requestId
        ? via.known.request
        : await this.getRequest(requestId);
    const comment = body.comment?.trim() || undefined;
    if (body.decision === 'deny' && !comment) {
      throw new InputError('comment: required to deny a request');
    }
    const shortenTo =
      body.decision === 'approve' && body.durationDays !== undefined
        ? await this.grantWriter.checkShortening(request, body.durationDays)
        : undefined;
    if (request.requester === caller.userRef) {
      throw new NotAllowedError('You cannot decide your own request');
    }
    if (request.grantee === caller.userRef) {
      throw new NotAllowedError(
        'You cannot decide a request for your own access',
      );
    }
    if (await this.deps.persons.same(caller.userRef, request.requester)) {
      throw new NotAllowedError(
        'You cannot decide this request: you and its requester are the same person (your accounts share an email address)',
      );
    }
    if (await this.deps.persons.same(caller.userRef, request.grantee)) {
      throw new NotAllowedError(
        'You cannot decide this request: you and the person it is for are the same person (your accounts share an email address)',
      );
    }
    const tasks =
      via.known?.request.id === requestId && via.known.tasks
        ? via.known.tasks
        : await this.deps.tasks.tasksForRequest(requestId);
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
    // Separation of duties: one person decides at most one level, however
    // they hold the task (named, group, manager, owner, fallback, alias).
    const earlier = tasks.filter(
      t => t.level < task.level && t.status === 'approved' && t.decidedBy,
    );
    for (const t of earlier) {
      if (await this.deps.persons.same(caller.userRef, t.decidedBy!)) {
        throw new NotAllowedError(
          `You decided level ${t.level} of this request; another person must decide level ${task.level}`,
        );
      }
    }

    const status = body.decision === 'approve' ? 'approved' : 'denied';
    // Who staffs the next level is read before the transaction: the
    // directory is not read inside it (on SQLite the transaction holds the
    // only connection).
    const nextLevel = request.plan.find(l => l.level === task.level + 1);
    const staffedNext =
      status === 'approved' && nextLevel
        ? await this.staffLevel(nextLevel, partiesOf(request), [
            ...earlier.map(t => t.decidedBy!),
            caller.userRef,
          ])
        : undefined;
    // The notices' channels, read before the transaction: the settings and
    // the app's approval method from their caches (seen at once after a save
    // in this process, within seconds after one elsewhere).
    const [settings, app] = await Promise.all([
      this.deps.settings.get(),
      request.appId ? this.deps.apps.getCached(request.appId) : undefined,
    ]);
    const decidedAt = nowIso();
    let opened: ApprovalTask | undefined;
    await this.deps.db.transaction(async tx => {
      this.writer.useRouting(tx, request.appId, app?.approvalMethod, settings);
      const won = await this.deps.tasks.decideTask(
        task.id,
        { status, by: caller.userRef, comment, at: decidedAt },
        tx,
      );
      if (!won) {
        const current = await this.deps.tasks.getTask(task.id, tx);
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
      const parties = partiesOf(request);
      // Every approver's copy of the task is updated to show the outcome
      // (Slack messages lose their buttons, emails links stop working);
      // enqueued with the requester's notice, ahead of it.
      const toldApprovers: Notice = {
        kind: 'decision_recorded',
        audience: 'approvers',
        recipients: task.approvers,
        task,
        occurrence: status,
      };
      const decisionEvent: TransitionEvent = {
        appId: request.appId,
        actor: caller.userRef,
        type: status,
        fromStatus: 'pending_approval',
        level: task.level,
        comment,
        data: via.channel ? { channel: via.channel } : undefined,
      };
      const toldRequester: Notice = {
        kind: 'decision_recorded',
        audience: 'requester',
        recipients: parties,
        task,
        occurrence: status,
      };
      if (status === 'denied') {
        await this.writer.record(tx, {
          request: requesterRef,
          from: 'pending_approval',
          to: 'denied',
          changes: { level: 0, open_key: null },
          event: { ...decisionEvent, toStatus: 'denied' },
          notify: [toldApprovers, toldRequester],
        });
        return;
      }
      await this.writer.record(tx, {
        request: requesterRef,
        event: {
          ...decisionEvent,
          toStatus: next ? 'pending_approval' : 'approved',
        },
        notify: [toldApprovers, toldRequester],
      });
      if (shortenTo !== undefined) {
        await this.writer.record(tx, {
          request: requesterRef,
          changes: undefined,
          event: {
            appId: request.appId,
            actor: caller.userRef,
            type: 'duration_shortened',
            level: task.level,
            comment: `Access shortened to ${shortenTo} day${
              shortenTo === 1 ? '' : 's'
            }`,
            data: { from: request.durationDays, to: shortenTo },
          },
        });
        await this.deps.requests.update(
          requestId,
          { duration_days: shortenTo },
          tx,
        );
      }
      if (next && staffedNext) {
        ({ task: opened } = await this.openLevel(
          requestId,
          request.appId,
          requesterRef,
          staffedNext,
          'pending_approval',
          tx,
        ));
        return;
      }
      if (request.kind === 'intake') {
        // An approved intake goes to IT to evaluate and add the app.
        await this.writer.record(tx, {
          request: requesterRef,
          from: 'pending_approval',
          to: 'awaiting_it',
          changes: { level: 0 },
          event: {
            actor: SYSTEM_ACTOR,
            type: 'awaiting_it',
            fromStatus: 'pending_approval',
            toStatus: 'awaiting_it',
            comment: 'Approved; IT will evaluate and add the app',
          },
          notify: {
            kind: 'status_changed',
            audience: 'requester',
            recipients: parties,
            occurrence: 'awaiting_it',
          },
        });
        return;
      }
      if (request.extendsGrantId) {
        // An approved extension moves the grant's end; nothing is fulfilled.
        await this.grantWriter.applyExtension(
          tx,
          requestId,
          'pending_approval',
        );
        return;
      }
      await this.writer.record(tx, {
        request: requesterRef,
        from: 'pending_approval',
        to: 'approved',
        changes: { level: 0 },
        jobs: [this.fulfillJob(requestId, request.retries)],
      });
    });
    this.afterCommit();
    const approvals: ApprovalTask[] = tasks.map(t =>
      t.id === task.id
        ? { ...t, status, decidedBy: caller.userRef, decidedAt, comment }
        : t,
    );
    if (opened) approvals.push(opened);
    return { request: await this.getRequest(requestId), approvals };
  }

  // --- cancel ---

  async cancel(caller: Caller, requestId: string): Promise<StoredRequest> {
    const request = await this.getRequest(requestId);
    if (!partiesOf(request).includes(caller.userRef)) {
      throw new NotAllowedError(
        'Only the requester or the person it is for can cancel a request',
      );
    }
    if (!CANCELLABLE_STATUSES.includes(request.status)) {
      throw new ConflictError(
        `The request is ${request.status} and can no longer be cancelled`,
      );
    }
    await this.deps.db.transaction(async tx => {
      await this.writer.record(tx, {
        request,
        from: CANCELLABLE_STATUSES,
        to: 'cancelled',
        changes: { level: 0, open_key: null },
        event: {
          appId: request.appId,
          actor: caller.userRef,
          type: 'cancelled',
          fromStatus: request.status,
          toStatus: 'cancelled',
        },
        notify: {
          kind: 'status_changed',
          audience: 'requester',
          recipients: partiesOf(request),
          occurrence: 'cancelled',
        },
      });
      await this.deps.tasks.supersedeOpenTasks(requestId, tx);
    });
    this.afterCommit();
    return this.getRequest(requestId);
  }

  // --- fulfillment results (called by the fulfill job handler) ---

  /** approved → fulfilling; true when this call moved it (or it already was). */
  async startFulfillment(
    requestId: string,
  ): Promise<StoredRequest | undefined> {
    const request = await this.getRequest(requestId);
    if (request.status === 'fulfilling') return request;
    if (request.status !== 'approved') return undefined;
    await this.deps.db.transaction(async tx => {
      await this.writer.record(tx, {
        request,
        from: 'approved',
        to: 'fulfilling',
        event: {
          appId: request.appId,
          actor: SYSTEM_ACTOR,
          type: 'fulfillment_started',
          fromStatus: 'approved',
          toStatus: 'fulfilling',
        },
      });
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
        await this.deps.requests.update(
          requestId,
          { external_ref: data.externalRef },
          tx,
        );
      }
      await this.deps.events.addEvent(
        {
          requestId,
          actor: SYSTEM_ACTOR,
          type: 'fulfillment_progress',
          comment: data.note,
          data: data.externalRef
            ? { externalRef: data.externalRef }
            : undefined,
        },
        tx,
      );
    });
  }

  /**
   * A follower's note on the timeline of a request waiting for IT (e.g. the
   * requester closed the ticket themselves). Followers run every few minutes
   * and see the same thing each time, so a text is recorded once per
   * request; true when this call recorded it.
   */
  async addFulfillmentNote(requestId: string, text: string): Promise<boolean> {
    const comment = text.trim();
    if (!comment) return false;
    await this.getRequest(requestId);
    return this.deps.db.transaction(async tx => {
      // The row lock makes a second replica's identical note wait and then
      // find the first one.
      const request = await this.deps.requests.lock(requestId, tx);
      if (!request || request.status !== 'awaiting_it') return false;
      const type = 'fulfillment_progress';
      if (await this.deps.events.hasEvent({ requestId, type, comment }, tx)) {
        return false;
      }
      await this.deps.events.addEvent(
        { requestId, appId: request.appId, actor: SYSTEM_ACTOR, type, comment },
        tx,
      );
      return true;
    });
  }

  async completeFulfillment(
    requestId: string,
    result: {
      status: 'fulfilled' | 'awaiting_it' | 'failed';
      externalRef?: string;
      externalUrl?: string;
      message?: string;
      /** What the requester is told of a failure (IT's own words); else the generic sentence. */
      requesterMessage?: string;
      fulfilledBy?: string;
    },
    actor = SYSTEM_ACTOR,
    guard?: (tx: Knex) => Promise<void>,
  ) {
    const request = await this.getRequest(requestId);
    // A ticket closed as won't-do fails a request that was waiting for IT.
    const from: RequestStatus[] =
      result.status === 'awaiting_it'
        ? ['fulfilling']
        : ['fulfilling', 'awaiting_it'];
    if (!from.includes(request.status)) return;
    // Settings and the app's approval method (the notice's channels) from
    // their caches, before the transaction that holds the fence's row lock.
    const [settings, app] = await Promise.all([
      this.deps.settings.get(),
      request.appId ? this.deps.apps.getCached(request.appId) : undefined,
    ]);
    await this.deps.db.transaction(async tx => {
      await guard?.(tx);
      this.writer.useRouting(tx, request.appId, app?.approvalMethod, settings);
      await this.writer.record(tx, {
        request,
        from,
        to: result.status,
        changes: {
          external_ref: result.externalRef ?? request.externalRef ?? null,
          external_url: result.externalUrl ?? request.externalUrl ?? null,
          failure_reason:
            result.status === 'failed'
              ? result.message ?? 'Fulfillment failed'
              : null,
          requester_note:
            result.status === 'failed' ? result.requesterMessage ?? null : null,
          ...(result.fulfilledBy ? { fulfilled_by: result.fulfilledBy } : {}),
          // A failed request stays "open" so the person cannot file a duplicate
          // while an admin may still retry it; fulfilled ones are closed.
          ...(result.status === 'fulfilled' ? { open_key: null } : {}),
        },
        event: {
          appId: request.appId,
          actor,
          type: FULFILLMENT_EVENT[result.status],
          fromStatus: request.status,
          toStatus: result.status,
          comment: result.message,
          data: {
            externalRef: result.externalRef,
            externalUrl: result.externalUrl,
            ...(result.requesterMessage
              ? { requesterNote: result.requesterMessage }
              : {}),
          },
        },
        notify: {
          kind: 'status_changed',
          audience: 'requester',
          recipients: partiesOf(request),
          occurrence: `${result.status}:${request.retries}`,
        },
      });
      if (result.status === 'fulfilled') {
        await this.recordAssignment(request, tx);
        await this.grantWriter.recordGrant(tx, request, {
          fulfilledBy: result.fulfilledBy ?? request.fulfilledBy,
          externalRef: result.externalRef ?? request.externalRef,
        });
      }
      if (
        result.status === 'fulfilled' &&
        settings.ticketing.auditTickets &&
        result.fulfilledBy?.startsWith('okta')
      ) {
        await this.deps.outbox.enqueue(
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
      await this.writer.record(tx, {
        request,
        from: 'failed',
        to: 'fulfilling',
        changes: { retries, failure_reason: null, requester_note: null },
        event: {
          appId: request.appId,
          actor: caller.userRef,
          type: 'retried',
          fromStatus: 'failed',
          toStatus: 'fulfilling',
        },
        jobs: [this.fulfillJob(requestId, retries)],
      });
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
      await this.writer.record(tx, {
        request,
        from: ['awaiting_it', 'failed'],
        to: 'fulfilled',
        changes: { open_key: null, failure_reason: null, requester_note: null },
        event: {
          appId: request.appId,
          actor: caller.userRef,
          type: 'marked_fulfilled',
          fromStatus: request.status,
          toStatus: 'fulfilled',
          comment: note,
        },
        notify: {
          kind: 'status_changed',
          audience: 'requester',
          recipients: partiesOf(request),
          occurrence: `fulfilled:manual:${request.retries}`,
        },
      });
      await this.recordAssignment(request, tx);
      await this.grantWriter.recordGrant(tx, request, {
        fulfilledBy: request.fulfilledBy ?? 'manual',
        externalRef: request.externalRef,
      });
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
    const task = await this.deps.tasks.getTask(taskId);
    if (!task || task.status !== 'open') return false;
    const request = await this.getRequest(task.requestId);
    const reminderNumber = previousCount + 1;
    let sent = false;
    await this.deps.db.transaction(async tx => {
      if (
        !(await this.deps.tasks.markReminded(
          taskId,
          previousCount,
          nowIso(now),
          tx,
        ))
      ) {
        return;
      }
      sent = true;
      await this.writer.record(tx, {
        request,
        event: {
          appId: request.appId,
          actor: SYSTEM_ACTOR,
          type: 'reminder_sent',
          level: task.level,
          data: { reminderNumber, approvers: task.approvers },
        },
        notify: {
          kind: 'reminder',
          audience: 'approvers',
          recipients: task.approvers,
          task,
          occurrence: `reminder-${reminderNumber}`,
          reminderNumber,
        },
      });
    });
    if (sent) this.afterCommit();
    return sent;
  }

  /**
   * The reminder sweep's batch: what `remind` does for each task, with its
   * reads before the write and its events and notices written in bulk, so a
   * batch holds its row locks briefly. A task is counted only if nobody
   * counted it first. Returns how many were reminded.
   */
  async remindMany(
    due: Array<{ id: string; reminders: number }>,
    now: Date = new Date(),
    stats?: { writeMs: number },
  ): Promise<number> {
    return this.writeReminders(await this.prepareReminders(due, now), stats);
  }

  /**
   * `remindMany`'s reads: the tasks with their approvers, their requests,
   * and the approvers' channel of each app (settings and the apps' approval
   * methods), kept in `channels` for the sweep's next batches.
   */
  async prepareReminders(
    due: Array<{ id: string; reminders: number }>,
    now: Date = new Date(),
    channels: ChannelMemo = new Map(),
  ): Promise<PreparedReminders> {
    const previous = new Map(due.map(t => [t.id, t.reminders]));
    const tasks = (await this.deps.tasks.getTasks([...previous.keys()])).filter(
      t => t.status === 'open',
    );
    const requests = new Map(
      (
        await this.deps.requests.getMany([
          ...new Set(tasks.map(t => t.requestId)),
        ])
      ).map(r => [r.id, r]),
    );
    const unrouted = [
      ...new Set([...requests.values()].map(r => r.appId ?? '')),
    ].filter(appId => !channels.has(`approvers:${appId}`));
    if (unrouted.length) {
      const routed = await this.writer.route(
        this.deps.db,
        'approvers',
        unrouted.map(appId => appId || undefined),
      );
      for (const [key, value] of routed) channels.set(key, value);
    }
    const candidates = tasks.filter(t => requests.has(t.requestId));
    const transitions = candidates.map(task => {
      const request = requests.get(task.requestId)!;
      const reminderNumber = previous.get(task.id)! + 1;
      return {
        request,
        event: {
          appId: request.appId,
          actor: SYSTEM_ACTOR,
          type: 'reminder_sent' as const,
          level: task.level,
          data: { reminderNumber, approvers: task.approvers },
        },
        notify: {
          kind: 'reminder' as const,
          audience: 'approvers' as const,
          recipients: task.approvers,
          task,
          occurrence: `reminder-${reminderNumber}`,
          reminderNumber,
        },
      };
    });
    return {
      at: nowIso(now),
      tasks: candidates.map((task, i) => ({
        id: task.id,
        previousCount: previous.get(task.id)!,
        transition: transitions[i],
      })),
      channels,
    };
  }

  /** `remindMany`'s write; `stats.writeMs` is how long it held its locks at most. */
  async writeReminders(
    prepared: PreparedReminders,
    stats?: { writeMs: number },
  ): Promise<number> {
    const { at, tasks, channels } = prepared;
    let sent = 0;
    const w0 = performance.now();
    if (isPostgres(this.deps.db)) {
      // One statement: the update, the events and the notices of the tasks
      // it counted. Its rows are locked only while it executes.
      const rows = await this.writer.prepareMany(
        this.deps.db,
        tasks.map(t => t.transition),
        channels,
      );
      const marked = await this.deps.tasks.markRemindedWithRecords(
        tasks.map((t, i) => ({
          id: t.id,
          previousCount: t.previousCount,
          ...rows[i],
        })),
        at,
      );
      sent = marked.size;
    } else {
      await this.deps.db.transaction(async tx => {
        sent = 0;
        const marked = await this.deps.tasks.markRemindedMany(
          tasks.map(t => ({ id: t.id, previousCount: t.previousCount })),
          at,
          tx,
        );
        const transitions = tasks
          .filter(t => marked.has(t.id))
          .map(t => t.transition);
        await this.writer.recordMany(tx, transitions, channels);
        sent = transitions.length;
      });
    }
    if (stats) stats.writeMs = performance.now() - w0;
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
    const task = await this.deps.tasks.getTask(taskId);
    if (!task || task.status !== 'open' || task.fallback) return;
    const settings = await this.deps.settings.get();
    const request = await this.getRequest(task.requestId);
    // The fallback approver stands in only for someone else's request, and
    // only if they did not decide an earlier level of it (read before the
    // transaction, which must not wait on the directory).
    const deciders = (await this.deps.tasks.tasksForRequest(request.id))
      .filter(t => t.level < task.level && t.decidedBy)
      .map(t => t.decidedBy!);
    const fallback =
      settings.fallbackApprover &&
      (await this.deps.persons.hasOtherPerson(
        [settings.fallbackApprover],
        [...partiesOf(request), ...deciders],
      ))
        ? settings.fallbackApprover
        : undefined;
    await this.deps.db.transaction(async tx => {
      await guard?.(tx);
      await this.deps.events.addEvent(
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
      if (!fallback) return;
      await this.deps.tasks.setTaskFallback(taskId, tx);
      await this.deps.tasks.addApprovers(taskId, [fallback], tx);
      await this.writer.record(tx, {
        request,
        event: {
          appId: request.appId,
          actor: SYSTEM_ACTOR,
          type: 'fallback_asked',
          level: task.level,
          comment:
            'None of the approvers could be reached; the fallback approver is asked',
          data: { approvers: [fallback] },
        },
        notify: {
          kind: 'approval_needed',
          audience: 'approvers',
          recipients: [fallback],
          task,
          occurrence: 'fallback',
        },
      });
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
      await this.completeFulfillment(
        requestId,
        {
          status: 'failed',
          message: `Fulfillment gave up after repeated errors: ${error}`,
        },
        SYSTEM_ACTOR,
        guard,
      );
      return;
    }
    await this.deps.db.transaction(async tx => {
      await guard?.(tx);
      await this.deps.events.addEvent(
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

  /**
   * An admin names who decides the open level of a request, when nobody may
   * (everyone who could decided an earlier level) or in addition to those who
   * may. The requester and earlier deciders cannot be named, as people.
   */
  async nameApprover(
    caller: Caller,
    requestId: string,
    approver: string,
  ): Promise<StoredRequest> {
    const request = await this.getRequest(requestId);
    const tasks = await this.deps.tasks.tasksForRequest(requestId);
    const task = tasks.find(t => t.status === 'open');
    if (request.status !== 'pending_approval' || !task) {
      throw new ConflictError(
        `The request is ${request.status} and does not wait for a decision`,
      );
    }
    const deciders = tasks
      .filter(t => t.level < task.level && t.decidedBy)
      .map(t => t.decidedBy!);
    if (
      !(await this.deps.persons.hasOtherPerson(
        [approver],
        [...partiesOf(request), ...deciders],
      ))
    ) {
      throw new ConflictError(
        `approver: ${approver} cannot decide level ${task.level}: they filed this request, it is for them, or they decided an earlier level of it`,
      );
    }
    if (task.approvers.includes(approver)) {
      throw new ConflictError(
        `approver: ${approver} already decides level ${task.level}`,
      );
    }
    await this.deps.db.transaction(async tx => {
      await this.deps.tasks.addApprovers(task.id, [approver], tx);
      await this.writer.record(tx, {
        request,
        event: {
          appId: request.appId,
          actor: caller.userRef,
          type: 'approver_named',
          level: task.level,
          comment: `${approver} was named to decide level ${task.level}`,
          data: { approvers: [approver] },
        },
        notify: {
          kind: 'approval_needed',
          audience: 'approvers',
          recipients: [approver],
          task,
          occurrence: `named:${approver}`,
        },
      });
    });
    this.afterCommit();
    return this.getRequest(requestId);
  }

  /**
   * An admin puts a dead outbox job back in the queue. A dead fulfilment
   * had failed its request: reviving the job resumes the request exactly as
   * `retry` does (counted as a retry, failed → fulfilling, audit event), in
   * the same transaction as the revival.
   */
  async reviveDeadJob(caller: Caller, jobId: string): Promise<void> {
    const job = await this.deps.outbox.get(jobId);
    if (!job) throw new NotFoundError(`No outbox job ${jobId}`);
    const requestId =
      job.kind === 'fulfill' && job.payload.requestId
        ? String(job.payload.requestId)
        : undefined;
    await this.deps.db.transaction(async tx => {
      if (!(await this.deps.outbox.revive(jobId, tx))) {
        throw new ConflictError(
          `Outbox job ${jobId} is ${job.status}, not dead`,
        );
      }
      if (job.kind === 'revoke' && job.payload.grantId) {
        // A dead removal had failed its grant: it is being removed again.
        await this.deps.grants.transition(
          String(job.payload.grantId),
          'removal_failed',
          { status: 'removing' },
          tx,
        );
      }
      const request = requestId
        ? await this.deps.requests.get(requestId, tx)
        : undefined;
      if (request?.status !== 'failed') return;
      await this.writer.record(tx, {
        request,
        from: 'failed',
        to: 'fulfilling',
        changes: {
          retries: request.retries + 1,
          failure_reason: null,
          requester_note: null,
        },
        event: {
          appId: request.appId,
          actor: caller.userRef,
          type: 'retried',
          fromStatus: 'failed',
          toStatus: 'fulfilling',
          comment: `Outbox job ${jobId} revived`,
        },
      });
    });
    this.afterCommit();
  }

  /**
   * A request with its timeline and approvals, as admins see it, or as its
   * requester and approvers do (`audience: 'party'`, see `requesterView`).
   */
  async withDetails(
    of: StoredRequest | Detailed,
    audience: 'admin' | 'party' = 'admin',
  ): Promise<AccessRequest> {
    const known: Detailed = 'request' in of ? of : { request: of };
    const request = known.request;
    const [events, approvals] = await Promise.all([
      known.events ?? this.deps.events.eventsForRequest(request.id),
      known.approvals ?? this.deps.tasks.tasksForRequest(request.id),
    ]);
    return audience === 'party'
      ? {
          ...requesterView(request),
          events: requesterEvents(events),
          approvals,
        }
      : { ...publicRequest(request), events, approvals };
  }
}

/** The request as the API shows it to admins (without internal planning fields). */
export function publicRequest(request: StoredRequest): AccessRequest {
  const {
    plan: _plan,
    retries: _retries,
    requesterNote: _note,
    ...rest
  } = request;
  return rest;
}

/** What a requester reads when fulfilment failed for a technical reason. */
export const REQUESTER_FAILURE_TEXT =
  'IT could not finish this automatically and has been told';

/**
 * The request as its requester and approvers see it: a failure in plain
 * words (IT's own answer when a ticket was closed without granting access,
 * else REQUESTER_FAILURE_TEXT); vendor error texts are for admins only.
 */
export function requesterView(request: StoredRequest): AccessRequest {
  const view = publicRequest(request);
  if (!request.failureReason) return view;
  return {
    ...view,
    failureReason: request.requesterNote ?? REQUESTER_FAILURE_TEXT,
  };
}

/** Timeline events as the requester and approvers see them (see `requesterView`). */
export function requesterEvents(events: RequestEvent[]): RequestEvent[] {
  return events.map(event => {
    if (event.type === 'fulfillment_failed') {
      return {
        ...event,
        comment:
          (event.data?.requesterNote as string | undefined) ??
          REQUESTER_FAILURE_TEXT,
      };
    }
    if (event.type === 'notified' && event.data?.failed) {
      return {
        ...event,
        comment: 'A message about this request could not be delivered',
      };
    }
    return event;
  });
}
