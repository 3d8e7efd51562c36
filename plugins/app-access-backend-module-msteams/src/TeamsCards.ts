import {
  AccessRequest,
  ApprovalTask,
} from '@app-access/plugin-app-access-common';
import { asksFor, Parties, partyFacts, whoseRequest } from './parties';
import { describeDuration } from '@app-access/plugin-app-access-node';

/** The Adaptive Card version Teams Workflows webhooks render. */
export const CARD_VERSION = '1.4';

type CardElement = Record<string, unknown>;

export type OpenUrlAction = {
  type: 'Action.OpenUrl';
  title: string;
  url: string;
};

/** What the webhook receives: a message with one Adaptive Card attachment. */
export type TeamsWebhookMessage = {
  type: 'message';
  attachments: Array<{
    contentType: 'application/vnd.microsoft.card.adaptive';
    contentUrl: null;
    content: {
      $schema: string;
      type: 'AdaptiveCard';
      version: string;
      body: CardElement[];
      actions: OpenUrlAction[];
    };
  }>;
};

/**
 * Escapes the Markdown that Adaptive Card text renders (emphasis, links,
 * headings, lists), so a justification or an app name shows as typed: a
 * `[Approve now](https://…)` must not become a working link in IT's channel.
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/[\\`*_{}[\]()<>#~|!]/g, '\\$&')
    .replace(
      /^(\s*)([-+]|\d+[.)])(?=\s)/gm,
      (_, space, marker) => `${space}${marker.replace(/[-+.)]/, '\\$&')}`,
    );
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** The app and tier, escaped for card text. */
function productOf(request: AccessRequest): string {
  return escapeMarkdown(
    request.tierName
      ? `${request.appName} ${request.tierName}`
      : request.appName,
  );
}

/** Wraps body and actions into the webhook's message envelope. */
export function teamsMessage(
  body: CardElement[],
  actions: OpenUrlAction[],
): TeamsWebhookMessage {
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: CARD_VERSION,
          body,
          actions,
        },
      },
    ],
  };
}

function heading(
  text: string,
  color?: 'Good' | 'Attention' | 'Warning',
): CardElement {
  return {
    type: 'TextBlock',
    text,
    weight: 'Bolder',
    size: 'Medium',
    wrap: true,
    ...(color ? { color } : {}),
  };
}

const capitalise = (text: string) =>
  text.charAt(0).toUpperCase() + text.slice(1);

function facts(
  request: AccessRequest,
  parties: Parties,
  extra: Array<[string, string]> = [],
): CardElement {
  const rows: Array<[string, string]> = [
    ...partyFacts(parties),
    ['App', request.appName],
    ['Tier', request.tierName ?? (request.kind === 'intake' ? 'New app' : '—')],
    ...extra,
  ];
  return {
    type: 'FactSet',
    facts: rows.map(([title, value]) => ({
      title,
      value: escapeMarkdown(value),
    })),
  };
}

function justification(request: AccessRequest): CardElement[] {
  return request.justification
    ? [
        {
          type: 'TextBlock',
          text: 'Justification',
          weight: 'Bolder',
          spacing: 'Medium',
        },
        {
          type: 'TextBlock',
          text: escapeMarkdown(truncate(request.justification, 2000)),
          wrap: true,
        },
      ]
    : [];
}

export type CardContext = {
  request: AccessRequest;
  task?: ApprovalTask;
  requesterName: string;
  /** Who gets the access, when someone else filed the request for them. */
  granteeName?: string;
  /** Portal page where approvers decide. */
  approvalsUrl: string;
  /** Portal page of the request. */
  requestUrl: string;
};

/** A request waits for approval (or still does, for a reminder). */
export function approvalCard(
  ctx: CardContext & { approverNames: string[]; reminderNumber?: number },
): TeamsWebhookMessage {
  const { request, task } = ctx;
  const what = productOf(request);
  const title = ctx.reminderNumber
    ? `Reminder ${ctx.reminderNumber}: ${whoseRequest(
        ctx,
        what,
        escapeMarkdown,
      )} still waits for approval`
    : `Approval needed: ${asksFor(ctx, what, escapeMarkdown)}`;
  const extra: Array<[string, string]> = [
    ...(request.kind === 'access'
      ? ([['Access', describeDuration(request)]] as Array<[string, string]>)
      : []),
    ['Level', String(task?.level ?? request.level)],
    ['Approvers', ctx.approverNames.join(', ') || '—'],
  ];
  const body: CardElement[] = [
    heading(title, ctx.reminderNumber ? 'Warning' : undefined),
    facts(request, ctx, extra),
    ...justification(request),
  ];
  if (task?.fallback) {
    body.push({
      type: 'TextBlock',
      text: 'None of the usual approvers could be reached, so the fallback approver is asked.',
      wrap: true,
      isSubtle: true,
    });
  }
  body.push({
    type: 'TextBlock',
    text: 'Approvers decide in App Access: this card cannot record a decision.',
    wrap: true,
    isSubtle: true,
    size: 'Small',
  });
  return teamsMessage(body, [
    {
      type: 'Action.OpenUrl',
      title: 'Review in App Access',
      url: ctx.approvalsUrl,
    },
    { type: 'Action.OpenUrl', title: 'Open request', url: ctx.requestUrl },
  ]);
}

/** An approver decided one level. */
export function decisionCard(
  ctx: CardContext & { task: ApprovalTask; deciderName: string },
): TeamsWebhookMessage {
  const { request, task } = ctx;
  const what = productOf(request);
  const whose = whoseRequest(ctx, what, escapeMarkdown);
  const denied = task.status === 'denied';
  const title = denied
    ? `Denied: ${whose}`
    : `Approved: level ${task.level} of ${whose}`;
  const body: CardElement[] = [
    heading(title, denied ? 'Attention' : 'Good'),
    facts(request, ctx, [
      ['Level', String(task.level)],
      [denied ? 'Denied by' : 'Approved by', ctx.deciderName],
      ...(task.comment
        ? ([
            [denied ? 'Reason' : 'Comment', truncate(task.comment, 1000)],
          ] as Array<[string, string]>)
        : []),
    ]),
  ];
  if (
    !denied &&
    request.status === 'pending_approval' &&
    request.level > task.level
  ) {
    body.push({
      type: 'TextBlock',
      text: `It now waits for level ${request.level}.`,
      wrap: true,
    });
  }
  const actions: OpenUrlAction[] = [
    { type: 'Action.OpenUrl', title: 'Open request', url: ctx.requestUrl },
  ];
  if (request.status === 'pending_approval') {
    actions.unshift({
      type: 'Action.OpenUrl',
      title: 'Review in App Access',
      url: ctx.approvalsUrl,
    });
  }
  return teamsMessage(body, actions);
}

const STATUS_TITLES: Partial<Record<AccessRequest['status'], string>> = {
  approved: 'approved; access is being set up',
  fulfilling: 'approved; access is being set up',
  fulfilled: 'access granted',
  awaiting_it: 'with IT, who will set up access',
  failed: 'setting up access failed',
  cancelled: 'cancelled by the requester',
  denied: 'denied',
};

/** The request moved on (granted, with IT, failed, cancelled, ...). */
export function statusCard(ctx: CardContext): TeamsWebhookMessage {
  const { request } = ctx;
  const status =
    STATUS_TITLES[request.status] ?? request.status.replace(/_/g, ' ');
  const colors: Partial<Record<AccessRequest['status'], 'Good' | 'Attention'>> =
    {
      fulfilled: 'Good',
      failed: 'Attention',
    };
  const color = colors[request.status];
  const extra: Array<[string, string]> = [['Status', status]];
  if (request.status === 'failed' && request.failureReason) {
    extra.push(['Why', truncate(request.failureReason, 1000)]);
  }
  return teamsMessage(
    [
      heading(
        `${capitalise(
          whoseRequest(ctx, productOf(request), escapeMarkdown),
        )}: ${status}`,
        color,
      ),
      facts(request, ctx, extra),
    ],
    [{ type: 'Action.OpenUrl', title: 'Open request', url: ctx.requestUrl }],
  );
}
