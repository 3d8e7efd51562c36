import { NotificationService } from '@backstage/plugin-notifications-node';
import {
  describeAccessChange,
  describeReclaimDeadline,
  describeReclaimRule,
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
    case 'access_changed':
      if (message.access) return describeAccessChange(what, message.access);
      return `Your access to ${what} changed`;
    case 'reclaim_question':
      return `Do you still need ${what}? Keep it or give it back`;
    case 'reclaim_reminder':
      return `Reminder: do you still need ${what}? Keep it or give it back`;
    default:
      return `Your request for ${what} ${
        STATUS_TEXT[r.status] ?? `is ${r.status}`
      }`;
  }
}

/** The notification's text under the title. */
export function messageDescription(
  message: AppAccessMessage,
): string | undefined {
  const r = message.request;
  if (message.reclaim) {
    const ask = message.reclaim;
    const rule = describeReclaimRule(ask);
    return [
      `We ask because of ${rule}.`,
      ask.message ? `From IT: ${ask.message}` : '',
      describeReclaimDeadline(ask),
    ]
      .filter(Boolean)
      .join(' ');
  }
  if (message.kind === 'decision_recorded' && message.task?.comment) {
    return `Comment: ${message.task.comment}`;
  }
  const text = r.failureReason ?? r.justification;
  if (message.seatWarning) {
    return text ? `${message.seatWarning} ${text}` : message.seatWarning;
  }
  return text;
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
          description: messageDescription(message),
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
