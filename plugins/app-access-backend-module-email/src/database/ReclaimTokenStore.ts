import { Knex } from 'knex';
import { createHash, randomBytes, randomUUID } from 'node:crypto';

export type ReclaimAnswer = 'keep' | 'release';

/** One stored "Keep it" or "Give it back" link. */
export type ReclaimToken = {
  groupId: string;
  questionId: string;
  holderRef: string;
  /** What the question is about ("Notion Editor"). */
  subject: string;
  answer: ReclaimAnswer;
  expiresAt: string;
  usedAt?: string;
  usedAnswer?: ReclaimAnswer;
  /** When a use of the email's links took its lease (not yet answered). */
  claimedAt?: string;
};

const TABLE = 'app_access_email_reclaim_tokens';
/** 32 random bytes, base64url: exactly 43 characters of this alphabet. */
const TOKEN_FORMAT = /^[A-Za-z0-9_-]{43}$/;

type Row = {
  token_hash: string;
  group_id: string;
  question_id: string;
  holder_ref: string;
  subject: string;
  answer: string;
  expires_at: string;
  used_at: string | null;
  used_answer: string | null;
  claimed_at: string | null;
  claim_owner: string | null;
  created_at: string;
};

const hashToken = (token: string) =>
  createHash('sha256').update(token).digest('hex');

/**
 * Single-use links of one holder's reclamation email. The plain tokens
 * exist only in the email; the store keeps their hashes.
 */
export class ReclaimTokenStore {
  constructor(private readonly db: Knex) {}

  async issuePair(input: {
    questionId: string;
    holderRef: string;
    subject: string;
    expiresAt: Date;
  }): Promise<{ groupId: string; keep: string; release: string }> {
    const groupId = randomUUID();
    const keep = randomBytes(32).toString('base64url');
    const release = randomBytes(32).toString('base64url');
    const common = {
      group_id: groupId,
      question_id: input.questionId,
      holder_ref: input.holderRef,
      subject: input.subject.slice(0, 300),
      expires_at: input.expiresAt.toISOString(),
      used_at: null,
      used_answer: null,
      claimed_at: null,
      claim_owner: null,
      created_at: new Date().toISOString(),
    };
    await this.db<Row>(TABLE).insert([
      { ...common, token_hash: hashToken(keep), answer: 'keep' },
      { ...common, token_hash: hashToken(release), answer: 'release' },
    ]);
    return { groupId, keep, release };
  }

  async find(token: string): Promise<ReclaimToken | undefined> {
    if (!TOKEN_FORMAT.test(token)) return undefined;
    const row = await this.db<Row>(TABLE)
      .where({ token_hash: hashToken(token) })
      .first();
    if (!row) return undefined;
    return {
      groupId: row.group_id,
      questionId: row.question_id,
      holderRef: row.holder_ref,
      subject: row.subject,
      answer: row.answer as ReclaimAnswer,
      expiresAt: row.expires_at,
      usedAt: row.used_at ?? undefined,
      usedAnswer: (row.used_answer as ReclaimAnswer | null) ?? undefined,
      claimedAt: row.claimed_at ?? undefined,
    };
  }

  /**
   * Takes a lease on both links of the email for one use: returns the
   * lease's owner, or undefined when the links are used or another use
   * holds an unexpired lease. A lease older than `leaseMs` is left over
   * from a use that stopped (a crash) and is taken over.
   */
  async claimGroup(
    groupId: string,
    at: Date,
    leaseMs: number,
  ): Promise<string | undefined> {
    const owner = randomUUID();
    const expiredBefore = new Date(at.getTime() - leaseMs).toISOString();
    const updated = await this.db<Row>(TABLE)
      .where({ group_id: groupId })
      .whereNull('used_at')
      .where(q =>
        q.whereNull('claimed_at').orWhere('claimed_at', '<=', expiredBefore),
      )
      .update({ claimed_at: at.toISOString(), claim_owner: owner });
    return updated > 0 ? owner : undefined;
  }

  /**
   * Marks both links used once the core accepted `answer`, whoever holds
   * the lease by now: the answer is recorded either way.
   */
  async markUsed(
    groupId: string,
    answer: ReclaimAnswer,
    at: Date,
  ): Promise<void> {
    await this.db<Row>(TABLE)
      .where({ group_id: groupId })
      .whereNull('used_at')
      .update({
        used_at: at.toISOString(),
        used_answer: answer,
        claimed_at: null,
        claim_owner: null,
      });
  }

  /** Gives up the lease `owner` took (no answer was recorded), if still its own. */
  async releaseGroup(groupId: string, owner: string): Promise<void> {
    await this.db<Row>(TABLE)
      .where({ group_id: groupId, claim_owner: owner })
      .whereNull('used_at')
      .update({ claimed_at: null, claim_owner: null });
  }

  /** Forgets the links of an email that was never delivered. */
  async deleteGroup(groupId: string): Promise<void> {
    await this.db<Row>(TABLE).where({ group_id: groupId }).delete();
  }

  /** Deletes links that expired before `before`; returns how many. */
  async deleteExpired(before: Date): Promise<number> {
    return this.db<Row>(TABLE)
      .where('expires_at', '<', before.toISOString())
      .delete();
  }
}
