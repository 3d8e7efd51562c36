import { createHash } from 'node:crypto';
import { LoggerService } from '@backstage/backend-plugin-api';
import {
  AccessRequest,
  ModuleTestResult,
} from '@app-access/plugin-app-access-common';
import {
  AppAccessDecisionApi,
  AppAccessMessage,
  AppAccessNotifier,
  NotifyResult,
} from '@app-access/plugin-app-access-node';
import { WebClient } from '@slack/web-api';
import { SlackMessageStore } from './database/SlackMessageStore';
import { slackCallError, slackErrorCode } from './SlackApi';
import {
  KnownBlock,
  approvalMessage,
  channelRequestMessage,
  decidedMessage,
  escapeMrkdwn,
  forWhom,
  outcomeText,
  reclaimMessage,
  requesterMessage,
} from './SlackMessages';

/** The metadata event type that marks a message as one delivery's post. */
const DELIVERY_EVENT_TYPE = 'app_access_delivery';
/** Pages of history (200 messages each) searched for an earlier attempt's message. */
const HISTORY_PAGES = 5;

export type SlackApprovalNotifierOptions = {
  client: WebClient;
  store: SlackMessageStore;
  decisions: AppAccessDecisionApi;
  logger: LoggerService;
  /** Channel id where new requests and decisions are also posted. */
  channel?: string;
};

type Content = { text: string; blocks: KnownBlock[] };

/**
 * Asks approvers in Slack: a DM with Approve / Deny buttons per approver,
 * updated to show the outcome once someone decides. Requesters get a short
 * DM when their request moves on.
 *
 * Slack has no idempotency key, so each message's channel + ts is stored
 * under the outbox delivery's key: a retried delivery updates what it
 * already posted instead of posting again. The delivery is recorded before
 * the post and the message carries a marker of it in its metadata, so a
 * retry after a post whose answer or record was lost (a timeout, a crash,
 * the database gone) finds the message in the conversation instead of
 * posting a second one.
 */
export class SlackApprovalNotifier implements AppAccessNotifier {
  readonly id = 'slack';

  constructor(private readonly options: SlackApprovalNotifierOptions) {}

  async notify(message: AppAccessMessage): Promise<NotifyResult> {
    if (message.audience === 'requester') {
      return this.notifyRequester(message);
    }
    if (message.audience === 'holder') {
      return this.askHolder(message);
    }
    switch (message.kind) {
      case 'approval_needed':
      case 'reminder':
        return this.askApprovers(message);
      case 'decision_recorded':
        await this.showDecision(message);
        return { unreachable: [] };
      default:
        // The core sends approvers nothing else; say it plainly if it starts to.
        this.options.logger.warn(
          `Slack: no message for approvers of kind '${message.kind}' (request ${message.request.id})`,
        );
        return { unreachable: [] };
    }
  }

  async selfTest(): Promise<ModuleTestResult> {
    try {
      const result = await this.options.client.auth.test();
      const details = [
        `Bot user: ${result.user} (${result.user_id})`,
        `Workspace: ${result.team} (${result.team_id})`,
      ];
      if (this.options.channel)
        details.push(`Channel posts go to ${this.options.channel}`);
      return {
        ok: true,
        message: `Connected to Slack workspace ${result.team} as ${result.user}`,
        details,
      };
    } catch (error) {
      const code = slackErrorCode(error);
      return {
        ok: false,
        message: code
          ? `Slack refused the bot token: ${code}`
          : slackCallError('auth.test', error).message,
      };
    }
  }

  // --- approvers ---

  private async askApprovers(message: AppAccessMessage): Promise<NotifyResult> {
    const { task } = message;
    if (!task) {
      throw new Error(
        `Slack: ${message.kind} for request ${message.request.id} has no approval task`,
      );
    }
    const requesterName = await this.nameOf(message.request.requester);
    const granteeName = await this.granteeNameOf(message.request);
    const content = approvalMessage({
      request: message.request,
      task,
      requesterName,
      granteeName,
      url: message.url,
      reminderNumber:
        message.kind === 'reminder' ? message.reminderNumber ?? 1 : undefined,
      seatWarning: message.seatWarning,
    });
    const unreachable: string[] = [];
    for (const ref of message.recipients) {
      const userId = await this.slackUserOf(ref);
      if (!userId) {
        unreachable.push(ref);
        continue;
      }
      await this.deliver({
        message,
        recipient: ref,
        approverRef: ref,
        content,
        open: () => this.openDm(userId),
      });
    }
    const { channel } = this.options;
    if (channel && message.kind === 'approval_needed') {
      const approverNames = await Promise.all(
        message.recipients
          .filter(r => !unreachable.includes(r))
          .map(r => this.nameOf(r)),
      );
      await this.deliver({
        message,
        recipient: `channel:${channel}`,
        content: channelRequestMessage({
          request: message.request,
          task,
          requesterName,
          granteeName,
          url: message.url,
          approverNames,
        }),
        open: async () => channel,
      });
    }
    return { unreachable };
  }

  /** Every approver's copy of the task loses its buttons and shows the outcome. */
  private async showDecision(message: AppAccessMessage) {
    const { task } = message;
    if (!task) return;
    const [requesterName, granteeName, deciderName] = await Promise.all([
      this.nameOf(message.request.requester),
      this.granteeNameOf(message.request),
      task.decidedBy ? this.nameOf(task.decidedBy) : Promise.resolve(undefined),
    ]);
    const content = decidedMessage({
      request: message.request,
      task,
      requesterName,
      granteeName,
      deciderName,
      url: message.url,
    });
    for (const posted of await this.options.store.listApproverMessages(
      task.id,
    )) {
      const updated = await this.update(posted, content);
      if (!updated) {
        this.options.logger.info(
          `Slack: ${posted.recipient}'s message about request ${message.request.id} is gone; not updated`,
        );
      }
    }
    const { channel } = this.options;
    if (channel && task.status !== 'open') {
      const thread = await this.options.store.findChannelPost(
        message.request.id,
        channel,
      );
      const about = granteeName
        ? `Level ${task.level} of the request for ${productOf(
            message.request,
          )} for ${forWhom({ requesterName, granteeName })}`
        : `Level ${task.level} of ${requesterName}'s request for ${productOf(
            message.request,
          )}`;
      const outcome = outcomeText(task, deciderName);
      await this.deliver({
        message,
        recipient: `channel:${channel}`,
        content: {
          text: `${about}: ${outcome}`,
          blocks: [
            {
              type: 'section',
              text: {
                type: 'mrkdwn',
                text: `${escapeMrkdwn(about)}: ${outcome}`,
              },
            },
          ],
        },
        open: async () => channel,
        threadTs: thread?.ts,
      });
    }
  }

  // --- holder ---

  /**
   * "Keep it or give it back?" to the holder of access, from a reclamation
   * campaign: one DM per delivery, exactly once like approval DMs.
   */
  private async askHolder(message: AppAccessMessage): Promise<NotifyResult> {
    const { reclaim } = message;
    if (
      !reclaim ||
      (message.kind !== 'reclaim_question' &&
        message.kind !== 'reclaim_reminder')
    ) {
      throw new Error(
        `Slack: ${message.kind} to the holder of request ${message.request.id} carries no reclamation question`,
      );
    }
    const content = reclaimMessage({
      request: message.request,
      reclaim,
      url: message.url,
      reminderNumber:
        message.kind === 'reclaim_reminder'
          ? message.reminderNumber ?? 1
          : undefined,
    });
    const unreachable: string[] = [];
    for (const ref of message.recipients) {
      const userId = await this.slackUserOf(ref);
      if (!userId) {
        unreachable.push(ref);
        continue;
      }
      await this.deliver({
        message,
        recipient: ref,
        content,
        open: () => this.openDm(userId),
      });
    }
    return { unreachable };
  }

  // --- requester ---

  private async notifyRequester(
    message: AppAccessMessage,
  ): Promise<NotifyResult> {
    const unreachable: string[] = [];
    const deciderName = message.task?.decidedBy
      ? await this.nameOf(message.task.decidedBy)
      : undefined;
    const content = requesterMessage({
      request: message.request,
      kind: message.kind,
      task: message.task,
      deciderName,
      url: message.url,
      access: message.access,
    });
    for (const ref of message.recipients) {
      const userId = await this.slackUserOf(ref);
      if (!userId) {
        unreachable.push(ref);
        continue;
      }
      await this.deliver({
        message,
        recipient: ref,
        content,
        open: () => this.openDm(userId),
      });
    }
    return { unreachable };
  }

  // --- Slack calls ---

  /**
   * Posts once per (delivery, recipient): when this delivery already posted
   * to the recipient (an earlier attempt failed later on), the message is
   * updated instead. The delivery is recorded (without a ts) before the
   * post; a retry that finds such a record looks for the earlier attempt's
   * message by its metadata marker before posting.
   */
  private async deliver(options: {
    message: AppAccessMessage;
    recipient: string;
    approverRef?: string;
    content: Content;
    open: () => Promise<string>;
    threadTs?: string;
  }) {
    const { message, recipient, content } = options;
    const { store, client } = this.options;
    const existing = await store.find(message.idempotencyKey, recipient);
    // A message deleted in Slack meanwhile is posted again.
    if (existing?.ts && (await this.update(existing, content))) {
      return;
    }
    const channel = await options.open();
    const record = {
      idempotencyKey: message.idempotencyKey,
      recipient,
      requestId: message.request.id,
      taskId: message.task?.id,
      approverRef: options.approverRef,
      kind: message.kind,
      channel,
    };
    const marker = deliveryMarker(message.idempotencyKey, recipient);
    if (existing && !existing.ts) {
      // An earlier attempt set out to post and did not record the answer.
      const ts = await this.findPosted(
        channel,
        marker,
        existing.createdAt,
        options.threadTs,
      );
      if (ts) {
        await store.save({ ...record, ts });
        await this.update({ channel, ts }, content);
        this.options.logger.info(
          `Slack: an earlier attempt's message to ${recipient} about request ${message.request.id} was found (ts ${ts}); updated, not posted again`,
        );
        return;
      }
    } else if (!existing) {
      await store.save({ ...record, ts: '' });
    }
    const posted = await this.call('chat.postMessage', () =>
      client.chat.postMessage({
        channel,
        text: content.text,
        blocks: content.blocks,
        ...(options.threadTs ? { thread_ts: options.threadTs } : {}),
        unfurl_links: false,
        metadata: {
          event_type: DELIVERY_EVENT_TYPE,
          event_payload: { delivery: marker },
        },
      }),
    );
    if (!posted.ts) {
      throw new Error(`Slack chat.postMessage to ${channel} returned no ts`);
    }
    await store.save({
      ...record,
      channel: posted.channel ?? channel,
      ts: posted.ts,
    });
  }

  /**
   * The ts of the message carrying this delivery's marker, posted since the
   * delivery was first recorded (a minute's slack for clocks); undefined
   * when there is none. A missing history scope (im:history,
   * channels:history) is logged and treated as none: the retry posts again,
   * as it did before the marker existed.
   */
  private async findPosted(
    channel: string,
    marker: string,
    since: string | undefined,
    threadTs: string | undefined,
  ): Promise<string | undefined> {
    const oldest = since
      ? String(Math.floor(Date.parse(since) / 1000) - 60)
      : undefined;
    let cursor: string | undefined;
    for (let page = 0; page < HISTORY_PAGES; page++) {
      let answer;
      try {
        const args = {
          channel,
          limit: 200,
          include_all_metadata: true,
          ...(oldest ? { oldest } : {}),
          ...(cursor ? { cursor } : {}),
        };
        answer = threadTs
          ? await this.options.client.conversations.replies({
              ...args,
              ts: threadTs,
            })
          : await this.options.client.conversations.history(args);
      } catch (error) {
        const code = slackErrorCode(error);
        if (code === 'missing_scope' || code === 'not_in_channel') {
          this.options.logger.warn(
            `Slack: cannot read ${channel}'s history (${code}) to look for an earlier attempt's message; posting again (grant the im:history / channels:history scope to avoid a second copy)`,
          );
          return undefined;
        }
        throw slackCallError('conversations.history', error);
      }
      const found = (answer.messages ?? []).find(
        m =>
          (m as { metadata?: { event_payload?: { delivery?: unknown } } })
            .metadata?.event_payload?.delivery === marker,
      );
      if (found?.ts) return found.ts;
      cursor = answer.response_metadata?.next_cursor || undefined;
      if (!answer.has_more || !cursor) return undefined;
    }
    return undefined;
  }

  /** Rewrites a posted message; false when it no longer exists in Slack. */
  private async update(
    posted: { channel: string; ts: string },
    content: Content,
  ): Promise<boolean> {
    try {
      await this.options.client.chat.update({
        channel: posted.channel,
        ts: posted.ts,
        text: content.text,
        blocks: content.blocks,
      });
      return true;
    } catch (error) {
      const code = slackErrorCode(error);
      if (code === 'message_not_found' || code === 'channel_not_found')
        return false;
      throw slackCallError('chat.update', error);
    }
  }

  private async openDm(userId: string): Promise<string> {
    const opened = await this.call('conversations.open', () =>
      this.options.client.conversations.open({ users: userId }),
    );
    const id = opened.channel?.id;
    if (!id)
      throw new Error(
        `Slack conversations.open for ${userId} returned no channel`,
      );
    return id;
  }

  /**
   * The Slack user id of a catalog user, found by email; undefined when the
   * person has no email or no (active) Slack account with it.
   */
  private async slackUserOf(ref: string): Promise<string | undefined> {
    const person = await this.options.decisions.getPerson(ref);
    if (!person?.email) {
      this.options.logger.info(
        `Slack: ${ref} has no email address in the catalog; cannot DM them`,
      );
      return undefined;
    }
    try {
      const found = await this.options.client.users.lookupByEmail({
        email: person.email,
      });
      if (!found.user?.id || found.user.deleted) return undefined;
      return found.user.id;
    } catch (error) {
      if (slackErrorCode(error) === 'users_not_found') {
        this.options.logger.info(
          `Slack: no Slack user with ${ref}'s email address`,
        );
        return undefined;
      }
      throw slackCallError('users.lookupByEmail', error);
    }
  }

  /** The grantee's name when someone else filed the request on their behalf. */
  private async granteeNameOf(request: {
    requester: string;
    grantee?: string;
  }): Promise<string | undefined> {
    return request.grantee && request.grantee !== request.requester
      ? this.nameOf(request.grantee)
      : undefined;
  }

  private async nameOf(ref: string): Promise<string> {
    try {
      const person = await this.options.decisions.getPerson(ref);
      return person?.displayName ?? shortName(ref);
    } catch {
      return shortName(ref);
    }
  }

  private async call<T>(method: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      // A plain Error: the outbox retries it with backoff (429 included).
      throw slackCallError(method, error);
    }
  }
}

/** A delivery's marker: a hash of its key and recipient (nothing personal in Slack). */
function deliveryMarker(idempotencyKey: string, recipient: string): string {
  return createHash('sha256')
    .update(`${idempotencyKey}\n${recipient}`)
    .digest('hex')
    .slice(0, 32);
}

function shortName(ref: string): string {
  return ref.replace(/^[a-z]+:(default\/)?/, '');
}

function productOf(request: AccessRequest): string {
  return request.tierName
    ? `${request.appName} ${request.tierName}`
    : request.appName;
}
