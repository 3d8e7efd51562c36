import { LoggerService } from '@backstage/backend-plugin-api';
import { ModuleTestResult } from '@app-access/plugin-app-access-common';
import {
  AppAccessFulfiller,
  AppAccessFulfillerConnection,
  FulfillmentContext,
  FulfillmentResult,
  RevocationContext,
  RevocationResult,
  removalSummary,
  removalTicketContext,
} from '@app-access/plugin-app-access-node';
import { ISSUE_KEY, JiraClient } from './JiraClient';
import { classifyJiraError, jiraErrorText, jiraStatus } from './errors';
import {
  auditSummary,
  fulfilmentSummary,
  ticketBody,
} from '@app-access/plugin-app-access-node';

/** Label that finds a request's fulfilment ticket again. */
export function requestLabel(requestId: string): string {
  return `app-access-${requestId}`;
}

export type JiraFulfillerOptions = {
  client: JiraClient;
  logger: LoggerService;
};

/** Where tickets go: the settings page's ids, else the configured ones. */
export type JiraTarget = { serviceDeskId: string; requestTypeId: string };

type Ticket = { key: string; created: boolean };
type Kind = 'fulfil' | 'audit' | 'removal';

/** A setting that is missing: needs an admin, retrying does not help. */
class NotConfiguredError extends Error {}

/**
 * Files Jira Service Management customer requests for approved requests
 * whose tier is fulfilled by a ticket, and record tickets for the audit
 * trail. Exactly once per request: the issue key is checkpointed, and the
 * `app-access-<request id>` label finds the ticket again after a crash.
 */
export class JiraFulfiller implements AppAccessFulfiller {
  readonly handles = ['jira'];
  /** Cleared when the request type rejects labels at creation. */
  private labelsOnCreate = true;

  /**
   * The core's side: admin settings override the configured ids, and
   * approvals and events fill the ticket text when the context has none.
   * Unset until the plugin connects the fulfiller; tests may leave it so.
   */
  private connection?: AppAccessFulfillerConnection;

  constructor(private readonly options: JiraFulfillerOptions) {}

  connect(connection: AppAccessFulfillerConnection) {
    this.connection = connection;
  }

  private get client() {
    return this.options.client;
  }

  /** The service desk and request type in effect now. */
  async target(): Promise<JiraTarget> {
    const { settings } = this.client;
    let saved: { serviceDeskId?: string; requestTypeId?: string } | undefined;
    try {
      saved = (await this.connection?.getSettings())?.ticketing?.jira;
    } catch (error) {
      this.options.logger.debug(
        `App Access settings unavailable, using config: ${error}`,
      );
    }
    const serviceDeskId = saved?.serviceDeskId || settings.serviceDeskId;
    const requestTypeId = saved?.requestTypeId || settings.requestTypeId;
    if (!serviceDeskId) {
      throw new NotConfiguredError(
        'No Jira service desk is set: set appAccess.jira.serviceDeskId or the service desk id on the App Access settings page',
      );
    }
    if (!requestTypeId) {
      throw new NotConfiguredError(
        'No Jira request type is set: set appAccess.jira.requestTypeId or the request type id on the App Access settings page',
      );
    }
    return { serviceDeskId, requestTypeId };
  }

  async fulfill(context: FulfillmentContext): Promise<FulfillmentResult> {
    try {
      const ticket = await this.ensureTicket(await this.withDetails(context), {
        label: requestLabel(context.request.id),
        kind: 'fulfil',
      });
      return {
        status: 'awaiting_it',
        externalRef: ticket.key,
        externalUrl: this.client.browseUrl(ticket.key),
        message: `${ticket.created ? 'Filed' : 'Found'} Jira ticket ${
          ticket.key
        }; waiting for IT`,
      };
    } catch (error) {
      if (error instanceof NotConfiguredError) {
        return { status: 'failed', error: error.message };
      }
      const failure = classifyJiraError(error, 'filing the ticket');
      this.options.logger.warn(
        `Jira ticket for request ${context.request.id}: ${failure.message}`,
      );
      return failure.kind === 'retry'
        ? {
            status: 'retry',
            error: failure.message,
            retryAfterMs: failure.retryAfterMs,
          }
        : { status: 'failed', error: failure.message };
    }
  }

  /**
   * A removal ticket, labelled `app-access-removal-<grant id>` so the
   * follower (and a retry after a crash) tells it from the request's own
   * ticket and finds it again.
   */
  async revoke(context: RevocationContext): Promise<RevocationResult> {
    try {
      const ticket = await this.ensureTicket(
        await this.withDetails(removalTicketContext(context)),
        { label: context.idempotencyKey, kind: 'removal' },
      );
      return {
        status: 'awaiting_it',
        externalRef: ticket.key,
        externalUrl: this.client.browseUrl(ticket.key),
        message: `${ticket.created ? 'Filed' : 'Found'} Jira removal ticket ${
          ticket.key
        }; waiting for IT`,
      };
    } catch (error) {
      if (error instanceof NotConfiguredError) {
        return { status: 'failed', error: error.message };
      }
      const failure = classifyJiraError(error, 'filing the removal ticket');
      return failure.kind === 'retry'
        ? {
            status: 'retry',
            error: failure.message,
            retryAfterMs: failure.retryAfterMs,
          }
        : { status: 'failed', error: failure.message };
    }
  }

  async recordAudit(
    context: FulfillmentContext,
  ): Promise<{ externalRef: string; externalUrl?: string }> {
    try {
      const ticket = await this.ensureTicket(await this.withDetails(context), {
        label: context.idempotencyKey,
        kind: 'audit',
      });
      return {
        externalRef: ticket.key,
        externalUrl: this.client.browseUrl(ticket.key),
      };
    } catch (error) {
      if (error instanceof NotConfiguredError) throw error;
      // The outbox retries audit jobs with its own backoff.
      throw new Error(
        classifyJiraError(error, 'filing the audit ticket').message,
      );
    }
  }

  async selfTest(): Promise<ModuleTestResult> {
    const { settings } = this.client;
    const details: string[] = [];
    try {
      const me = await this.client.platform.myself.getCurrentUser();
      details.push(
        `Signed in as ${me.displayName ?? settings.email} (${
          me.emailAddress ?? settings.email
        })`,
      );
    } catch (error) {
      const status = jiraStatus(error);
      if (status === 401) {
        return {
          ok: false,
          message: 'Jira rejected the credentials (401)',
          details: [
            'Check appAccess.jira.email and appAccess.jira.apiToken (an Atlassian API token of that account)',
          ],
        };
      }
      if (status === undefined) {
        return {
          ok: false,
          message: `Cannot reach Jira at ${settings.baseUrl}: ${jiraErrorText(
            error,
          )}`,
        };
      }
      return {
        ok: false,
        message: `Jira answered ${status} to /myself: ${jiraErrorText(error)}`,
      };
    }

    let target: JiraTarget;
    try {
      target = await this.target();
    } catch (error) {
      return { ok: false, message: (error as Error).message, details };
    }

    let deskName: string;
    try {
      const desk = await this.client.desk.serviceDesk.getServiceDeskById({
        serviceDeskId: target.serviceDeskId,
      });
      deskName = `${desk.projectName ?? 'service desk'} (${
        desk.projectKey ?? target.serviceDeskId
      })`;
      details.push(`Service desk ${target.serviceDeskId}: ${deskName}`);
    } catch (error) {
      const status = jiraStatus(error);
      if (status === 404) {
        return {
          ok: false,
          message: `Jira: unknown service desk ${target.serviceDeskId} (appAccess.jira.serviceDeskId)`,
          details,
        };
      }
      return {
        ok: false,
        message: `Jira answered ${status ?? 'nothing'} for service desk ${
          target.serviceDeskId
        }: ${jiraErrorText(error)}`,
        details,
      };
    }

    try {
      const type = await this.client.desk.serviceDesk.getRequestTypeById({
        serviceDeskId: target.serviceDeskId,
        requestTypeId: Number(target.requestTypeId),
      });
      details.push(
        `Request type ${target.requestTypeId}: ${type.name ?? '(no name)'}`,
      );
    } catch (error) {
      const status = jiraStatus(error);
      if (status === 404) {
        return {
          ok: false,
          message: `Jira: unknown request type ${target.requestTypeId} in service desk ${target.serviceDeskId} (appAccess.jira.requestTypeId)`,
          details,
        };
      }
      return {
        ok: false,
        message: `Jira answered ${status ?? 'nothing'} for request type ${
          target.requestTypeId
        }: ${jiraErrorText(error)}`,
        details,
      };
    }

    return {
      ok: true,
      message: `Jira is ready: tickets go to ${deskName}, request type ${target.requestTypeId}`,
      details,
    };
  }

  /** Adds approvals and events to the request when the context has none. */
  private async withDetails(
    context: FulfillmentContext,
  ): Promise<FulfillmentContext> {
    const { request } = context;
    if (request.approvals || request.events || !this.connection) return context;
    try {
      const full = await this.connection.getRequest(request.id);
      return full
        ? {
            ...context,
            request: {
              ...request,
              approvals: full.approvals,
              events: full.events,
            },
          }
        : context;
    } catch (error) {
      this.options.logger.debug(
        `Could not load approvals of request ${request.id}: ${error}`,
      );
      return context;
    }
  }

  /**
   * The ticket for this request: the one recorded earlier, else the one
   * carrying the label, else a new one.
   */
  private async ensureTicket(
    context: FulfillmentContext,
    what: { label: string; kind: Kind },
  ): Promise<Ticket> {
    const previous =
      what.kind !== 'audit' ? context.previousExternalRef : undefined;
    // A reference from another ticketing system (before a switch) is no Jira key.
    if (previous && ISSUE_KEY.test(previous)) {
      const issue = await this.client.getIssue(previous);
      if (issue) {
        if (!issue.labels.includes(what.label))
          await this.client.addLabel(issue.key, what.label);
        return { key: issue.key, created: false };
      }
      this.options.logger.warn(
        `Jira ticket ${previous} recorded for request ${context.request.id} no longer exists; looking for another`,
      );
    }

    const found = await this.client.findByLabel(what.label);
    if (found) {
      await context.checkpoint({
        externalRef: found,
        note: `Found Jira ticket ${found} filed by an earlier attempt`,
      });
      return { key: found, created: false };
    }

    const target = await this.target();
    await context.checkpoint({
      note: `Creating Jira ticket in service desk ${target.serviceDeskId} (label ${what.label})`,
    });
    const created = await this.create(context, what, target);
    await context.checkpoint({
      externalRef: created.key,
      note: `Jira ticket ${created.key} created`,
    });
    if (!created.labelled) await this.client.addLabel(created.key, what.label);
    return { key: created.key, created: true };
  }

  /** The requester's customer account, or why the bot raises the ticket. */
  private async onBehalfOf(
    context: FulfillmentContext,
    target: JiraTarget,
  ): Promise<{ accountId?: string; why?: string }> {
    const email = context.requester?.email;
    if (!email)
      return { why: 'the requester has no email address in the catalog' };
    try {
      const accountId = await this.client.customerAccountId(
        target.serviceDeskId,
        email,
      );
      return accountId
        ? { accountId }
        : {
            why: `${email} is not a customer of service desk ${target.serviceDeskId}`,
          };
    } catch (error) {
      const status = jiraStatus(error);
      // Listing customers needs agent rights; without them the bot raises it.
      if (status === 403 || status === 404 || status === 400) {
        this.options.logger.info(
          `Cannot list customers of Jira service desk ${target.serviceDeskId} (${status}); raising tickets as ${this.client.settings.email}`,
        );
        return { why: 'App Access may not list the service desk customers' };
      }
      throw error;
    }
  }

  private async create(
    context: FulfillmentContext,
    what: { label: string; kind: Kind },
    target: JiraTarget,
  ): Promise<{ key: string; labelled: boolean }> {
    const behalf =
      what.kind === 'audit' ? {} : await this.onBehalfOf(context, target);
    const summary = {
      audit: auditSummary,
      fulfil: fulfilmentSummary,
      removal: removalSummary,
    }[what.kind];
    let accountId = behalf.accountId;
    let why = behalf.why;
    let withLabels = this.labelsOnCreate;
    for (;;) {
      const requestFieldValues: Record<string, unknown> = {
        summary: summary(context),
        description: ticketBody(context, {
          kind: what.kind,
          reference: what.label,
          raisedByBotBecause: why,
        }),
      };
      if (withLabels) requestFieldValues.labels = [what.label];
      try {
        const created = await this.client.desk.request.createCustomerRequest({
          serviceDeskId: target.serviceDeskId,
          requestTypeId: target.requestTypeId,
          requestFieldValues,
          raiseOnBehalfOf: accountId,
        });
        if (!created.issueKey) {
          throw new Error('Jira created the request but returned no issue key');
        }
        return { key: created.issueKey, labelled: withLabels };
      } catch (error) {
        // A 400 means nothing was created: safe to adjust and send again.
        if (jiraStatus(error) !== 400) throw error;
        const text = jiraErrorText(error);
        if (withLabels && /label/i.test(text)) {
          this.options.logger.warn(
            `Jira request type ${target.requestTypeId} does not accept labels (${text}); labelling after creation instead. Add the Labels field to the request type so a crash right after creating a ticket cannot lead to a second one.`,
          );
          this.labelsOnCreate = false;
          withLabels = false;
          continue;
        }
        if (
          accountId &&
          /raiseOnBehalfOf|customer|on behalf|reporter/i.test(text)
        ) {
          this.options.logger.info(
            `Jira would not raise the ticket on behalf of ${context.requester?.email} (${text}); raising it as ${this.client.settings.email}`,
          );
          accountId = undefined;
          why = `Jira would not raise it on their behalf (${text})`;
          continue;
        }
        throw error;
      }
    }
  }
}
