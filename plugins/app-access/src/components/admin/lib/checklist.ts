import {
  AccessRequest,
  RequestEvent,
  SettingsResponse,
} from '@app-access/plugin-app-access-common';

export type ChecklistStepId =
  | 'deny-level-1'
  | 'deny-level-2'
  | 'ignore'
  | 'okta'
  | 'ticket';

export type ChecklistStep = {
  id: ChecklistStepId;
  letter: string;
  title: string;
  /** The app and tier from the example catalog (examples/apps.yaml). */
  appId: string;
  appName: string;
  tierName: string;
  /** What to do in the demo portal, persona by persona. */
  steps: string[];
  /** What App Access should do, and what makes the step "seen to work". */
  expect: string;
  /** Apps and tiers that follow the same path, for when the suggested one is taken. */
  alternatives: Array<{
    appId: string;
    appName: string;
    tierId: string;
    tierName: string;
  }>;
  tierId: string;
};

/**
 * The seed's test plan (packages/app/e2e-tests/specs/workflow-api.spec.mjs
 * scripts the first two through the API), with the example catalog's apps
 * and the demo personas.
 */
export const CHECKLIST_STEPS: ChecklistStep[] = [
  {
    id: 'deny-level-1',
    tierId: 'user',
    alternatives: [
      {
        appId: 'confluence',
        appName: 'Confluence',
        tierId: 'editor',
        tierName: 'Editor',
      },
      {
        appId: 'linear',
        appName: 'Linear',
        tierId: 'member',
        tierName: 'Member',
      },
    ],
    letter: 'a',
    title: 'Deny at level 1',
    appId: 'jira-software',
    appName: 'Jira Software',
    tierName: 'User',
    steps: [
      'Sign in as jane.doe and request Jira Software › User, with a reason.',
      'Sign in as sam.manager (Jane’s manager) and deny it, with a comment.',
    ],
    expect:
      'Jane’s request shows “Denied” with Sam’s comment. Seen to work when the audit trail has a level 1 denial.',
  },
  {
    id: 'deny-level-2',
    tierId: 'notion-ai',
    alternatives: [
      {
        appId: 'datadog',
        appName: 'Datadog',
        tierId: 'admin',
        tierName: 'Admin',
      },
      {
        appId: 'jira-software',
        appName: 'Jira Software',
        tierId: 'project-admin',
        tierName: 'Project Admin',
      },
    ],
    letter: 'b',
    title: 'Approve at level 1, then deny at level 2',
    appId: 'notion',
    appName: 'Notion',
    tierName: 'Member + Notion AI',
    steps: [
      'Sign in as jane.doe and request Notion › Member + Notion AI.',
      'Sign in as sam.manager and approve it (level 1: the manager).',
      'Sign in as olivia.owner (the app’s owner) and deny it (level 2).',
    ],
    expect:
      'The request moves to level 2 after Sam’s approval and ends “Denied”. Seen to work when one request has a level 1 approval and a level 2 denial.',
  },
  {
    id: 'ignore',
    tierId: 'member',
    alternatives: [
      { appId: 'miro', appName: 'Miro', tierId: 'member', tierName: 'Member' },
      {
        appId: 'loom',
        appName: 'Loom',
        tierId: 'business',
        tierName: 'Business',
      },
    ],
    letter: 'c',
    title: 'Ignore a request',
    appId: 'asana',
    appName: 'Asana',
    tierName: 'Member',
    steps: [
      'Sign in as jane.doe and request Asana › Member.',
      'Nobody answers. Wait for the reminder interval (Settings › Default settings › Reminders), or use “Send reminders now” below.',
    ],
    expect:
      'Approvers are reminded, up to the maximum count, and the request stays open (“Pending approval”). Seen to work when a reminder was sent.',
  },
  {
    id: 'okta',
    tierId: 'dev',
    alternatives: [
      {
        appId: 'figma',
        appName: 'Figma',
        tierId: 'full',
        tierName: 'Full seat',
      },
      {
        appId: 'datadog',
        appName: 'Datadog',
        tierId: 'standard',
        tierName: 'Standard',
      },
    ],
    letter: 'd',
    title: 'Approve through Okta',
    appId: 'figma',
    appName: 'Figma',
    tierName: 'Dev seat',
    steps: [
      'Sign in as jane.doe and request Figma › Dev seat (fulfilled through an Okta group).',
      'Sign in as sam.manager and approve it.',
    ],
    expect:
      'The Okta module adds Jane to the tier’s Okta group and the request ends “Fulfilled”. Needs the Okta module installed and configured. Seen to work when a request fulfilled by Okta has a “fulfilled” event.',
  },
  {
    id: 'ticket',
    tierId: 'read-only',
    alternatives: [
      {
        appId: 'tableau',
        appName: 'Tableau',
        tierId: 'viewer',
        tierName: 'Viewer',
      },
      {
        appId: 'tableau',
        appName: 'Tableau',
        tierId: 'explorer',
        tierName: 'Explorer',
      },
    ],
    letter: 'e',
    title: 'Approve through a ticket',
    appId: 'salesforce',
    appName: 'Salesforce',
    tierName: 'Read Only',
    steps: [
      'Choose Jira, Zendesk or email as the ticketing system in Settings › Fulfillment (and check it with “Send test”).',
      'Sign in as jane.doe and request Salesforce › Read Only (fulfilled by a ticket).',
      'Sign in as sam.manager and approve it.',
    ],
    expect:
      'A ticket is filed for IT and the request shows “Waiting for IT” with the ticket link, then “Fulfilled” when IT closes it. Seen to work when a request handled by Jira, Zendesk or email reached “Waiting for IT” or “Fulfilled”.',
  },
];

export type StepEvidence = {
  seen: boolean;
  /** A request that shows it, to open. */
  requestId?: string;
  at?: string;
};

export type ChecklistEvidence = Record<ChecklistStepId, StepEvidence>;

const TICKET_FULFILLERS = ['jira', 'zendesk', 'email'];

function latest(events: RequestEvent[]): RequestEvent | undefined {
  return [...events].sort((a, b) => b.at.localeCompare(a.at))[0];
}

function evidence(event: RequestEvent | undefined): StepEvidence {
  return event
    ? { seen: true, requestId: event.requestId, at: event.at }
    : { seen: false };
}

/**
 * Which steps the audit trail shows working:
 * (a) a "denied" event at level 1;
 * (b) a "denied" at level 2 on a request with an "approved" at level 1;
 * (c) a "reminder_sent";
 * (d) a "fulfilled" on a request whose fulfilledBy starts with "okta";
 * (e) an "awaiting_it" or "fulfilled" on a request fulfilled by jira, zendesk or email.
 */
export function evaluateChecklist(
  events: RequestEvent[],
  requests: AccessRequest[],
): ChecklistEvidence {
  const fulfilledBy = new Map<string, string>();
  for (const r of requests) {
    if (r.fulfilledBy) {
      fulfilledBy.set(r.id, r.fulfilledBy.toLocaleLowerCase('en-US'));
    }
  }
  const ofType = (type: string) => events.filter(e => e.type === type);
  const approvedL1 = new Set(
    ofType('approved')
      .filter(e => e.level === 1 && e.requestId)
      .map(e => e.requestId),
  );
  const by = (e: RequestEvent) =>
    (e.requestId && fulfilledBy.get(e.requestId)) || '';

  return {
    'deny-level-1': evidence(
      latest(ofType('denied').filter(e => e.level === 1)),
    ),
    'deny-level-2': evidence(
      latest(
        ofType('denied').filter(
          e => e.level === 2 && e.requestId && approvedL1.has(e.requestId),
        ),
      ),
    ),
    ignore: evidence(latest(ofType('reminder_sent'))),
    okta: evidence(
      latest(ofType('fulfilled').filter(e => by(e).startsWith('okta'))),
    ),
    ticket: evidence(
      latest(
        [...ofType('awaiting_it'), ...ofType('fulfilled')].filter(e =>
          TICKET_FULFILLERS.includes(by(e)),
        ),
      ),
    ),
  };
}

/** What a step needs before it can run, and where to set it up. */
export type StepRequirement = {
  message: string;
  /** Where to set it up (a page of the docs). */
  setupUrl: string;
  setupLabel: string;
};

const DOCS = 'https://github.com/app-access/app-access/blob/main';
const SANDBOX_HINT =
  'In the example portal, the vendor sandbox (appAccess.sandbox.enabled) stands in for it.';

/**
 * Why a step cannot run with the installed modules and settings, or
 * undefined when it can (or when the settings cannot be read).
 */
export function stepRequirement(
  step: ChecklistStepId,
  settings: SettingsResponse | undefined,
): StepRequirement | undefined {
  if (!settings) return undefined;
  if (step === 'okta') {
    const okta = settings.integrations.okta;
    if (
      !okta?.configured ||
      !settings.modules.fulfillers.includes('okta-group')
    ) {
      return {
        message: `Needs the Okta module, ${
          okta?.installed
            ? 'configured (appAccess.okta)'
            : 'installed and configured'
        }. ${SANDBOX_HINT}`,
        setupUrl: `${DOCS}/docs/okta.md`,
        setupLabel: 'Set up Okta',
      };
    }
  }
  if (step === 'ticket') {
    const system = settings.values.ticketing.system;
    if (system === 'manual') {
      return {
        message: `Needs a ticketing system: choose Jira, Zendesk or email in Settings › Fulfillment. ${SANDBOX_HINT}`,
        setupUrl: `${DOCS}/README.md#configuration`,
        setupLabel: 'Ticketing',
      };
    }
    const integration = settings.integrations[system];
    if (!integration?.configured) {
      const name = { jira: 'Jira', zendesk: 'Zendesk', email: 'email' }[system];
      return {
        message: `Needs the ${name} module, ${
          integration?.installed
            ? `configured (appAccess.${system})`
            : 'installed and configured'
        }. ${SANDBOX_HINT}`,
        setupUrl: `${DOCS}/docs/${system}.md`,
        setupLabel: `Set up ${name}`,
      };
    }
  }
  return undefined;
}

const OPEN = [
  'submitted',
  'pending_approval',
  'approved',
  'fulfilling',
  'awaiting_it',
];

/**
 * When the signed-in admin's own earlier request for the step's app and
 * tier is still open (a second one would be refused), the first
 * alternative that is free; undefined when the suggestion is free.
 */
export function takenSuggestion(
  step: ChecklistStep,
  mine: AccessRequest[],
):
  | { open: AccessRequest; instead?: ChecklistStep['alternatives'][number] }
  | undefined {
  const isOpen = (appId: string, tierId: string) =>
    mine.find(
      r => r.appId === appId && r.tierId === tierId && OPEN.includes(r.status),
    );
  const open = isOpen(step.appId, step.tierId);
  if (!open) return undefined;
  return {
    open,
    instead: step.alternatives.find(a => !isOpen(a.appId, a.tierId)),
  };
}
