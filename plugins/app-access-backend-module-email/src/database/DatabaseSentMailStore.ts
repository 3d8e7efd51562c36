import { Knex } from 'knex';
import { createHash } from 'node:crypto';
import { SentMailStore } from './SentMailStore';

const TABLE = 'app_access_email_sent';

type SentRow = {
  key_hash: string;
  recipient: string;
  idempotency_key: string;
  message_id: string;
  sent_at: string;
};

function keyHash(idempotencyKey: string): string {
  return createHash('sha256').update(idempotencyKey).digest('hex');
}

export class DatabaseSentMailStore implements SentMailStore {
  constructor(private readonly db: Knex) {}

  async wasSent(idempotencyKey: string, recipient: string): Promise<boolean> {
    const row = await this.db<SentRow>(TABLE)
      .where({ key_hash: keyHash(idempotencyKey), recipient })
      .first('key_hash');
    return Boolean(row);
  }

  async recordSent(
    idempotencyKey: string,
    recipient: string,
    messageId: string,
  ): Promise<void> {
    await this.db<SentRow>(TABLE)
      .insert({
        key_hash: keyHash(idempotencyKey),
        recipient,
        idempotency_key: idempotencyKey,
        message_id: messageId,
        sent_at: new Date().toISOString(),
      })
      .onConflict(['key_hash', 'recipient'])
      .ignore();
  }

  async deleteSentBefore(before: Date): Promise<number> {
    return this.db<SentRow>(TABLE)
      .where('sent_at', '<', before.toISOString())
      .delete();
  }
}
