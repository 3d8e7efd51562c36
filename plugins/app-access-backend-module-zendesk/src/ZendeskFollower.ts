import { LoggerService } from '@backstage/backend-plugin-api';
import {
  AppAccessFulfillmentApi,
  CLOSED_BY_REQUESTER_NOTE,
} from '@app-access/plugin-app-access-node';
import { WONT_DO_TAG } from './config';
import {
  ZendeskAudit,
  ZendeskCallError,
  ZendeskClient,
  ZendeskComment,
  ZendeskTicket,
} from './ZendeskClient';
import { isRetryable } from './ZendeskFulfiller';

export type FollowSummary = {
  checked: number;
  fulfilled: string[];
  failed: string[];
  /** Solved or closed by the requester: still waiting for IT. */
  closedByRequester: string[];
  /** Grants whose removal ticket was solved. */
  removed: string[];
  errors: number;
};

const DONE = ['solved', 'closed'];

/** The audit that solved (or, directly, closed) the ticket last. */
function closingAudit(audits: ZendeskAudit[]): ZendeskAudit | undefined {
  return [...audits].reverse().find(audit =>
    (audit.events ?? []).some(
      e =>
        e.type === 'Change' &&
        e.field_name === 'status' &&
        DONE.includes(String(e.value)) &&
        // Closing a solved ticket is Zendesk's own later step: the solve
        // before it is what someone decided.
        !DONE.includes(String(e.previous_value)),
    ),
  );
}

function text(comment: ZendeskComment): string {
  return (comment.plain_body ?? comment.body ?? '').trim();
}

/**
 * Follows the tickets of requests waiting for IT: a ticket an agent solved or
 * closed completes the request, as fulfilled or, when it carries the
 * `app_access_wont_do` tag, as failed with the agent's last reply as the
 * reason. End users may mark their own tickets solved; that grants nothing,
 * so such a request stays with IT and its timeline says why.
 */
export class ZendeskFollower {
  constructor(
    private readonly options: {
      client: ZendeskClient;
      fulfillment: AppAccessFulfillmentApi;
      logger: LoggerService;
      batchSize?: number;
    },
  ) {}

  /** The agent's reason: their last comment after the description, public first. */
  private async reason(ticketId: number): Promise<string | undefined> {
    const comments = (await this.options.client.comments(ticketId))
      .slice(1)
      .filter(c => text(c));
    const pick =
      [...comments].reverse().find(c => c.public !== false) ??
      comments[comments.length - 1];
    return pick ? text(pick) : undefined;
  }

  /**
   * Whether an end user (the requester, as a rule) rather than an agent
   * solved the ticket, from its audits and the author's role. Zendesk
   * itself (author -1: automations IT set up) and agents count as IT; so
   * does a ticket whose solving audit cannot be found.
   */
  private async solvedByEndUser(ticket: ZendeskTicket): Promise<boolean> {
    const { client } = this.options;
    const audit = closingAudit(await client.audits(ticket.id));
    if (!audit || audit.author_id < 0) return false;
    return (await client.user(audit.author_id))?.role === 'end-user';
  }

  /**
   * Removal tickets: solved by an agent removes the access in App Access;
   * the won't-do tag records the removal as failed for admins; an end user
   * solving it changes nothing.
   */
  private async followRemovals(summary: FollowSummary) {
    const { client, fulfillment, logger } = this.options;
    if (!fulfillment.listRemovalsAwaiting || !fulfillment.completeRemoval) {
      return;
    }
    const waiting = await fulfillment.listRemovalsAwaiting(
      'zendesk',
      this.options.batchSize ?? 200,
    );
    for (const { grant, externalRef: ref } of waiting) {
      if (!ref || !/^[1-9][0-9]*$/.test(ref)) continue;
      summary.checked++;
      try {
        const ticket = await client.showTicket(Number(ref));
        if (!ticket) continue;
        if (ticket.status !== 'solved' && ticket.status !== 'closed') continue;
        const wont = (ticket.tags ?? []).includes(WONT_DO_TAG);
        if (!wont && (await this.solvedByEndUser(ticket))) continue;
        const reason = wont ? await this.reason(ticket.id) : undefined;
        await fulfillment.completeRemoval(grant.id, {
          status: wont ? 'failed' : 'removed',
          message: wont
            ? `Removal ticket #${ticket.id} closed in Zendesk as won't do${
                reason ? `: ${reason}` : ''
              }`
            : `Zendesk removal ticket #${ticket.id} is ${ticket.status}`,
        });
        (wont ? summary.failed : summary.removed).push(grant.id);
      } catch (error) {
        summary.errors++;
        logger.warn(
          `Following Zendesk removal ticket #${ref} of grant ${grant.id}: ${error}`,
        );
        if (error instanceof ZendeskCallError && isRetryable(error)) break;
      }
    }
  }

  async run(): Promise<FollowSummary> {
    const { client, fulfillment, logger } = this.options;
    const summary: FollowSummary = {
      checked: 0,
      fulfilled: [],
      failed: [],
      closedByRequester: [],
      removed: [],
      errors: 0,
    };
    const waiting = await fulfillment.listAwaiting(
      'zendesk',
      this.options.batchSize ?? 200,
    );
    for (const request of waiting) {
      const ref = request.externalRef;
      if (!ref || !/^[1-9][0-9]*$/.test(ref)) continue;
      summary.checked++;
      try {
        const ticket = await client.showTicket(Number(ref));
        if (!ticket) {
          logger.warn(
            `Zendesk ticket #${ref} of request ${request.id} is gone; mark the request fulfilled or retry it by hand`,
          );
          continue;
        }
        if (ticket.status !== 'solved' && ticket.status !== 'closed') continue;
        if ((ticket.tags ?? []).includes(WONT_DO_TAG)) {
          const reason = await this.reason(ticket.id);
          await fulfillment.complete(request.id, {
            status: 'failed',
            message: `Closed in Zendesk as won't do${
              reason ? `: ${reason}` : ` (ticket #${ticket.id})`
            }`,
          });
          summary.failed.push(request.id);
        } else if (await this.solvedByEndUser(ticket)) {
          await fulfillment.note(request.id, CLOSED_BY_REQUESTER_NOTE);
          summary.closedByRequester.push(request.id);
        } else {
          await fulfillment.complete(request.id, {
            status: 'fulfilled',
            message: `Zendesk ticket #${ticket.id} is ${ticket.status}`,
          });
          summary.fulfilled.push(request.id);
        }
      } catch (error) {
        summary.errors++;
        logger.warn(
          `Following Zendesk ticket #${ref} of request ${request.id}: ${error}`,
        );
        // A rate limit or an outage affects every ticket: try again next run.
        if (error instanceof ZendeskCallError && isRetryable(error)) break;
      }
    }
    await this.followRemovals(summary);
    if (
      summary.fulfilled.length ||
      summary.failed.length ||
      summary.closedByRequester.length
    ) {
      logger.info(
        `Zendesk follow-up: ${summary.checked} ticket(s) checked, ${summary.fulfilled.length} fulfilled, ${summary.failed.length} closed as won't do, ${summary.closedByRequester.length} solved by the requester (still with IT)`,
      );
    }
    return summary;
  }
}
