import { LoggerService } from '@backstage/backend-plugin-api';
import { onBehalfOf } from './parties';
import { ModuleTestResult } from '@app-access/plugin-app-access-common';
import {
  AppAccessDecisionApi,
  AppAccessMessage,
  AppAccessNotifier,
  NotifyResult,
} from '@app-access/plugin-app-access-node';
import { isUsableWebhookUrl } from './config';
import {
  CardContext,
  TeamsWebhookMessage,
  approvalCard,
  decisionCard,
  statusCard,
} from './TeamsCards';

export type TeamsWebhookNotifierOptions = {
  webhookUrl: string;
  decisions: AppAccessDecisionApi;
  logger: LoggerService;
  /** Milliseconds before a webhook call is abandoned. Default: 10 s. */
  timeoutMs?: number;
};

/** Seconds from a Retry-After header (delta-seconds or an HTTP date). */
function retryAfterSeconds(header: string | null): number | undefined {
  if (!header) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim());
  const at = Date.parse(header);
  return Number.isNaN(at)
    ? undefined
    : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

/**
 * Posts App Access notices to one Teams channel through a Workflows webhook.
 *
 * A webhook only posts: it cannot address people one by one and its cards
 * cannot call back (Action.OpenUrl only), so approvers follow the card's link
 * to decide in the portal, and nobody is ever reported unreachable.
 */
export class TeamsWebhookNotifier implements AppAccessNotifier {
  readonly id = 'msteams';

  constructor(private readonly options: TeamsWebhookNotifierOptions) {}

  async notify(message: AppAccessMessage): Promise<NotifyResult> {
    // A channel webhook reaches no one in person: a holder's "Keep it or
    // give it back?" needs the bot (or another channel).
    if (message.audience === 'holder') {
      return { unreachable: [...message.recipients] };
    }
    const card = await this.cardFor(message);
    if (card) await this.post(card);
    return { unreachable: [] };
  }

  async selfTest(): Promise<ModuleTestResult> {
    let url: URL;
    try {
      url = new URL(this.options.webhookUrl);
    } catch {
      return {
        ok: false,
        message: 'appAccess.msteams.webhookUrl is not a URL',
      };
    }
    if (url.protocol !== 'https:') {
      return {
        ok: false,
        message: `The webhook URL is not https (${url.protocol}//${url.host}); Teams Workflows webhooks always are`,
      };
    }
    return {
      ok: true,
      message: `Webhook URL is set (https://${url.host}/…); nothing was posted`,
      details: [
        'The URL is checked, not called: a test card would land in the channel.',
        'Teams cards cannot carry Approve / Deny buttons; approvers decide in App Access.',
      ],
    };
  }

  private async cardFor(
    message: AppAccessMessage,
  ): Promise<TeamsWebhookMessage | undefined> {
    const { request, task } = message;
    const { decisions } = this.options;
    const ctx: CardContext = {
      request,
      task,
      requesterName: await this.nameOf(request.requester),
      granteeName: onBehalfOf(request)
        ? await this.nameOf(onBehalfOf(request)!)
        : undefined,
      approvalsUrl: decisions.portalUrl('/apps/approvals'),
      requestUrl: decisions.portalUrl(
        `/apps/requests/${encodeURIComponent(request.id)}`,
      ),
    };
    switch (message.kind) {
      case 'approval_needed':
      case 'reminder':
        return approvalCard({
          ...ctx,
          approverNames: await Promise.all(
            message.recipients.map(r => this.nameOf(r)),
          ),
          reminderNumber:
            message.kind === 'reminder'
              ? message.reminderNumber ?? 1
              : undefined,
        });
      case 'decision_recorded':
        // The core sends a decision to the approvers and to the requester;
        // both land in the same channel here, so it is posted once.
        if (message.audience !== 'approvers' || !task) return undefined;
        return decisionCard({
          ...ctx,
          task,
          deciderName: task.decidedBy
            ? await this.nameOf(task.decidedBy)
            : 'an approver',
        });
      case 'status_changed':
        return statusCard(ctx);
      default:
        return undefined;
    }
  }

  private async post(card: TeamsWebhookMessage) {
    const { webhookUrl, timeoutMs = 10_000 } = this.options;
    const url = new URL(webhookUrl);
    if (!isUsableWebhookUrl(url)) {
      throw new Error(
        `Teams webhook URL must be https (got ${url.protocol}//${url.host})`,
      );
    }
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(card),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      // The URL's query string is a credential: name only the host.
      throw new Error(
        `Teams webhook at ${url.host} could not be reached: ${
          (error as Error).message
        }`,
      );
    }
    if (res.ok) {
      this.options.logger.debug(`Posted a Teams card (HTTP ${res.status})`);
      return;
    }
    const detail = (await res.text().catch(() => '')).slice(0, 300);
    if (res.status === 429) {
      const seconds = retryAfterSeconds(res.headers.get('retry-after'));
      throw new Error(
        `Teams webhook rate-limited the post (HTTP 429)${
          seconds !== undefined ? `; Retry-After ${seconds} s` : ''
        }`,
      );
    }
    // Thrown so the outbox retries with backoff; 4xx usually means the flow
    // was deleted or the URL is wrong, which the dead job will show admins.
    throw new Error(
      `Teams webhook answered HTTP ${res.status}${detail ? `: ${detail}` : ''}`,
    );
  }

  private async nameOf(ref: string): Promise<string> {
    try {
      return (
        (await this.options.decisions.getPerson(ref))?.displayName ??
        shortName(ref)
      );
    } catch {
      return shortName(ref);
    }
  }
}

function shortName(ref: string): string {
  return ref.replace(/^[a-z]+:(default\/)?/, '');
}
