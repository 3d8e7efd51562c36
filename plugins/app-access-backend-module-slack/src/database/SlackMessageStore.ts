/** One message the module posted in Slack. */
export type SlackMessageRecord = {
  idempotencyKey: string;
  /** User entity ref of the person DM'd, or `channel:<id>` for channel posts. */
  recipient: string;
  requestId: string;
  taskId?: string;
  /** Set on messages that carried Approve / Deny buttons. */
  approverRef?: string;
  kind: string;
  channel: string;
  /**
   * The message's ts; empty while a post is under way (recorded before
   * `chat.postMessage`, so a retry knows an earlier attempt may have posted).
   */
  ts: string;
  /** When the delivery was first recorded (the first attempt to post). */
  createdAt?: string;
};

/** Where posted Slack messages are remembered (channel + ts). */
export interface SlackMessageStore {
  /** The message posted for this delivery and recipient, if any. */
  find(
    idempotencyKey: string,
    recipient: string,
  ): Promise<SlackMessageRecord | undefined>;
  /**
   * Records a posted message (or, with an empty ts, a post about to be
   * made); a second record for the same delivery replaces the first.
   */
  save(record: SlackMessageRecord): Promise<void>;
  /** Messages with buttons sent to approvers of this task (posted ones only). */
  listApproverMessages(taskId: string): Promise<SlackMessageRecord[]>;
  /** The first channel post about a request, to thread later posts under it. */
  findChannelPost(
    requestId: string,
    channel: string,
  ): Promise<SlackMessageRecord | undefined>;
}
