import { Knex } from 'knex';
import { SlackMessageRecord, SlackMessageStore } from './SlackMessageStore';

const TABLE = 'app_access_slack_messages';

type Row = {
  idempotency_key: string;
  recipient: string;
  request_id: string;
  task_id: string | null;
  approver_ref: string | null;
  kind: string;
  channel: string;
  ts: string;
  created_at: string;
};

function toRecord(row: Row): SlackMessageRecord {
  return {
    idempotencyKey: row.idempotency_key,
    recipient: row.recipient,
    requestId: row.request_id,
    taskId: row.task_id ?? undefined,
    approverRef: row.approver_ref ?? undefined,
    kind: row.kind,
    channel: row.channel,
    ts: row.ts,
    createdAt: row.created_at,
  };
}

export class DatabaseSlackMessageStore implements SlackMessageStore {
  constructor(private readonly db: Knex) {}

  async find(idempotencyKey: string, recipient: string) {
    const row = await this.db<Row>(TABLE)
      .where({ idempotency_key: idempotencyKey, recipient })
      .first();
    return row ? toRecord(row) : undefined;
  }

  async save(record: SlackMessageRecord) {
    const now = new Date().toISOString();
    await this.db(TABLE)
      .insert({
        idempotency_key: record.idempotencyKey,
        recipient: record.recipient,
        request_id: record.requestId,
        task_id: record.taskId ?? null,
        approver_ref: record.approverRef ?? null,
        kind: record.kind,
        channel: record.channel,
        ts: record.ts,
        created_at: now,
        updated_at: now,
      })
      .onConflict(['idempotency_key', 'recipient'])
      .merge(['channel', 'ts', 'updated_at']);
  }

  async listApproverMessages(taskId: string) {
    const rows = await this.db<Row>(TABLE)
      .where({ task_id: taskId })
      .whereNotNull('approver_ref')
      .whereNot('ts', '')
      .orderBy('id');
    return rows.map(toRecord);
  }

  async findChannelPost(requestId: string, channel: string) {
    const row = await this.db<Row>(TABLE)
      .where({ request_id: requestId, recipient: `channel:${channel}` })
      .whereNot('ts', '')
      .orderBy('id')
      .first();
    return row ? toRecord(row) : undefined;
  }
}
