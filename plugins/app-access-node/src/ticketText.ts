/**
 * The text of an IT ticket for a request (summary, body with the request,
 * tier, justification and approvals, a link back to the portal), shared by
 * the ticketing modules so every help desk reads the same.
 */
import { AccessRequest } from '@app-access/plugin-app-access-common';
import { FulfillmentContext, RevocationContext } from './extensions';

const SYSTEM_ACTOR = 'app-access:system';

/**
 * The timeline note of a ticketing follower when the requester, not an
 * agent, solved or closed the ticket: the request stays with IT.
 */
export const CLOSED_BY_REQUESTER_NOTE =
  'The ticket was closed by the requester, not by IT: IT still has to grant the access';

function short(ref: string | undefined): string {
  return (ref ?? '')
    .replace(/^user:default\//, '')
    .replace(/^group:default\//, '');
}

/** The requester as a person reads them: name, else email, else the user name. */
export function personName(context: FulfillmentContext): string {
  return (
    context.requester?.displayName ||
    context.requester?.email ||
    short(context.request.requester)
  );
}

/** The person who filed a request on someone else's behalf; undefined for one's own request. */
function filedBy(context: FulfillmentContext): string | undefined {
  const { request } = context;
  if (!request.grantee || request.grantee === request.requester) {
    return undefined;
  }
  return (
    context.filer?.displayName ||
    context.filer?.email ||
    short(request.requester)
  );
}

/**
 * Who the access is for, as a ticket names them: "Jane Doe", or for a
 * request filed on her behalf "Jane Doe, filed by Sam Manager" (grantee first).
 */
function forWhom(context: FulfillmentContext): string {
  const filer = filedBy(context);
  return filer
    ? `${personName(context)}, filed by ${filer}`
    : personName(context);
}

/** "Jane Doe <jane@acme.com> (user:default/jane.doe)": the person who gets the access. */
export function personLine(context: FulfillmentContext): string {
  const { requester, request } = context;
  const ref = request.grantee ?? request.requester;
  const name = requester?.displayName ?? short(ref);
  return `${name}${requester?.email ? ` <${requester.email}>` : ''} (${ref})`;
}

/** One line per approval that let the request through, oldest first. */
export function approvalLines(request: AccessRequest): string[] {
  const tasks = (request.approvals ?? [])
    .filter(t => t.status === 'approved')
    .sort((a, b) => a.level - b.level);
  if (tasks.length) {
    return tasks.map(
      t =>
        `Level ${t.level}: approved by ${short(t.decidedBy)}${
          t.decidedAt ? ` on ${t.decidedAt.slice(0, 10)}` : ''
        }${t.comment ? `: "${t.comment}"` : ''}`,
    );
  }
  const events = (request.events ?? []).filter(e => e.type === 'approved');
  return events.map(e =>
    e.actor === SYSTEM_ACTOR
      ? e.comment ?? 'Approved automatically'
      : `Level ${e.level ?? 1}: approved by ${short(e.actor)} on ${e.at.slice(
          0,
          10,
        )}${e.comment ? `: "${e.comment}"` : ''}`,
  );
}

/** Summary of a fulfilment ticket. */
export function fulfilmentSummary(context: FulfillmentContext): string {
  return clip(
    `App Access: ${context.app.name} ${context.tier.name} for ${forWhom(
      context,
    )}`,
    250,
  );
}

/** Summary of a removal ticket. */
export function removalSummary(context: FulfillmentContext): string {
  return clip(
    `App Access: remove ${context.app.name} ${
      context.tier.name
    } from ${personName(context)}`,
    250,
  );
}

/**
 * A removal as a ticket system files it: the fulfilment context of the
 * granting request, keyed by the removal, with the reason.
 */
export function removalTicketContext(
  context: RevocationContext,
): FulfillmentContext & { removalReason: string } {
  return {
    request: context.request,
    app: context.app,
    tier: context.tier,
    spec: context.spec,
    requester: context.grantee,
    idempotencyKey: context.idempotencyKey,
    requestUrl: context.requestUrl,
    previousExternalRef: context.previousExternalRef,
    checkpoint: context.checkpoint,
    removalReason: context.reason,
  };
}

/** Summary of an audit-trail record ticket. */
export function auditSummary(context: FulfillmentContext): string {
  return clip(
    `Record: ${context.app.name} ${context.tier.name} granted to ${personName(
      context,
    )}`,
    250,
  );
}

/** Plain-text ticket body: who, what, why, who approved, and the way back. */
export function ticketBody(
  context: FulfillmentContext,
  options: {
    kind: 'fulfil' | 'audit' | 'removal';
    /** Set when the ticket is raised by the integration user, not on the requester's behalf. */
    raisedByBotBecause?: string;
    reference: string;
  },
): string {
  const { request, app, tier } = context;
  const lines: string[] = [];
  if (options.kind === 'removal') {
    const reason = (context as { removalReason?: string }).removalReason;
    lines.push(
      `Please REMOVE ${app.name} ${tier.name} from ${personName(
        context,
      )}, then resolve this ticket; App Access records the access as removed and tells them.${
        reason ? ` Why: ${reason}.` : ''
      }`,
    );
  } else if (options.kind === 'fulfil') {
    const filer = filedBy(context);
    lines.push(
      filer
        ? `${app.name} ${tier.name} for ${forWhom(
            context,
          )}, was approved. Please grant it to ${personName(
            context,
          )}, then resolve this ticket; App Access marks the request fulfilled and tells them both.`
        : `${personName(context)} asked for ${app.name} ${
            tier.name
          } and the request was approved. Please grant it, then resolve this ticket; App Access marks the request fulfilled and tells the requester.`,
    );
  } else {
    lines.push(
      `Record only, nothing to do: ${app.name} ${
        tier.name
      } was granted to ${personName(context)} automatically${
        request.fulfilledBy ? ` (${request.fulfilledBy})` : ''
      }.`,
    );
  }
  lines.push('');
  const filer = filedBy(context);
  if (filer) {
    lines.push(`For: ${personLine(context)}`);
    lines.push(`Filed by: ${filer} (${request.requester})`);
  } else {
    lines.push(`Requester: ${personLine(context)}`);
  }
  if (options.raisedByBotBecause) {
    lines.push(
      `(Raised by App Access, not on the requester's behalf: ${options.raisedByBotBecause}.)`,
    );
  }
  lines.push(
    `App: ${app.name}${app.vendor ? ` (${app.vendor})` : ''}${
      app.url ? ` ${app.url}` : ''
    }`,
  );
  lines.push(
    `Tier: ${tier.name}${tier.description ? `: ${tier.description}` : ''}`,
  );
  if (request.neededBy) lines.push(`Needed by: ${request.neededBy}`);
  lines.push(`Justification: ${request.justification ?? '(none given)'}`);
  const approvals = approvalLines(request);
  lines.push('Approvals:');
  if (approvals.length) {
    for (const a of approvals) lines.push(`- ${a}`);
  } else {
    lines.push('- none recorded');
  }
  lines.push('');
  lines.push(`Request in the portal: ${context.requestUrl}`);
  lines.push(
    `App Access reference: ${options.reference} (request ${request.id})`,
  );
  return lines.join('\n');
}

export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
