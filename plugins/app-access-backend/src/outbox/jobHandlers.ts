import { LiveUpdatePublisher, publishLiveUpdate } from './liveUpdates';
import { LoggerService } from '@backstage/backend-plugin-api';
import {
  AppAccessDirectory,
  AppAccessFulfiller,
  AppAccessNotifier,
} from '@app-access/plugin-app-access-node';
import { AppStore } from '../database/AppStore';
import { ApprovalTaskStore } from '../database/ApprovalTaskStore';
import { OutboxJob } from '../database/OutboxStore';
import { RequestStore } from '../database/RequestStore';
import { SettingsStore } from '../database/SettingsStore';
import {
  publicRequest,
  RequestWorkflow,
  requesterView,
} from '../workflow/RequestWorkflow';
import {
  OutboxHandler,
  OutboxLease,
  PermanentJobError,
  RetryLaterError,
} from './OutboxWorker';
import { PersonMatcher } from '../workflow/PersonMatcher';

export type JobHandlerDeps = {
  workflow: RequestWorkflow;
  requests: RequestStore;
  tasks: ApprovalTaskStore;
  apps: AppStore;
  settings: SettingsStore;
  directory: AppAccessDirectory;
  notifiers: Map<string, AppAccessNotifier>;
  fulfillers: Map<string, AppAccessFulfiller>;
  logger: LoggerService;
  /** Portal base URL, for links in messages. */
  appBaseUrl: string;
  /** Backstage signals, for live updates of the pages (optional). */
  liveUpdates?: LiveUpdatePublisher;
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

/** Delivers one message through one channel; may ask the fallback approver. */
export function createNotifyHandler(deps: JobHandlerDeps): OutboxHandler {
  return {
    async handle(job: OutboxJob, lease: OutboxLease) {
      const p = job.payload as {
        channel: string;
        kind:
          | 'approval_needed'
          | 'reminder'
          | 'decision_recorded'
          | 'status_changed';
        audience: 'approvers' | 'requester';
        requestId: string;
        taskId?: string;
        recipients: string[];
        reminderNumber?: number;
      };
      const notifier = deps.notifiers.get(p.channel);
      if (!notifier) {
        throw new PermanentJobError(`No notifier '${p.channel}' is installed`);
      }
      const request = await deps.requests.get(p.requestId);
      if (!request)
        throw new PermanentJobError(`Request ${p.requestId} is gone`);
      const task = p.taskId ? await deps.tasks.getTask(p.taskId) : undefined;
      // A reminder or approval notice for a task that was decided meanwhile
      // is pointless: skip it rather than nag.
      if (
        (p.kind === 'approval_needed' || p.kind === 'reminder') &&
        task &&
        task.status !== 'open'
      ) {
        return;
      }
      // Approvers are never asked about a request they filed, under any of
      // their accounts, nor (for a later level) by one that decided an
      // earlier level of it.
      const expanded = await expandRecipients(deps.directory, p.recipients);
      const recipients =
        p.audience === 'approvers' && p.kind !== 'decision_recorded'
          ? await new PersonMatcher(deps.directory).without(expanded, [
              request.requester,
              ...(task
                ? (await deps.tasks.tasksForRequest(request.id))
                    .filter(t => t.level < task.level && t.decidedBy)
                    .map(t => t.decidedBy!)
                : []),
            ])
          : expanded.filter(
              r => !(p.audience === 'approvers' && r === request.requester),
            );
      const url =
        p.audience === 'approvers'
          ? `${deps.appBaseUrl}/apps/approvals`
          : `${deps.appBaseUrl}/apps/requests/${request.id}`;
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
      });
      // The people told, and the requester, see the change without a reload.
      await publishLiveUpdate(
        deps.liveUpdates,
        deps.logger,
        [...recipients, request.requester],
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
        requester: await deps.directory.getPerson(request.requester),
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
      const requester = await deps.directory.getPerson(request.requester);
      await lease.check();
      const result = await fulfiller.fulfill({
        request: publicRequest(request),
        app,
        tier,
        spec,
        requester,
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
