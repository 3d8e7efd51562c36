import { createHash } from 'node:crypto';
import { createTransport, Transporter } from 'nodemailer';
import { ModuleTestResult } from '@app-access/plugin-app-access-common';
import { EmailConfig } from '../config';

/** One message to one recipient. */
export type OutgoingMail = {
  from: { name: string; address: string };
  to: string;
  subject: string;
  html: string;
  text: string;
  /** Full Message-ID, angle brackets included. */
  messageId: string;
  /** App Access request the message is about (X-App-Access-Request header). */
  requestId?: string;
};

export type SendOutcome =
  | { delivered: true }
  /** The server refused the recipient for good (5xx on RCPT TO). */
  | { delivered: false; refused: string };

/** The domain Message-IDs are made in: the sender's. */
export function messageIdDomain(fromAddress: string): string {
  return fromAddress.split('@').pop()!.toLowerCase();
}

/** A Message-ID that is the same every time for the same seed and sender. */
export function stableMessageId(seed: string, fromAddress: string): string {
  const hash = createHash('sha256').update(seed).digest('hex').slice(0, 32);
  return `<app-access-${hash}@${messageIdDomain(fromAddress)}>`;
}

type SmtpError = Error & {
  code?: string;
  command?: string;
  responseCode?: number;
  rejectedErrors?: SmtpError[];
};

/** A 5xx answer to RCPT TO: that address cannot be reached, retrying won't help. */
function permanentRecipientRefusal(error: SmtpError): string | undefined {
  if (error.code !== 'EENVELOPE' || error.command !== 'RCPT TO')
    return undefined;
  const refusals = error.rejectedErrors?.length
    ? error.rejectedErrors
    : [error];
  if (
    refusals.every(
      e => (e.responseCode ?? 0) >= 500 && (e.responseCode ?? 0) < 600,
    )
  ) {
    return refusals.map(e => e.message).join('; ');
  }
  return undefined;
}

/**
 * nodemailer SMTP transport for App Access. One message per recipient, so
 * one refused address never holds back the others. Temporary failures (4xx,
 * connection errors) throw: the outbox tries again later.
 */
export class SmtpMailer {
  private readonly transporter: Transporter;

  constructor(private readonly config: EmailConfig) {
    const { smtp, dkim } = config;
    this.transporter = createTransport({
      host: smtp.host,
      port: smtp.port,
      secure: smtp.secure,
      requireTLS: smtp.requireTLS,
      ignoreTLS: smtp.ignoreTLS,
      auth: smtp.auth
        ? { user: smtp.auth.user, pass: smtp.auth.pass }
        : undefined,
      dkim: dkim
        ? {
            domainName: dkim.domainName,
            keySelector: dkim.keySelector,
            privateKey: dkim.privateKey,
          }
        : undefined,
      // An outbox job should fail fast and be retried rather than hang.
      connectionTimeout: 20_000,
      greetingTimeout: 20_000,
      socketTimeout: 60_000,
    });
  }

  async send(mail: OutgoingMail): Promise<SendOutcome> {
    const { smtp } = this.config;
    let info: { rejected?: unknown[]; rejectedErrors?: SmtpError[] };
    try {
      info = await this.transporter.sendMail({
        from: mail.from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        messageId: mail.messageId,
        headers: {
          'Auto-Submitted': 'auto-generated',
          'X-Auto-Response-Suppress': 'All',
          ...(mail.requestId ? { 'X-App-Access-Request': mail.requestId } : {}),
        },
      });
    } catch (error) {
      const refused = permanentRecipientRefusal(error as SmtpError);
      if (refused) return { delivered: false, refused };
      const message = error instanceof Error ? error.message : String(error);
      throw new Error(
        `SMTP server ${smtp.host}:${smtp.port} could not take the message for ${mail.to}: ${message}`,
      );
    }
    // With one recipient per message a refusal normally arrives as an error
    // above; this covers servers that accept the envelope partially.
    if (info.rejected?.length) {
      const errors = info.rejectedErrors ?? [];
      const reason =
        errors.map(e => e.message).join('; ') || 'recipient refused';
      if (errors.length && errors.every(e => (e.responseCode ?? 0) >= 500)) {
        return { delivered: false, refused: reason };
      }
      throw new Error(
        `SMTP server ${smtp.host}:${smtp.port} deferred ${mail.to}: ${reason}`,
      );
    }
    return { delivered: true };
  }

  /** Connects and authenticates, reporting the SMTP server's exact answer. */
  async verify(): Promise<ModuleTestResult> {
    const { smtp } = this.config;
    const where = `${smtp.host}:${smtp.port}${smtp.secure ? ' (TLS)' : ''}`;
    try {
      await this.transporter.verify();
      return {
        ok: true,
        message: `Connected to ${where}${
          smtp.auth ? ` and signed in as ${smtp.auth.user}` : ''
        }`,
      };
    } catch (error) {
      return {
        ok: false,
        message: `SMTP check of ${where} failed: ${
          error instanceof Error ? error.message : String(error)
        }`,
      };
    }
  }

  close() {
    this.transporter.close();
  }
}
