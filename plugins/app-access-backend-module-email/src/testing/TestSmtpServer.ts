import { AddressInfo } from 'node:net';
import { ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** A message the test server accepted. */
export type ReceivedMail = {
  /** MAIL FROM */
  from: string;
  /** RCPT TO addresses that were accepted. */
  to: string[];
  /** The message exactly as received (for DKIM verification). */
  raw: Buffer;
  parsed: ParsedMail;
  /** SMTP AUTH user name, when the client signed in. */
  authUser?: string;
};

type Refusal = { code: number; message: string };

/**
 * A real SMTP server on a free local port for tests: it records what it
 * receives and can refuse chosen recipients at RCPT TO, for good (550) or
 * for now (451). Shared by every test of the email module.
 */
export class TestSmtpServer {
  readonly messages: ReceivedMail[] = [];
  readonly logins: Array<{ user: string; pass: string }> = [];
  /** Every RCPT TO the server refused, in order. */
  readonly refused: Array<{ address: string; code: number }> = [];
  private readonly refusals = new Map<string, Refusal>();
  private server!: SMTPServer;
  port = 0;

  static async start(): Promise<TestSmtpServer> {
    const smtp = new TestSmtpServer();
    await smtp.listen();
    return smtp;
  }

  private async listen() {
    this.server = new SMTPServer({
      authOptional: true,
      allowInsecureAuth: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onAuth: (auth, _session, callback) => {
        this.logins.push({
          user: auth.username ?? '',
          pass: auth.password ?? '',
        });
        callback(null, { user: auth.username });
      },
      onRcptTo: (address, _session, callback) => {
        const refusal = this.refusals.get(address.address.toLowerCase());
        if (!refusal) {
          callback();
          return;
        }
        this.refused.push({
          address: address.address.toLowerCase(),
          code: refusal.code,
        });
        const error = new Error(refusal.message) as Error & {
          responseCode: number;
        };
        error.responseCode = refusal.code;
        callback(error);
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('error', callback);
        stream.on('end', () => {
          const raw = Buffer.concat(chunks);
          simpleParser(raw)
            .then(parsed => {
              this.messages.push({
                from: session.envelope.mailFrom
                  ? session.envelope.mailFrom.address
                  : '',
                to: session.envelope.rcptTo.map(a => a.address.toLowerCase()),
                raw,
                parsed,
                authUser: session.user,
              });
              callback();
            })
            .catch(callback);
        });
      },
    });
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => resolve());
    });
    const address = this.server.server.address() as AddressInfo;
    this.port = address.port;
  }

  /** SMTP settings (`appAccess.email.smtp`) that reach this server. */
  get smtpConfig() {
    return {
      host: '127.0.0.1',
      port: this.port,
      secure: false,
      ignoreTLS: true,
    };
  }

  /** Refuse this recipient for good: 550 on RCPT TO. */
  refuse(address: string) {
    this.refusals.set(address.toLowerCase(), {
      code: 550,
      message: 'No such user here',
    });
  }

  /** Refuse this recipient for now: 451 on RCPT TO (greylisting, mailbox busy). */
  deferTemporarily(address: string) {
    this.refusals.set(address.toLowerCase(), {
      code: 451,
      message: 'Requested action aborted: try again later',
    });
  }

  /** Accept this recipient again. */
  accept(address: string) {
    this.refusals.delete(address.toLowerCase());
  }

  /** Messages accepted for this address. */
  to(address: string): ReceivedMail[] {
    return this.messages.filter(m => m.to.includes(address.toLowerCase()));
  }

  /** Waits until `count` messages matching `filter` arrived, and returns them. */
  async waitFor(
    filter: (mail: ReceivedMail) => boolean,
    count = 1,
    timeoutMs = 10_000,
  ): Promise<ReceivedMail[]> {
    return this.poll(
      timeoutMs,
      () => {
        const found = this.messages.filter(filter);
        return found.length >= count ? found : undefined;
      },
      () =>
        `${count} message(s); received ${
          this.messages.filter(filter).length
        } matching of ${this.messages.length}: ${this.messages
          .map(m => `${m.to.join(',')}: ${m.parsed.subject}`)
          .join(' | ')}`,
    );
  }

  /** Waits until this address was refused `count` times. */
  async waitForRefusals(
    address: string,
    count: number,
    timeoutMs = 10_000,
  ): Promise<void> {
    const refusals = () =>
      this.refused.filter(r => r.address === address.toLowerCase()).length;
    await this.poll(
      timeoutMs,
      () => (refusals() >= count ? true : undefined),
      () => `${count} refusal(s) of ${address}; saw ${refusals()}`,
    );
  }

  private async poll<T>(
    timeoutMs: number,
    probe: () => T | undefined,
    describe: () => string,
  ): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline)
        throw new Error(`Timed out waiting for ${describe()}`);
      await new Promise(resolve => setTimeout(resolve, 25));
    }
  }

  reset() {
    this.messages.length = 0;
    this.logins.length = 0;
    this.refused.length = 0;
    this.refusals.clear();
  }

  async stop() {
    await new Promise<void>(resolve => this.server.close(() => resolve()));
  }
}
