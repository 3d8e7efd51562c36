import { LoggerService } from '@backstage/backend-plugin-api';
import { isError } from '@backstage/errors';
import { ReclaimQuestion } from '@app-access/plugin-app-access-common';
import { AppAccessDecisionApi } from '@app-access/plugin-app-access-node';
import { ReclaimToken, ReclaimTokenStore } from '../database/ReclaimTokenStore';
import { MAX_COMMENT_LENGTH } from './EmailActions';

/** What a "Keep it" / "Give it back" link stands for right now. */
export type ReclaimState =
  | { kind: 'unknown' }
  | { kind: 'used'; token: ReclaimToken }
  | { kind: 'expired'; token: ReclaimToken }
  | { kind: 'open'; token: ReclaimToken };

/** What confirming such a link did. */
export type ReclaimOutcome =
  | Exclude<ReclaimState, { kind: 'open' }>
  | { kind: 'answered'; token: ReclaimToken; question: ReclaimQuestion }
  /** The form needs fixing (no reason to keep it, too long). */
  | { kind: 'invalid'; token: ReclaimToken; error: string; reason: string }
  /** The core refused the person (not the holder). */
  | { kind: 'refused'; message: string }
  /** The question is over: answered otherwise, past its deadline, withdrawn. */
  | { kind: 'closed'; token: ReclaimToken; message: string }
  /** Something failed on our side; the link still works. */
  | { kind: 'unavailable' };

/**
 * The links of a reclamation question's email. As with Approve / Deny
 * links, the token is the credential: whoever presents it answers as the
 * holder it was issued to, once, until the question's deadline. Looking
 * at a link never answers; only confirming its page does.
 */
export class ReclaimActions {
  constructor(
    private readonly deps: {
      tokens: ReclaimTokenStore;
      decisions: AppAccessDecisionApi;
      logger: LoggerService;
    },
  ) {}

  async inspect(token: string): Promise<ReclaimState> {
    const stored = await this.deps.tokens.find(token);
    if (!stored) return { kind: 'unknown' };
    if (stored.usedAt) return { kind: 'used', token: stored };
    if (Date.parse(stored.expiresAt) <= Date.now()) {
      return { kind: 'expired', token: stored };
    }
    return { kind: 'open', token: stored };
  }

  async confirm(
    token: string,
    rawReason: string | undefined,
  ): Promise<ReclaimOutcome> {
    const { tokens, decisions, logger } = this.deps;
    const state = await this.inspect(token);
    if (state.kind !== 'open') return state;
    const { answer } = state.token;
    const reason = (rawReason ?? '').trim();
    if (answer === 'keep' && !reason) {
      return {
        kind: 'invalid',
        token: state.token,
        reason,
        error: 'Please say what you still use it for: IT sees your answer.',
      };
    }
    if (reason.length > MAX_COMMENT_LENGTH) {
      return {
        kind: 'invalid',
        token: state.token,
        reason: reason.slice(0, MAX_COMMENT_LENGTH),
        error: `The reason is too long (at most ${MAX_COMMENT_LENGTH} characters).`,
      };
    }
    // Claiming first: a double submit, or both links at once, answers once.
    if (!(await tokens.claimGroup(state.token.groupId, answer, new Date()))) {
      return { kind: 'used', token: (await tokens.find(token)) ?? state.token };
    }
    try {
      const question = await decisions.answerReclaim({
        questionId: state.token.questionId,
        personRef: state.token.holderRef,
        answer,
        reason: answer === 'keep' ? reason : undefined,
        channel: 'email',
      });
      return { kind: 'answered', token: state.token, question };
    } catch (error) {
      const name = isError(error) ? error.name : '';
      const message = isError(error) ? error.message : String(error);
      if (name === 'ConflictError' || name === 'NotFoundError') {
        // The question is over; the links are spent either way.
        return { kind: 'closed', token: state.token, message };
      }
      try {
        await tokens.releaseGroup(state.token.groupId);
      } catch (releaseError) {
        logger.warn(
          `Could not release the reclamation links of ${state.token.holderRef} (question ${state.token.questionId}): ${releaseError}`,
        );
      }
      if (name === 'NotAllowedError') return { kind: 'refused', message };
      if (name === 'InputError') {
        return { kind: 'invalid', token: state.token, reason, error: message };
      }
      logger.error(
        `Could not record the email answer '${answer}' of ${state.token.holderRef} to question ${state.token.questionId}: ${error}`,
      );
      return { kind: 'unavailable' };
    }
  }
}
