import { LoggerService } from '@backstage/backend-plugin-api';
import { ModuleTestResult } from '@app-access/plugin-app-access-common';
import {
  AppAccessDecisionApi,
  AppAccessMessage,
  AppAccessNotifier,
  DirectoryPerson,
  NotifyResult,
} from '@app-access/plugin-app-access-node';
import { EmailConfig } from './config';
import { ActionTokenStore } from './database/ActionTokenStore';
import { SentMailStore } from './database/SentMailStore';
import { ReclaimTokenStore } from './database/ReclaimTokenStore';
import {
  EffectiveEmailSettings,
  EmailSettingsSource,
} from './EmailSettingsSource';
import { SmtpMailer, stableMessageId } from './mail/SmtpMailer';
import {
  NoticeContext,
  NoticeRenderer,
  requestSubject,
} from './rendering/NoticeRenderer';

/** What every recipient's copy of one message has in common. */
type SharedNotice = Omit<NoticeContext, 'recipient' | 'links'> & {
  settings: EffectiveEmailSettings;
};

/** URL of an action link; the route lives in service/router.ts. */
export function actionUrl(backendBaseUrl: string, token: string): string {
  return `${backendBaseUrl}/api/app-access/actions/${token}`;
}

/** URL of a "Keep it" / "Give it back" link. */
export function reclaimActionUrl(
  backendBaseUrl: string,
  token: string,
): string {
  return `${backendBaseUrl}/api/app-access/actions/reclaim/${token}`;
}

/**
 * Email channel: approvers get Approve / Deny links of their own,
 * requesters hear about every step. One message per recipient; a retry of
 * the same delivery skips the recipients already sent to.
 */
export class EmailNotifier implements AppAccessNotifier {
  readonly id = 'email';

  constructor(
    private readonly deps: {
      config: EmailConfig;
      mailer: SmtpMailer;
      settings: EmailSettingsSource;
      tokens: ActionTokenStore;
      /** Links of reclamation questions; without it holders get no links. */
      reclaimTokens?: ReclaimTokenStore;
      sent: SentMailStore;
      decisions: AppAccessDecisionApi;
      logger: LoggerService;
    },
  ) {}

  async notify(message: AppAccessMessage): Promise<NotifyResult> {
    const { decisions, sent, logger } = this.deps;
    const unreachable: string[] = [];
    const temporaryFailures: string[] = [];
    let shared: SharedNotice | undefined;

    for (const ref of message.recipients) {
      if (await sent.wasSent(message.idempotencyKey, ref)) continue;
      const person = await decisions.getPerson(ref);
      if (!person?.email) {
        logger.info(`No email address for ${ref}; reported unreachable`);
        unreachable.push(ref);
        continue;
      }
      shared ??= await this.sharedContext(message);
      try {
        const outcome = await this.sendTo(
          message,
          ref,
          person,
          person.email,
          shared,
        );
        if (!outcome.delivered) {
          logger.warn(
            `SMTP server refused ${ref} <${person.email}>: ${outcome.refused}`,
          );
          unreachable.push(ref);
        }
      } catch (error) {
        temporaryFailures.push(
          `${ref}: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    }

    if (temporaryFailures.length) {
      // Recipients already sent to are recorded; the retry only does the rest.
      throw new Error(
        `Email to ${
          temporaryFailures.length
        } recipient(s) failed for now: ${temporaryFailures.join('; ')}`,
      );
    }
    return { unreachable };
  }

  async selfTest(): Promise<ModuleTestResult> {
    const { config, mailer, settings } = this.deps;
    const smtp = await mailer.verify();
    const { from } = await settings.current();
    const details = [
      `From: ${from.name} <${from.address}>`,
      `SMTP: ${config.smtp.host}:${config.smtp.port}`,
      config.dkim
        ? `DKIM: signing as ${config.dkim.domainName} with selector ${config.dkim.keySelector}`
        : 'DKIM: off',
      `Approve / Deny links: ${actionUrl(config.backendBaseUrl, '…')}, valid ${
        config.tokenTtlDays
      } day(s)`,
    ];
    return { ok: smtp.ok, message: smtp.message, details };
  }

  private async sharedContext(
    message: AppAccessMessage,
  ): Promise<SharedNotice> {
    const { decisions, settings } = this.deps;
    const requester = await decisions.getPerson(message.request.requester);
    const { grantee: granteeRef, requester: filerRef } = message.request;
    const grantee =
      granteeRef && granteeRef !== filerRef
        ? await decisions.getPerson(granteeRef)
        : undefined;
    const decidedBy =
      message.kind === 'decision_recorded'
        ? message.task?.decidedBy
        : undefined;
    const decider = decidedBy
      ? await decisions.getPerson(decidedBy)
      : undefined;
    let denialComment: string | undefined;
    if (
      message.kind === 'status_changed' &&
      message.request.status === 'denied'
    ) {
      const detailed = await decisions.getRequest(message.request.id);
      denialComment = detailed.approvals?.find(
        t => t.status === 'denied',
      )?.comment;
    }
    return {
      message,
      requester,
      grantee,
      decider,
      denialComment,
      settings: await settings.current(),
    };
  }

  private async sendTo(
    message: AppAccessMessage,
    ref: string,
    person: DirectoryPerson,
    address: string,
    shared: SharedNotice,
  ) {
    const { config, mailer, tokens, sent } = this.deps;
    const task = message.task;
    const asksForDecision =
      (message.kind === 'approval_needed' || message.kind === 'reminder') &&
      message.audience === 'approvers' &&
      task?.status === 'open';

    let links: NoticeContext['links'];
    let groupId: string | undefined;
    if (asksForDecision && task) {
      const expiresAt = new Date(Date.now() + config.tokenTtlDays * 86_400_000);
      const pair = await tokens.issuePair({
        requestId: message.request.id,
        taskId: task.id,
        approverRef: ref,
        expiresAt,
      });
      groupId = pair.groupId;
      links = {
        approve: actionUrl(config.backendBaseUrl, pair.approve),
        deny: actionUrl(config.backendBaseUrl, pair.deny),
        expiresAt,
      };
    }

    let reclaimLinks: NoticeContext['reclaimLinks'];
    let reclaimGroupId: string | undefined;
    const ask = message.reclaim;
    if (ask && message.audience === 'holder' && this.deps.reclaimTokens) {
      const pair = await this.deps.reclaimTokens.issuePair({
        questionId: ask.questionId,
        holderRef: ref,
        subject: requestSubject(message.request),
        expiresAt: new Date(ask.deadlineAt),
      });
      reclaimGroupId = pair.groupId;
      reclaimLinks = {
        keep: reclaimActionUrl(config.backendBaseUrl, pair.keep),
        release: reclaimActionUrl(config.backendBaseUrl, pair.release),
      };
    }
    const forget = async () => {
      if (groupId) await tokens.deleteGroup(groupId);
      if (reclaimGroupId)
        await this.deps.reclaimTokens?.deleteGroup(reclaimGroupId);
    };

    const { settings: effective, ...notice } = shared;
    const mail = new NoticeRenderer(effective.branding).render({
      ...notice,
      recipient: person,
      links,
      reclaimLinks,
    });
    const messageId = stableMessageId(
      `${message.idempotencyKey}\n${ref}`,
      effective.from.address,
    );
    try {
      const outcome = await mailer.send({
        from: effective.from,
        to: address,
        messageId,
        requestId: message.request.id,
        ...mail,
      });
      if (outcome.delivered) {
        await sent.recordSent(message.idempotencyKey, ref, messageId);
      } else {
        await forget();
      }
      return outcome;
    } catch (error) {
      // Nobody holds these links; the retry issues new ones.
      await forget();
      throw error;
    }
  }
}
