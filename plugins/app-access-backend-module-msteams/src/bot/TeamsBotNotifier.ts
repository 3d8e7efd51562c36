import { LoggerService } from '@backstage/backend-plugin-api';
import { onBehalfOf } from '../parties';
import { ModuleTestResult } from '@app-access/plugin-app-access-common';
import {
  AppAccessDecisionApi,
  AppAccessMessage,
  AppAccessNotifier,
  ModuleTestContext,
  NotifyResult,
} from '@app-access/plugin-app-access-node';
import { UnmatchedChats } from './identity';
import { TeamsBotStore } from '../database/TeamsBotStore';
import {
  AdaptiveCard,
  approvalCard,
  cardActivity,
  decidedCard,
  reclaimCard,
  requesterCard,
  testCard,
} from './BotCards';
import {
  BotConnector,
  ConversationAddress,
  ConversationGoneError,
} from './BotConnector';

export type TeamsBotNotifierOptions = {
  connector: BotConnector;
  store: TeamsBotStore;
  decisions: AppAccessDecisionApi;
  logger: LoggerService;
  /** Matches chats installed before the catalog knew their person, before someone counts as unreachable. */
  unmatched?: UnmatchedChats;
};

/**
 * Asks approvers in a 1:1 Teams chat with the App Access bot: one card per
 * approver with Approve / Deny, updated in place on every approver's chat
 * once anyone decides; reminders are new cards. Requesters get their
 * updates in their own chat. A person without a (live) chat with the bot is
 * reported unreachable, so the core can ask the fallback approver.
 *
 * Teams has no idempotency key: each card's activity id is stored under the
 * outbox delivery's key, and a retried delivery updates what it already
 * sent instead of sending it again.
 */
export class TeamsBotNotifier implements AppAccessNotifier {
  readonly id = 'msteams';

  constructor(private readonly options: TeamsBotNotifierOptions) {}

  async notify(message: AppAccessMessage): Promise<NotifyResult> {
    try {
      const result = await this.dispatch(message);
      return result;
    } catch (error) {
      await this.options.store
        .recordError((error as Error).message)
        .catch(() => {});
      throw error;
    }
  }

  private async dispatch(message: AppAccessMessage): Promise<NotifyResult> {
    if (message.audience === 'requester') return this.tellRequester(message);
    if (message.audience === 'holder') return this.askHolder(message);
    switch (message.kind) {
      case 'approval_needed':
      case 'reminder':
        return this.askApprovers(message);
      case 'decision_recorded':
        await this.showDecision(message);
        return { unreachable: [] };
      default:
        this.options.logger.warn(
          `Teams: no message for approvers of kind '${message.kind}' (request ${message.request.id})`,
        );
        return { unreachable: [] };
    }
  }

  /**
   * "Send test": signs in to Entra, then sends a real test card to the
   * admin who clicked, in their 1:1 chat with the bot. An admin without a
   * chat is told to install the app first.
   */
  async selfTest(context?: ModuleTestContext): Promise<ModuleTestResult> {
    const { connector, store, decisions } = this.options;
    const reachable = await store.countReachable();
    const lastError = await store.lastError();
    const details = [
      `People the bot can reach (app installed, matched to one catalog person): ${reachable}`,
      lastError
        ? `Last error (${lastError.at}): ${lastError.message}`
        : 'No delivery error recorded',
    ];
    try {
      await connector.checkCredentials();
    } catch (error) {
      return { ok: false, message: (error as Error).message, details };
    }
    const people = `${reachable} ${reachable === 1 ? 'person' : 'people'}`;
    const signedIn = `Teams bot signed in to Entra; it can reach ${people}`;
    if (!context) return { ok: true, message: signedIn, details };

    const conversation = await this.conversationOf(context.userRef);
    const installFirst = `install the App Access app in Teams first (Teams → Apps → Built for your org → App Access → Add, or for everyone from the Teams admin centre), then Send test again`;
    if (!conversation) {
      return {
        ok: false,
        message: `${signedIn}, but not you: you (${context.userRef}) have no chat with the App Access bot to send the test to; ${installFirst}`,
        details,
      };
    }
    try {
      await connector.send(
        conversation,
        cardActivity(
          testCard(decisions.portalUrl('/apps')),
          'App Access test message',
        ),
      );
    } catch (error) {
      if (error instanceof ConversationGoneError) {
        await store.markGone(conversation.conversationId);
        return {
          ok: false,
          message: `${signedIn}, but your chat with the App Access bot is gone (the app was removed for you); ${installFirst}`,
          details,
        };
      }
      const why = (error as Error).message;
      await store.recordError(why).catch(() => {});
      return { ok: false, message: why, details };
    }
    return {
      ok: true,
      message: `Test card sent to your Teams chat with the App Access bot. ${signedIn}`,
      details,
    };
  }

  private requestUrl(message: AppAccessMessage) {
    return this.options.decisions.portalUrl(
      `/apps/requests/${encodeURIComponent(message.request.id)}`,
    );
  }

  private async askApprovers(message: AppAccessMessage): Promise<NotifyResult> {
    const { task } = message;
    if (!task) {
      throw new Error(
        `Teams: ${message.kind} for request ${message.request.id} has no approval task`,
      );
    }
    const content = approvalCard({
      request: message.request,
      task,
      requesterName: await this.nameOf(message.request.requester),
      granteeName: onBehalfOf(message.request)
        ? await this.nameOf(onBehalfOf(message.request)!)
        : undefined,
      requestUrl: this.requestUrl(message),
      reminderNumber:
        message.kind === 'reminder' ? message.reminderNumber ?? 1 : undefined,
      seatWarning: message.seatWarning,
    });
    const summary = `Approval needed: ${message.request.appName}`;
    const unreachable: string[] = [];
    for (const ref of message.recipients) {
      const sent = await this.deliver(message, ref, content, summary, ref);
      if (!sent) unreachable.push(ref);
    }
    return { unreachable };
  }

  /** "Keep it or give it back?" in the holder's chat with the bot. */
  private async askHolder(message: AppAccessMessage): Promise<NotifyResult> {
    const { reclaim } = message;
    if (
      !reclaim ||
      (message.kind !== 'reclaim_question' &&
        message.kind !== 'reclaim_reminder')
    ) {
      throw new Error(
        `Teams: ${message.kind} to the holder of request ${message.request.id} carries no reclamation question`,
      );
    }
    const content = reclaimCard({
      request: message.request,
      reclaim,
      myAccessUrl: this.options.decisions.portalUrl('/apps/my-access'),
      reminderNumber:
        message.kind === 'reclaim_reminder'
          ? message.reminderNumber ?? 1
          : undefined,
    });
    const unreachable: string[] = [];
    for (const ref of message.recipients) {
      const sent = await this.deliver(
        message,
        ref,
        content,
        `Do you still need ${message.request.appName}?`,
      );
      if (!sent) unreachable.push(ref);
    }
    return { unreachable };
  }

  /** Every approver's copy (first asks and reminders) shows the outcome. */
  private async showDecision(message: AppAccessMessage) {
    const { task } = message;
    if (!task) return;
    const content = decidedCard({
      request: message.request,
      task,
      requesterName: await this.nameOf(message.request.requester),
      granteeName: onBehalfOf(message.request)
        ? await this.nameOf(onBehalfOf(message.request)!)
        : undefined,
      deciderName: task.decidedBy
        ? await this.nameOf(task.decidedBy)
        : undefined,
      requestUrl: this.requestUrl(message),
    });
    for (const sent of await this.options.store.listApproverMessages(task.id)) {
      try {
        await this.options.connector.update(
          sent,
          sent.activityId,
          cardActivity(content, `Decided: ${message.request.appName}`),
        );
      } catch (error) {
        if (!(error instanceof ConversationGoneError)) throw error;
        this.options.logger.info(
          `Teams: ${sent.recipient}'s chat is gone; their card about request ${message.request.id} was not updated`,
        );
      }
    }
  }

  private async tellRequester(
    message: AppAccessMessage,
  ): Promise<NotifyResult> {
    const content = requesterCard({
      request: message.request,
      kind: message.kind,
      task: message.task,
      deciderName: message.task?.decidedBy
        ? await this.nameOf(message.task.decidedBy)
        : undefined,
      requestUrl: this.requestUrl(message),
    });
    const unreachable: string[] = [];
    for (const ref of message.recipients) {
      const sent = await this.deliver(
        message,
        ref,
        content,
        `Your request for ${message.request.appName}`,
      );
      if (!sent) unreachable.push(ref);
    }
    return { unreachable };
  }

  /** The person's live chat, matching chats installed before the catalog knew them first if they have none. */
  private async conversationOf(personRef: string) {
    const { store, unmatched } = this.options;
    const found = await store.conversationOf(personRef);
    if (found || !unmatched || !(await unmatched.match())) return found;
    return store.conversationOf(personRef);
  }

  /**
   * Sends once per (delivery, recipient); false when the person has no live
   * chat with the bot (never installed, or Teams says it is gone).
   */
  private async deliver(
    message: AppAccessMessage,
    recipient: string,
    content: AdaptiveCard,
    summary: string,
    approverRef?: string,
  ): Promise<boolean> {
    const { store, connector, logger } = this.options;
    const activity = cardActivity(content, summary);
    const existing = await store.findMessage(message.idempotencyKey, recipient);
    if (existing) {
      try {
        await connector.update(existing, existing.activityId, activity);
        return true;
      } catch (error) {
        if (!(error instanceof ConversationGoneError)) throw error;
        await store.markGone(existing.conversationId);
      }
    }
    const conversation = await this.conversationOf(recipient);
    if (!conversation) {
      logger.info(
        `Teams: ${recipient} has no chat with the App Access bot (app not installed for them); unreachable`,
      );
      return false;
    }
    const to: ConversationAddress = conversation;
    let activityId: string;
    try {
      activityId = await connector.send(to, activity);
    } catch (error) {
      if (!(error instanceof ConversationGoneError)) throw error;
      logger.info(
        `Teams: ${recipient}'s chat with the bot no longer exists; unreachable until they install the app again`,
      );
      await store.markGone(conversation.conversationId);
      return false;
    }
    await store.saveMessage({
      idempotencyKey: message.idempotencyKey,
      recipient,
      requestId: message.request.id,
      taskId: message.task?.id,
      approverRef,
      kind: message.kind,
      conversationId: to.conversationId,
      serviceUrl: to.serviceUrl,
      activityId,
    });
    return true;
  }

  private async nameOf(ref: string): Promise<string> {
    try {
      return (
        (await this.options.decisions.getPerson(ref))?.displayName ??
        shortName(ref)
      );
    } catch {
      return shortName(ref);
    }
  }
}

function shortName(ref: string): string {
  return ref.replace(/^[a-z]+:(default\/)?/, '');
}
