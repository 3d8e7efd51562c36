import { LoggerService } from '@backstage/backend-plugin-api';
import { onBehalfOf } from '../parties';
import {
  AppAccessDecisionApi,
  DirectoryPerson,
} from '@app-access/plugin-app-access-node';
import { TeamsBotStore } from '../database/TeamsBotStore';
import { identifyTeamsUser } from './identity';
import {
  APPROVE_VERB,
  AdaptiveCard,
  ApprovalRef,
  DENY_VERB,
  KEEP_REASON_INPUT,
  KEEP_VERB,
  REASON_INPUT,
  RELEASE_VERB,
  ReclaimRef,
  approvalCard,
  decidedCard,
  reclaimAnsweredCard,
  refusalCard,
} from './BotCards';
import {
  BotConnector,
  ConversationAddress,
  ConversationGoneError,
  TeamsMember,
} from './BotConnector';

/** The parts of a Bot Framework activity the bot reads. */
export type TeamsActivity = {
  type?: string;
  name?: string;
  action?: string;
  serviceUrl?: string;
  channelId?: string;
  from?: { id?: string; aadObjectId?: string; name?: string };
  recipient?: { id?: string };
  conversation?: { id?: string; conversationType?: string; tenantId?: string };
  membersAdded?: Array<{ id?: string }>;
  membersRemoved?: Array<{ id?: string }>;
  channelData?: { tenant?: { id?: string } };
  value?: {
    action?: { type?: string; verb?: string; data?: Record<string, unknown> };
  };
};

/** The HTTP answer to an activity: status and optional JSON body. */
export type ActivityResponse = { status: number; body?: unknown };

const NOT_AN_APPROVER = 'You are not an approver of this request.';
const NOT_IDENTIFIED = 'We could not tell who you are.';

function parseReclaimRef(
  data: Record<string, unknown> | undefined,
): ReclaimRef | undefined {
  if (typeof data?.questionId === 'string' && typeof data?.what === 'string') {
    return { questionId: data.questionId, what: data.what };
  }
  return undefined;
}

function cardResponse(card: AdaptiveCard): ActivityResponse {
  return {
    status: 200,
    body: {
      statusCode: 200,
      type: 'application/vnd.microsoft.card.adaptive',
      value: card,
    },
  };
}

function parseRef(
  data: Record<string, unknown> | undefined,
): ApprovalRef | undefined {
  if (typeof data?.requestId === 'string' && typeof data?.taskId === 'string') {
    return { requestId: data.requestId, taskId: data.taskId };
  }
  return undefined;
}

/**
 * Handles what Teams sends the bot once its token is verified: installs
 * (the conversation reference of each person's 1:1 chat is kept, mapped to
 * one catalog person through the Entra object id and email Teams reports)
 * and Approve / Deny clicks (Adaptive Card Universal Actions), which decide
 * through the same decision API as every other channel.
 */
export class TeamsBotHandler {
  constructor(
    private readonly options: {
      connector: BotConnector;
      store: TeamsBotStore;
      decisions: AppAccessDecisionApi;
      logger: LoggerService;
      /** User entity annotations that may carry the Entra ID object id. */
      objectIdAnnotations: string[];
    },
  ) {}

  /**
   * The catalog person a Teams member is: the Entra ID object id in one of
   * the annotations first, else the email / UPN; exactly one, or why not.
   */
  private identify(aadObjectId: string | undefined, email: string | undefined) {
    return identifyTeamsUser(
      this.options.decisions,
      this.options.objectIdAnnotations,
      aadObjectId,
      email,
    );
  }

  async handle(activity: TeamsActivity): Promise<ActivityResponse> {
    switch (activity.type) {
      case 'conversationUpdate':
        if (
          activity.membersAdded?.some(
            m => m.id && m.id === activity.recipient?.id,
          )
        ) {
          await this.remember(activity);
        }
        return { status: 200 };
      case 'installationUpdate':
        if (activity.action?.startsWith('remove')) {
          if (activity.conversation?.id) {
            await this.options.store.markGone(activity.conversation.id);
          }
        } else {
          await this.remember(activity);
        }
        return { status: 200 };
      case 'message':
        // Someone wrote to the bot: their chat is (still) there; say what it does.
        if (await this.remember(activity)) await this.introduce(activity);
        return { status: 200 };
      case 'invoke':
        if (activity.name === 'adaptiveCard/action') {
          return this.onAction(activity);
        }
        return { status: 200, body: { status: 200 } };
      default:
        return { status: 200 };
    }
  }

  private address(activity: TeamsActivity): ConversationAddress | undefined {
    if (!activity.serviceUrl || !activity.conversation?.id) return undefined;
    return {
      serviceUrl: activity.serviceUrl,
      conversationId: activity.conversation.id,
    };
  }

  /** Answers someone who writes to the bot. */
  private async introduce(activity: TeamsActivity) {
    const address = this.address(activity);
    if (!address) return;
    const portal = this.options.decisions.portalUrl('/apps');
    try {
      await this.options.connector.send(address, {
        type: 'message',
        textFormat: 'markdown',
        text: `I am the App Access bot. When a request for an app needs your approval, I ask you here, with Approve and Deny; and I tell you how your own requests are doing. To ask for an app, open [App Access](${portal}).`,
      });
    } catch (error) {
      this.options.logger.warn(
        `Teams: could not answer a message: ${(error as Error).message}`,
      );
    }
  }

  /**
   * Keeps the personal chat's reference, mapped to one catalog person;
   * true when it was kept.
   */
  private async remember(activity: TeamsActivity): Promise<boolean> {
    const { logger, store, connector } = this.options;
    if (activity.conversation?.conversationType !== 'personal') {
      // Teams or group chats: the bot asks people one by one only.
      return false;
    }
    const address = this.address(activity);
    const userId = activity.from?.id;
    if (!address || !userId) return false;
    let member: TeamsMember;
    try {
      member = await connector.member(address, userId);
    } catch (error) {
      // Teams does not resend installs: say so where admins look.
      const why = `Teams: could not look up ${userId} who installed the app: ${
        (error as Error).message
      }`;
      logger.warn(why);
      await store.recordError(why).catch(() => {});
      return false;
    }
    const aadObjectId = member.aadObjectId ?? activity.from?.aadObjectId;
    if (!aadObjectId) {
      logger.warn('Teams: an install without an Entra object id was ignored');
      return false;
    }
    const email = member.email ?? member.userPrincipalName;
    let personRef: string | undefined;
    const identity = await this.identify(aadObjectId, email);
    if ('person' in identity) personRef = identity.person.ref;
    else {
      logger.info(
        `Teams: the app was installed by ${aadObjectId}, who is no single catalog person: ${identity.refused}`,
      );
    }
    await store.saveConversation({
      aadObjectId,
      personRef,
      email,
      userId,
      conversationId: address.conversationId,
      serviceUrl: address.serviceUrl,
      tenantId:
        activity.conversation?.tenantId ?? activity.channelData?.tenant?.id,
    });
    if (personRef) {
      logger.info(`Teams: ${personRef} can now be reached by the bot`);
    }
    return true;
  }

  private async onAction(activity: TeamsActivity): Promise<ActivityResponse> {
    const { decisions, logger } = this.options;
    const portal = decisions.portalUrl('/apps/approvals');
    const refuse = (reason: string) =>
      cardResponse(refusalCard({ reason, portalUrl: portal }));
    const action = activity.value?.action;
    const verb = action?.verb;
    if (verb === KEEP_VERB || verb === RELEASE_VERB) {
      return this.onReclaim(activity, verb, action?.data);
    }
    const ref = parseRef(action?.data);
    if ((verb !== APPROVE_VERB && verb !== DENY_VERB) || !ref) {
      return refuse('This card does not belong to an App Access request.');
    }
    try {
      const approver = await this.personOf(activity, NOT_AN_APPROVER);
      if (typeof approver === 'string') return refuse(approver);

      const task = await decisions.getTask(ref.taskId);
      if (!task || task.requestId !== ref.requestId) {
        return refuse('This approval request no longer exists.');
      }
      const mine = new Set([approver.ref, ...approver.groups]);
      if (!task.approvers.some(a => mine.has(a)))
        return refuse(NOT_AN_APPROVER);

      let reason: string | undefined;
      if (verb === DENY_VERB) {
        const raw = action?.data?.[REASON_INPUT];
        reason = typeof raw === 'string' ? raw.trim() : '';
        if (!reason) {
          const request = await decisions.getRequest(ref.requestId);
          return cardResponse(
            approvalCard({
              request,
              task,
              requesterName: await this.nameOf(request.requester),
              granteeName: onBehalfOf(request)
                ? await this.nameOf(onBehalfOf(request)!)
                : undefined,
              requestUrl: this.requestUrl(request.id),
              error: 'A reason is required to deny.',
            }),
          );
        }
      }
      try {
        await decisions.decide({
          requestId: ref.requestId,
          taskId: ref.taskId,
          approverRef: approver.ref,
          decision: verb === APPROVE_VERB ? 'approve' : 'deny',
          comment: reason,
          channel: 'msteams',
        });
      } catch (error) {
        const e = error as Error;
        if (
          [
            'NotAllowedError',
            'ConflictError',
            'InputError',
            'NotFoundError',
          ].includes(e?.name)
        ) {
          return refuse(e.message);
        }
        throw e;
      }
      // The clicker sees the outcome at once; every other copy follows
      // through the outbox.
      const [request, decided] = await Promise.all([
        decisions.getRequest(ref.requestId),
        decisions.getTask(ref.taskId),
      ]);
      return cardResponse(
        decidedCard({
          request,
          task: decided ?? task,
          requesterName: await this.nameOf(request.requester),
          granteeName: onBehalfOf(request)
            ? await this.nameOf(onBehalfOf(request)!)
            : undefined,
          deciderName: approver.displayName,
          requestUrl: this.requestUrl(request.id),
        }),
      );
    } catch (error) {
      logger.error(
        `Teams: handling a ${verb} click on request ${ref.requestId} failed`,
        error as Error,
      );
      return refuse(
        `Your decision could not be recorded; please try again or decide in the portal.`,
      );
    }
  }

  /**
   * Keep it (with the reason typed in the card) or Give it back, answered
   * as the identified clicker; the card turns into the outcome.
   */
  private async onReclaim(
    activity: TeamsActivity,
    verb: string,
    data: Record<string, unknown> | undefined,
  ): Promise<ActivityResponse> {
    const { decisions, logger } = this.options;
    const myAccess = decisions.portalUrl('/apps/my-access');
    const refuse = (reason: string) =>
      cardResponse(
        refusalCard({
          reason,
          portalUrl: myAccess,
          title: 'Your answer was not recorded',
        }),
      );
    const ref = parseReclaimRef(data);
    if (!ref)
      return refuse('This card does not belong to an App Access question.');
    const raw = data?.[KEEP_REASON_INPUT];
    const reason = typeof raw === 'string' ? raw.trim() : '';
    if (verb === KEEP_VERB && !reason) {
      return refuse(
        'A reason is required to keep it: say what you still use it for, then choose Keep it again.',
      );
    }
    try {
      const holder = await this.personOf(activity, NOT_IDENTIFIED);
      if (typeof holder === 'string') return refuse(holder);
      let question;
      try {
        question = await decisions.answerReclaim({
          questionId: ref.questionId,
          personRef: holder.ref,
          answer: verb === KEEP_VERB ? 'keep' : 'release',
          reason: verb === KEEP_VERB ? reason : undefined,
          channel: 'msteams',
        });
      } catch (error) {
        const e = error as Error;
        if (
          [
            'NotAllowedError',
            'ConflictError',
            'InputError',
            'NotFoundError',
          ].includes(e?.name)
        ) {
          return refuse(e.message);
        }
        throw e;
      }
      return cardResponse(
        reclaimAnsweredCard({
          what: ref.what,
          question,
          myAccessUrl: myAccess,
        }),
      );
    } catch (error) {
      logger.error(
        `Teams: handling a ${verb} click on reclamation question ${ref.questionId} failed`,
        error as Error,
      );
      return refuse(
        'Your answer could not be recorded; please try again or answer in the portal.',
      );
    }
  }

  /**
   * The one catalog person behind the clicking Teams user: Teams reports
   * the member's Entra object id and email for this conversation, and the
   * object id must be the clicker's. The person whose entity carries that
   * object id (`graph.microsoft.com/user-id` or the configured annotation)
   * is the one; when none does, the email / UPN must identify exactly one
   * person. A string says why not.
   */
  private async personOf(
    activity: TeamsActivity,
    /** What a refusal starts with, e.g. "You are not an approver of this request." */
    refusal: string,
  ): Promise<DirectoryPerson | string> {
    const address = this.address(activity);
    const userId = activity.from?.id;
    if (!address || !userId) {
      return `${refusal} Teams did not say who you are.`;
    }
    let member: TeamsMember;
    try {
      member = await this.options.connector.member(address, userId);
    } catch (error) {
      if (!(error instanceof ConversationGoneError)) throw error;
      // The clicker is not a member of the chat the card is in.
      return `${refusal} Teams did not confirm who you are.`;
    }
    if (
      !member.aadObjectId ||
      (activity.from?.aadObjectId &&
        member.aadObjectId.toLowerCase() !==
          activity.from.aadObjectId.toLowerCase())
    ) {
      return `${refusal} Teams did not confirm your Entra ID account.`;
    }
    const email = member.email ?? member.userPrincipalName;
    const identity = await this.identify(member.aadObjectId, email);
    if ('refused' in identity) {
      return `${refusal} ${identity.refused.replace(
        'your account',
        'your Teams account',
      )}`;
    }
    return identity.person;
  }

  private requestUrl(requestId: string) {
    return this.options.decisions.portalUrl(
      `/apps/requests/${encodeURIComponent(requestId)}`,
    );
  }

  private async nameOf(ref: string): Promise<string> {
    try {
      return (
        (await this.options.decisions.getPerson(ref))?.displayName ??
        ref.replace(/^[a-z]+:(default\/)?/, '')
      );
    } catch {
      return ref.replace(/^[a-z]+:(default\/)?/, '');
    }
  }
}
