import {
  AccessRequest,
  ApprovalTask,
} from '@app-access/plugin-app-access-common';
import {
  AppAccessReclaimAsk,
  describeReclaimAnswer,
  describeReclaimDeadline,
  describeReclaimRule,
} from '@app-access/plugin-app-access-node';
import { asksFor, Parties, partyFacts, whoseRequest } from '../parties';
import { escapeMarkdown } from '../TeamsCards';

/** Bots may send Adaptive Cards 1.5 (Action.Execute, required inputs). */
export const BOT_CARD_VERSION = '1.5';
export const APPROVE_VERB = 'appAccess.approve';
export const DENY_VERB = 'appAccess.deny';
export const REASON_INPUT = 'reason';
export const KEEP_VERB = 'appAccess.reclaimKeep';
export const RELEASE_VERB = 'appAccess.reclaimRelease';
export const KEEP_REASON_INPUT = 'keepReason';

/** What Keep it / Give it back carry back to the bot. */
export type ReclaimRef = { questionId: string; what: string };

export type AdaptiveCard = {
  type: 'AdaptiveCard';
  $schema: string;
  version: string;
  body: Array<Record<string, unknown>>;
  actions?: Array<Record<string, unknown>>;
};

/** What Approve / Deny carry back to the bot. */
export type ApprovalRef = { requestId: string; taskId: string };

function card(
  body: AdaptiveCard['body'],
  actions: AdaptiveCard['actions'] = [],
): AdaptiveCard {
  return {
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: BOT_CARD_VERSION,
    body,
    ...(actions.length ? { actions } : {}),
  };
}

/** A message activity carrying one card. */
export function cardActivity(
  content: AdaptiveCard,
  summary: string,
): Record<string, unknown> {
  return {
    type: 'message',
    summary,
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        content,
      },
    ],
  };
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function product(request: AccessRequest): string {
  return request.tierName
    ? `${request.appName} ${request.tierName}`
    : request.appName;
}

function heading(text: string, color?: string) {
  return {
    type: 'TextBlock',
    text,
    weight: 'Bolder',
    size: 'Medium',
    wrap: true,
    ...(color ? { color } : {}),
  };
}

function note(text: string) {
  return { type: 'TextBlock', text, wrap: true, isSubtle: true };
}

/** Who, app, tier, level, why and dates: the facts an approver decides on. */
function requestFacts(
  request: AccessRequest,
  parties: Parties,
  task: ApprovalTask | undefined,
  extra: Array<[string, string]> = [],
) {
  const rows: Array<[string, string]> = [
    ...partyFacts(parties),
    ['App', request.appName],
    ['Tier', request.tierName ?? (request.kind === 'intake' ? 'New app' : '—')],
    ['Level', String(task?.level ?? request.level)],
  ];
  if (request.neededBy) rows.push(['Needed by', request.neededBy.slice(0, 10)]);
  // Time-bound access: how long it lasts once granted (absent: until removed).
  const { durationDays } = request as AccessRequest & { durationDays?: number };
  if (typeof durationDays === 'number') {
    rows.push([
      'Access for',
      `${durationDays} ${durationDays === 1 ? 'day' : 'days'} once granted`,
    ]);
  }
  rows.push(...extra);
  const body: AdaptiveCard['body'] = [
    {
      type: 'FactSet',
      facts: rows.map(([title, value]) => ({
        title,
        value: escapeMarkdown(value),
      })),
    },
  ];
  if (request.justification) {
    body.push(
      { type: 'TextBlock', text: 'Why', weight: 'Bolder', spacing: 'Medium' },
      {
        type: 'TextBlock',
        text: escapeMarkdown(truncate(request.justification, 2000)),
        wrap: true,
      },
    );
  }
  return body;
}

export type ApprovalCardInput = {
  request: AccessRequest;
  task: ApprovalTask;
  requesterName: string;
  /** Who gets the access, when someone else filed the request for them. */
  granteeName?: string;
  requestUrl: string;
  reminderNumber?: number;
  /** Shown above the buttons, e.g. "A reason is required to deny". */
  error?: string;
  /** No seat of the tier is free, e.g. "All 50 seats are in use; approving buys one more." */
  seatWarning?: string;
};

/** The 1:1 card with Approve and Deny (with the reason asked inside the card). */
export function approvalCard(input: ApprovalCardInput): AdaptiveCard {
  const { request, task } = input;
  const what = escapeMarkdown(product(request));
  const data: ApprovalRef = { requestId: request.id, taskId: task.id };
  const body = [
    heading(
      input.reminderNumber
        ? `Reminder ${input.reminderNumber}: ${whoseRequest(
            input,
            what,
            escapeMarkdown,
          )} still waits for you`
        : `Approval needed: ${asksFor(input, what, escapeMarkdown)}`,
      input.reminderNumber ? 'Warning' : undefined,
    ),
    ...requestFacts(request, input, task),
  ];
  if (input.seatWarning) {
    body.push({
      type: 'TextBlock',
      text: escapeMarkdown(input.seatWarning),
      color: 'Warning',
      wrap: true,
    });
  }
  if (task.fallback) {
    body.push(
      note(
        'None of the usual approvers could be reached, so you are asked as the fallback approver.',
      ),
    );
  }
  if (input.error) {
    body.push({
      type: 'TextBlock',
      text: escapeMarkdown(input.error),
      color: 'Attention',
      wrap: true,
    });
  }
  return card(body, [
    {
      type: 'Action.Execute',
      title: 'Approve',
      verb: APPROVE_VERB,
      style: 'positive',
      data,
    },
    {
      type: 'Action.ShowCard',
      title: 'Deny…',
      card: card(
        [
          {
            type: 'Input.Text',
            id: REASON_INPUT,
            label: 'Reason (the requester sees it)',
            isMultiline: true,
            isRequired: true,
            maxLength: 1000,
            errorMessage: 'A reason is required to deny',
          },
        ],
        [
          {
            type: 'Action.Execute',
            title: 'Deny',
            verb: DENY_VERB,
            style: 'destructive',
            associatedInputs: 'auto',
            data,
          },
        ],
      ),
    },
    { type: 'Action.OpenUrl', title: 'Open request', url: input.requestUrl },
  ]);
}

/** Every approver's copy once the task is decided: no buttons, the outcome. */
export function decidedCard(input: {
  request: AccessRequest;
  task: ApprovalTask;
  requesterName: string;
  /** Who gets the access, when someone else filed the request for them. */
  granteeName?: string;
  deciderName?: string;
  requestUrl: string;
}): AdaptiveCard {
  const { request, task } = input;
  const what = escapeMarkdown(product(request));
  const by = escapeMarkdown(
    input.deciderName ?? task.decidedBy ?? 'an approver',
  );
  const outcomes: Record<string, [string, string | undefined]> = {
    approved: [`Approved by ${by}`, 'Good'],
    denied: [`Denied by ${by}`, 'Attention'],
  };
  const [outcome, color] = outcomes[task.status] ?? [
    `No longer open (${task.status})`,
    undefined,
  ];
  const body = [
    heading(`${outcome}: ${whoseRequest(input, what, escapeMarkdown)}`, color),
    ...requestFacts(
      request,
      input,
      task,
      task.comment
        ? [
            [
              task.status === 'denied' ? 'Reason' : 'Comment',
              truncate(task.comment, 1000),
            ],
          ]
        : [],
    ),
  ];
  return card(body, [
    { type: 'Action.OpenUrl', title: 'Open request', url: input.requestUrl },
  ]);
}

/** Only the clicker sees this: why they cannot decide (the chat keeps its card). */
export function refusalCard(input: {
  reason: string;
  portalUrl: string;
  /** Defaults to "You cannot decide this". */
  title?: string;
}): AdaptiveCard {
  return card(
    [
      heading(input.title ?? 'You cannot decide this', 'Attention'),
      { type: 'TextBlock', text: escapeMarkdown(input.reason), wrap: true },
    ],
    [
      {
        type: 'Action.OpenUrl',
        title: 'Open App Access',
        url: input.portalUrl,
      },
    ],
  );
}

const STATUS_TEXT: Partial<Record<AccessRequest['status'], string>> = {
  approved: 'approved; access is being set up',
  fulfilling: 'approved; access is being set up',
  fulfilled: 'access granted',
  awaiting_it: 'with IT, who will set up access',
  failed: 'setting up access failed',
  cancelled: 'cancelled',
  denied: 'denied',
};

const STATUS_COLOR: Partial<Record<AccessRequest['status'], string>> = {
  denied: 'Attention',
  failed: 'Attention',
  fulfilled: 'Good',
};

/** The requester's update in their own chat with the bot. */
export function requesterCard(input: {
  request: AccessRequest;
  kind: string;
  task?: ApprovalTask;
  deciderName?: string;
  requestUrl: string;
}): AdaptiveCard {
  const { request, task } = input;
  const what = escapeMarkdown(product(request));
  const by = escapeMarkdown(
    input.deciderName ?? task?.decidedBy ?? 'an approver',
  );
  let title: string;
  const rows: Array<[string, string]> = [];
  if (input.kind === 'decision_recorded' && task) {
    if (task.status === 'denied') {
      title = `Your request for ${what} was denied by ${by}`;
      if (task.comment) rows.push(['Reason', truncate(task.comment, 1000)]);
    } else if (
      request.status === 'pending_approval' &&
      request.level > task.level
    ) {
      title = `${by} approved level ${task.level} of your request for ${what}; it now waits for level ${request.level}`;
    } else {
      title = `Your request for ${what} was approved by ${by}`;
    }
  } else {
    const status =
      STATUS_TEXT[request.status] ?? request.status.replace(/_/g, ' ');
    title = `Your request for ${what}: ${status}`;
    if (request.status === 'failed' && request.failureReason) {
      rows.push(['Why', truncate(request.failureReason, 1000)]);
    }
  }
  const body: AdaptiveCard['body'] = [
    heading(title, STATUS_COLOR[request.status]),
  ];
  if (rows.length) {
    body.push({
      type: 'FactSet',
      facts: rows.map(([t, v]) => ({ title: t, value: escapeMarkdown(v) })),
    });
  }
  return card(body, [
    { type: 'Action.OpenUrl', title: 'Open request', url: input.requestUrl },
  ]);
}

/** The "Send test" message. */
export function testCard(portalUrl: string): AdaptiveCard {
  return card(
    [
      heading('App Access test message'),
      note(
        'The App Access bot can reach you here: approval requests and updates on your own requests arrive in this chat.',
      ),
    ],
    [{ type: 'Action.OpenUrl', title: 'Open App Access', url: portalUrl }],
  );
}

/**
 * The holder's card from a reclamation campaign: "Do you still need it?"
 * with the rule, the admin's words, the deadline, a reason field and
 * Keep it / Give it back (confirmed in a second step).
 */
export function reclaimCard(input: {
  request: AccessRequest;
  reclaim: AppAccessReclaimAsk;
  reminderNumber?: number;
  myAccessUrl: string;
  /** Shown above the buttons, e.g. "A reason is required to keep it". */
  error?: string;
}): AdaptiveCard {
  const { request, reclaim } = input;
  const what = product(request);
  const data: ReclaimRef = {
    questionId: reclaim.questionId,
    what: truncate(what, 200),
  };
  const rows: Array<[string, string]> = [
    ['App', request.appName],
    ['Tier', request.tierName ?? '—'],
    ['Why we ask', describeReclaimRule(reclaim)],
    ['Answer by', reclaim.deadlineAt.slice(0, 10)],
  ];
  const body: AdaptiveCard['body'] = [
    heading(
      `${
        input.reminderNumber ? `Reminder ${input.reminderNumber}: d` : 'D'
      }o you still need ${escapeMarkdown(what)}?`,
      input.reminderNumber ? 'Warning' : undefined,
    ),
    {
      type: 'FactSet',
      facts: rows.map(([title, value]) => ({
        title,
        value: escapeMarkdown(value),
      })),
    },
  ];
  if (reclaim.message) {
    body.push(
      {
        type: 'TextBlock',
        text: 'From IT',
        weight: 'Bolder',
        spacing: 'Medium',
      },
      {
        type: 'TextBlock',
        text: escapeMarkdown(truncate(reclaim.message, 2000)),
        wrap: true,
      },
    );
  }
  body.push(note(describeReclaimDeadline(reclaim)), {
    type: 'Input.Text',
    id: KEEP_REASON_INPUT,
    label: 'To keep it: what do you still use it for? (IT sees it)',
    isMultiline: true,
    // Checked by Teams before Keep it (associatedInputs 'auto'); Give it
    // back sends no inputs ('none'), so it is not held up by it.
    isRequired: true,
    errorMessage: 'A reason is required to keep it',
    maxLength: 1000,
  });
  if (input.error) {
    body.push({
      type: 'TextBlock',
      text: escapeMarkdown(input.error),
      color: 'Attention',
      wrap: true,
    });
  }
  return card(body, [
    {
      type: 'Action.Execute',
      title: 'Keep it',
      verb: KEEP_VERB,
      style: 'positive',
      associatedInputs: 'auto',
      data,
    },
    {
      type: 'Action.ShowCard',
      title: 'Give it back…',
      card: card(
        [
          {
            type: 'TextBlock',
            text: `Your access to ${escapeMarkdown(
              what,
            )} will be removed. You can request it again later.`,
            wrap: true,
          },
        ],
        [
          {
            type: 'Action.Execute',
            title: 'Give it back',
            verb: RELEASE_VERB,
            style: 'destructive',
            associatedInputs: 'none',
            data,
          },
        ],
      ),
    },
    { type: 'Action.OpenUrl', title: 'My access', url: input.myAccessUrl },
  ]);
}

/** The holder's card once answered: the outcome, no buttons. */
export function reclaimAnsweredCard(input: {
  what: string;
  question: Parameters<typeof describeReclaimAnswer>[1];
  myAccessUrl: string;
}): AdaptiveCard {
  return card(
    [
      heading(
        escapeMarkdown(describeReclaimAnswer(input.what, input.question)),
        input.question.status === 'kept' ? 'Good' : undefined,
      ),
    ],
    [{ type: 'Action.OpenUrl', title: 'My access', url: input.myAccessUrl }],
  );
}
