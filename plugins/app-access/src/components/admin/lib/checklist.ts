import {
  AccessRequest,
  Checklist,
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
      'Jane’s request shows “Denied” with Sam’s comment. Seen to work when one request for a tier with one approval level was denied at that level, with no other decision.',
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
      'The request moves to level 2 after Sam’s approval and ends “Denied”. Seen to work when one request for a tier with two approval levels was approved at level 1, then denied at level 2.',
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
      'Approvers are reminded, up to the maximum count, and the request stays open (“Pending approval”). Seen to work when a request’s approvers were reminded before anyone answered it.',
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
      'The Okta module adds Jane to the tier’s Okta group and the request ends “Fulfilled”. Needs the Okta module installed and configured. Seen to work when one request was approved at every level, then fulfilled through Okta (group membership or app assignment).',
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
      'A ticket is filed for IT and the request shows “Waiting for IT” with the ticket link, then “Fulfilled” when IT closes it. Seen to work when one request was approved at every level, then a Jira, Zendesk or email ticket was filed for it.',
  },
];

export type StepEvidence = {
  seen: boolean;
  /** A request that shows it, to open. */
  requestId?: string;
  at?: string;
};

export type ChecklistEvidence = Record<ChecklistStepId, StepEvidence>;

/**
 * The backend's answer (GET /admin/checklist) by step. It counts a step
 * only when one request's own events followed the step's whole path (see
 * each step's `expect`); a step it did not answer is not seen.
 */
export function checklistEvidence(checklist: Checklist): ChecklistEvidence {
  const out = Object.fromEntries(
    CHECKLIST_STEPS.map(step => [step.id, { seen: false }]),
  ) as ChecklistEvidence;
  for (const step of checklist.steps) {
    if (step.id in out) {
      out[step.id] = step.seen
        ? { seen: true, requestId: step.requestId, at: step.at }
        : { seen: false };
    }
  }
  return out;
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
