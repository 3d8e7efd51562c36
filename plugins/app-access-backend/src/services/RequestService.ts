import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import {
  AccessRequest,
  AccessRequestPage,
  ApprovalTask,
  PendingApproval,
  PendingApprovalPage,
  REQUEST_STATUSES,
  RequestStatus,
} from '@app-access/plugin-app-access-common';
import { ApprovalTaskStore } from '../database/ApprovalTaskStore';
import { RequestStore, StoredRequest } from '../database/RequestStore';
import { nowIso } from '../database/json';
import { SeatWarnings } from '../usage/seatWarning';
import {
  Caller,
  partiesOf,
  publicRequest,
  RequestWorkflow,
  requesterView,
} from '../workflow/RequestWorkflow';

/** Parses a comma-separated status filter; an unknown status is a 400 naming it. */
export function parseStatuses(
  value: string | undefined,
): RequestStatus[] | undefined {
  if (!value) return undefined;
  const list = value
    .split(',')
    .map(s => s.trim())
    .filter(Boolean);
  for (const s of list) {
    if (!REQUEST_STATUSES.includes(s as RequestStatus)) {
      throw new InputError(
        `status: '${s}' is not one of ${REQUEST_STATUSES.join(', ')}`,
      );
    }
  }
  return list as RequestStatus[];
}

/**
 * Whether a YYYY-MM-DD string names a day that exists; the spec's `date`
 * format accepts days past the end of a month ('2026-02-30').
 */
function isCalendarDate(d: string): boolean {
  const time = Date.parse(`${d}T00:00:00Z`);
  return !Number.isNaN(time) && new Date(time).toISOString().slice(0, 10) === d;
}

/**
 * Requests as their requesters, approvers and admins read and act on them.
 * Every change goes through the workflow; this class decides who may see
 * what and shapes the answers.
 */
export class RequestService {
  constructor(
    private readonly deps: {
      requests: RequestStore;
      tasks: ApprovalTaskStore;
      workflow: RequestWorkflow;
      seats?: SeatWarnings;
    },
  ) {}

  /** As the requester and approvers see it: failures in plain words. */
  private details(request: Parameters<RequestWorkflow['withDetails']>[0]) {
    return this.deps.workflow.withDetails(request, 'party');
  }

  /** As admins see it: with the technical reason of a failure. */
  private adminDetails(request: Parameters<RequestWorkflow['withDetails']>[0]) {
    return this.deps.workflow.withDetails(request, 'admin');
  }

  async submit(
    caller: Caller,
    body: {
      appId: string;
      tierId: string;
      justification?: string;
      neededBy?: string;
      durationDays?: number;
      onBehalfOf?: string;
    },
  ): Promise<AccessRequest> {
    if (body.neededBy !== undefined && !isCalendarDate(body.neededBy)) {
      throw new InputError('neededBy: must be a valid date');
    }
    return this.details(await this.deps.workflow.submitDetailed(caller, body));
  }

  async submitIntake(
    caller: Caller,
    body: {
      name: string;
      url?: string;
      vendor?: string;
      justification: string;
    },
  ): Promise<AccessRequest> {
    return this.details(await this.deps.workflow.submitIntake(caller, body));
  }

  async listMine(
    caller: Caller,
    query: { status?: string; limit: number; cursor?: string },
  ): Promise<AccessRequestPage> {
    // What the caller filed and what others filed for them.
    const page = await this.deps.requests.list({
      party: caller.userRef,
      status: parseStatuses(query.status),
      limit: query.limit,
      cursor: query.cursor,
    });
    return {
      items: page.items.map(requesterView),
      nextCursor: page.nextCursor,
    };
  }

  /** A request for its requester, its grantee, its approvers, and those who may read all requests; 404 for anyone else. */
  async get(
    caller: Caller,
    id: string,
    /** Whether the caller may read every request (app-access.request.read.all). */
    canReadAll: () => Promise<boolean>,
  ): Promise<AccessRequest> {
    const request = await this.deps.workflow.getRequest(id);
    if (!partiesOf(request).includes(caller.userRef)) {
      const tasks = await this.deps.tasks.tasksForRequest(request.id);
      const isApprover = tasks.some(t => RequestWorkflow.holdsTask(t, caller));
      if (!isApprover && !(await canReadAll())) {
        // Not found rather than forbidden: others' request ids are not disclosed.
        throw new NotFoundError(`No request with id '${request.id}'`);
      }
    }
    return this.details(request);
  }

  /**
   * Deciding or cancelling a request one is no party to (not its requester,
   * no approver of any level, no right to read every request) answers like
   * an unknown id, as reading it does: request ids are not disclosed.
   */
  private async assertParty(
    caller: Caller,
    id: string,
    canReadAll: () => Promise<boolean>,
  ): Promise<{ request: StoredRequest; tasks?: ApprovalTask[] }> {
    const request = await this.deps.workflow.getRequest(id);
    if (partiesOf(request).includes(caller.userRef)) return { request };
    const tasks = await this.deps.tasks.tasksForRequest(id);
    if (tasks.some(t => RequestWorkflow.holdsTask(t, caller)))
      return { request, tasks };
    if (await canReadAll()) return { request, tasks };
    throw new NotFoundError(`No request with id '${id}'`);
  }

  async cancel(
    caller: Caller,
    id: string,
    canReadAll: () => Promise<boolean>,
  ): Promise<AccessRequest> {
    await this.assertParty(caller, id, canReadAll);
    return this.details(await this.deps.workflow.cancel(caller, id));
  }

  /** Approval tasks waiting for the caller, directly or through a group; never their own requests. */
  async listPendingApprovals(
    caller: Caller,
    query: { limit: number; cursor?: string },
  ): Promise<PendingApprovalPage> {
    const page = await this.deps.tasks.pendingTasksFor(
      [...new Set([caller.userRef, ...caller.ownershipRefs])],
      query,
    );
    const items: PendingApproval[] = [];
    for (const task of page.items) {
      const request = await this.deps.requests.get(task.requestId);
      if (
        request &&
        (await this.deps.workflow.mayDecide(caller, request, task))
      ) {
        items.push({ ...task, request: requesterView(request) });
      }
    }
    const warnings = await this.deps.seats?.forApprovers(
      items.flatMap(i =>
        i.request.appId && i.request.tierId
          ? [{ appId: i.request.appId, tierId: i.request.tierId }]
          : [],
      ),
    );
    for (const item of items) {
      const warning = warnings?.get(
        `${item.request.appId} ${item.request.tierId}`,
      );
      if (warning) item.seatWarning = warning;
    }
    return { items, nextCursor: page.nextCursor };
  }

  async decide(
    caller: Caller,
    id: string,
    body: {
      decision: 'approve' | 'deny';
      comment?: string;
      durationDays?: number;
    },
    canReadAll: () => Promise<boolean>,
  ): Promise<AccessRequest> {
    // The request and tasks read to check the caller serve the decision.
    const known = await this.assertParty(caller, id, canReadAll);
    return this.details(
      await this.deps.workflow.decideDetailed(caller, id, body, { known }),
    );
  }

  // --- admin ---

  async listAll(query: {
    status?: string;
    appId?: string;
    requester?: string;
    olderThanDays?: number;
    limit: number;
    cursor?: string;
  }): Promise<AccessRequestPage> {
    const page = await this.deps.requests.list({
      status: parseStatuses(query.status),
      appId: query.appId,
      requester: query.requester,
      olderThan:
        query.olderThanDays !== undefined
          ? nowIso(new Date(Date.now() - query.olderThanDays * 86400_000))
          : undefined,
      limit: query.limit,
      cursor: query.cursor,
    });
    return {
      items: page.items.map(publicRequest),
      nextCursor: page.nextCursor,
    };
  }

  async getAny(id: string): Promise<AccessRequest> {
    return this.adminDetails(await this.deps.workflow.getRequest(id));
  }

  async retry(caller: Caller, id: string): Promise<AccessRequest> {
    return this.adminDetails(await this.deps.workflow.retry(caller, id));
  }

  async nameApprover(
    caller: Caller,
    id: string,
    approver: string,
  ): Promise<AccessRequest> {
    return this.adminDetails(
      await this.deps.workflow.nameApprover(caller, id, approver),
    );
  }

  /**
   * Reminds the approvers of the request's open approval now ("send
   * reminders now"), as the reminder task would once the interval passed;
   * it counts toward the maximum. 409 when nothing waits for approval.
   */
  async remindNow(_caller: Caller, id: string): Promise<AccessRequest> {
    const request = await this.deps.workflow.getRequest(id);
    const task = await this.deps.tasks.openTaskForRequest(id);
    if (!task) {
      throw new ConflictError(
        `Only a request waiting for approval can be reminded; this one is ${request.status}`,
      );
    }
    if (!(await this.deps.workflow.remind(task.id, task.reminders))) {
      throw new ConflictError(
        'The request moved on (decided, or reminded meanwhile); look again',
      );
    }
    return this.adminDetails(await this.deps.workflow.getRequest(id));
  }

  async markFulfilled(
    caller: Caller,
    id: string,
    note?: string,
  ): Promise<AccessRequest> {
    return this.adminDetails(
      await this.deps.workflow.markFulfilled(caller, id, note),
    );
  }
}
