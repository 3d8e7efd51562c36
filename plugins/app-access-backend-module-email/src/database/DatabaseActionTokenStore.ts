import { Knex } from 'knex';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import {
  ActionDecision,
  ActionToken,
  ActionTokenPair,
  ActionTokenStore,
} from './ActionTokenStore';

const TABLE = 'app_access_email_action_tokens';

/** 32 random bytes, base64url: exactly 43 characters of this alphabet. */
const TOKEN_FORMAT = /^[A-Za-z0-9_-]{43}$/;

type TokenRow = {
  token_hash: string;
  group_id: string;
  request_id: string;
  task_id: string;
  approver_ref: string;
  decision: string;
  expires_at: string;
  used_at: string | null;
  used_decision: string | null;
  created_at: string;
};

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export class DatabaseActionTokenStore implements ActionTokenStore {
  constructor(private readonly db: Knex) {}

  async issuePair(input: {
    requestId: string;
    taskId: string;
    approverRef: string;
    expiresAt: Date;
  }): Promise<ActionTokenPair> {
    const groupId = randomUUID();
    const approve = randomBytes(32).toString('base64url');
    const deny = randomBytes(32).toString('base64url');
    const common = {
      group_id: groupId,
      request_id: input.requestId,
      task_id: input.taskId,
      approver_ref: input.approverRef,
      expires_at: input.expiresAt.toISOString(),
      used_at: null,
      used_decision: null,
      created_at: new Date().toISOString(),
    };
    await this.db<TokenRow>(TABLE).insert([
      { ...common, token_hash: hashToken(approve), decision: 'approve' },
      { ...common, token_hash: hashToken(deny), decision: 'deny' },
    ]);
    return { groupId, approve, deny };
  }

  async find(token: string): Promise<ActionToken | undefined> {
    if (!TOKEN_FORMAT.test(token)) return undefined;
    const row = await this.db<TokenRow>(TABLE)
      .where({ token_hash: hashToken(token) })
      .first();
    if (!row) return undefined;
    return {
      groupId: row.group_id,
      requestId: row.request_id,
      taskId: row.task_id,
      approverRef: row.approver_ref,
      decision: row.decision as ActionDecision,
      expiresAt: row.expires_at,
      usedAt: row.used_at ?? undefined,
      usedDecision: (row.used_decision as ActionDecision | null) ?? undefined,
    };
  }

  async claimGroup(
    groupId: string,
    decision: ActionDecision,
    at: Date,
  ): Promise<boolean> {
    const updated = await this.db<TokenRow>(TABLE)
      .where({ group_id: groupId })
      .whereNull('used_at')
      .update({ used_at: at.toISOString(), used_decision: decision });
    return updated > 0;
  }

  async releaseGroup(groupId: string): Promise<void> {
    await this.db<TokenRow>(TABLE)
      .where({ group_id: groupId })
      .update({ used_at: null, used_decision: null });
  }

  async releaseStaleClaim(groupId: string, usedAt: string): Promise<boolean> {
    const updated = await this.db<TokenRow>(TABLE)
      .where({ group_id: groupId, used_at: usedAt })
      .update({ used_at: null, used_decision: null });
    return updated > 0;
  }

  async deleteGroup(groupId: string): Promise<void> {
    await this.db<TokenRow>(TABLE).where({ group_id: groupId }).delete();
  }

  async deleteExpired(before: Date): Promise<number> {
    return this.db<TokenRow>(TABLE)
      .where('expires_at', '<', before.toISOString())
      .delete();
  }
}
