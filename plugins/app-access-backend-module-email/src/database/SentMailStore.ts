/**
 * Which deliveries already reached the SMTP server, so that a retried
 * delivery (same idempotency key) does not send the same message again.
 */
export interface SentMailStore {
  wasSent(idempotencyKey: string, recipient: string): Promise<boolean>;
  recordSent(
    idempotencyKey: string,
    recipient: string,
    messageId: string,
  ): Promise<void>;
  /** Forgets deliveries sent before `before`; returns how many. */
  deleteSentBefore(before: Date): Promise<number>;
}
