export type ActionDecision = 'approve' | 'deny';

/** One stored Approve or Deny link. */
export type ActionToken = {
  groupId: string;
  requestId: string;
  taskId: string;
  approverRef: string;
  decision: ActionDecision;
  expiresAt: string;
  usedAt?: string;
  /** The decision taken through this token's group, once used. */
  usedDecision?: ActionDecision;
};

/** The two links of one approver's email. */
export type ActionTokenPair = {
  groupId: string;
  approve: string;
  deny: string;
};

/**
 * Single-use Approve / Deny links. The plain tokens exist only in the
 * emails; the store keeps their hashes.
 */
export interface ActionTokenStore {
  issuePair(input: {
    requestId: string;
    taskId: string;
    approverRef: string;
    expiresAt: Date;
  }): Promise<ActionTokenPair>;
  find(token: string): Promise<ActionToken | undefined>;
  /**
   * Marks every token of the group used for `decision`; false when another
   * use got there first.
   */
  claimGroup(
    groupId: string,
    decision: ActionDecision,
    at: Date,
  ): Promise<boolean>;
  /** Undoes a claim whose decision could not be recorded. */
  releaseGroup(groupId: string): Promise<void>;
  /**
   * Undoes the claim made at `usedAt` if it is still the group's claim (the
   * process that made it died, or lost the database, before it could record
   * the decision or release it); false when another use has happened since.
   */
  releaseStaleClaim(groupId: string, usedAt: string): Promise<boolean>;
  /** Forgets the tokens of an email that was never delivered. */
  deleteGroup(groupId: string): Promise<void>;
  /** Deletes tokens that expired before `before`; returns how many. */
  deleteExpired(before: Date): Promise<number>;
}
