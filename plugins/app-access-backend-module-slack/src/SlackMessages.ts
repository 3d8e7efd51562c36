import {
  AccessRequest,
  ApprovalTask,
} from '@app-access/plugin-app-access-common';
import {
  AppAccessChange,
  AppAccessMessageKind,
  AppAccessReclaimAsk,
  describeAccessChange,
  describeDuration,
  describeReclaimAnswer,
  describeReclaimDeadline,
  describeReclaimRule,
} from '@app-access/plugin-app-access-node';
import type { ChatUpdateArguments, ViewsOpenArguments } from '@slack/web-api';

/** A Block Kit block, as the Web API client types it. */
export type KnownBlock = NonNullable<
  Extract<ChatUpdateArguments, { blocks: unknown }>['blocks']
>[number];
type View = ViewsOpenArguments['view'];

/** action_id of the buttons and callback_id of the deny modal. */
export const APPROVE_ACTION = 'app_access_approve';
export const DENY_ACTION = 'app_access_deny';
export const DENY_VIEW = 'app_access_deny_reason';
export const REASON_BLOCK = 'reason';
export const REASON_INPUT = 'reason_input';

/** action_id of the reclamation buttons and callback_id of the keep modal. */
export const KEEP_ACTION = 'app_access_reclaim_keep';
export const RELEASE_ACTION = 'app_access_reclaim_release';
export const KEEP_VIEW = 'app_access_reclaim_keep_reason';

/** What a reclamation button carries back: the question, and the product's name to show. */
export type ReclaimRef = { questionId: string; what: string };

/** What the keep modal carries from the click to the submission: where the question was posted. */
export type KeepMetadata = ReclaimRef & { channel?: string; ts?: string };

/** What a button carries back: which request and which approval step. */
export type ApprovalRef = { requestId: string; taskId: string };

/** What the deny modal carries from the click to the submission. */
export type DenyMetadata = ApprovalRef & { channel?: string };

/** Escapes text for Slack mrkdwn (&, <, > are control characters). */
export function escapeMrkdwn(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

/** A link in mrkdwn; `|` and `>` in the label would end it early. */
function link(url: string, label: string): string {
  return `<${url}|${escapeMrkdwn(label).replace(/\|/g, '¦')}>`;
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function productOf(request: AccessRequest): string {
  return request.tierName
    ? `${request.appName} ${request.tierName}`
    : request.appName;
}

export type RequestSummary = {
  request: AccessRequest;
  task?: ApprovalTask;
  /** Who filed the request. */
  requesterName: string;
  /** Who gets the access, when someone else filed it on their behalf. */
  granteeName?: string;
  url: string;
};

/** "Jane Doe", or for a request filed on her behalf "Jane Doe, filed by Sam Manager" (grantee first). */
export function forWhom(summary: {
  requesterName: string;
  granteeName?: string;
}): string {
  return summary.granteeName
    ? `${summary.granteeName}, filed by ${summary.requesterName}`
    : summary.requesterName;
}

/**
 * The headline of a request: "*Jane Doe* asks for access to *Figma Pro*", or
 * filed on someone's behalf "Access to *Figma Pro* for *Jane Doe*, filed by
 * *Sam Manager*". `bold` marks names (mrkdwn) or leaves them (plain text).
 */
function headline(
  summary: RequestSummary,
  verb: 'asks' | 'asked',
  bold: (text: string) => string,
): string {
  const what = productOf(summary.request);
  if (summary.granteeName) {
    return `Access to ${bold(what)} for ${bold(
      summary.granteeName,
    )}, filed by ${bold(summary.requesterName)}`;
  }
  return `${bold(summary.requesterName)} ${verb} for access to ${bold(what)}`;
}

const mrkdwnBold = (text: string) => `*${escapeMrkdwn(text)}*`;
const plain = (text: string) => escapeMrkdwn(text);

/** Section with who asked for what, why, and at which approval level. */
function summaryBlocks(summary: RequestSummary, heading: string): KnownBlock[] {
  const { request, task } = summary;
  const fields = [
    ...(summary.granteeName
      ? [
          `*For*\n${escapeMrkdwn(summary.granteeName)}`,
          `*Filed by*\n${escapeMrkdwn(summary.requesterName)}`,
        ]
      : [`*Requester*\n${escapeMrkdwn(summary.requesterName)}`]),
    `*App*\n${escapeMrkdwn(request.appName)}`,
    `*Tier*\n${escapeMrkdwn(
      request.tierName ?? (request.kind === 'intake' ? 'New app' : '—'),
    )}`,
    `*Level*\n${task?.level ?? request.level ?? '—'}`,
    ...(request.kind === 'access'
      ? [`*Access*\n${escapeMrkdwn(describeDuration(request))}`]
      : []),
  ];
  const blocks: KnownBlock[] = [
    { type: 'section', text: { type: 'mrkdwn', text: heading } },
    { type: 'section', fields: fields.map(text => ({ type: 'mrkdwn', text })) },
  ];
  if (request.justification) {
    blocks.push({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `*Justification*\n${escapeMrkdwn(
          truncate(request.justification, 2800),
        )}`,
      },
    });
  }
  if (request.kind === 'intake' && request.intake?.url) {
    blocks.push({
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: `App website: ${escapeMrkdwn(request.intake.url)}`,
        },
      ],
    });
  }
  return blocks;
}

/** The approver's DM: the summary and the Approve / Deny buttons. */
export function approvalMessage(
  summary: RequestSummary & {
    task: ApprovalTask;
    reminderNumber?: number;
    /** No seat of the tier is free (e.g. "All 50 seats are in use; approving buys one more."). */
    seatWarning?: string;
  },
): { text: string; blocks: KnownBlock[] } {
  const who = summary.granteeName ?? summary.requesterName;
  const what = productOf(summary.request);
  const intro = summary.reminderNumber
    ? `:bell: Reminder ${summary.reminderNumber}: *${escapeMrkdwn(
        who,
      )}* is still waiting for your approval of *${escapeMrkdwn(what)}*${
        summary.granteeName
          ? ` (filed by ${escapeMrkdwn(summary.requesterName)})`
          : ''
      }.`
    : `${headline(summary, 'asks', mrkdwnBold)}.`;
  const value = JSON.stringify({
    requestId: summary.request.id,
    taskId: summary.task.id,
  } satisfies ApprovalRef);
  return {
    text: `${summary.reminderNumber ? 'Reminder: ' : ''}${headline(
      summary,
      'asks',
      plain,
    )}: approve or deny`,
    blocks: [
      ...summaryBlocks(summary, intro),
      ...(summary.seatWarning
        ? [
            {
              type: 'section',
              text: {
                type: 'mrkdwn',
                text: `:warning: ${escapeMrkdwn(
                  truncate(summary.seatWarning, 500),
                )}`,
              },
            } satisfies KnownBlock,
          ]
        : []),
      {
        type: 'actions',
        block_id: 'app_access_decision',
        elements: [
          {
            type: 'button',
            action_id: APPROVE_ACTION,
            text: { type: 'plain_text', text: 'Approve' },
            style: 'primary',
            value,
          },
          {
            type: 'button',
            action_id: DENY_ACTION,
            text: { type: 'plain_text', text: 'Deny' },
            style: 'danger',
            value,
          },
        ],
      },
      {
        type: 'context',
        elements: [
          {
            type: 'mrkdwn',
            text: `Or decide in the portal: ${link(
              summary.url,
              'your approvals',
            )}`,
          },
        ],
      },
    ],
  };
}

/** One line saying how a task ended. */
export function outcomeText(task: ApprovalTask, deciderName?: string): string {
  const by = deciderName ?? task.decidedBy ?? 'someone';
  switch (task.status) {
    case 'approved':
      return `:white_check_mark: Approved by ${escapeMrkdwn(by)}`;
    case 'denied':
      return `:no_entry: Denied by ${escapeMrkdwn(by)}${
        task.comment ? `: ${escapeMrkdwn(truncate(task.comment, 500))}` : ''
      }`;
    case 'superseded':
      return 'This approval step is no longer needed';
    default:
      return 'Waiting for a decision';
  }
}

/** The approver's DM after the decision: the same summary, no buttons. */
export function decidedMessage(
  summary: RequestSummary & { task: ApprovalTask; deciderName?: string },
): { text: string; blocks: KnownBlock[] } {
  const outcome = outcomeText(summary.task, summary.deciderName);
  return {
    text: `${escapeMrkdwn(productOf(summary.request))} for ${escapeMrkdwn(
      forWhom(summary),
    )}: ${outcome}`,
    blocks: [
      ...summaryBlocks(summary, `${headline(summary, 'asked', mrkdwnBold)}.`),
      { type: 'section', text: { type: 'mrkdwn', text: outcome } },
      {
        type: 'context',
        elements: [
          { type: 'mrkdwn', text: link(summary.url, 'Open in the portal') },
        ],
      },
    ],
  };
}

/** The channel post about a new request or a new approval level: no buttons. */
export function channelRequestMessage(
  summary: RequestSummary & { approverNames: string[] },
): { text: string; blocks: KnownBlock[] } {
  const waiting = summary.approverNames.length
    ? `Waiting for ${summary.approverNames.map(escapeMrkdwn).join(', ')}.`
    : '';
  return {
    text: headline(summary, 'asks', plain),
    blocks: [
      ...summaryBlocks(
        summary,
        `:inbox_tray: ${headline(
          summary,
          'asks',
          mrkdwnBold,
        )}. ${waiting}`.trim(),
      ),
      {
        type: 'context',
        elements: [
          { type: 'mrkdwn', text: link(summary.url, 'Open in the portal') },
        ],
      },
    ],
  };
}

/** A short status line for the requester, with a link to the request. */
export function requesterMessage(options: {
  request: AccessRequest;
  kind: AppAccessMessageKind;
  task?: ApprovalTask;
  deciderName?: string;
  url: string;
  access?: AppAccessChange;
}): { text: string; blocks: KnownBlock[] } {
  const { request, task } = options;
  const what = `*${escapeMrkdwn(productOf(request))}*`;
  let line: string;
  if (options.kind === 'access_changed' && options.access) {
    line = describeAccessChange(what, options.access);
  } else if (options.kind === 'decision_recorded' && task) {
    const by = escapeMrkdwn(
      options.deciderName ?? task.decidedBy ?? 'an approver',
    );
    if (task.status === 'denied') {
      line = `:no_entry: Your request for ${what} was denied by ${by}${
        task.comment ? `: ${escapeMrkdwn(truncate(task.comment, 1000))}` : '.'
      }`;
    } else if (
      request.status === 'pending_approval' &&
      request.level > task.level
    ) {
      line = `:white_check_mark: ${by} approved level ${task.level} of your request for ${what}; it now waits for level ${request.level}.`;
    } else {
      line = `:white_check_mark: Your request for ${what} was approved by ${by}.`;
    }
  } else {
    line = statusLine(request, what);
  }
  const text = line.replace(/\*/g, '').replace(/:[a-z_]+: /, '');
  return {
    text,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: line } },
      {
        type: 'context',
        elements: [
          { type: 'mrkdwn', text: link(options.url, 'View your request') },
        ],
      },
    ],
  };
}

function statusLine(request: AccessRequest, what: string): string {
  switch (request.status) {
    case 'approved':
    case 'fulfilling':
      return `:white_check_mark: Your request for ${what} is approved; access is being set up.`;
    case 'fulfilled':
      return `:tada: You now have access to ${what}.`;
    case 'awaiting_it':
      return `:hourglass_flowing_sand: Your request for ${what} is with IT, who will set up access.`;
    case 'failed':
      return `:warning: Setting up ${what} failed${
        request.failureReason
          ? `: ${escapeMrkdwn(truncate(request.failureReason, 500))}`
          : ''
      }. IT has been told.`;
    case 'cancelled':
      return `Your request for ${what} was cancelled.`;
    case 'denied':
      return `:no_entry: Your request for ${what} was denied.`;
    default:
      return `Your request for ${what} is now ${request.status.replace(
        /_/g,
        ' ',
      )}.`;
  }
}

/** The modal that asks a denying approver for the reason. */
export function denyReasonView(options: {
  metadata: DenyMetadata;
  requesterName: string;
  /** Set when the request was filed on this person's behalf. */
  granteeName?: string;
  request: AccessRequest;
}): View {
  return {
    type: 'modal',
    callback_id: DENY_VIEW,
    private_metadata: JSON.stringify(options.metadata),
    title: { type: 'plain_text', text: 'Deny request' },
    submit: { type: 'plain_text', text: 'Deny' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: options.granteeName
            ? `Deny the request for *${escapeMrkdwn(
                productOf(options.request),
              )}* for *${escapeMrkdwn(
                options.granteeName,
              )}*, filed by *${escapeMrkdwn(
                options.requesterName,
              )}*? They will both see your reason.`
            : `Deny *${escapeMrkdwn(
                options.requesterName,
              )}*'s request for *${escapeMrkdwn(
                productOf(options.request),
              )}*? They will see your reason.`,
        },
      },
      {
        type: 'input',
        block_id: REASON_BLOCK,
        label: { type: 'plain_text', text: 'Reason' },
        element: {
          type: 'plain_text_input',
          action_id: REASON_INPUT,
          multiline: true,
          max_length: 2000,
        },
      },
    ],
  };
}

/** Slack shows a date in the reader's time zone; the fallback is the ISO day. */
function slackDate(iso: string): string {
  const seconds = Math.floor(Date.parse(iso) / 1000);
  return Number.isFinite(seconds)
    ? `<!date^${seconds}^{date_long}|${iso.slice(0, 10)}>`
    : escapeMrkdwn(iso);
}

/**
 * The holder's DM from a reclamation campaign: "Do you still need it?" with
 * the rule, the admin's message, the deadline, and Keep it / Give it back.
 */
export function reclaimMessage(options: {
  request: AccessRequest;
  reclaim: AppAccessReclaimAsk;
  reminderNumber?: number;
  url: string;
}): { text: string; blocks: KnownBlock[] } {
  const { request, reclaim } = options;
  const what = productOf(request);
  const value = JSON.stringify({
    questionId: reclaim.questionId,
    what: truncate(what, 200),
  } satisfies ReclaimRef);
  const intro = `${
    options.reminderNumber
      ? `:bell: Reminder ${options.reminderNumber}: we have not heard from you yet. `
      : ''
  }Do you still need *${escapeMrkdwn(what)}*?`;
  const fields = [
    `*App*\n${escapeMrkdwn(request.appName)}`,
    `*Tier*\n${escapeMrkdwn(request.tierName ?? '—')}`,
    `*Why we ask*\n${escapeMrkdwn(describeReclaimRule(reclaim))}`,
    `*Answer by*\n${slackDate(reclaim.deadlineAt)}`,
  ];
  const blocks: KnownBlock[] = [
    { type: 'section', text: { type: 'mrkdwn', text: intro } },
    { type: 'section', fields: fields.map(text => ({ type: 'mrkdwn', text })) },
  ];
  if (reclaim.message) {
    blocks.push({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `*From IT*\n${escapeMrkdwn(truncate(reclaim.message, 2800))}`,
      },
    });
  }
  blocks.push(
    {
      type: 'actions',
      block_id: 'app_access_reclaim',
      elements: [
        {
          type: 'button',
          action_id: KEEP_ACTION,
          text: { type: 'plain_text', text: 'Keep it' },
          style: 'primary',
          value,
        },
        {
          type: 'button',
          action_id: RELEASE_ACTION,
          text: { type: 'plain_text', text: 'Give it back' },
          style: 'danger',
          value,
          confirm: {
            title: { type: 'plain_text', text: 'Give it back?' },
            text: {
              type: 'mrkdwn',
              text: `Your access to *${escapeMrkdwn(
                what,
              )}* will be removed. You can request it again later.`,
            },
            confirm: { type: 'plain_text', text: 'Give it back' },
            deny: { type: 'plain_text', text: 'Cancel' },
            style: 'danger',
          },
        },
      ],
    },
    {
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: `${escapeMrkdwn(
            describeReclaimDeadline(reclaim),
          )} Or answer in the portal: ${link(options.url, 'your access')}`,
        },
      ],
    },
  );
  return {
    text: `${
      options.reminderNumber ? 'Reminder: ' : ''
    }Do you still need ${what}? Keep it or give it back by ${reclaim.deadlineAt.slice(
      0,
      10,
    )}`,
    blocks,
  };
}

/** The holder's DM once answered: the outcome, no buttons. */
export function reclaimAnsweredMessage(options: {
  what: string;
  question: Parameters<typeof describeReclaimAnswer>[1];
  url: string;
}): { text: string; blocks: KnownBlock[] } {
  const line = describeReclaimAnswer(options.what, options.question);
  const icon = options.question.status === 'kept' ? ':white_check_mark: ' : '';
  return {
    text: line,
    blocks: [
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: `${icon}${escapeMrkdwn(truncate(line, 2900))}`,
        },
      },
      {
        type: 'context',
        elements: [{ type: 'mrkdwn', text: link(options.url, 'Your access') }],
      },
    ],
  };
}

/** The modal that asks a holder who keeps the access for the reason. */
export function keepReasonView(options: { metadata: KeepMetadata }): View {
  return {
    type: 'modal',
    callback_id: KEEP_VIEW,
    private_metadata: JSON.stringify(options.metadata),
    title: { type: 'plain_text', text: 'Keep access' },
    submit: { type: 'plain_text', text: 'Keep it' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: `You keep *${escapeMrkdwn(
            options.metadata.what,
          )}*. What do you still use it for? IT sees your answer.`,
        },
      },
      {
        type: 'input',
        block_id: REASON_BLOCK,
        label: { type: 'plain_text', text: 'Reason' },
        element: {
          type: 'plain_text_input',
          action_id: REASON_INPUT,
          multiline: true,
          max_length: 2000,
        },
      },
    ],
  };
}
