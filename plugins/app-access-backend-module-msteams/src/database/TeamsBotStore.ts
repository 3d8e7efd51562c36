import { Knex } from 'knex';

/** Where the bot can reach one Teams user proactively. */
export type TeamsConversation = {
  aadObjectId: string;
  /** The catalog person, when the user's email identified exactly one. */
  personRef?: string;
  email?: string;
  userId: string;
  conversationId: string;
  serviceUrl: string;
  tenantId?: string;
};

/** One card the bot sent. */
export type TeamsMessageRecord = {
  idempotencyKey: string;
  recipient: string;
  requestId: string;
  taskId?: string;
  approverRef?: string;
  kind: string;
  conversationId: string;
  serviceUrl: string;
  activityId: string;
};

const CONVERSATIONS = 'app_access_msteams_conversations';
const MESSAGES = 'app_access_msteams_messages';
const STATUS = 'app_access_msteams_status';

type ConversationRow = {
  aad_object_id: string;
  person_ref: string | null;
  email: string | null;
  user_id: string;
  conversation_id: string;
  service_url: string;
  tenant_id: string | null;
  gone_at: string | null;
};

type MessageRow = {
  idempotency_key: string;
  recipient: string;
  request_id: string;
  task_id: string | null;
  approver_ref: string | null;
  kind: string;
  conversation_id: string;
  service_url: string;
  activity_id: string;
};

function toConversation(row: ConversationRow): TeamsConversation {
  return {
    aadObjectId: row.aad_object_id,
    personRef: row.person_ref ?? undefined,
    email: row.email ?? undefined,
    userId: row.user_id,
    conversationId: row.conversation_id,
    serviceUrl: row.service_url,
    tenantId: row.tenant_id ?? undefined,
  };
}

function toMessage(row: MessageRow): TeamsMessageRecord {
  return {
    idempotencyKey: row.idempotency_key,
    recipient: row.recipient,
    requestId: row.request_id,
    taskId: row.task_id ?? undefined,
    approverRef: row.approver_ref ?? undefined,
    kind: row.kind,
    conversationId: row.conversation_id,
    serviceUrl: row.service_url,
    activityId: row.activity_id,
  };
}

/** The bot's conversation references, sent cards and last error. */
export class TeamsBotStore {
  constructor(
    private readonly db: Knex,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Remembers (or refreshes) a user's personal chat with the bot. */
  async saveConversation(c: TeamsConversation): Promise<void> {
    const now = this.now().toISOString();
    await this.db(CONVERSATIONS)
      .insert({
        aad_object_id: c.aadObjectId,
        person_ref: c.personRef ?? null,
        email: c.email ?? null,
        user_id: c.userId,
        conversation_id: c.conversationId,
        service_url: c.serviceUrl,
        tenant_id: c.tenantId ?? null,
        gone_at: null,
        created_at: now,
        updated_at: now,
      })
      .onConflict('aad_object_id')
      .merge([
        'person_ref',
        'email',
        'user_id',
        'conversation_id',
        'service_url',
        'tenant_id',
        'gone_at',
        'updated_at',
      ]);
  }

  /**
   * The live personal chat with this person; undefined when there is none
   * (the app is not installed for them) or it is gone.
   */
  async conversationOf(
    personRef: string,
  ): Promise<TeamsConversation | undefined> {
    const rows = await this.db<ConversationRow>(CONVERSATIONS)
      .where({ person_ref: personRef })
      .whereNull('gone_at')
      .orderBy('updated_at', 'desc');
    return rows[0] ? toConversation(rows[0]) : undefined;
  }

  /** Live chats that no catalog person was found for (yet), least recently looked at first. */
  async unmatchedConversations(limit: number): Promise<TeamsConversation[]> {
    const rows = await this.db<ConversationRow>(CONVERSATIONS)
      .whereNull('person_ref')
      .whereNull('gone_at')
      .orderBy('updated_at', 'asc')
      .limit(limit);
    if (rows.length) {
      // Looked at now: the next pass starts with the others.
      await this.db(CONVERSATIONS)
        .whereIn(
          'aad_object_id',
          rows.map(r => r.aad_object_id),
        )
        .whereNull('person_ref')
        .update({ updated_at: this.now().toISOString() });
    }
    return rows.map(toConversation);
  }

  /** Gives an unmatched chat its person (a chat already matched is left alone). */
  async matchConversation(
    aadObjectId: string,
    personRef: string,
  ): Promise<void> {
    await this.db(CONVERSATIONS)
      .where({ aad_object_id: aadObjectId })
      .whereNull('person_ref')
      .update({ person_ref: personRef, updated_at: this.now().toISOString() });
  }

  /** Marks a conversation gone: the person is unreachable until they reinstall. */
  async markGone(conversationId: string): Promise<void> {
    const now = this.now().toISOString();
    await this.db(CONVERSATIONS)
      .where({ conversation_id: conversationId })
      .update({ gone_at: now, updated_at: now });
  }

  /** How many catalog people the bot can reach now. */
  async countReachable(): Promise<number> {
    const row = await this.db(CONVERSATIONS)
      .whereNull('gone_at')
      .whereNotNull('person_ref')
      .countDistinct({ n: 'person_ref' })
      .first();
    return Number((row as { n?: number | string } | undefined)?.n ?? 0);
  }

  async findMessage(
    idempotencyKey: string,
    recipient: string,
  ): Promise<TeamsMessageRecord | undefined> {
    const row = await this.db<MessageRow>(MESSAGES)
      .where({ idempotency_key: idempotencyKey, recipient })
      .first();
    return row ? toMessage(row) : undefined;
  }

  async saveMessage(record: TeamsMessageRecord): Promise<void> {
    const now = this.now().toISOString();
    await this.db(MESSAGES)
      .insert({
        idempotency_key: record.idempotencyKey,
        recipient: record.recipient,
        request_id: record.requestId,
        task_id: record.taskId ?? null,
        approver_ref: record.approverRef ?? null,
        kind: record.kind,
        conversation_id: record.conversationId,
        service_url: record.serviceUrl,
        activity_id: record.activityId,
        created_at: now,
        updated_at: now,
      })
      .onConflict(['idempotency_key', 'recipient'])
      .merge(['conversation_id', 'service_url', 'activity_id', 'updated_at']);
  }

  /** Cards with Approve / Deny sent to approvers of this task. */
  async listApproverMessages(taskId: string): Promise<TeamsMessageRecord[]> {
    const rows = await this.db<MessageRow>(MESSAGES)
      .where({ task_id: taskId })
      .whereNotNull('approver_ref')
      .orderBy('id');
    return rows.map(toMessage);
  }

  async recordError(message: string | undefined): Promise<void> {
    const at = message ? this.now().toISOString() : null;
    await this.db(STATUS)
      .insert({ id: 'bot', last_error: message ?? null, last_error_at: at })
      .onConflict('id')
      .merge(['last_error', 'last_error_at']);
  }

  async lastError(): Promise<{ message: string; at: string } | undefined> {
    const row = await this.db(STATUS).where({ id: 'bot' }).first();
    return row?.last_error
      ? { message: row.last_error, at: row.last_error_at }
      : undefined;
  }
}
