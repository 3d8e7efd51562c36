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
import {
  ZendeskCallError,
  ZendeskClient,
  ZendeskTicket,
} from './ZendeskClient';
import {
  auditSummary,
  fulfilmentSummary,
  ticketBody,
} from '@app-access/plugin-app-access-node';

export type ZendeskFulfillerOptions = {
  client: ZendeskClient;
  logger: LoggerService;
};

/** Where tickets go and how they are tagged, as in effect now. */
export type ZendeskTarget = { groupId?: string; tags: string[] };

type Kind = 'fulfil' | 'audit' | 'removal';

/** Tag added to audit-trail record tickets. */
export const AUDIT_TAG = 'app_access_audit';

/** Tag added to removal tickets (access that ended, was given back or revoked). */
export const REMOVAL_TAG = 'app_access_removal';

/**
 * What a failed call means for the request: rate limits, 5xx, 409 and
 * network trouble are retried; everything else needs a person.
 */
export function isRetryable(error: ZendeskCallError): boolean {
  const s = error.status;
  return s === undefined || s === 429 || s === 409 || s === 408 || s >= 500;
}

/**
 * Files Zendesk tickets for approved requests whose tier is fulfilled by a
 * ticket, and record tickets for the audit trail. Exactly once per request:
 * the ticket id is checkpointed, the request id is the ticket's
 * `external_id`, and creation carries an `Idempotency-Key`.
 */
export class ZendeskFulfiller implements AppAccessFulfiller {
  readonly handles = ['zendesk'];

  /**
   * The core's side: admin settings override the configured group and tags, and
   * approvals and events fill the ticket text when the context has none.
   * Unset until the plugin connects the fulfiller; tests may leave it so.
   */
  private connection?: AppAccessFulfillerConnection;

  constructor(private readonly options: ZendeskFulfillerOptions) {}

  connect(connection: AppAccessFulfillerConnection) {
    this.connection = connection;
  }

  private get client() {
    return this.options.client;
  }

  async target(): Promise<ZendeskTarget> {
    const { settings } = this.client;
    let saved: { groupId?: string; tags?: string[] } | undefined;
    try {
      saved = (await this.connection?.getSettings())?.ticketing?.zendesk;
    } catch (error) {
      this.options.logger.debug(
        `App Access settings unavailable, using config: ${error}`,
      );
    }
    return {
      groupId: saved?.groupId || settings.groupId,
      tags: saved?.tags ?? settings.tags,
    };
  }

  async fulfill(context: FulfillmentContext): Promise<FulfillmentResult> {
    try {
      const { ticket, created } = await this.ensureTicket(
        await this.withDetails(context),
        {
          externalId: context.request.id,
          kind: 'fulfil',
        },
      );
      return {
        status: 'awaiting_it',
        externalRef: String(ticket.id),
        externalUrl: this.client.ticketUrl(ticket.id),
        message: `${created ? 'Filed' : 'Found'} Zendesk ticket #${
          ticket.id
        }; waiting for IT`,
      };
    } catch (error) {
      const e =
        error instanceof ZendeskCallError
          ? error
          : new ZendeskCallError(
              `Zendesk ticket failed: ${(error as Error).message}`,
            );
      this.options.logger.warn(
        `Zendesk ticket for request ${context.request.id}: ${e.message}`,
      );
      if (isRetryable(e)) {
        return {
          status: 'retry',
          error: e.message,
          retryAfterMs: e.retryAfterMs,
        };
      }
      return {
        status: 'failed',
        error:
          e.status === 401
            ? `Zendesk rejected the credentials (401): check appAccess.zendesk.email and appAccess.zendesk.apiToken`
            : e.message,
      };
    }
  }

  /**
   * A removal ticket whose `external_id` is `app-access-removal-<grant id>`
   * (found again after a crash, told apart from the request's own ticket),
   * tagged app_access_removal.
   */
  async revoke(context: RevocationContext): Promise<RevocationResult> {
    try {
      const { ticket, created } = await this.ensureTicket(
        await this.withDetails(removalTicketContext(context)),
        { externalId: context.idempotencyKey, kind: 'removal' },
      );
      return {
        status: 'awaiting_it',
        externalRef: String(ticket.id),
        externalUrl: this.client.ticketUrl(ticket.id),
        message: `${created ? 'Filed' : 'Found'} Zendesk removal ticket #${
          ticket.id
        }; waiting for IT`,
      };
    } catch (error) {
      const e =
        error instanceof ZendeskCallError
          ? error
          : new ZendeskCallError(
              `Zendesk removal ticket failed: ${(error as Error).message}`,
            );
      return isRetryable(e)
        ? { status: 'retry', error: e.message, retryAfterMs: e.retryAfterMs }
        : { status: 'failed', error: e.message };
    }
  }

  async recordAudit(
    context: FulfillmentContext,
  ): Promise<{ externalRef: string; externalUrl?: string }> {
    const { ticket } = await this.ensureTicket(
      await this.withDetails(context),
      {
        externalId: context.idempotencyKey,
        kind: 'audit',
      },
    );
    return {
      externalRef: String(ticket.id),
      externalUrl: this.client.ticketUrl(ticket.id),
    };
  }

  async selfTest(): Promise<ModuleTestResult> {
    const { settings } = this.client;
    const details: string[] = [];
    try {
      const me = await this.client.me();
      if (me?.id === null || me?.id === undefined) {
        return {
          ok: false,
          message:
            'Zendesk rejected the credentials (signed in as an anonymous user)',
          details: [
            'Check appAccess.zendesk.email and appAccess.zendesk.apiToken',
          ],
        };
      }
      if (me.role === 'end-user') {
        return {
          ok: false,
          message: `${
            me.email ?? settings.email
          } is not a Zendesk agent (role end-user): tickets need an agent's API token`,
        };
      }
      details.push(
        `Signed in as ${me.name ?? settings.email} (${
          me.email ?? settings.email
        }, ${me.role ?? 'agent'})`,
      );
    } catch (error) {
      const e = error as ZendeskCallError;
      if (e.status === 401) {
        return {
          ok: false,
          message: 'Zendesk rejected the credentials (401)',
          details: [
            'Check appAccess.zendesk.email and appAccess.zendesk.apiToken (an API token, with token access enabled)',
          ],
        };
      }
      if (e.status === undefined) {
        return {
          ok: false,
          message: `Cannot reach Zendesk at ${settings.endpointUri}: ${e.message}`,
        };
      }
      return { ok: false, message: e.message };
    }

    const target = await this.target();
    let where = 'the default group';
    if (target.groupId) {
      try {
        const group = await this.client.group(Number(target.groupId));
        if (!group) {
          return {
            ok: false,
            message: `Zendesk: unknown group ${target.groupId} (appAccess.zendesk.groupId)`,
            details,
          };
        }
        where = `group ${group.name ?? target.groupId} (${target.groupId})`;
        details.push(`Group ${target.groupId}: ${group.name ?? '(no name)'}`);
      } catch (error) {
        return { ok: false, message: (error as Error).message, details };
      }
    }
    details.push(`Tags: ${target.tags.join(', ') || '(none)'}`);
    return {
      ok: true,
      message: `Zendesk is ready: tickets go to ${where}`,
      details,
    };
  }

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
   * with the external id, else a new one.
   */
  private async ensureTicket(
    context: FulfillmentContext,
    what: { externalId: string; kind: Kind },
  ): Promise<{ ticket: ZendeskTicket; created: boolean }> {
    const previous =
      what.kind !== 'audit' ? context.previousExternalRef : undefined;
    // Only numeric ids are Zendesk's; a Jira key (before a switch) is not.
    if (previous && /^[1-9][0-9]*$/.test(previous)) {
      const ticket = await this.client.showTicket(Number(previous));
      if (ticket && ticket.external_id === what.externalId)
        return { ticket, created: false };
    }

    const found = await this.client.findByExternalId(what.externalId);
    if (found) {
      await context.checkpoint({
        externalRef: String(found.id),
        note: `Found Zendesk ticket #${found.id} filed by an earlier attempt`,
      });
      return { ticket: found, created: false };
    }

    const target = await this.target();
    await context.checkpoint({
      note: `Creating Zendesk ticket (external id ${what.externalId})`,
    });
    const ticket = await this.client.createTicket(
      this.ticketFor(context, what, target),
      context.idempotencyKey,
    );
    await context.checkpoint({
      externalRef: String(ticket.id),
      note: `Zendesk ticket #${ticket.id} created`,
    });
    return { ticket, created: true };
  }

  private ticketFor(
    context: FulfillmentContext,
    what: { externalId: string; kind: Kind },
    target: ZendeskTarget,
  ): Record<string, unknown> {
    const email = context.requester?.email;
    const name =
      context.requester?.displayName ??
      context.request.requester.replace(/^user:default\//, '');
    const tags = [
      ...new Set([
        ...target.tags,
        ...(what.kind === 'audit' ? [AUDIT_TAG] : []),
        ...(what.kind === 'removal' ? [REMOVAL_TAG] : []),
      ]),
    ];
    return {
      subject: {
        audit: auditSummary,
        fulfil: fulfilmentSummary,
        removal: removalSummary,
      }[what.kind](context),
      comment: {
        body: ticketBody(context, {
          kind: what.kind,
          reference: what.externalId,
          raisedByBotBecause:
            what.kind === 'fulfil' && !email
              ? 'the requester has no email address in the catalog'
              : undefined,
        }),
      },
      ...(email && what.kind === 'fulfil'
        ? { requester: { name, email } }
        : {}),
      tags,
      external_id: what.externalId,
      ...(target.groupId ? { group_id: Number(target.groupId) } : {}),
    };
  }
}
