import {
  ActionOutcome,
  ActionState,
  MAX_COMMENT_LENGTH,
  OpenActionState,
} from '../actions/EmailActions';
import { describeDuration } from '@app-access/plugin-app-access-node';
import { escapeHtml } from './BrandedLayout';
import { BrandedPages, Page } from './BrandedPages';

export type { Page };
import { formatTime, personName, requestSubject } from './NoticeRenderer';

/** The pages an approver sees after following an Approve / Deny link. */
export class ActionPages extends BrandedPages {
  protected readonly portalLinkText = 'Open your approvals in the portal';

  private details(state: OpenActionState) {
    const { request, requester, task } = state;
    const rows: Array<[string, string | undefined]> = [
      ['Requester', personName(requester, request.requester)],
      [request.kind === 'intake' ? 'New app' : 'App', request.appName],
      ['Tier', request.tierName],
      [
        'Access',
        request.kind === 'access' ? describeDuration(request) : undefined,
      ],
      ['Justification', request.justification],
      ['Needed by', request.neededBy],
      ['Approval level', String(task.level)],
    ];
    return `<table>${rows
      .filter(([, v]) => v)
      .map(
        ([k, v]) =>
          `<tr><td>${escapeHtml(k)}</td><td>${escapeHtml(v)}</td></tr>`,
      )
      .join('')}</table>`;
  }

  /** The confirmation form; the link's GET shows this and decides nothing. */
  confirm(
    state: OpenActionState,
    problem?: { error: string; comment: string },
  ): Page {
    const { request, requester, token } = state;
    const who = personName(requester, request.requester);
    const what = requestSubject(request);
    const deny = token.decision === 'deny';
    const title = deny ? `Deny ${who}'s request?` : `Approve ${who}'s request?`;
    const field = deny
      ? `<label for="comment">Reason (required; ${escapeHtml(
          who,
        )} sees it)</label>
<textarea id="comment" name="comment" required maxlength="${MAX_COMMENT_LENGTH}">${escapeHtml(
          problem?.comment ?? '',
        )}</textarea>`
      : `<label for="comment">Comment (optional)</label>
<textarea id="comment" name="comment" maxlength="${MAX_COMMENT_LENGTH}">${escapeHtml(
          problem?.comment ?? '',
        )}</textarea>`;
    const body = `<p>${escapeHtml(`${who} asks for ${what}.`)}</p>
${this.details(state)}
${
  problem
    ? `<p class="error" role="alert">${escapeHtml(problem.error)}</p>`
    : ''
}
<form method="post">
${field}
<button type="submit" class="${deny ? 'deny' : 'approve'}">${
      deny ? 'Deny request' : 'Approve request'
    }</button>
</form>
<p class="muted">Nothing has been decided yet. This link works once, until ${escapeHtml(
      formatTime(token.expiresAt),
    )}.</p>
${this.portalLink('Decide in the portal instead')}`;
    return this.page(problem ? 400 : 200, title, 'info', body);
  }

  /** The page for any state or outcome other than the form. */
  outcome(outcome: ActionOutcome | ActionState): Page {
    switch (outcome.kind) {
      case 'open':
        return this.confirm(outcome);
      case 'invalid':
        return this.confirm(outcome.state, outcome);
      case 'decided': {
        const { state, request } = outcome;
        const who = personName(state.requester, request.requester);
        const what = requestSubject(request);
        const approved = state.token.decision === 'approve';
        let next = `${who} is told, with your reason.`;
        if (approved) {
          next =
            request.status === 'pending_approval'
              ? `It now goes to the approvers of level ${request.level}.`
              : 'IT sets up the access next.';
        }
        return this.page(
          200,
          approved ? 'Approved' : 'Denied',
          'ok',
          `<p>${escapeHtml(
            `You ${
              approved ? 'approved' : 'denied'
            } ${who}'s request for ${what}. ${next}`,
          )}</p>${this.portalLink()}`,
        );
      }
      case 'unknown':
        return this.page(
          404,
          'This link is not valid',
          'problem',
          `<p>The link is unknown: it may be incomplete (check that the whole link was copied) or so old that it was removed.</p>${this.portalLink()}`,
        );
      case 'used': {
        const used = outcome.token.usedDecision;
        return this.page(
          410,
          'This link was already used',
          'problem',
          `<p>${
            used
              ? `You already ${
                  used === 'approve' ? 'approved' : 'denied'
                } this request through a link in the same email${
                  outcome.token.usedAt
                    ? ` on ${escapeHtml(formatTime(outcome.token.usedAt))}`
                    : ''
                }.`
              : 'The links in an email work only once.'
          }</p>${this.portalLink()}`,
        );
      }
      case 'expired':
        return this.page(
          410,
          'This link has expired',
          'problem',
          `<p>The link stopped working on ${escapeHtml(
            formatTime(outcome.token.expiresAt),
          )}. If the request still waits for you, decide in the portal.</p>${this.portalLink()}`,
        );
      case 'closed': {
        const { task, request, deciderName } = outcome;
        let title: string;
        let text: string;
        if (
          task?.decidedBy &&
          (task.status === 'approved' || task.status === 'denied')
        ) {
          title = `Already decided: ${task.status} by ${
            deciderName ?? task.decidedBy
          }`;
          text = `${deciderName ?? task.decidedBy} ${task.status} this step${
            task.decidedAt ? ` on ${formatTime(task.decidedAt)}` : ''
          }${
            task.comment ? ` with the comment "${task.comment}"` : ''
          }. Your link no longer works.`;
        } else {
          title = 'This request no longer waits for your decision';
          text = request
            ? `The request is now ${request.status.replace(
                /_/g,
                ' ',
              )}. Your link no longer works.`
            : 'Your link no longer works.';
        }
        return this.page(
          410,
          title,
          'problem',
          `<p>${escapeHtml(text)}</p>${this.portalLink()}`,
        );
      }
      case 'refused':
        return this.page(
          403,
          'You cannot decide this request',
          'problem',
          `<p>${escapeHtml(outcome.message)}.</p>${this.portalLink()}`,
        );
      case 'unavailable':
      default:
        return this.unavailable();
    }
  }

  unavailable(): Page {
    return this.page(
      503,
      'Your decision could not be recorded',
      'problem',
      `<p>Something went wrong on our side; nothing was decided. Please try the link again in a few minutes.</p>${this.portalLink()}`,
    );
  }

  badForm(status: number, message: string): Page {
    return this.page(
      status,
      'The form could not be read',
      'problem',
      `<p>${escapeHtml(message)}</p>${this.portalLink()}`,
    );
  }
}
