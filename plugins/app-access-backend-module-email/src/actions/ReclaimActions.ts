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
  /** Another use of the email's links is being recorded right now. */
  | { kind: 'busy'; token: ReclaimToken }
  /** Something failed on our side; the link still works. */
  | { kind: 'unavailable' };

/**
 * How long a use of a link holds the email's links while the core records
 * its answer (well under a second normally). A use that stopped before the
 * answer was accepted (a crash) blocks the links for at most this long.
 */
export const RECLAIM_LEASE_MS = 30_000;
/** How long a second use waits for one in progress before saying so. */
export const RECLAIM_SETTLE_MS = 5_000;

/**
 * The links of a reclamation question's email. As with Approve / Deny
 * links, the token is the credential: whoever presents it answers as the
 * holder it was issued to, once, until the question's deadline. Looking
 * at a link never answers; only confirming its page does.
 *
 * Confirming takes a lease on the email's links, asks the core, and marks
 * the links used only once the core accepted the answer. A use that stops
 * in between (a crash) leaves a lease that the next use takes over after
 * `leaseMs`; the core's answer is idempotent for the same answer and a
 * different one is refused (409), so the retry records the answer once.
 */
export class ReclaimActions {
  constructor(
    private readonly deps: {
      tokens: ReclaimTokenStore;
      decisions: AppAccessDecisionApi;
      logger: LoggerService;
      /** Default RECLAIM_LEASE_MS. */
      leaseMs?: number;
      /** Default RECLAIM_SETTLE_MS. */
      settleMs?: number;
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
    // A lease first: a double submit, or both links at once, answers once.
    const claimed = await this.claim(token, state.token);
    if ('kind' in claimed) return claimed;
    const { owner } = claimed;
    let question: ReclaimQuestion;
    try {
      question = await decisions.answerReclaim({
        questionId: state.token.questionId,
        personRef: state.token.holderRef,
        answer,
        reason: answer === 'keep' ? reason : undefined,
        channel: 'email',
      });
    } catch (error) {
      // Nothing was recorded: the links stay usable, and say why not.
      try {
        await tokens.releaseGroup(state.token.groupId, owner);
      } catch (releaseError) {
        logger.warn(
          `Could not release the reclamation links of ${state.token.holderRef} (question ${state.token.questionId}); they work again in ${this.leaseMs} ms: ${releaseError}`,
        );
      }
      const name = isError(error) ? error.name : '';
      const message = isError(error) ? error.message : String(error);
      if (name === 'ConflictError' || name === 'NotFoundError') {
        // Answered otherwise, past its deadline, withdrawn or cancelled.
        return { kind: 'closed', token: state.token, message };
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
    try {
      await tokens.markUsed(state.token.groupId, answer, new Date());
    } catch (error) {
      // The answer is recorded. The lease runs out, and a later use asks
      // the core again, which changes nothing for the same answer.
      logger.warn(
        `Recorded the email answer '${answer}' of ${state.token.holderRef} to question ${state.token.questionId}, but could not mark its links used: ${error}`,
      );
    }
    return { kind: 'answered', token: state.token, question };
  }

  private get leaseMs() {
    return this.deps.leaseMs ?? RECLAIM_LEASE_MS;
  }

  /**
   * Takes the lease on the email's links. While another use holds it, waits
   * up to `settleMs` for that use to finish: its answer makes this one
   * "used"; its giving up (nothing recorded) lets this one go on.
   */
  private async claim(
    token: string,
    found: ReclaimToken,
  ): Promise<{ owner: string } | ReclaimOutcome> {
    const { tokens } = this.deps;
    const settleBy = Date.now() + (this.deps.settleMs ?? RECLAIM_SETTLE_MS);
    for (;;) {
      const owner = await tokens.claimGroup(
        found.groupId,
        new Date(),
        this.leaseMs,
      );
      if (owner) return { owner };
      const current = await tokens.find(token);
      if (!current) return { kind: 'unknown' };
      if (current.usedAt) return { kind: 'used', token: current };
      if (Date.now() >= settleBy) return { kind: 'busy', token: current };
      await new Promise(resolve => setTimeout(resolve, 100));
    }
  }
}
