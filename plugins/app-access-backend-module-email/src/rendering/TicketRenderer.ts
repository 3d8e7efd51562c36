import { ApprovalTask } from '@app-access/plugin-app-access-common';
import {
  FulfillmentContext,
  RevocationContext,
} from '@app-access/plugin-app-access-node';
import { Branding } from '../config';
import { renderEmail } from './BrandedLayout';
import {
  formatTime,
  personName,
  RenderedMail,
  requestSubject,
} from './NoticeRenderer';

/** An approval as the help desk reads it: "Level 1: approved by Sam Manager on …". */
export type ApprovalLine = { task: ApprovalTask; deciderName?: string };

function approvalText(lines: ApprovalLine[]): string | undefined {
  const decided = lines.filter(l => l.task.decidedBy);
  if (!decided.length) return undefined;
  return decided
    .map(({ task, deciderName }) =>
      [
        `Level ${task.level}: ${task.status} by ${
          deciderName ?? task.decidedBy
        }`,
        task.decidedAt ? ` on ${formatTime(task.decidedAt)}` : '',
        task.comment ? ` ("${task.comment}")` : '',
      ].join(''),
    )
    .join('\n');
}

function externalIds(ids: Record<string, string>): string | undefined {
  const entries = Object.entries(ids ?? {});
  return entries.length
    ? entries.map(([k, v]) => `${k}: ${v}`).join('\n')
    : undefined;
}

/**
 * The person who gets the access, and who filed the request when that was
 * someone else: tickets say "for Jane Doe, filed by Sam Manager".
 */
function parties(context: FulfillmentContext) {
  const { request, requester, filer } = context;
  const granteeRef = request.grantee ?? request.requester;
  const who = personName(requester, granteeRef);
  const filedBy =
    granteeRef !== request.requester
      ? personName(filer, request.requester)
      : undefined;
  return {
    granteeRef,
    who,
    filedBy,
    forWhom: filedBy ? `${who}, filed by ${filedBy}` : who,
  };
}

/** The emails sent to an email-to-ticket help desk. */
export class TicketRenderer {
  constructor(private readonly branding: Branding) {}

  /** A ticket asking IT to set up access for an approved request. */
  accessTicket(
    context: FulfillmentContext,
    approvals: ApprovalLine[],
  ): RenderedMail {
    const { request, app, tier, requester } = context;
    const { who, filedBy, forWhom, granteeRef } = parties(context);
    const what = requestSubject(request);
    const subject = `Access request: ${what} for ${forWhom}`;
    return {
      subject,
      ...renderEmail(this.branding, {
        heading: `Please give ${who} access to ${what}`,
        paragraphs: [
          filedBy
            ? `The request for ${what} for ${forWhom}, was approved in ${this.branding.title}. ` +
              'Please set up the access for them, then mark the request fulfilled in the portal so they are both told.'
            : `${who}'s request for ${what} was approved in ${this.branding.title}. ` +
              'Please set up the access, then mark the request fulfilled in the portal so the requester is told.',
        ],
        details: [
          [
            filedBy ? 'For' : 'Requester',
            requester?.email ? `${who} <${requester.email}>` : who,
          ],
          ['User', granteeRef],
          ['Filed by', filedBy && `${filedBy} (${request.requester})`],
          ['Job title', requester?.title],
          ['Department', requester?.department],
          ['App', app.vendor ? `${app.name} (${app.vendor})` : app.name],
          ['App website', app.url],
          [
            'Tier',
            tier.description ? `${tier.name}: ${tier.description}` : tier.name,
          ],
          ['App ids', externalIds(app.externalIds)],
          ['Justification', request.justification],
          ['Needed by', request.neededBy],
          ['Approvals', approvalText(approvals)],
          ['Request id', request.id],
        ],
        actions: [
          {
            label: 'Open the request in the portal',
            url: context.requestUrl,
            style: 'link',
          },
        ],
      }),
    };
  }

  /** A record (no action needed) of access another fulfiller already gave. */
  auditRecord(
    context: FulfillmentContext,
    approvals: ApprovalLine[],
  ): RenderedMail {
    const { request, requester } = context;
    const { who, filedBy, granteeRef } = parties(context);
    const what = requestSubject(request);
    return {
      subject: `Record: ${who} was given ${what}`,
      ...renderEmail(this.branding, {
        heading: `For the record: ${who} was given ${what}`,
        paragraphs: [
          `${this.branding.title} gave ${who} access to ${what}${
            request.fulfilledBy ? ` through ${request.fulfilledBy}` : ''
          }. ` + 'Nothing needs to be done; this ticket is the audit trail.',
        ],
        details: [
          [
            filedBy ? 'For' : 'Requester',
            requester?.email ? `${who} <${requester.email}>` : who,
          ],
          ['User', granteeRef],
          ['Filed by', filedBy && `${filedBy} (${request.requester})`],
          ['Justification', request.justification],
          ['Approvals', approvalText(approvals)],
          ['Reference', request.externalRef],
          ['Request id', request.id],
        ],
        actions: [
          {
            label: 'Open the request in the portal',
            url: context.requestUrl,
            style: 'link',
          },
        ],
      }),
    };
  }

  /**
   * A ticket asking IT to remove access App Access granted (it ended, its
   * holder gave it back, or an admin revoked it).
   */
  removalTicket(context: RevocationContext): RenderedMail {
    const { grant, request, app, tier, grantee } = context;
    const who = personName(grantee, grant.grantee);
    const what = [app.name, tier.name].filter(Boolean).join(' ');
    return {
      subject: `Access removal: ${what} from ${who}`,
      ...renderEmail(this.branding, {
        heading: `Please remove ${what} from ${who}`,
        paragraphs: [
          `${this.branding.title} asks IT to remove this access. Why: ${context.reason}.`,
          'Please remove the access, then mark it removed in the portal (request oversight) so they are told.',
        ],
        details: [
          ['Holder', grantee?.email ? `${who} <${grantee.email}>` : who],
          ['User', grant.grantee],
          ['App', app.vendor ? `${app.name} (${app.vendor})` : app.name],
          ['Tier', tier.name],
          ['App ids', externalIds(app.externalIds)],
          ['Granted', formatTime(grant.grantedAt)],
          ['Granted through', grant.fulfilledBy],
          ['Reference of the grant', grant.externalRef],
          ['Why', context.reason],
          ['Grant id', grant.id],
          ['Request id', request.id],
        ],
        actions: [
          {
            label: 'Open the request in the portal',
            url: context.requestUrl,
            style: 'link',
          },
        ],
      }),
    };
  }
}
