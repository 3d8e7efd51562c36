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
};

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
        fields: ['status', 'resolution', 'labels', 'comment'],
      });
      const fields = (issue.fields ?? {}) as Record<string, any>;
      const comments: Array<{ body?: unknown }> =
        fields.comment?.comments ?? [];
      const last = comments.length
        ? comments[comments.length - 1].body
        : undefined;
      return {
        id: String(issue.id),
        key: issue.key,
        labels: fields.labels ?? [],
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
