import { AccessRequest } from '@app-access/plugin-app-access-common';
import {
  AppAccessMessage,
  describeAccessChange,
  describeDuration,
  describeReclaimDeadline,
  describeReclaimRule,
  DirectoryPerson,
} from '@app-access/plugin-app-access-node';
import { Branding } from '../config';
import { EmailAction, EmailContent, renderEmail } from './BrandedLayout';

export type RenderedMail = { subject: string; html: string; text: string };

/** Everything a notice needs besides the message itself. */
export type NoticeContext = {
  message: AppAccessMessage;
  recipient: DirectoryPerson;
  requester?: DirectoryPerson;
  /** The person who gets the access, when someone else filed the request for them. */
  grantee?: DirectoryPerson;
  /** Who decided the message's task (decision_recorded). */
  decider?: DirectoryPerson;
  /** The approver's own Approve / Deny links (approval_needed, reminder). */
  links?: { approve: string; deny: string; expiresAt: Date };
  /** The holder's own "Keep it" / "Give it back" links (reclaim_*). */
  reclaimLinks?: { keep: string; release: string };
  /** The reason given with a denial, for a status notice about it. */
  denialComment?: string;
};

/** A person's name for people: display name, else the name in the entity ref. */
export function personName(
  person: DirectoryPerson | undefined,
  ref: string,
): string {
  return (
    person?.displayName?.trim() || ref.replace(/^[a-z]+:(?:[^/]+\/)?/i, '')
  );
}

/** "Figma Editor", or for an intake "the new app Figma". */
export function requestSubject(request: AccessRequest): string {
  if (request.kind === 'intake') return `the new app ${request.appName}`;
  return [request.appName, request.tierName].filter(Boolean).join(' ');
}

export function formatTime(date: Date | string): string {
  const d = typeof date === 'string' ? new Date(date) : date;
  return `${d.toLocaleString('en-GB', {
    dateStyle: 'medium',
    timeStyle: 'short',
    timeZone: 'UTC',
  })} UTC`;
}

/** The grantee's ref when the request was filed on their behalf. */
function onBehalfOf(request: AccessRequest): string | undefined {
  return request.grantee && request.grantee !== request.requester
    ? request.grantee
    : undefined;
}

/**
 * Who a request is for, for approvers: "Jane Doe", or for a request filed
 * on her behalf "Jane Doe, filed by Sam Manager" (grantee first).
 */
function forWhom(context: NoticeContext): string {
  const request = context.message.request;
  const filer = personName(context.requester, request.requester);
  const grantee = onBehalfOf(request);
  return grantee
    ? `${personName(context.grantee, grantee)}, filed by ${filer}`
    : filer;
}

function requestDetails(
  request: AccessRequest,
  requester: DirectoryPerson | undefined,
  granteePerson?: DirectoryPerson,
): Array<[string, string | undefined]> {
  const name = personName(requester, request.requester);
  const line = (person: DirectoryPerson | undefined, n: string) =>
    person?.email ? `${n} <${person.email}>` : n;
  const grantee = onBehalfOf(request);
  const parties: Array<[string, string | undefined]> = grantee
    ? [
        ['For', line(granteePerson, personName(granteePerson, grantee))],
        ['Filed by', line(requester, name)],
      ]
    : [['Requester', line(requester, name)]];
  return [
    ...parties,
    ['Title', (grantee ? granteePerson : requester)?.title],
    [request.kind === 'intake' ? 'New app' : 'App', request.appName],
    ['Tier', request.tierName],
    [
      'Access',
      request.kind === 'access' ? describeDuration(request) : undefined,
    ],
    ['Vendor', request.intake?.vendor],
    ['Website', request.intake?.url],
    ['Justification', request.justification],
    ['Needed by', request.neededBy],
    ['Requested', formatTime(request.createdAt)],
  ];
}

const STATUS_HEADINGS: Record<string, string> = {
  approved: 'was approved',
  denied: 'was denied',
  cancelled: 'was cancelled',
  fulfilling: 'is being set up',
  awaiting_it: 'is with IT',
  fulfilled: 'is done: you have access',
  failed: 'could not be fulfilled',
};

/**
 * The emails App Access sends people about a request: one subject and one
 * content, rendered as HTML and plain text with the portal's branding.
 */
export class NoticeRenderer {
  constructor(private readonly branding: Branding) {}

  render(context: NoticeContext): RenderedMail {
    const content = this.content(context);
    return { subject: content.subject, ...renderEmail(this.branding, content) };
  }

  private content(context: NoticeContext): EmailContent & { subject: string } {
    const { message } = context;
    switch (message.kind) {
      case 'approval_needed':
      case 'reminder':
        return this.askApprover(context);
      case 'decision_recorded':
        return message.audience === 'approvers'
          ? this.decisionForApprovers(context)
          : this.decisionForRequester(context);
      case 'access_changed':
        return this.accessChanged(context);
      case 'reclaim_question':
      case 'reclaim_reminder':
        return this.askHolder(context);
      default:
        return this.statusForRequester(context);
    }
  }

  private accessChanged(
    context: NoticeContext,
  ): EmailContent & { subject: string } {
    const { message } = context;
    const what = requestSubject(message.request);
    const line = message.access
      ? describeAccessChange(what, message.access)
      : `Your access to ${what} changed`;
    return {
      subject: line.split(':')[0],
      greeting: this.greeting(context),
      heading: line.split(':')[0],
      paragraphs: [line],
      details: [
        [
          'Ends',
          message.access?.endsAt
            ? formatTime(message.access.endsAt)
            : undefined,
        ],
      ],
      actions: [
        {
          label: 'Open My access in the portal',
          url: message.url,
          style: 'link',
        },
      ],
    };
  }

  /** "Keep it or give it back?" to the holder of access. */
  private askHolder(
    context: NoticeContext,
  ): EmailContent & { subject: string } {
    const { message, reclaimLinks } = context;
    const what = requestSubject(message.request);
    const ask = message.reclaim;
    const reminder = message.kind === 'reclaim_reminder';
    const paragraphs: string[] = [];
    if (reminder) {
      paragraphs.push(
        `We have not heard from you yet (reminder ${
          message.reminderNumber ?? 1
        }).`,
      );
    }
    if (ask) {
      paragraphs.push(
        `IT is reclaiming seats nobody uses, and your ${what} matches: ${describeReclaimRule(
          ask,
        )}. Do you still need it?`,
      );
      paragraphs.push(describeReclaimDeadline(ask));
    }
    const actions: EmailAction[] = reclaimLinks
      ? [
          { label: 'Keep it', url: reclaimLinks.keep, style: 'approve' },
          { label: 'Give it back', url: reclaimLinks.release, style: 'deny' },
        ]
      : [];
    actions.push({
      label: 'Answer in the portal (My access)',
      url: message.url,
      style: 'link',
    });
    return {
      subject: `${reminder ? 'Reminder: d' : 'D'}o you still need ${what}?`,
      greeting: this.greeting(context),
      heading: `Do you still need ${what}?`,
      paragraphs,
      details: [
        ['App', message.request.appName],
        ['Tier', message.request.tierName],
        [
          'Last sign-in',
          ask?.lastSignInAt ? formatTime(ask.lastSignInAt) : undefined,
        ],
        ['Message from IT', ask?.message],
        ['Answer by', ask ? formatTime(ask.deadlineAt) : undefined],
      ],
      actions,
      notes: reclaimLinks
        ? [
            'The links work once and only for you, until the deadline. ' +
              'Opening a link shows a page to confirm; nothing is answered until you confirm there ("Keep it" asks for your reason). ' +
              'Do not forward this email: the links answer on your behalf.',
          ]
        : [],
    };
  }

  private greeting(context: NoticeContext) {
    return `Hi ${personName(context.recipient, context.recipient.ref)},`;
  }

  private askApprover(
    context: NoticeContext,
  ): EmailContent & { subject: string } {
    const { message, requester, links } = context;
    const request = message.request;
    const who = forWhom(context);
    const onBehalf = Boolean(onBehalfOf(request));
    const what = requestSubject(request);
    const level = message.task?.level ?? request.level;
    const paragraphs: string[] = [];
    if (message.kind === 'reminder') {
      paragraphs.push(
        `This request is still waiting for your decision (reminder ${
          message.reminderNumber ?? 1
        }).`,
      );
    }
    let ask = `${who} asks for access to ${what}. You are an approver at level ${level}.`;
    if (request.kind === 'intake') {
      ask = `${who} asks IT to add ${request.appName} to the app catalog. Please approve or deny.`;
    } else if (onBehalf) {
      ask = `The request for ${what} for ${who}, needs your decision. You are an approver at level ${level}.`;
    }
    paragraphs.push(ask);
    if (message.seatWarning) paragraphs.push(message.seatWarning);
    if (message.task?.fallback) {
      paragraphs.push(
        'You are asked as the fallback approver because the usual approvers could not be reached.',
      );
    }
    const actions: EmailAction[] = links
      ? [
          { label: 'Approve', url: links.approve, style: 'approve' },
          { label: 'Deny', url: links.deny, style: 'deny' },
        ]
      : [];
    actions.push({
      label: 'Open your approvals in the portal',
      url: message.url,
      style: 'link',
    });
    return {
      subject:
        message.kind === 'reminder'
          ? `Reminder ${
              message.reminderNumber ?? 1
            }: ${what} for ${who} waits for your approval`
          : `Approval needed: ${what} for ${who}`,
      greeting: this.greeting(context),
      heading: approvalHeading(
        message.kind === 'reminder',
        onBehalf,
        who,
        what,
      ),
      paragraphs,
      details: [
        ...requestDetails(request, requester, context.grantee),
        ['Approval level', String(level)],
      ],
      actions,
      notes: links
        ? [
            `The Approve and Deny links work once and only for you, until ${formatTime(
              links.expiresAt,
            )}. ` +
              'Opening a link shows a confirmation page; nothing is decided until you confirm there. ' +
              'Do not forward this email: the links act on your behalf.',
          ]
        : [],
    };
  }

  private decisionForApprovers(
    context: NoticeContext,
  ): EmailContent & { subject: string } {
    const { message, decider } = context;
    const request = message.request;
    const task = message.task;
    const who = forWhom(context);
    const onBehalf = Boolean(onBehalfOf(request));
    const what = requestSubject(request);
    const by = task?.decidedBy
      ? personName(decider, task.decidedBy)
      : 'another approver';
    const verb = task?.status === 'denied' ? 'Denied' : 'Approved';
    return {
      subject: `${what} for ${who}: ${verb.toLowerCase()} by ${by}`,
      greeting: this.greeting(context),
      heading: `${verb} by ${by}`,
      paragraphs: [
        onBehalf
          ? `${by} ${verb.toLowerCase()} the request for ${what} for ${who}, at level ${
              task?.level ?? request.level
            }.`
          : `${by} ${verb.toLowerCase()} ${who}'s request for ${what} at level ${
              task?.level ?? request.level
            }.`,
        'Nothing more is needed from you: the Approve and Deny links in earlier emails about this request no longer work.',
      ],
      details: [
        ['Comment', task?.comment],
        ['Decided', task?.decidedAt ? formatTime(task.decidedAt) : undefined],
      ],
      actions: [
        {
          label: 'Open your approvals in the portal',
          url: message.url,
          style: 'link',
        },
      ],
    };
  }

  private decisionForRequester(
    context: NoticeContext,
  ): EmailContent & { subject: string } {
    const { message, decider } = context;
    const request = message.request;
    const task = message.task;
    const what = requestSubject(request);
    const level = task?.level ?? 1;
    const by = task?.decidedBy
      ? personName(decider, task.decidedBy)
      : 'An approver';
    const view: EmailAction = {
      label: 'View your request',
      url: message.url,
      style: 'link',
    };
    if (task?.status === 'denied') {
      return {
        subject: `Your request for ${what} was denied`,
        greeting: this.greeting(context),
        heading: 'Your request was denied',
        paragraphs: [
          `${by} denied your request for ${what} at level ${level}.`,
        ],
        details: [['Reason', task.comment]],
        actions: [view],
      };
    }
    const next =
      request.status === 'pending_approval' && request.level > level
        ? `It now waits for approval at level ${request.level}.`
        : 'IT sets up your access next; you will get an email when it is done.';
    return {
      subject: `Your request for ${what} was approved at level ${level}`,
      greeting: this.greeting(context),
      heading: 'Your request was approved',
      paragraphs: [
        `${by} approved your request for ${what} at level ${level}.`,
        next,
      ],
      details: [['Comment', task?.comment]],
      actions: [view],
    };
  }

  private statusForRequester(
    context: NoticeContext,
  ): EmailContent & { subject: string } {
    const { message, denialComment } = context;
    const request = message.request;
    const what = requestSubject(request);
    const status = request.status;
    const heading = `Your request for ${what} ${
      STATUS_HEADINGS[status] ?? `is ${status}`
    }`;
    const paragraphs: string[] = [];
    const details: Array<[string, string | undefined]> = [];
    const actions: EmailAction[] = [];
    switch (status) {
      case 'approved':
        paragraphs.push(
          'Access is being set up; you will get an email when it is done.',
        );
        break;
      case 'denied':
        details.push(['Reason', denialComment]);
        break;
      case 'awaiting_it':
        if (request.kind === 'intake') {
          paragraphs.push(
            'It was approved; IT will evaluate the app and add it to the catalog.',
          );
        } else {
          paragraphs.push(
            request.externalRef
              ? 'A ticket was created for IT, who will set up your access and let you know.'
              : 'IT will set up your access by hand and let you know.',
          );
        }
        details.push(['Ticket', request.externalRef]);
        if (request.externalUrl) {
          actions.push({
            label: 'Open the ticket',
            url: request.externalUrl,
            style: 'link',
          });
        }
        break;
      case 'fulfilled':
        paragraphs.push(`You now have access to ${what}.`);
        details.push(['Reference', request.externalRef]);
        break;
      case 'failed':
        paragraphs.push(
          'IT can see what went wrong and can retry your request from the portal.',
        );
        details.push(['Reason', request.failureReason]);
        break;
      default:
        break;
    }
    actions.push({
      label: 'View your request',
      url: message.url,
      style: 'link',
    });
    return {
      subject: heading,
      greeting: this.greeting(context),
      heading,
      paragraphs,
      details,
      actions,
    };
  }
}

/** An approval email's heading: a reminder, a request filed for someone else, or one's own. */
function approvalHeading(
  reminder: boolean,
  onBehalf: boolean,
  who: string,
  what: string,
): string {
  if (reminder) return `Reminder: ${who} is waiting for you`;
  return onBehalf ? `${what} for ${who}` : `${who} asks for ${what}`;
}
