import { describeReclaimAnswer } from '@app-access/plugin-app-access-node';
import { MAX_COMMENT_LENGTH } from '../actions/EmailActions';
import { ReclaimOutcome, ReclaimState } from '../actions/ReclaimActions';
import { ReclaimToken } from '../database/ReclaimTokenStore';
import { escapeHtml } from './BrandedLayout';
import { BrandedPages, Page } from './BrandedPages';
import { formatTime } from './NoticeRenderer';

/** The pages a holder sees after following a "Keep it" / "Give it back" link. */
export class ReclaimPages extends BrandedPages {
  protected readonly portalLinkText = 'Open My access in the portal';

  /** The confirmation page; the link's GET shows this and answers nothing. */
  confirm(
    token: ReclaimToken,
    problem?: { error: string; reason: string },
  ): Page {
    const keep = token.answer === 'keep';
    const what = token.subject;
    const title = keep ? `Keep ${what}?` : `Give ${what} back?`;
    const body = `<p>${escapeHtml(
      keep
        ? `You keep your access to ${what}. What do you still use it for?`
        : `Your access to ${what} will be removed. You can request it again later.`,
    )}</p>
${
  problem
    ? `<p class="error" role="alert">${escapeHtml(problem.error)}</p>`
    : ''
}
<form method="post">
${
  keep
    ? `<label for="reason">Reason (required; IT sees it)</label>
<textarea id="reason" name="reason" required maxlength="${MAX_COMMENT_LENGTH}">${escapeHtml(
        problem?.reason ?? '',
      )}</textarea>`
    : ''
}
<button type="submit" class="${keep ? 'approve' : 'deny'}">${
      keep ? 'Keep it' : 'Give it back'
    }</button>
</form>
<p class="muted">Nothing has been answered yet. This link works once, until ${escapeHtml(
      formatTime(token.expiresAt),
    )}.</p>
${this.portalLink('Answer in the portal instead')}`;
    return this.page(problem ? 400 : 200, title, 'info', body);
  }

  outcome(outcome: ReclaimOutcome | ReclaimState): Page {
    switch (outcome.kind) {
      case 'open':
        return this.confirm(outcome.token);
      case 'invalid':
        return this.confirm(outcome.token, outcome);
      case 'answered':
        return this.page(
          200,
          outcome.question.status === 'kept' ? 'You keep it' : 'Given back',
          'ok',
          `<p>${escapeHtml(
            describeReclaimAnswer(outcome.token.subject, outcome.question),
          )}</p>${this.portalLink()}`,
        );
      case 'unknown':
        return this.page(
          404,
          'This link is not valid',
          'problem',
          `<p>The link is unknown: it may be incomplete (check that the whole link was copied) or so old that it was removed.</p>${this.portalLink()}`,
        );
      case 'used': {
        const used = outcome.token.usedAnswer;
        return this.page(
          410,
          'This link was already used',
          'problem',
          `<p>${escapeHtml(
            used
              ? `You already answered through a link in the same email: ${
                  used === 'keep' ? 'you keep' : 'you gave back'
                } ${outcome.token.subject}${
                  outcome.token.usedAt
                    ? ` (${formatTime(outcome.token.usedAt)})`
                    : ''
                }.`
              : 'The links in an email work only once.',
          )}</p>${this.portalLink()}`,
        );
      }
      case 'expired':
        return this.page(
          410,
          'The deadline has passed',
          'problem',
          `<p>${escapeHtml(
            `The question about ${
              outcome.token.subject
            } was open until ${formatTime(
              outcome.token.expiresAt,
            )}; the link no longer works.`,
          )}</p>${this.portalLink()}`,
        );
      case 'closed':
        return this.page(
          410,
          'This question is closed',
          'problem',
          `<p>${escapeHtml(outcome.message)}</p>${this.portalLink()}`,
        );
      case 'refused':
        return this.page(
          403,
          'You cannot answer this question',
          'problem',
          `<p>${escapeHtml(outcome.message)}</p>${this.portalLink()}`,
        );
      case 'busy':
        return this.page(
          409,
          'Your answer is being recorded',
          'problem',
          `<p>${escapeHtml(
            `Another use of a link in the same email about ${outcome.token.subject} is being recorded right now. Open this link again in a minute to see how it ended.`,
          )}</p>${this.portalLink()}`,
        );
      case 'unavailable':
      default:
        return this.page(
          503,
          'Your answer could not be recorded',
          'problem',
          `<p>Something went wrong on our side; nothing was answered. Please try the link again in a few minutes.</p>${this.portalLink()}`,
        );
    }
  }
}
