import { LiveUpdatePublisher, publishLiveUpdate } from './liveUpdates';
import { LoggerService } from '@backstage/backend-plugin-api';
import {
  AppAccessChange,
  AppAccessDirectory,
  AppAccessMessageKind,
  AppAccessReclaimAsk,
  AppAccessFulfiller,
  AppAccessNotifier,
} from '@app-access/plugin-app-access-node';
import { ApprovalTask } from '@app-access/plugin-app-access-common';
import { AppStore } from '../database/AppStore';
import { ApprovalTaskStore } from '../database/ApprovalTaskStore';
import { OutboxJob } from '../database/OutboxStore';
import { RequestStore } from '../database/RequestStore';
import { SettingsStore } from '../database/SettingsStore';
import {
  publicRequest,
  RequestWorkflow,
  requesterView,
  partiesOf,
} from '../workflow/RequestWorkflow';
import {
  OutboxHandler,
  OutboxLease,
  PermanentJobError,
  RetryLaterError,
} from './OutboxWorker';
import { PersonMatcher } from '../workflow/PersonMatcher';
import { GrantStore } from '../database/GrantStore';
import { AccessLifecycle } from '../workflow/AccessLifecycle';
import { SeatWarnings } from '../usage/seatWarning';
import { ReclaimStore } from '../database/ReclaimStore';

export type JobHandlerDeps = {
  workflow: RequestWorkflow;
  requests: RequestStore;
  tasks: ApprovalTaskStore;
  apps: AppStore;
  settings: SettingsStore;
  grants: GrantStore;
  lifecycle: AccessLifecycle;
  directory: AppAccessDirectory;
  notifiers: Map<string, AppAccessNotifier>;
  fulfillers: Map<string, AppAccessFulfiller>;
  logger: LoggerService;
  /** Portal base URL, for links in messages. */
  appBaseUrl: string;
  /** Backstage signals, for live updates of the pages (optional). */
  liveUpdates?: LiveUpdatePublisher;
  /** The approvers' "no seat is free" warning (optional). */
  seats?: SeatWarnings;
  /** Reclamation questions, so a question answered meanwhile is not sent. */
  reclaims?: ReclaimStore;
};

/** Expands group refs to their members; users stay as they are. */
export async function expandRecipients(
  directory: AppAccessDirectory,
  refs: string[],
): Promise<string[]> {
  const out = new Set<string>();
  for (const ref of refs) {
    if (ref.startsWith('group:')) {
      for (const member of await directory.getGroupMembers(ref))
        out.add(member);
    } else {
      out.add(ref);
    }
  }
  return [...out];
}

/**
 * Everyone who holds an approval task of a request: its approvers, with
 * groups resolved to their members as the notices resolve them. A directory
 * failure costs only the live update of the group's members.
 */
async function taskHolders(
  deps: JobHandlerDeps,
  requestId: string,
  /** The request's tasks when the caller has read them already. */
  known?: ApprovalTask[],
): Promise<string[]> {
  try {
    const tasks = known ?? (await deps.tasks.tasksForRequest(requestId));
    return await expandRecipients(
      deps.directory,
      tasks.flatMap(t => t.approvers),
    );
  } catch (error) {
    deps.logger.warn(
      `Could not resolve the approvers of request ${requestId} for its live update: ${error}`,
    );
    return [];
  }
}

/** Delivers one message through one channel; may ask the fallback approver. */
export function createNotifyHandler(deps: JobHandlerDeps): OutboxHandler {
  return {
    async handle(job: OutboxJob, lease: OutboxLease) {
      const p = job.payload as {
        channel: string;
        kind: AppAccessMessageKind;
        audience: 'approvers' | 'requester' | 'holder';
        requestId: string;
        taskId?: string;
        recipients: string[];
        reminderNumber?: number;
        access?: AppAccessChange;
        reclaim?: AppAccessReclaimAsk;
      };
      const notifier = deps.notifiers.get(p.channel);
      if (!notifier) {
        throw new PermanentJobError(`No notifier '${p.channel}' is installed`);
      }
      // The request and all its tasks, read once: the notice's task, the
      // earlier levels' deciders and the live update's holders come from them.
      const [request, tasks] = await Promise.all([
        deps.requests.get(p.requestId),
        deps.tasks.tasksForRequest(p.requestId),
      ]);
      if (!request)
        throw new PermanentJobError(`Request ${p.requestId} is gone`);
      const task = p.taskId
        ? tasks.find(t => t.id === p.taskId) ??
          (await deps.tasks.getTask(p.taskId))
        : undefined;
      // A reminder or approval notice for a task that was decided meanwhile
      // is pointless: skip it rather than nag.
      if (
        (p.kind === 'approval_needed' || p.kind === 'reminder') &&
        task &&
        task.status !== 'open'
      ) {
        return;
      }
      // A question answered, cancelled or past its deadline meanwhile is
      // not asked (or reminded) any more.
      if (p.reclaim && deps.reclaims) {
        const question = await deps.reclaims.getQuestion(p.reclaim.questionId);
        if (question?.status !== 'asked') return;
      }
      // Approvers are never asked about a request they filed, under any of
      // their accounts, nor (for a later level) by one that decided an
      // earlier level of it.
      const expanded = await expandRecipients(deps.directory, p.recipients);
      const recipients =
        p.audience === 'approvers' && p.kind !== 'decision_recorded'
          ? await new PersonMatcher(deps.directory).without(expanded, [
              ...partiesOf(request),
              ...(task
                ? tasks
                    .filter(t => t.level < task.level && t.decidedBy)
                    .map(t => t.decidedBy!)
                : []),
            ])
          : expanded.filter(
              r =>
                !(p.audience === 'approvers' && partiesOf(request).includes(r)),
            );
      let url = `${deps.appBaseUrl}/apps/requests/${request.id}`;
      if (p.audience === 'approvers') url = `${deps.appBaseUrl}/apps/approvals`;
      else if (p.kind === 'access_changed' || p.reclaim) {
        url = `${deps.appBaseUrl}/apps/my-access`;
      }
      // Approvers asked for a seat when none is free are told so, with the
      // seat use as it is when the notice goes out.
      const seatWarning =
        p.audience === 'approvers' &&
        (p.kind === 'approval_needed' || p.kind === 'reminder') &&
        request.kind === 'access' &&
        request.appId &&
        request.tierId
          ? (
              await deps.seats?.forApprovers([
                { appId: request.appId, tierId: request.tierId },
              ])
            )?.get(`${request.appId} ${request.tierId}`)
          : undefined;
      await lease.check();
      const result = await notifier.notify({
        kind: p.kind,
        audience: p.audience,
        recipients,
        // Notices go to the requester and approvers: failures in plain words.
        request: requesterView(request),
        task,
        url,
        idempotencyKey: job.idempotencyKey,
        reminderNumber: p.reminderNumber,
        ...(p.access ? { access: p.access } : {}),
        ...(seatWarning ? { seatWarning } : {}),
        ...(p.reclaim ? { reclaim: p.reclaim } : {}),
      });
      // The people told, the requester (and grantee), and every member of
      // each approver group holding a task of the request see the change
      // without a reload: when one member decides, the others' inboxes drop
      // the task even though no notice went to them.
      await publishLiveUpdate(
        deps.liveUpdates,
        deps.logger,
        [
          ...recipients,
          ...partiesOf(request),
          ...(await taskHolders(deps, request.id, tasks)),
        ],
        { requestId: request.id, kind: p.kind, status: request.status },
      );
      if (
        p.kind === 'approval_needed' &&
        task &&
        recipients.length > 0 &&
        result.unreachable.length >= recipients.length &&
        recipients.every(r => result.unreachable.includes(r))
      ) {
        await deps.workflow.escalateToFallback(
          task.id,
          result.unreachable,
          lease.guard,
        );
      } else if (
        p.kind === 'approval_needed' &&
        task &&
        recipients.length === 0
      ) {
        await deps.workflow.escalateToFallback(
          task.id,
          p.recipients,
          lease.guard,
        );
      }
    },
    async onDead(job, error, lease) {
      await deps.workflow.recordDeadJob(
        String(job.payload.requestId),
        job.kind,
        error,
        lease.guard,
      );
    },
  };
}

/** Files a record ticket in the active ticketing system for an Okta-fulfilled request. */
export function createAuditTicketHandler(deps: JobHandlerDeps): OutboxHandler {
  return {
    async handle(job: OutboxJob, lease: OutboxLease) {
      const requestId = String(job.payload.requestId);
      const request = await deps.requests.get(requestId);
      if (!request) return;
      const settings = await deps.settings.get();
      const ticketing = deps.fulfillers.get(settings.ticketing.system);
      if (!ticketing?.recordAudit) {
        throw new PermanentJobError(
          `The ticketing system '${settings.ticketing.system}' cannot file audit tickets (module not installed)`,
        );
      }
      const app = request.appId
        ? await deps.apps.get(request.appId)
        : undefined;
      const tier = app?.tiers.find(t => t.id === request.tierId);
      if (!app || !tier) return;
      await lease.check();
      const ticket = await ticketing.recordAudit({
        request: publicRequest(request),
        app,
        tier,
        spec: tier.fulfillment,
        // The person who gets the access (the requester unless filed for them).
        requester: await deps.directory.getPerson(request.grantee),
        filer: await filerOf(deps, request),
        idempotencyKey: `app-access-audit-${request.id}`,
        requestUrl: `${deps.appBaseUrl}/apps/requests/${request.id}`,
        checkpoint: async () => {},
      });
      await deps.workflow.recordCheckpoint(
        requestId,
        {
          note: `Audit ticket ${ticket.externalRef} filed in ${
            settings.ticketing.system
          }${ticket.externalUrl ? ` (${ticket.externalUrl})` : ''}`,
        },
        lease.guard,
      );
    },
  };
}

/** Who filed a request on someone else's behalf (tickets name both); undefined for one's own. */
async function filerOf(
  deps: JobHandlerDeps,
  request: { requester: string; grantee: string },
) {
  if (request.grantee === request.requester) return undefined;
  return (
    (await deps.directory.getPerson(request.requester)) ?? {
      ref: request.requester,
      groups: [],
    }
  );
}

/** Performs an approved request through the fulfiller its tier names. */
export function createFulfillHandler(deps: JobHandlerDeps): OutboxHandler {
  return {
    async handle(job: OutboxJob, lease: OutboxLease) {
      const requestId = String(job.payload.requestId);
      const request = await deps.workflow.startFulfillment(requestId);
      if (!request) return; // cancelled or already done: nothing to do
      const app = request.appId
        ? await deps.apps.get(request.appId)
        : undefined;
      const tier = app?.tiers.find(t => t.id === request.tierId);
      if (!app || !tier) {
        await deps.workflow.completeFulfillment(
          requestId,
          {
            status: 'failed',
            message: `The app or tier of this request no longer exists (${request.appId}/${request.tierId}); fulfil it by hand`,
          },
          undefined,
          lease.guard,
        );
        return;
      }
      const settings = await deps.settings.get();
      const spec = tier.fulfillment;
      const key =
        spec.type === 'ticket' ? settings.ticketing.system : spec.type;
      let fulfiller = deps.fulfillers.get(key);
      let note: string | undefined;
      if (!fulfiller) {
        // Without the vendor module the request still reaches IT.
        fulfiller = deps.fulfillers.get('manual');
        note = `No fulfiller for '${key}' is installed; IT fulfils this request by hand`;
      }
      if (!fulfiller) {
        throw new PermanentJobError(
          `No fulfiller for '${key}' and no manual fulfiller`,
        );
      }
      // Access goes to the grantee: the requester unless filed on their behalf.
      const requester = await deps.directory.getPerson(request.grantee);
      const filer = await filerOf(deps, request);
      await lease.check();
      const result = await fulfiller.fulfill({
        request: publicRequest(request),
        app,
        tier,
        spec,
        requester,
        ...(filer ? { filer } : {}),
        idempotencyKey: `app-access-${request.id}`,
        requestUrl: `${deps.appBaseUrl}/apps/requests/${request.id}`,
        previousExternalRef: request.externalRef,
        checkpoint: data =>
          deps.workflow.recordCheckpoint(requestId, data, lease.guard),
      });
      switch (result.status) {
        case 'retry':
          throw new RetryLaterError(result.error, result.retryAfterMs);
        case 'failed':
          await deps.workflow.completeFulfillment(
            requestId,
            { status: 'failed', message: result.error },
            undefined,
            lease.guard,
          );
          return;
        default:
          await deps.workflow.completeFulfillment(
            requestId,
            {
              status: result.status,
              fulfilledBy: note ? 'manual' : key,
              externalRef: result.externalRef,
              externalUrl: result.externalUrl,
              message:
                [note, result.message].filter(Boolean).join('. ') || undefined,
            },
            undefined,
            lease.guard,
          );
      }
    },
    async onDead(job, error, lease) {
      await deps.workflow.recordDeadJob(
        String(job.payload.requestId),
        'fulfill',
        error,
        lease.guard,
      );
    },
  };
}

/**
 * Removes granted access through the fulfiller that granted it (its
 * `revoke`), under the job's fenced claim: the fence is checked right before
 * the vendor call and in every write after it. A fulfiller without `revoke`
 * (or none installed any more) hands the removal to IT by hand.
 */
export function createRevokeHandler(deps: JobHandlerDeps): OutboxHandler {
  return {
    async handle(job: OutboxJob, lease: OutboxLease) {
      const grantId = String(job.payload.grantId);
      const grant = await deps.grants.get(grantId);
      // Done, or already handed to IT: nothing left for this job.
      if (!grant || grant.status !== 'removing' || grant.removalHandler) return;
      const request = await deps.requests.get(grant.requestId);
      if (!request)
        throw new PermanentJobError(`Request ${grant.requestId} is gone`);
      const app = await deps.apps.get(grant.appId);
      const tier = app?.tiers.find(t => t.id === grant.tierId);
      const grantedBy = grant.fulfilledBy ?? 'manual';
      let key = grantedBy;
      let fulfiller = deps.fulfillers.get(key);
      let note: string | undefined;
      if (!fulfiller?.revoke || !app || !tier) {
        note =
          !app || !tier
            ? `${grant.appName} ${grant.tierName} is no longer in the catalog; IT removes this access by hand`
            : `No fulfiller for '${grantedBy}' can remove access; IT removes it by hand`;
        key = 'manual';
        fulfiller = deps.fulfillers.get('manual');
      }
      if (!fulfiller?.revoke) {
        throw new PermanentJobError(
          `No fulfiller can remove '${grantedBy}' access`,
        );
      }
      const fallbackApp = app ?? {
        id: grant.appId,
        name: grant.appName,
        category: '',
        listed: false,
        externalIds: {},
        tiers: [],
      };
      const fallbackTier = tier ?? {
        id: grant.tierId,
        name: grant.tierName,
        fulfillment: { type: 'manual' as const },
      };
      const grantee = await deps.directory.getPerson(grant.grantee);
      await lease.check();
      const result = await fulfiller.revoke({
        grant,
        request: publicRequest(request),
        app: fallbackApp,
        tier: fallbackTier,
        spec: key === 'manual' ? { type: 'manual' } : fallbackTier.fulfillment,
        grantee,
        reason: grant.removalReason ?? 'Access removed',
        idempotencyKey: `app-access-removal-${grant.id}`,
        requestUrl: `${deps.appBaseUrl}/apps/requests/${request.id}`,
        previousExternalRef: grant.removalRef,
        checkpoint: data =>
          deps.lifecycle.recordRemovalCheckpoint(grantId, data, lease.guard),
      });
      switch (result.status) {
        case 'retry':
          throw new RetryLaterError(result.error, result.retryAfterMs);
        case 'failed':
          throw new PermanentJobError(result.error);
        case 'awaiting_it':
          await deps.lifecycle.recordRemoval(
            grantId,
            {
              status: 'awaiting_it',
              handler: key,
              externalRef: result.externalRef,
              message:
                [note, result.message].filter(Boolean).join('. ') || undefined,
            },
            lease.guard,
          );
          return;
        default:
          await deps.lifecycle.recordRemoval(
            grantId,
            {
              status: 'removed',
              externalRef: result.externalRef,
              message: result.message,
            },
            lease.guard,
          );
      }
    },
    async onDead(job, error, lease) {
      // Shown to admins with the dead jobs; the grant says removal_failed.
      await deps.lifecycle.recordRemoval(
        String(job.payload.grantId),
        { status: 'removal_failed', error },
        lease.guard,
      );
    },
  };
}
