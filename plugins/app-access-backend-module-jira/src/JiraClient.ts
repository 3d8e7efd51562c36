import { ServiceDeskClient, Version2Client } from 'jira.js';
import { JiraSettings } from './config';
import { jiraStatus } from './errors';

/** An issue as App Access reads it from the platform API (v2: plain-text bodies). */
export type JiraIssue = {
  id: string;
  key: string;
  labels: string[];
  statusName?: string;
  statusCategory?: string;
  resolution?: string;
  lastComment?: string;
  /** Account id of the reporter: the customer the request was raised for. */
  reporterAccountId?: string;
  /** Who resolved the issue last, from its changelog, when it says. */
  resolvedBy?: { accountId?: string; accountType?: string };
};

type History = {
  id?: string;
  created?: string;
  author?: { accountId?: string; accountType?: string };
  items?: Array<{
    field?: string;
    to?: string | null;
    toString?: string | null;
  }>;
};

/**
 * The change that resolved the issue last: the latest that set a
 * resolution, else (workflows without resolutions) the latest move into
 * the issue's current status.
 */
function resolvingChange(
  histories: History[],
  statusName: string | undefined,
): History | undefined {
  // Sorted here: Jira lists the most recent first, but says so nowhere binding.
  const newestFirst = [...histories].sort(
    (a, b) =>
      Date.parse(b.created ?? '') - Date.parse(a.created ?? '') ||
      Number(b.id ?? 0) - Number(a.id ?? 0),
  );
  const sets = (h: History, field: string, value?: string) =>
    (h.items ?? []).some(
      i =>
        i.field === field &&
        Boolean(i.toString ?? i.to) &&
        (value === undefined || i.toString === value),
    );
  return (
    newestFirst.find(h => sets(h, 'resolution')) ??
    (statusName
      ? newestFirst.find(h => sets(h, 'status', statusName))
      : undefined)
  );
}

export const ISSUE_KEY = /^[A-Z][A-Z0-9_]*-[1-9][0-9]*$/;

/**
 * The two jira.js clients App Access needs: the service desk client for
 * customer requests, the platform client (REST v2) for search, labels and
 * status.
 */
export class JiraClient {
  readonly desk: ServiceDeskClient;
  readonly platform: Version2Client;

  constructor(readonly settings: JiraSettings) {
    const config = {
      host: settings.baseUrl,
      authentication: {
        basic: { email: settings.email, apiToken: settings.apiToken },
      },
      baseRequestConfig: { timeout: settings.timeoutMs },
    };
    this.desk = new ServiceDeskClient(config);
    this.platform = new Version2Client(config);
  }

  browseUrl(key: string): string {
    return `${this.settings.baseUrl}/browse/${key}`;
  }

  /** The issue, or undefined when Jira does not know it (404). */
  async getIssue(key: string): Promise<JiraIssue | undefined> {
    try {
      const issue = await this.platform.issues.getIssue({
        issueIdOrKey: key,
        fields: ['status', 'resolution', 'labels', 'comment', 'reporter'],
        // The most recent changes (up to 100): enough to find who resolved it.
        expand: 'changelog',
      });
      const fields = (issue.fields ?? {}) as Record<string, any>;
      const comments: Array<{ body?: unknown }> =
        fields.comment?.comments ?? [];
      const last = comments.length
        ? comments[comments.length - 1].body
        : undefined;
      const resolving =
        fields.status?.statusCategory?.key === 'done'
          ? resolvingChange(
              ((issue as any).changelog?.histories ?? []) as History[],
              fields.status?.name,
            )
          : undefined;
      return {
        id: String(issue.id),
        key: issue.key,
        labels: fields.labels ?? [],
        reporterAccountId: fields.reporter?.accountId ?? undefined,
        resolvedBy: resolving?.author
          ? {
              accountId: resolving.author.accountId,
              accountType: resolving.author.accountType,
            }
          : undefined,
        statusName: fields.status?.name,
        statusCategory: fields.status?.statusCategory?.key,
        resolution: fields.resolution?.name ?? undefined,
        lastComment:
          typeof last === 'string' && last.trim() ? last.trim() : undefined,
      };
    } catch (error) {
      if (jiraStatus(error) === 404) return undefined;
      throw error;
    }
  }

  /** Key of the oldest issue carrying the label, if any. */
  async findByLabel(label: string): Promise<string | undefined> {
    const result =
      await this.platform.issueSearch.searchForIssuesUsingJqlEnhancedSearch({
        jql: `labels = "${label}" ORDER BY created ASC`,
        fields: ['labels'],
        maxResults: 5,
      });
    return result.issues?.[0]?.key;
  }

  async addLabel(key: string, label: string): Promise<void> {
    await this.platform.issues.editIssue({
      issueIdOrKey: key,
      update: { labels: [{ add: label }] },
    });
  }

  /** Account id of the service desk customer with this email, if there is one. */
  async customerAccountId(
    serviceDeskId: string,
    email: string,
  ): Promise<string | undefined> {
    const page = await this.desk.serviceDesk.getCustomers({
      serviceDeskId,
      query: email,
      limit: 50,
    });
    const wanted = email.toLowerCase();
    return page.values?.find(
      u => u.emailAddress?.toLowerCase() === wanted && u.accountId,
    )?.accountId;
  }
}
