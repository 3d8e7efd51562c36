import { NotificationService } from '@backstage/plugin-notifications-node';
import {
  describeAccessChange,
  AppAccessDirectory,
  AppAccessMessage,
  AppAccessNotifier,
  NotifyResult,
} from '@app-access/plugin-app-access-node';

const STATUS_TEXT: Record<string, string> = {
  approved: 'was approved',
  denied: 'was denied',
  cancelled: 'was cancelled',
  fulfilling: 'is being fulfilled',
  awaiting_it: 'is with IT',
  fulfilled: 'is fulfilled: you have access',
  failed: 'could not be fulfilled',
};

const short = (ref: string) => ref.replace(/^user:default\//, '');

/** "jane.doe", or "jane.doe (filed by sam.manager)" for a request on someone's behalf. */
function forWhom(r: { requester: string; grantee?: string }): string {
  const grantee = r.grantee ?? r.requester;
  return grantee === r.requester
    ? short(grantee)
    : `${short(grantee)} (filed by ${short(r.requester)})`;
}

export function messageTitle(message: AppAccessMessage): string {
  const r = message.request;
  const what = [r.appName, r.tierName].filter(Boolean).join(' ');
  switch (message.kind) {
    case 'approval_needed':
      return `Approval needed: ${what} for ${forWhom(r)}`;
    case 'reminder':
      return `Reminder ${
        message.reminderNumber ?? ''
      }: ${what} waits for your approval`.replace('  ', ' ');
    case 'decision_recorded':
      if (message.audience === 'approvers') {
        return `${what} for ${forWhom(r)}: ${
          message.task?.status ?? 'decided'
        } by ${(message.task?.decidedBy ?? '').replace(/^user:default\//, '')}`;
      }
      return `Your request for ${what} was ${
        message.task?.status ?? 'decided'
      } at level ${message.task?.level ?? 1}`;
    case 'reclaim_question':
    case 'reclaim_reminder':
      return `${
        message.kind === 'reclaim_reminder' ? 'Reminder: keep' : 'Keep'
      } ${what} or give it back? Answer by ${(
        message.reclaim?.deadlineAt ?? ''
      ).slice(0, 10)}`;
    case 'access_changed':
      if (message.access) return describeAccessChange(what, message.access);
      return `Your access to ${what} changed`;
    default:
      return `Your request for ${what} ${
        STATUS_TEXT[r.status] ?? `is ${r.status}`
      }`;
  }
}

/** Why the holder is asked, in a line. */
function reclaimDescription(ask: NonNullable<AppAccessMessage['reclaim']>) {
  const why = ask.lastSignInAt
    ? `No sign-in since ${ask.lastSignInAt.slice(0, 10)}`
    : 'No sign-in recorded';
  const what = `${why} (the rule: ${
    ask.inactiveDays
  } days). Without an answer by ${ask.deadlineAt.slice(
    0,
    10,
  )} the access is removed.`;
  return ask.message ? `${ask.message}\n${what}` : what;
}

/** The notification's second line. */
function describe(message: AppAccessMessage): string | undefined {
  if (message.reclaim) return reclaimDescription(message.reclaim);
  if (message.kind === 'decision_recorded' && message.task?.comment) {
    return `Comment: ${message.task.comment}`;
  }
  return message.request.failureReason ?? message.request.justification;
}

/**
 * Backstage notifications (the bell in the portal). Every requester hears
 * through it; approvers too when the approval method is `portal`.
 */
export class BackstageNotifier implements AppAccessNotifier {
  readonly id = 'backstage';

  constructor(
    private readonly notifications: NotificationService,
    private readonly directory: AppAccessDirectory,
  ) {}

  async notify(message: AppAccessMessage): Promise<NotifyResult> {
    const unreachable: string[] = [];
    const reachable: string[] = [];
    for (const ref of message.recipients) {
      if (await this.directory.getPerson(ref)) reachable.push(ref);
      else unreachable.push(ref);
    }
    if (reachable.length) {
      const r = message.request;
      await this.notifications.send({
        recipients: { type: 'entity', entityRef: reachable },
        payload: {
          title: messageTitle(message),
          description: describe(message),
          link: message.url,
          severity:
            message.kind === 'reminder' || message.kind === 'reclaim_reminder'
              ? 'high'
              : 'normal',
          topic: `app-access:${r.id}`,
          scope: message.idempotencyKey,
        },
      });
    }
    return { unreachable };
  }
}
