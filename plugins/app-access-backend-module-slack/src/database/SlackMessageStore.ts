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
  ts: string;
};

/** Where posted Slack messages are remembered (channel + ts). */
export interface SlackMessageStore {
  /** The message posted for this delivery and recipient, if any. */
  find(
    idempotencyKey: string,
    recipient: string,
  ): Promise<SlackMessageRecord | undefined>;
  /** Records a posted message; a second record for the same delivery replaces the first. */
  save(record: SlackMessageRecord): Promise<void>;
  /** Messages with buttons sent to approvers of this task. */
  listApproverMessages(taskId: string): Promise<SlackMessageRecord[]>;
  /** The first channel post about a request, to thread later posts under it. */
  findChannelPost(
    requestId: string,
    channel: string,
  ): Promise<SlackMessageRecord | undefined>;
}
