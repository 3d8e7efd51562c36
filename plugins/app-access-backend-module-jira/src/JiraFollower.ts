import { LoggerService } from '@backstage/backend-plugin-api';
import {
  AppAccessFulfillmentApi,
  CLOSED_BY_REQUESTER_NOTE,
} from '@app-access/plugin-app-access-node';
import { ISSUE_KEY, JiraClient, JiraIssue } from './JiraClient';
import { classifyJiraError } from './errors';

export type FollowSummary = {
  checked: number;
  fulfilled: string[];
  failed: string[];
  /** Resolved by the requester: still waiting for IT. */
  closedByRequester: string[];
  /** Grants whose removal ticket was done. */
  removed: string[];
  errors: number;
};

/**
 * Whether the requester rather than IT resolved the issue: the change that
 * resolved it was made by the customer it was raised for (the reporter), or
 * by any portal-only customer account. An issue whose changelog does not
 * say counts as IT's.
 */
function resolvedByRequester(issue: JiraIssue): boolean {
  const by = issue.resolvedBy;
  if (!by) return false;
  if (by.accountType === 'customer') return true;
  return Boolean(by.accountId && by.accountId === issue.reporterAccountId);
}

/**
 * Follows the tickets of requests waiting for IT: a ticket an agent moved
 * into the "done" category completes the request, as fulfilled or, when its
 * resolution is a won't-do one, as failed with the resolution and the last
 * comment as the reason. Customers may resolve (or cancel) their own
 * requests from the portal; that grants nothing, so such a request stays
 * with IT and its timeline says why.
 */
export class JiraFollower {
  constructor(
    private readonly options: {
      client: JiraClient;
      fulfillment: AppAccessFulfillmentApi;
      logger: LoggerService;
      /** How many waiting requests one run looks at. */
      batchSize?: number;
    },
  ) {}

  /**
   * Removal tickets (labelled `app-access-removal-<grant id>`): done
   * removes the access in App Access, won't-do records the removal as
   * failed for admins. A customer resolving it changes nothing.
   */
  private async followRemovals(summary: FollowSummary) {
    const { client, fulfillment, logger } = this.options;
    if (!fulfillment.listRemovalsAwaiting || !fulfillment.completeRemoval) {
      return;
    }
    const wontDo = new Set(
      client.settings.doneResolutionsWontDo.map(r => r.trim().toLowerCase()),
    );
    const waiting = await fulfillment.listRemovalsAwaiting(
      'jira',
      this.options.batchSize ?? 200,
    );
    for (const { grant, externalRef: key } of waiting) {
      if (!key || !ISSUE_KEY.test(key)) continue;
      summary.checked++;
      try {
        const issue = await client.getIssue(key);
        if (!issue || issue.statusCategory !== 'done') continue;
        if (resolvedByRequester(issue)) continue;
        const wont =
          issue.resolution && wontDo.has(issue.resolution.toLowerCase());
        await fulfillment.completeRemoval(grant.id, {
          status: wont ? 'failed' : 'removed',
          message: wont
            ? `Removal ticket ${key} closed in Jira as ${issue.resolution}${
                issue.lastComment ? `: ${issue.lastComment}` : ''
              }`
            : `Jira removal ticket ${key} is ${issue.statusName ?? 'done'}`,
        });
        (wont ? summary.failed : summary.removed).push(grant.id);
      } catch (error) {
        summary.errors++;
        const failure = classifyJiraError(error, `following ticket ${key}`);
        logger.warn(
          `Following Jira removal ticket ${key} of grant ${grant.id}: ${failure.message}`,
        );
        if (failure.kind === 'retry') break;
      }
    }
  }

  async run(): Promise<FollowSummary> {
    const { client, fulfillment, logger } = this.options;
    const wontDo = new Set(
      client.settings.doneResolutionsWontDo.map(r => r.trim().toLowerCase()),
    );
    const summary: FollowSummary = {
      checked: 0,
      fulfilled: [],
      failed: [],
      closedByRequester: [],
      removed: [],
      errors: 0,
    };
    const waiting = await fulfillment.listAwaiting(
      'jira',
      this.options.batchSize ?? 200,
    );
    for (const request of waiting) {
      const key = request.externalRef;
      if (!key || !ISSUE_KEY.test(key)) continue;
      summary.checked++;
      try {
        const issue = await client.getIssue(key);
        if (!issue) {
          logger.warn(
            `Jira ticket ${key} of request ${request.id} is gone; mark the request fulfilled or retry it by hand`,
          );
          continue;
        }
        if (issue.statusCategory !== 'done') continue;
        if (resolvedByRequester(issue)) {
          await fulfillment.note(request.id, CLOSED_BY_REQUESTER_NOTE);
          summary.closedByRequester.push(request.id);
        } else if (
          issue.resolution &&
          wontDo.has(issue.resolution.toLowerCase())
        ) {
          await fulfillment.complete(request.id, {
            status: 'failed',
            message: `Closed in Jira as ${issue.resolution}${
              issue.lastComment ? `: ${issue.lastComment}` : ''
            }`,
          });
          summary.failed.push(request.id);
        } else {
          await fulfillment.complete(request.id, {
            status: 'fulfilled',
            message: `Jira ticket ${key} is ${issue.statusName ?? 'done'}${
              issue.resolution ? ` (${issue.resolution})` : ''
            }`,
          });
          summary.fulfilled.push(request.id);
        }
      } catch (error) {
        summary.errors++;
        const failure = classifyJiraError(error, `following ticket ${key}`);
        logger.warn(
          `Following Jira ticket ${key} of request ${request.id}: ${failure.message}`,
        );
        // A rate limit or an outage affects every ticket: try again next run.
        if (failure.kind === 'retry') break;
      }
    }
    await this.followRemovals(summary);
    if (
      summary.fulfilled.length ||
      summary.failed.length ||
      summary.closedByRequester.length
    ) {
      logger.info(
        `Jira follow-up: ${summary.checked} ticket(s) checked, ${summary.fulfilled.length} fulfilled, ${summary.failed.length} closed as won't do, ${summary.closedByRequester.length} resolved by the requester (still with IT)`,
      );
    }
    return summary;
  }
}
