import { LoggerService } from '@backstage/backend-plugin-api';
import {
  AppAccessDecisionApi,
  DirectoryPerson,
} from '@app-access/plugin-app-access-node';
import { WebClient } from '@slack/web-api';
import { slackCallError } from './SlackApi';
import {
  APPROVE_ACTION,
  ApprovalRef,
  DENY_ACTION,
  DENY_VIEW,
  DenyMetadata,
  KEEP_ACTION,
  KEEP_VIEW,
  KeepMetadata,
  REASON_BLOCK,
  REASON_INPUT,
  RELEASE_ACTION,
  denyReasonView,
  keepReasonView,
  reclaimAnsweredMessage,
} from './SlackMessages';

/** The parts of Slack's interaction payloads this module reads. */
export type InteractionPayload = {
  type?: string;
  user?: { id?: string };
  trigger_id?: string;
  response_url?: string;
  channel?: { id?: string };
  container?: { channel_id?: string; message_ts?: string };
  message?: { ts?: string };
  actions?: Array<{ action_id?: string; value?: string }>;
  view?: {
    callback_id?: string;
    private_metadata?: string;
    state?: {
      values?: Record<string, Record<string, { value?: string | null }>>;
    };
  };
};

/** What to send back in the HTTP response (undefined: an empty 200). */
export type InteractionResponse = Record<string, unknown> | undefined;

type Where = { user: string; channel?: string; responseUrl?: string };

const NOT_AN_APPROVER = 'You are not an approver of this request';
const NOT_IDENTIFIED = 'We could not tell who you are';

/**
 * A JSON object from a button's value or a view's private_metadata with
 * these string fields (and, where present, the optional ones); anything else
 * is nothing.
 */
function parseStrings<R extends string, O extends string>(
  text: string | undefined,
  required: R[],
  optional: O[],
): (Record<R, string> & Partial<Record<O, string>>) | undefined {
  let value: any;
  try {
    value = JSON.parse(text ?? '');
  } catch {
    return undefined;
  }
  if (!required.every(key => typeof value?.[key] === 'string')) {
    return undefined;
  }
  const out: Record<string, string> = {};
  for (const key of [...required, ...optional]) {
    if (typeof value[key] === 'string') out[key] = value[key];
  }
  return out as Record<R, string> & Partial<Record<O, string>>;
}

function parseReclaimRef(text: string | undefined): KeepMetadata | undefined {
  return parseStrings(text, ['questionId', 'what'], ['channel', 'ts']);
}

function parseRef(text: string | undefined): ApprovalRef | undefined {
  return parseStrings(text, ['requestId', 'taskId'], ['channel']);
}

/**
 * Turns Approve / Deny clicks and the deny-reason modal into decisions. The
 * clicking Slack user is mapped to a catalog user through their email; the
 * core then decides exactly as in the portal (only a holder of the task,
 * never the requester, first decision wins).
 */
export class SlackInteractionHandler {
  constructor(
    private readonly options: {
      client: WebClient;
      decisions: AppAccessDecisionApi;
      logger: LoggerService;
    },
  ) {}

  async handle(payload: InteractionPayload): Promise<InteractionResponse> {
    try {
      switch (payload.type) {
        case 'block_actions':
          await this.onBlockActions(payload);
          return undefined;
        case 'view_submission':
          return await this.onViewSubmission(payload);
        default:
          // Shortcuts, view closes, ...: nothing to do, but Slack wants a 200.
          return undefined;
      }
    } catch (error) {
      // Slack shows its own vague error for anything but a 200: say more.
      this.options.logger.error(
        `Slack: handling a ${payload.type} interaction failed`,
        error as Error,
      );
      const text = `Something went wrong; please try again or decide in the portal: ${this.portal()}`;
      if (payload.type === 'view_submission') {
        return { response_action: 'errors', errors: { [REASON_BLOCK]: text } };
      }
      if (payload.user?.id) {
        await this.tell(
          {
            user: payload.user.id,
            channel: payload.channel?.id ?? payload.container?.channel_id,
          },
          text,
        ).catch(() => {});
      }
      return undefined;
    }
  }

  private async onBlockActions(payload: InteractionPayload) {
    const reclaim = payload.actions?.find(
      a => a.action_id === KEEP_ACTION || a.action_id === RELEASE_ACTION,
    );
    if (reclaim) {
      await this.onReclaimAction(payload, reclaim);
      return;
    }
    const action = payload.actions?.find(
      a => a.action_id === APPROVE_ACTION || a.action_id === DENY_ACTION,
    );
    if (!action || !payload.user?.id) return;
    const where: Where = {
      user: payload.user.id,
      channel: payload.channel?.id ?? payload.container?.channel_id,
      responseUrl: payload.response_url,
    };
    const ref = parseRef(action.value);
    if (!ref) {
      await this.tell(
        where,
        'This button does not belong to an App Access request.',
      );
      return;
    }
    const approver = await this.personOf(where.user, NOT_AN_APPROVER);
    if (typeof approver === 'string') {
      await this.tell(where, approver);
      return;
    }

    if (action.action_id === APPROVE_ACTION) {
      const refusal = await this.decide(ref, approver, 'approve');
      if (refusal) await this.tell(where, refusal);
      return;
    }

    // Deny: refuse at once if they cannot decide, rather than after they
    // typed a reason; the decision itself is checked again on submit.
    const precheck = await this.precheck(ref, approver);
    if (precheck) {
      await this.tell(where, precheck);
      return;
    }
    if (!payload.trigger_id) {
      await this.tell(
        where,
        'Slack sent no trigger to open the reason dialog; deny in the portal instead.',
      );
      return;
    }
    const request = await this.options.decisions.getRequest(ref.requestId);
    const requester = await this.options.decisions.getPerson(request.requester);
    const onBehalf =
      request.grantee && request.grantee !== request.requester
        ? request.grantee
        : undefined;
    const grantee = onBehalf
      ? await this.options.decisions.getPerson(onBehalf)
      : undefined;
    try {
      await this.options.client.views.open({
        trigger_id: payload.trigger_id,
        view: denyReasonView({
          metadata: { ...ref, channel: where.channel } satisfies DenyMetadata,
          request,
          requesterName: requester?.displayName ?? request.requester,
          granteeName: onBehalf ? grantee?.displayName ?? onBehalf : undefined,
        }),
      });
    } catch (error) {
      this.options.logger.warn(slackCallError('views.open', error).message);
      await this.tell(
        where,
        `Could not open the reason dialog; deny in the portal: ${this.portal()}`,
      );
    }
  }

  private async onViewSubmission(
    payload: InteractionPayload,
  ): Promise<InteractionResponse> {
    const view = payload.view;
    if (view?.callback_id === KEEP_VIEW && payload.user?.id) {
      return this.onKeepSubmission(payload);
    }
    if (view?.callback_id !== DENY_VIEW || !payload.user?.id) return undefined;
    const meta = parseRef(view.private_metadata) as DenyMetadata | undefined;
    const refuse = async (text: string): Promise<InteractionResponse> => {
      if (meta?.channel) {
        await this.tell(
          { user: payload.user!.id!, channel: meta.channel },
          text,
        );
        return { response_action: 'clear' };
      }
      return { response_action: 'errors', errors: { [REASON_BLOCK]: text } };
    };
    if (!meta)
      return refuse('This dialog does not belong to an App Access request.');
    const reason =
      view.state?.values?.[REASON_BLOCK]?.[REASON_INPUT]?.value?.trim();
    if (!reason) {
      return {
        response_action: 'errors',
        errors: { [REASON_BLOCK]: 'A reason is required to deny' },
      };
    }
    const approver = await this.personOf(payload.user.id, NOT_AN_APPROVER);
    if (typeof approver === 'string') return refuse(approver);
    const refusal = await this.decide(meta, approver, 'deny', reason);
    return refusal ? refuse(refusal) : undefined;
  }

  /**
   * "Keep it" opens the reason modal (the answer is recorded on submit);
   * "Give it back" (confirmed in Slack's dialog) is recorded at once.
   */
  private async onReclaimAction(
    payload: InteractionPayload,
    action: { action_id?: string; value?: string },
  ) {
    const where: Where = {
      user: payload.user!.id!,
      channel: payload.channel?.id ?? payload.container?.channel_id,
      responseUrl: payload.response_url,
    };
    const ref = parseReclaimRef(action.value);
    if (!ref) {
      await this.tell(
        where,
        'This button does not belong to an App Access question.',
      );
      return;
    }
    const ts = payload.container?.message_ts ?? payload.message?.ts;
    if (action.action_id === KEEP_ACTION) {
      if (!payload.trigger_id) {
        await this.tell(
          where,
          `Slack sent no trigger to open the reason dialog; answer in the portal instead: ${this.myAccess()}`,
        );
        return;
      }
      try {
        await this.options.client.views.open({
          trigger_id: payload.trigger_id,
          view: keepReasonView({
            metadata: {
              questionId: ref.questionId,
              what: ref.what,
              channel: where.channel,
              ts,
            },
          }),
        });
      } catch (error) {
        this.options.logger.warn(slackCallError('views.open', error).message);
        await this.tell(
          where,
          `Could not open the reason dialog; answer in the portal: ${this.myAccess()}`,
        );
      }
      return;
    }
    const holder = await this.personOf(where.user, NOT_IDENTIFIED);
    if (typeof holder === 'string') {
      await this.tell(where, holder);
      return;
    }
    const refusal = await this.answer(
      { ...ref, channel: where.channel, ts },
      holder,
      'release',
    );
    if (refusal) await this.tell(where, refusal);
  }

  private async onKeepSubmission(
    payload: InteractionPayload,
  ): Promise<InteractionResponse> {
    const view = payload.view!;
    const meta = parseReclaimRef(view.private_metadata);
    const errors = (text: string): InteractionResponse => ({
      response_action: 'errors',
      errors: { [REASON_BLOCK]: text },
    });
    if (!meta)
      return errors('This dialog does not belong to an App Access question.');
    const reason =
      view.state?.values?.[REASON_BLOCK]?.[REASON_INPUT]?.value?.trim();
    if (!reason) return errors('A reason is required to keep it');
    const holder = await this.personOf(payload.user!.id!, NOT_IDENTIFIED);
    if (typeof holder === 'string') return errors(holder);
    const refusal = await this.answer(meta, holder, 'keep', reason);
    return refusal ? errors(refusal) : undefined;
  }

  /**
   * Records the holder's answer and shows the outcome in the message they
   * answered; returns why not when the core refuses it.
   */
  private async answer(
    ref: KeepMetadata,
    holder: DirectoryPerson,
    answer: 'keep' | 'release',
    reason?: string,
  ): Promise<string | undefined> {
    let question;
    try {
      question = await this.options.decisions.answerReclaim({
        questionId: ref.questionId,
        personRef: holder.ref,
        answer,
        reason,
        channel: 'slack',
      });
    } catch (error) {
      const e = error as Error;
      switch (e?.name) {
        case 'NotAllowedError':
        case 'ConflictError':
        case 'InputError':
        case 'NotFoundError':
          return e.message;
        default:
          this.options.logger.error(
            `Slack: recording ${holder.ref}'s answer '${answer}' to reclamation question ${ref.questionId} failed`,
            e,
          );
          return `Your answer could not be recorded; please try again or answer in the portal: ${this.myAccess()}`;
      }
    }
    if (ref.channel && ref.ts) {
      const content = reclaimAnsweredMessage({
        what: ref.what,
        question,
        url: this.myAccess(),
      });
      try {
        await this.options.client.chat.update({
          channel: ref.channel,
          ts: ref.ts,
          text: content.text,
          blocks: content.blocks,
        });
      } catch (error) {
        // The answer stands; only the message keeps its buttons.
        this.options.logger.warn(slackCallError('chat.update', error).message);
      }
    }
    return undefined;
  }

  /** Records the decision; returns why not when the core refuses it. */
  private async decide(
    ref: ApprovalRef,
    approver: DirectoryPerson,
    decision: 'approve' | 'deny',
    comment?: string,
  ): Promise<string | undefined> {
    try {
      await this.options.decisions.decide({
        requestId: ref.requestId,
        taskId: ref.taskId,
        approverRef: approver.ref,
        decision,
        comment,
        channel: 'slack',
      });
      return undefined;
    } catch (error) {
      const e = error as Error;
      switch (e?.name) {
        case 'NotAllowedError':
        case 'ConflictError':
        case 'InputError':
        case 'NotFoundError':
          return e.message;
        default:
          this.options.logger.error(
            `Slack: recording ${approver.ref}'s ${decision} of request ${ref.requestId} failed`,
            e,
          );
          return `Your decision could not be recorded; please try again or decide in the portal: ${this.portal()}`;
      }
    }
  }

  /** Why this person cannot decide the task now, if they cannot. */
  private async precheck(
    ref: ApprovalRef,
    approver: DirectoryPerson,
  ): Promise<string | undefined> {
    const task = await this.options.decisions.getTask(ref.taskId);
    if (!task || task.requestId !== ref.requestId) {
      return 'This approval request no longer exists.';
    }
    const mine = new Set([approver.ref, ...approver.groups]);
    if (!task.approvers.some(a => mine.has(a))) return NOT_AN_APPROVER;
    if (task.status !== 'open') {
      return task.decidedBy
        ? `Already decided: ${task.status} by ${task.decidedBy}`
        : 'This approval step is no longer open';
    }
    return undefined;
  }

  /**
   * The catalog user behind a Slack user, via the email on their Slack
   * profile; a string saying why not when there is none.
   */
  private async personOf(
    slackUserId: string,
    /** What the refusal starts with: "You are not an approver of this request". */
    refusal: string,
  ): Promise<DirectoryPerson | string> {
    let email: string | undefined;
    try {
      const info = await this.options.client.users.info({ user: slackUserId });
      email = info.user?.profile?.email;
    } catch (error) {
      this.options.logger.warn(slackCallError('users.info', error).message);
      return `Slack did not tell us who you are; please decide in the portal: ${this.portal()}`;
    }
    if (!email) {
      return `${refusal}: your Slack profile shows no email address to match you with a Backstage user`;
    }
    const identity = await this.options.decisions.identify({
      email,
      channel: 'slack',
    });
    if ('refused' in identity) {
      return `${refusal}: ${identity.refused.replace(
        'your account',
        'your Slack account',
      )}`;
    }
    return identity.person;
  }

  /** An ephemeral reply only the clicking user sees. */
  private async tell(where: Where, text: string) {
    if (where.channel) {
      try {
        await this.options.client.chat.postEphemeral({
          channel: where.channel,
          user: where.user,
          text,
        });
        return;
      } catch (error) {
        this.options.logger.warn(
          slackCallError('chat.postEphemeral', error).message,
        );
      }
    }
    if (where.responseUrl && isSlackUrl(where.responseUrl)) {
      try {
        const res = await fetch(where.responseUrl, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({
            response_type: 'ephemeral',
            replace_original: false,
            text,
          }),
        });
        if (!res.ok) {
          this.options.logger.warn(
            `Slack response_url answered HTTP ${res.status}`,
          );
        }
      } catch (error) {
        this.options.logger.warn(
          `Slack response_url failed: ${(error as Error).message}`,
        );
      }
    }
  }

  private myAccess() {
    return this.options.decisions.portalUrl('/apps/my-access');
  }

  private portal() {
    return this.options.decisions.portalUrl('/apps/approvals');
  }
}

/** response_url always points at Slack; never post anywhere else. */
function isSlackUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return (
      u.protocol === 'https:' &&
      (u.hostname === 'slack.com' || u.hostname.endsWith('.slack.com'))
    );
  } catch {
    return false;
  }
}
