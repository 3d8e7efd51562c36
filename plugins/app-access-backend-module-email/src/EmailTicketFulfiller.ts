import { LoggerService } from '@backstage/backend-plugin-api';
import { ModuleTestResult } from '@app-access/plugin-app-access-common';
import {
  AppAccessFulfiller,
  AppAccessFulfillerConnection,
  FulfillmentContext,
  FulfillmentResult,
  RevocationContext,
  RevocationResult,
} from '@app-access/plugin-app-access-node';
import { SentMailStore } from './database/SentMailStore';
import { EmailSettingsSource } from './EmailSettingsSource';
import { messageIdDomain, SmtpMailer } from './mail/SmtpMailer';
import { ApprovalLine, TicketRenderer } from './rendering/TicketRenderer';

const NO_TICKET_ADDRESS =
  'no help-desk address is set (appAccess.email.ticketAddress, or the ticket address on the App Access settings page)';

/**
 * Email-to-ticket (Freshservice and other help desks that open a ticket per
 * incoming email). Every request's ticket email carries a Message-ID derived
 * from the request id: a retry never emails twice once the first send is
 * recorded, and help desks that deduplicate by Message-ID do not open a
 * second ticket even if a crash came between sending and recording.
 * Removals work the same way with a Message-ID derived from the grant; IT
 * closes both kinds in the portal (mark fulfilled, mark removed), since an
 * emailed ticket has nothing App Access could follow.
 */
export class EmailTicketFulfiller implements AppAccessFulfiller {
  readonly handles = ['email'];

  constructor(
    private readonly deps: {
      mailer: SmtpMailer;
      settings: EmailSettingsSource;
      sent: SentMailStore;
      /** The core's side, for the approvals in the ticket text. */
      connection: AppAccessFulfillerConnection;
      logger: LoggerService;
    },
  ) {}

  async fulfill(context: FulfillmentContext): Promise<FulfillmentResult> {
    const { sent, settings } = this.deps;
    const { from, ticketAddress, branding } = await settings.current();
    if (!ticketAddress) {
      return {
        status: 'failed',
        error: `Cannot email a ticket: ${NO_TICKET_ADDRESS}`,
      };
    }
    const messageId = `<app-access-${context.request.id}@${messageIdDomain(
      from.address,
    )}>`;
    const emailed = {
      status: 'awaiting_it' as const,
      externalRef: messageId,
      message: `Ticket emailed to ${ticketAddress}`,
    };
    if (await sent.wasSent(context.idempotencyKey, ticketAddress))
      return emailed;

    if (context.previousExternalRef !== messageId) {
      await context.checkpoint({
        externalRef: messageId,
        note: `Emailing a ticket to ${ticketAddress} (Message-ID ${messageId})`,
      });
    }
    const mail = new TicketRenderer(branding).accessTicket(
      context,
      await this.approvals(context.request.id),
    );
    const problem = await this.sendOnce({
      from,
      ticketAddress,
      messageId,
      requestId: context.request.id,
      idempotencyKey: context.idempotencyKey,
      mail,
    });
    return problem ?? emailed;
  }

  /**
   * Emails a removal ticket for access granted through an emailed ticket,
   * once per grant (`<app-access-removal-<grant id>@…>`); the grant then
   * waits for IT, who mark it removed in the portal.
   */
  async revoke(context: RevocationContext): Promise<RevocationResult> {
    const { sent, settings } = this.deps;
    const { from, ticketAddress, branding } = await settings.current();
    if (!ticketAddress) {
      return {
        status: 'failed',
        error: `Cannot email a removal ticket: ${NO_TICKET_ADDRESS}`,
      };
    }
    const messageId = `<app-access-removal-${
      context.grant.id
    }@${messageIdDomain(from.address)}>`;
    const emailed = {
      status: 'awaiting_it' as const,
      externalRef: messageId,
      message: `Removal ticket emailed to ${ticketAddress}; IT marks the access removed in the portal`,
    };
    if (await sent.wasSent(context.idempotencyKey, ticketAddress))
      return emailed;

    if (context.previousExternalRef !== messageId) {
      await context.checkpoint({
        externalRef: messageId,
        note: `Emailing a removal ticket to ${ticketAddress} (Message-ID ${messageId})`,
      });
    }
    const mail = new TicketRenderer(branding).removalTicket(context);
    const problem = await this.sendOnce({
      from,
      ticketAddress,
      messageId,
      requestId: context.request.id,
      idempotencyKey: context.idempotencyKey,
      mail,
    });
    return problem ?? emailed;
  }

  /**
   * Sends one ticket email and records it as sent; a retry or failure
   * result when the SMTP server did not take it, else undefined.
   */
  private async sendOnce(ticket: {
    from: Parameters<SmtpMailer['send']>[0]['from'];
    ticketAddress: string;
    messageId: string;
    requestId: string;
    idempotencyKey: string;
    mail: Omit<
      Parameters<SmtpMailer['send']>[0],
      'from' | 'to' | 'messageId' | 'requestId'
    >;
  }): Promise<{ status: 'retry' | 'failed'; error: string } | undefined> {
    const { from, ticketAddress, messageId, requestId, mail } = ticket;
    let outcome;
    try {
      outcome = await this.deps.mailer.send({
        from,
        to: ticketAddress,
        messageId,
        requestId,
        ...mail,
      });
    } catch (error) {
      return {
        status: 'retry',
        error: error instanceof Error ? error.message : String(error),
      };
    }
    if (!outcome.delivered) {
      return {
        status: 'failed',
        error: `The SMTP server refused the help-desk address ${ticketAddress}: ${outcome.refused}`,
      };
    }
    await this.deps.sent.recordSent(
      ticket.idempotencyKey,
      ticketAddress,
      messageId,
    );
    return undefined;
  }

  async recordAudit(
    context: FulfillmentContext,
  ): Promise<{ externalRef: string }> {
    const { mailer, sent, settings } = this.deps;
    const { from, ticketAddress, branding } = await settings.current();
    if (!ticketAddress) {
      throw new Error(`Cannot email an audit ticket: ${NO_TICKET_ADDRESS}`);
    }
    const messageId = `<app-access-audit-${
      context.request.id
    }@${messageIdDomain(from.address)}>`;
    if (await sent.wasSent(context.idempotencyKey, ticketAddress)) {
      return { externalRef: messageId };
    }
    const mail = new TicketRenderer(branding).auditRecord(
      context,
      await this.approvals(context.request.id),
    );
    const outcome = await mailer.send({
      from,
      to: ticketAddress,
      messageId,
      requestId: context.request.id,
      ...mail,
    });
    if (!outcome.delivered) {
      throw new Error(
        `The SMTP server refused the help-desk address ${ticketAddress}: ${outcome.refused}`,
      );
    }
    await sent.recordSent(context.idempotencyKey, ticketAddress, messageId);
    return { externalRef: messageId };
  }

  async selfTest(): Promise<ModuleTestResult> {
    const { mailer, settings } = this.deps;
    const { from, ticketAddress } = await settings.current();
    const smtp = await mailer.verify();
    const details = [
      smtp.message,
      `From: ${from.name} <${from.address}>`,
      `Tickets go to: ${ticketAddress ?? '(not set)'}`,
    ];
    if (!smtp.ok) return { ok: false, message: smtp.message, details };
    if (!ticketAddress) {
      return {
        ok: false,
        message: `Connected, but ${NO_TICKET_ADDRESS}`,
        details,
      };
    }
    return {
      ok: true,
      message: `${smtp.message}; tickets are emailed to ${ticketAddress}`,
      details,
    };
  }

  /** Who approved, for the help desk; the ticket goes out without it if unavailable. */
  private async approvals(requestId: string): Promise<ApprovalLine[]> {
    const { connection, logger } = this.deps;
    try {
      const request = await connection.getRequest(requestId);
      return Promise.all(
        (request.approvals ?? []).map(async task => ({
          task,
          deciderName: task.decidedBy
            ? (await connection.getPerson(task.decidedBy))?.displayName
            : undefined,
        })),
      );
    } catch (error) {
      logger.warn(
        `Could not read the approvals of request ${requestId}: ${error}`,
      );
      return [];
    }
  }
}
