import { LoggerService } from '@backstage/backend-plugin-api';
import { isError } from '@backstage/errors';
import {
  AccessRequest,
  ApprovalTask,
} from '@app-access/plugin-app-access-common';
import {
  AppAccessDecisionApi,
  DirectoryPerson,
} from '@app-access/plugin-app-access-node';
import {
  ActionDecision,
  ActionToken,
  ActionTokenStore,
} from '../database/ActionTokenStore';

/** Longest comment accepted through a link (the form says so too). */
export const MAX_COMMENT_LENGTH = 2000;
/**
 * A link claim older than this whose task still waits is left over from a
 * decision that was never recorded (the process died or lost the database).
 */
export const STALE_CLAIM_MS = 60_000;

/** What an Approve / Deny link stands for right now. */
export type ActionState =
  | { kind: 'unknown' }
  | { kind: 'used'; token: ActionToken }
  | { kind: 'expired'; token: ActionToken }
  /** The task is no longer open: decided by someone, or the request moved on. */
  | {
      kind: 'closed';
      token: ActionToken;
      task?: ApprovalTask;
      request?: AccessRequest;
      deciderName?: string;
      reason?: string;
    }
  | {
      kind: 'open';
      token: ActionToken;
      task: ApprovalTask;
      request: AccessRequest;
      requester?: DirectoryPerson;
    };

export type OpenActionState = Extract<ActionState, { kind: 'open' }>;

/** What confirming a link did. */
export type ActionOutcome =
  | Exclude<ActionState, OpenActionState>
  | { kind: 'decided'; state: OpenActionState; request: AccessRequest }
  /** The form needs fixing (no reason for a denial, too long). */
  | { kind: 'invalid'; state: OpenActionState; error: string; comment: string }
  /** The core refused the approver (no longer holds the task, ...). */
  | { kind: 'refused'; message: string }
  /** Something failed on our side; the link still works. */
  | { kind: 'unavailable' };

/**
 * Approve / Deny links. The token in the link is the credential: whoever
 * presents it acts as the approver it was issued to, once, before it
 * expires, and only while the task it was issued for is open. Looking at a
 * link never decides anything; only confirming it does.
 */
export class EmailActions {
  constructor(
    private readonly deps: {
      tokens: ActionTokenStore;
      decisions: AppAccessDecisionApi;
      logger: LoggerService;
    },
  ) {}

  async inspect(token: string): Promise<ActionState> {
    const { tokens, decisions } = this.deps;
    let stored = await tokens.find(token);
    if (!stored) return { kind: 'unknown' };
    if (stored.usedAt) {
      // A claim is held only while its decision is recorded (seconds). One
      // that is old while the task still waits was left by a process that
      // died or lost the database in between: release it, or the links of
      // this email would never work again.
      const claimedAt = stored.usedAt;
      const stale = Date.now() - Date.parse(claimedAt) > STALE_CLAIM_MS;
      const waiting = stale
        ? (await decisions.getTask(stored.taskId))?.status === 'open'
        : false;
      if (
        !waiting ||
        !(await tokens.releaseStaleClaim(stored.groupId, claimedAt))
      )
        return { kind: 'used', token: stored };
      this.deps.logger.warn(
        `Released the email links of ${stored.approverRef} on request ${stored.requestId}: claimed at ${claimedAt}, but no decision was recorded`,
      );
      stored = { ...stored, usedAt: undefined, usedDecision: undefined };
    }
    const task = await decisions.getTask(stored.taskId);
    if (!task || task.status !== 'open') return this.closed(stored, task);
    if (Date.parse(stored.expiresAt) <= Date.now()) {
      return { kind: 'expired', token: stored };
    }
    const request = await decisions.getRequest(stored.requestId);
    if (request.status !== 'pending_approval')
      return this.closed(stored, task, request);
    return {
      kind: 'open',
      token: stored,
      task,
      request,
      requester: await decisions.getPerson(request.requester),
    };
  }

  async confirm(
    token: string,
    rawComment: string | undefined,
  ): Promise<ActionOutcome> {
    const { tokens, decisions, logger } = this.deps;
    const state = await this.inspect(token);
    if (state.kind !== 'open') return state;
    const decision: ActionDecision = state.token.decision;
    const comment = (rawComment ?? '').trim();
    if (decision === 'deny' && !comment) {
      return {
        kind: 'invalid',
        state,
        comment,
        error: 'Please give a reason: the requester sees it.',
      };
    }
    if (comment.length > MAX_COMMENT_LENGTH) {
      return {
        kind: 'invalid',
        state,
        comment: comment.slice(0, MAX_COMMENT_LENGTH),
        error: `The comment is too long (at most ${MAX_COMMENT_LENGTH} characters).`,
      };
    }

    // Claiming first means a double submit (or the approve and the deny
    // link at once) decides at most once.
    if (!(await tokens.claimGroup(state.token.groupId, decision, new Date()))) {
      return { kind: 'used', token: (await tokens.find(token)) ?? state.token };
    }
    try {
      const request = await decisions.decide({
        requestId: state.token.requestId,
        taskId: state.token.taskId,
        approverRef: state.token.approverRef,
        decision,
        comment: comment || undefined,
        channel: 'email',
      });
      return { kind: 'decided', state, request };
    } catch (error) {
      if (isError(error) && error.name === 'ConflictError') {
        // Someone else decided first; the link is spent either way.
        const task = await decisions.getTask(state.token.taskId);
        return this.closed(state.token, task, undefined, error.message);
      }
      try {
        await tokens.releaseGroup(state.token.groupId);
      } catch (releaseError) {
        // The database is gone too: the claim goes stale and is released by
        // the next use of a link after STALE_CLAIM_MS.
        logger.warn(
          `Could not release the email links of ${state.token.approverRef} on request ${state.token.requestId}: ${releaseError}`,
        );
      }
      if (isError(error) && error.name === 'NotAllowedError') {
        return { kind: 'refused', message: error.message };
      }
      if (isError(error) && error.name === 'InputError') {
        return { kind: 'invalid', state, comment, error: error.message };
      }
      logger.error(
        `Could not record the email ${decision} of ${state.token.approverRef} on request ${state.token.requestId}: ${error}`,
      );
      return { kind: 'unavailable' };
    }
  }

  private async closed(
    token: ActionToken,
    task: ApprovalTask | undefined,
    request?: AccessRequest,
    reason?: string,
  ): Promise<Extract<ActionState, { kind: 'closed' }>> {
    const { decisions } = this.deps;
    const current =
      request ??
      (await decisions.getRequest(token.requestId).catch(() => undefined));
    const decider = task?.decidedBy
      ? await decisions.getPerson(task.decidedBy)
      : undefined;
    return {
      kind: 'closed',
      token,
      task,
      request: current,
      deciderName: task?.decidedBy
        ? decider?.displayName ?? task.decidedBy
        : undefined,
      reason,
    };
  }
}
